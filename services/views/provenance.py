"""What the data can tell, for the pages: its end date, whether any midway checks are recorded,
and, per check, how many children looked after the data supports (DOMAIN §8, §10).

A 903 return is a year-end snapshot: computed against today, a 2018 return shows years of
"overdue". The pages ask `data_end` and, when the data ends before today, say so and offer that
date as the as-of date. Checks a child's data cannot decide are not flags: `coverage_rows` and
`child_undecided` say which and why instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services.dates import day
from services.engine.caseload import FACT_LABELS
from services.persistence import models as m

# what each check is, in words (the codes are DOMAIN §8's)
CHECK_WORDS: dict[str, str] = {
    "REC_OVERDUE": "Recommendations past their target date",
    "RECORD_LATE": "Review record within 15 working days",
    "CARE_PLAN_NOT_UPDATED": "Care plan updated after the review",
    "IRO_NOT_ALLOCATED": "IRO allocated within 5 working days",
    "SIBLINGS_SPLIT": "Siblings share one IRO",
    "NO_PERMANENCE_PLAN": "Permanence plan by the 2nd review",
    "ESCALATION_OVERDUE": "Escalations resolved in time",
    "FREQUENT_MISSING": "Frequent missing episodes",
    "REVIEW_NOT_BROUGHT_FORWARD": "Reviews brought forward after events",
}


def data_end(engine: Engine) -> dt.date | None:
    """The last day the imported data covers: for SSDA903 returns, 31 March of the latest
    collection year imported (recorded with each import run); None when no 903 return was imported
    (the data is Midway's own, or a live template: it runs to today)."""
    with Session(engine) as s:
        return s.scalar(select(func.max(m.ImportRun.data_end)).where(m.ImportRun.kind == "ssda903"))


def midway_checks_recorded(engine: Engine) -> int:
    """How many final midway checks the database holds (DOMAIN §4: with none, every required
    check counts as not done, and the pages say that none have been recorded for this data yet)."""
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(m.MidwayCheck).where(m.MidwayCheck.status == "final")) or 0


def past_data_note(end: dt.date | None, as_of: dt.date) -> str | None:
    """The sentence every page shows when the data ends before the date it is computed on."""
    if end is None or as_of <= end:
        return None
    return (
        f"The data ends on {day(end)} (the SSDA903 return's collection year ends on 31 March). Computed on "
        f"{day(as_of)}, every review since then would read as overdue: choose {day(end)} as the date "
        "to see the picture as the data left it."
    )


def coverage_rows(result: Any) -> pl.DataFrame:
    """Per check that some child's data may lack: what it is, how many of the children looked after
    the data supports it for, and for how many it cannot tell (and the commonest reason why)."""
    why = (
        result.undecided.group_by("code")
        .agg(pl.col("why").mode().first().alias("why"), pl.col("fact").mode().first().alias("fact"))
        .with_columns(pl.col("fact").replace_strict(FACT_LABELS, default=pl.col("fact")).alias("fact"))
    )
    return (
        result.coverage.join(why, on="code", how="left", maintain_order="left")
        .with_columns(
            pl.col("code").replace_strict(CHECK_WORDS, default=pl.col("code")).alias("check"),
            (pl.col("children") - pl.col("supported")).alias("cannot_tell"),
            pl.when(pl.col("why").is_not_null())
            .then(pl.concat_str(pl.col("fact"), pl.lit(": "), pl.col("why")))
            .otherwise(pl.lit(""))
            .alias("why"),
        )
        .select("check", "code", "supported", "children", "cannot_tell", "why")
    )


def child_undecided(result: Any, child_id: str) -> list[str]:
    """For one child: each check its data cannot decide, and why ("IRO allocated within 5 working
    days: IRO allocations: not in the 903 return")."""
    rows = result.undecided.filter(pl.col("child_id") == child_id)
    return [
        f"{CHECK_WORDS.get(r['code'], r['code'])}: {FACT_LABELS.get(r['fact'], r['fact'])}: {r['why']}"
        for r in rows.iter_rows(named=True)
    ]
