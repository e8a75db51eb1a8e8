"""How the engine collects its lazy queries (services.engine, schedule, flags).

- the in-memory engine, which keeps row order through filters and joins (the queries rely on it;
  polars' default streaming engine does not promise it);
- on a small caseload without common subplan / subexpression elimination: there the search for
  common parts cost more than running the query (an authority's engine time fell by about a
  third), while on a national caseload sharing the repeated subexpressions pays
  (benchmarks/schedule.py). Optimisation flags change how a query runs, never its result.
"""

from __future__ import annotations

import polars as pl

SMALL_ROWS = 200_000  # reviews in the caseload below which the engine's queries skip the CSE passes
_SMALL = pl.QueryOptFlags(comm_subplan_elim=False, comm_subexpr_elim=False)
_LARGE = pl.QueryOptFlags()


def optimizations(rows: int) -> pl.QueryOptFlags:
    return _SMALL if rows < SMALL_ROWS else _LARGE


def collect(frame: pl.LazyFrame, rows: int) -> pl.DataFrame:
    """Collect `frame`, a query over a caseload of `rows` reviews."""
    return frame.collect(engine="in-memory", optimizations=optimizations(rows))


def collect_all(frames: list[pl.LazyFrame] | tuple[pl.LazyFrame, ...], rows: int) -> list[pl.DataFrame]:
    return pl.collect_all(frames, engine="in-memory", optimizations=optimizations(rows))
