"""What follows a review: its recommendations (done by their target date or not, DOMAIN §3) and the
IRO's escalations (DOMAIN §6: category, stage reached, outcome, time to resolution against the
national 20-working-day total)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from services.engine.caseload import Caseload
from services.engine.compute import EngineResult
from services.engine.workdays import working_days_between
from services.views.reports.common import Figure, Period, Selection, attributed, month_col, month_grid, pct, unsupported
from services.vocabulary import ESCALATION_CATEGORIES, ESCALATION_OUTCOMES

RECS_KEY = "recommendations"
RECS_TITLE = "Recommendations made at reviews and whether they were done"
REC_OUTCOMES: dict[str, str] = {
    "met": "Done by target date",
    "late": "Done late",
    "overdue": "Overdue",
    "pending": "Not yet due",
    "unknown": "No target date",
}
ESC_KEY = "escalations"
ESC_TITLE = "Escalations raised, by team"
ESC_BREAKDOWN_KEY = "escalations_breakdown"
ESC_BREAKDOWN_TITLE = "Escalations raised: category, stage reached and outcome"
OPEN = "Open"


def recommendations(result: EngineResult, caseload: Caseload, period: Period, sel: Selection) -> Figure:
    """Recommendations of the reviews held in the period, by the review's month (every month):
    Made, then one count per outcome on the period end (REC_OUTCOMES), Done by target date (%) of
    those with a target date, and the median working days late of those done late and of those
    still overdue (working days after the target date, DOMAIN §2)."""
    if caseload.unknown_for_every_child("recommendations"):
        return unsupported(
            RECS_KEY,
            RECS_TITLE,
            "The data that was loaded does not carry recommendations (an SSDA903 return has none).",
        )
    if caseload.recommendations.is_empty():
        return unsupported(RECS_KEY, RECS_TITLE, "No recommendations have been recorded in Midway for this data yet.")
    recs = (
        result.deadlines.filter(pl.col("kind") == "recommendation_target")
        .join(result.reviews.select("child_id", "review_id", "held_date"), on=["child_id", "review_id"], how="inner")
        .filter(period.contains("held_date"))
    )
    recs = attributed(recs, "held_date", caseload.allocations, sel)
    if recs.is_empty():
        return unsupported(
            RECS_KEY, RECS_TITLE, "No recommendations were made at reviews held in this period for this selection."
        )
    as_of = pl.lit(result.as_of)
    status = pl.col("status").cast(pl.String)
    tagged = recs.with_columns(
        month_col("held_date"),
        status.replace_strict(REC_OUTCOMES).alias("Outcome"),
        pl.when(status == "late").then(working_days_between(pl.col("due_date"), pl.col("done_date"))).alias("_late"),
        pl.when(status == "overdue").then(working_days_between(pl.col("due_date"), as_of)).alias("_overdue"),
    )
    names = list(REC_OUTCOMES.values())
    aggs = [
        pl.len().cast(pl.Int64).alias("Made"),
        *[(pl.col("Outcome") == o).sum().cast(pl.Int64).alias(o) for o in names],
        pl.col("_late").median().alias("Median working days late (done late)"),
        pl.col("_overdue").median().alias("Median working days overdue"),
    ]
    by_month = tagged.group_by("Month").agg(*aggs)
    out = (
        month_grid(period)
        .join(by_month, on="Month", how="left")
        .with_columns(pl.col("Made", *names).fill_null(0))
        .with_columns(
            pct(pl.col("Done by target date"), pl.col("Made") - pl.col("No target date")).alias(
                "Done by target date (%)"
            )
        )
        .select(
            "Month",
            "Made",
            *names,
            "Done by target date (%)",
            "Median working days late (done late)",
            "Median working days overdue",
        )
    )
    total = tagged.select(*aggs).to_dicts()[0]
    with_target = total["Made"] - total["No target date"]
    total["Done by target date (%)"] = (
        round(total["Done by target date"] * 100 / with_target, 1) if with_target else None
    )
    return Figure(RECS_KEY, RECS_TITLE, out, summary=total)


def _escalations(caseload: Caseload, period: Period, sel: Selection, policy_total: int) -> pl.DataFrame:
    """Escalations raised in the period, as they stood on its end, with the working days to
    resolution (from raised) and in the formal process (from its first formal stage; without the
    stage history, from the day it was raised: the longer, so never flattering)."""
    end = period.end
    esc = caseload.escalations.filter(period.contains("raised_date")).with_columns(
        pl.when(pl.col("resolved_date") <= end).then(pl.col("resolved_date")).alias("resolved_date"),
    )
    esc = esc.with_columns(
        pl.coalesce(
            pl.col("formal_started"), pl.when(pl.col("stage") >= 1).then(pl.col("raised_date")).cast(pl.Date)
        ).alias("formal_started")
    )
    resolved = pl.col("resolved_date").is_not_null()
    reached_formal = pl.col("formal_started").is_not_null() & (pl.col("formal_started") <= end)
    formal_days = working_days_between(pl.col("formal_started"), pl.col("resolved_date"))
    return attributed(
        esc.with_columns(
            working_days_between(pl.col("raised_date"), pl.col("resolved_date")).alias("_days"),
            (resolved & reached_formal).alias("_formal_closed"),
            (resolved & reached_formal & (formal_days <= policy_total)).alias("_within"),
        ),
        "raised_date",
        caseload.allocations,
        sel,
    )


def _esc_aggs(total_days: int) -> list[pl.Expr]:
    return [
        pl.len().cast(pl.Int64).alias("Raised"),
        pl.col("resolved_date").is_not_null().sum().cast(pl.Int64).alias("Closed"),
        pl.col("resolved_date").is_null().sum().cast(pl.Int64).alias(OPEN),
        pl.col("_days").median().alias("Median working days to resolution"),
        pl.col("_formal_closed").sum().cast(pl.Int64).alias("Closed after a formal stage"),
        pct(pl.col("_within").sum(), pl.col("_formal_closed").sum()).alias(f"Within {total_days} working days (%)"),
    ]


def _esc_unsupported(caseload: Caseload, key: str, title: str) -> Figure | None:
    if caseload.unknown_for_every_child("escalations"):
        return unsupported(
            key, title, "The data that was loaded does not carry escalations (an SSDA903 return has none)."
        )
    return None


def escalations(caseload: Caseload, period: Period, sel: Selection, total_days: int) -> Figure:
    """Escalations raised in the period by team (who held the child when it was raised) and in all:
    Raised, Closed (by the period end), Open, median working days from raised to closed, and of
    those closed after reaching a formal stage, the share closed within the national total of
    `total_days` working days from the first formal stage (DOMAIN §6, IRO Handbook §6.2)."""
    none = _esc_unsupported(caseload, ESC_KEY, ESC_TITLE)
    if none:
        return none
    esc = _escalations(caseload, period, sel, total_days)
    if esc.is_empty():
        return unsupported(ESC_KEY, ESC_TITLE, "No escalation was raised in this period for this selection.")
    aggs = _esc_aggs(total_days)
    by_team = esc.group_by("Team").agg(*aggs).sort("Raised", "Team", descending=[True, False])
    total = esc.select(*aggs).with_columns(pl.lit("All teams").alias("Team"))
    out = pl.concat([by_team, total.select(by_team.columns)])
    return Figure(ESC_KEY, ESC_TITLE, out, summary=total.to_dicts()[0])


def _category_label() -> pl.Expr:
    """An escalation's category as people read it; the code itself where it has no label."""
    return (
        pl.col("category").replace_strict(ESCALATION_CATEGORIES, default=pl.col("category")).fill_null("Not recorded")
    )


def _stage_label(stage_names: tuple[str, ...]) -> pl.Expr:
    """An escalation's stage (0-based) by the policy's stage names."""
    stages = dict(enumerate(stage_names))
    return pl.col("stage").replace_strict(stages, default=None, return_dtype=pl.String).fill_null("Not recorded")


def escalation_breakdown(
    caseload: Caseload, period: Period, sel: Selection, stage_names: tuple[str, ...], total_days: int
) -> Figure:
    """Escalations raised in the period counted three ways: by category, by the stage reached (the
    current stage on the period end) and by outcome ("Open" while unresolved). Long form: Breakdown,
    Value, Escalations, Share (%) within the breakdown."""
    none = _esc_unsupported(caseload, ESC_BREAKDOWN_KEY, ESC_BREAKDOWN_TITLE)
    if none:
        return none
    esc = _escalations(caseload, period, sel, total_days)
    if esc.is_empty():
        return unsupported(
            ESC_BREAKDOWN_KEY, ESC_BREAKDOWN_TITLE, "No escalation was raised in this period for this selection."
        )
    labelled = esc.with_columns(
        _category_label().alias("Category"),
        _stage_label(stage_names).alias("Stage reached"),
        pl.when(pl.col("resolved_date").is_null())
        .then(pl.lit(OPEN))
        .otherwise(pl.col("outcome").replace_strict(ESCALATION_OUTCOMES, default=pl.col("outcome")).fill_null("Closed"))
        .alias("Outcome"),
        pl.col("stage").fill_null(-1).alias("_stage"),
    )
    parts = []
    for dim in ("Category", "Stage reached", "Outcome"):
        order = pl.col("_stage").min() if dim == "Stage reached" else pl.lit(0)
        parts.append(
            labelled.group_by(dim)
            .agg(pl.len().cast(pl.Int64).alias("Escalations"), order.alias("_order"))
            .sort("_order", "Escalations", dim, descending=[False, True, False])
            .select(pl.lit(dim).alias("Breakdown"), pl.col(dim).alias("Value"), "Escalations")
        )
    out = pl.concat(parts).with_columns(
        pct(pl.col("Escalations"), pl.col("Escalations").sum().over("Breakdown")).alias("Share (%)")
    )
    return Figure(ESC_BREAKDOWN_KEY, ESC_BREAKDOWN_TITLE, out, summary={"raised": esc.height})


def open_escalations(caseload: Caseload, as_of: dt.date, sel: Selection, stage_names: tuple[str, ...]) -> pl.DataFrame:
    """The escalations open on as_of for the selection (who holds the child now), for the
    supervision pack: child, category, stage, raised, stage resolution date, working days open."""
    esc = caseload.escalations.filter(
        (pl.col("raised_date") <= as_of) & (pl.col("resolved_date").is_null() | (pl.col("resolved_date") > as_of))
    ).with_columns(pl.lit(as_of).alias("_as_of"))
    esc = attributed(esc, "_as_of", caseload.allocations, sel)
    return esc.sort("raised_date", "escalation_id").select(
        pl.col("child_id").alias("Child"),
        _category_label().alias("Category"),
        _stage_label(stage_names).alias("Stage"),
        pl.col("raised_date").alias("Raised"),
        pl.col("stage_due_date").alias("Stage due"),
        working_days_between(pl.col("raised_date"), pl.lit(as_of)).alias("Working days open"),
        "IRO",
        "Team",
    )
