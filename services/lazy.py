"""How the engine collects its lazy queries (services.engine, schedule, flags).

- the in-memory engine, which keeps row order through filters and joins (the queries rely on it;
  polars' default streaming engine does not promise it);
- without common subplan / subexpression elimination: the engine's queries are built so that
  nothing worth sharing is computed twice (a frame read by several steps is materialised once), and
  on an authority-sized caseload the search for common parts cost more than the query itself.
  Optimisation flags change how a query runs, never its result.
"""

from __future__ import annotations

import polars as pl

OPTIMIZATIONS = pl.QueryOptFlags(comm_subplan_elim=False, comm_subexpr_elim=False)


def collect(frame: pl.LazyFrame) -> pl.DataFrame:
    return frame.collect(engine="in-memory", optimizations=OPTIMIZATIONS)


def collect_all(frames: list[pl.LazyFrame] | tuple[pl.LazyFrame, ...]) -> list[pl.DataFrame]:
    return pl.collect_all(frames, engine="in-memory", optimizations=OPTIMIZATIONS)
