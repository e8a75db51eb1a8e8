"""Who is looked after on a date, and who is allocated to them then (vectorised, polars)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from services.caseload import Caseload


def looked_after_on(caseload: Caseload, as_of: dt.date) -> pl.DataFrame:
    """The period of care open on `as_of` for each child looked after then (one row per child).
    A period with an unknown start counts from the earliest date seen in the data."""
    start = pl.coalesce("start_date", "observed_from")
    return (
        caseload.periods.filter((start <= as_of) & (pl.col("end_date").is_null() | (pl.col("end_date") >= as_of)))
        .sort("child_id", "observed_from")
        .group_by("child_id", maintain_order=True)
        .last()
    )


def allocations_on(caseload: Caseload, as_of: dt.date) -> pl.DataFrame:
    """One row per child with the team, IRO and social worker allocated on `as_of` (null if none)."""
    return allocations_on_lazy(caseload, as_of).collect(engine="in-memory")


def allocations_on_lazy(caseload: Caseload, as_of: dt.date) -> pl.LazyFrame:
    """`allocations_on` as a lazy query (the engine joins it into a larger one; collect it on the
    in-memory engine, which keeps the order `group_by(maintain_order=True).last()` relies on)."""
    current = (
        caseload.allocations.lazy()
        .filter((pl.col("from_date") <= as_of) & (pl.col("to_date").is_null() | (pl.col("to_date") >= as_of)))
        .sort("child_id", "role", "from_date")
        .group_by("child_id", "role", maintain_order=True)
        .last()
    )
    out = caseload.children.lazy().select("child_id")
    for role in ("team", "iro", "social_worker"):
        part = current.filter(pl.col("role") == role).select(
            "child_id", pl.col("name").alias(role), pl.col("staff_code").alias(f"{role}_code")
        )
        out = out.join(part, on="child_id", how="left")
    return out.drop("team_code")
