"""What a settings change would do to the caseload as of a date, before it is saved.

Why two engine runs rather than a formula: every rule the policy sets (month counting, midway
policy, grace days, windows, escalation totals) goes through the same engine the pages use, so the
preview cannot disagree with what the dashboard shows after the save. Per team, it counts the
children looked after whose midway due date moves, who become midway-overdue or stop being so, and
who gain or lose any flag (the windows and totals of DOMAIN §8 move flags, not due dates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from services.engine.caseload import Caseload
from services.engine.compute import compute
from services.engine.policy import Policy

NO_TEAM = "(no team)"
COUNTS: tuple[str, ...] = (
    "midway_due_moved",
    "became_midway_overdue",
    "no_longer_midway_overdue",
    "gained_a_flag",
    "lost_a_flag",
)
COUNT_LABELS: dict[str, str] = {
    "team": "Team",
    "children": "Children looked after",
    "midway_due_moved": "Midway due date moves",
    "became_midway_overdue": "Become midway-overdue",
    "no_longer_midway_overdue": "Stop being midway-overdue",
    "gained_a_flag": "Gain a flag",
    "lost_a_flag": "Lose a flag",
}


@dataclass(frozen=True)
class ImpactPreview:
    """`by_team`: team, children, and each of COUNTS, one row per team (sorted) and a last
    "Total" row; `children`: one row per child something changes for, with before and after."""

    as_of: dt.date
    by_team: pl.DataFrame
    children: pl.DataFrame

    def total(self, column: str) -> int:
        return int(self.by_team.filter(pl.col("team") == "Total")[column].item())


def policy_impact(caseload: Caseload, as_of: dt.date, current: Policy, proposed: Policy) -> ImpactPreview:
    """Run the engine under both policies on `caseload` as of `as_of` and compare child by child."""
    cols = ("child_id", "team", "midway_due", "midway_status", "flags")
    before = compute(caseload, as_of, current).children.select(cols)
    after = compute(caseload, as_of, proposed).children.select(cols[0], *cols[2:])
    overdue = pl.lit("overdue")
    both = (
        before.join(after, on="child_id", how="full", suffix="_new", coalesce=True)
        .with_columns(
            pl.col("team").fill_null(NO_TEAM),
            pl.col("midway_status").cast(pl.String),
            pl.col("midway_status_new").cast(pl.String),
            pl.col("flags").cast(pl.List(pl.String)).fill_null([]),
            pl.col("flags_new").cast(pl.List(pl.String)).fill_null([]),
        )
        .with_columns(
            midway_due_moved=pl.col("midway_due").ne_missing(pl.col("midway_due_new")),
            became_midway_overdue=pl.col("midway_status_new").eq_missing(overdue)
            & pl.col("midway_status").ne_missing(overdue),
            no_longer_midway_overdue=pl.col("midway_status").eq_missing(overdue)
            & pl.col("midway_status_new").ne_missing(overdue),
            gained_a_flag=pl.col("flags_new").list.set_difference("flags").list.len() > 0,
            lost_a_flag=pl.col("flags").list.set_difference("flags_new").list.len() > 0,
        )
    )
    by_team = (
        both.group_by("team")
        .agg(pl.len().alias("children"), *(pl.col(c).sum().cast(pl.Int64) for c in COUNTS))
        .with_columns(pl.col("children").cast(pl.Int64))
        .sort("team")
    )
    total = by_team.select(pl.lit("Total").alias("team"), pl.exclude("team").sum())
    changed = both.filter(pl.any_horizontal(*COUNTS)).select(
        "child_id",
        "team",
        pl.col("midway_due").alias("midway_due_now"),
        "midway_due_new",
        pl.col("midway_status").alias("midway_status_now"),
        "midway_status_new",
        pl.col("flags_new").list.set_difference("flags").list.sort().list.join(", ").alias("flags_gained"),
        pl.col("flags").list.set_difference("flags_new").list.sort().list.join(", ").alias("flags_lost"),
    )
    return ImpactPreview(as_of, pl.concat([by_team, total]), changed.sort("team", "child_id"))
