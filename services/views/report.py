"""The schedule and drift report: one row per child looked after on as_of (the CLI's CSV)."""

from __future__ import annotations

import polars as pl

from services.engine.compute import EngineResult

REPORT_COLUMNS: tuple[str, ...] = (
    "child_id",
    "period_start",
    "reviews_in_period",
    "last_review_date",
    "next_review_due",
    "next_review_type",
    "midway_due",
    "midway_status",
    "flags",
)


def report_frame(result: EngineResult) -> pl.DataFrame:
    """Exactly REPORT_COLUMNS; dates stay Date (ISO when written), flags sorted and ';'-separated."""
    return result.children.select(*REPORT_COLUMNS[:-1], pl.col("flags").list.sort().list.join(";").alias("flags")).sort(
        "child_id"
    )
