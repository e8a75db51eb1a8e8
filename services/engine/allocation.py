"""Who is looked after on a date, and who is allocated to them then (vectorised, polars)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from services.engine.caseload import Caseload
from services.engine.lazy import collect


def looked_after_on(caseload: Caseload, as_of: dt.date) -> pl.DataFrame:
    """The period of care open on `as_of` for each child looked after then (one row per child).
    A period with an unknown start counts from the earliest date seen in the data."""
    start = pl.coalesce("start_date", "observed_from")
    return (
        caseload.periods.filter((start <= as_of) & (pl.col("end_date").is_null() | (pl.col("end_date") >= as_of)))
        .sort("child_id", "observed_from", maintain_order=True)
        .group_by("child_id", maintain_order=True)
        .last()
    )


def allocations_on(caseload: Caseload, as_of: dt.date) -> pl.DataFrame:
    """One row per child with the team, IRO and social worker allocated on `as_of` (null if none)."""
    return collect(allocations_on_lazy(caseload, as_of))


def allocations_on_lazy(caseload: Caseload, as_of: dt.date) -> pl.LazyFrame:
    """`allocations_on` as a lazy query (the engine joins it into a larger one; collect it with
    services.engine.lazy, on the in-memory engine, which keeps the order `last()` relies on)."""
    role = pl.col("role")
    # one pass: each child's open allocations in date order, the latest of each role (rather than
    # a group per role joined back three times: fewer steps, which is most of a small caseload's time)
    current = (
        caseload.allocations.lazy()
        .filter((pl.col("from_date") <= as_of) & (pl.col("to_date").is_null() | (pl.col("to_date") >= as_of)))
        .sort("child_id", "from_date", maintain_order=True)
        .group_by("child_id", maintain_order=True)
        .agg(
            pl.col("name").filter(role == "team").last().alias("team"),
            pl.col("name").filter(role == "iro").last().alias("iro"),
            pl.col("staff_code").filter(role == "iro").last().alias("iro_code"),
            pl.col("name").filter(role == "social_worker").last().alias("social_worker"),
            pl.col("staff_code").filter(role == "social_worker").last().alias("social_worker_code"),
        )
    )
    return caseload.children.lazy().select("child_id").join(current, on="child_id", how="left")
