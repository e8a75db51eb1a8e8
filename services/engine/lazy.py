"""How the engine collects its lazy queries (services.engine.compute, schedule, flags).

- on the in-memory engine, which keeps row order through filters and joins (the queries rely on it;
  polars' default streaming engine does not promise it);
- without common subplan / subexpression elimination: the engine materialises each frame that
  several later steps read, and writes each working-day count once, so there is little left to
  share, and the search for it cost more than it saved at both an authority's and a national
  caseload's size (benchmarks/schedule.py). Optimisation flags change how a query runs, never its
  result.
"""

from __future__ import annotations

import polars as pl

_OPTIMIZATIONS = pl.QueryOptFlags(comm_subplan_elim=False, comm_subexpr_elim=False)


def collect(frame: pl.LazyFrame) -> pl.DataFrame:
    return frame.collect(engine="in-memory", optimizations=_OPTIMIZATIONS)


def collect_all(frames: list[pl.LazyFrame] | tuple[pl.LazyFrame, ...]) -> list[pl.DataFrame]:
    return pl.collect_all(frames, engine="in-memory", optimizations=_OPTIMIZATIONS)
