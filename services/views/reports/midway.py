"""Midway check figures: what fell due and what became of it (DOMAIN §4), by month, team and IRO,
the IRO's "footprint" on the child's record; and what the checks found (the checklist of DOMAIN §5).

A check falls in the period when its due date does. Its outcome, as the engine gives it on the
period end: done on time (recorded on or before the due date plus the policy's grace days), done
late (after that, but before the next review: still done), missed (the next review came without
it), superseded (the next review was held on or before the due date: never really owed),
overdue (past due, not done, no next review yet) or not yet due.
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from services.engine.caseload import Caseload
from services.engine.compute import EngineResult
from services.views.reports.common import Figure, Period, Selection, attributed, month_col, month_grid, pct, unsupported

By = Literal["Month", "Team", "IRO"]
OUTCOMES: tuple[str, ...] = ("Done on time", "Done late", "Missed", "Superseded", "Overdue", "Not yet due")
MIDWAY_TITLE = "Midway checks due and what became of them"

# DOMAIN §5 (seed 002 table): checklist question key -> (short label, the answer that is a gap).
CHECKLIST: dict[str, tuple[str, str]] = {
    "statutory": ("Statutory visits, PEP, health assessment done", "No"),
    "visits": ("Statutory visits done, child seen", "No"),
    "pep": ("PEP undertaken", "No"),
    "health_assessment": ("Health assessment done", "No"),
    "permanence": ("Permanence plan in place", "No"),
    "care_plan_updated": ("Care plan updated with the review's recommendations", "No"),
    "direct_work": ("Social worker doing direct work with the child", "No"),
    "parents_involved": ("Parents and carers informed and involved", "No"),
    "drift": ("No drift or delay needing escalation", "Yes"),
    "contingency": ("Contingency plan in place", "No"),
    "management_oversight": ("Management oversight evident", "No"),
}
CHECKLIST_TITLE = "What midway checks found: practice gaps"


def _checks(result: EngineResult, caseload: Caseload, period: Period, sel: Selection) -> pl.DataFrame:
    grace = pl.duration(days=result.policy.midway_grace_days)
    iv = result.intervals.filter(pl.col("midway_required") & period.contains("midway_due"))
    status = pl.col("midway_status").cast(pl.String)
    outcome = (
        pl.when(status == "done")
        .then(
            pl.when(pl.col("check_date") <= pl.col("midway_due") + grace)
            .then(pl.lit("Done on time"))
            .otherwise(pl.lit("Done late"))
        )
        .when(status == "missed")
        .then(pl.lit("Missed"))
        .when(status == "superseded")
        .then(pl.lit("Superseded"))
        .when(status == "overdue")
        .then(pl.lit("Overdue"))
        .otherwise(pl.lit("Not yet due"))
    )
    # who held the child on the due date, or on the day the interval closed when that came first (a
    # check superseded by the child leaving care belongs to the IRO who had the child then)
    ends = caseload.periods.select("period_id", pl.col("end_date").alias("_period_end"))
    on = pl.min_horizontal("midway_due", "next_review_date", "_period_end").alias("_on")
    iv = iv.join(ends, on="period_id", how="left").with_columns(outcome.alias("Outcome"), month_col("midway_due"), on)
    return attributed(iv, "_on", caseload.allocations, sel)


def midway_checks(result: EngineResult, caseload: Caseload, period: Period, sel: Selection, by: By) -> Figure:
    """Required midway checks due in the period, grouped `by` month (every month, zeros included),
    team or IRO (who held the child on the due date, or when the interval closed if earlier): Due,
    then a count and a share of Due for each outcome (OUTCOMES; the shares add up to 100)."""
    key, title = f"midway_by_{by.lower()}", f"{MIDWAY_TITLE}, by {by if by == 'IRO' else by.lower()}"
    if caseload.midway_checks.is_empty():
        return unsupported(
            key,
            title,
            "No midway checks have been recorded for this data yet (an SSDA903 return does not carry them; "
            "they are Midway's own records), so every required check would count as missed.",
        )
    ch = _checks(result, caseload, period, sel)
    if ch.is_empty():
        return unsupported(key, title, "No midway check fell due in this period for this selection.")
    agg = ch.group_by(by).agg(
        pl.len().cast(pl.Int64).alias("Due"),
        *[(pl.col("Outcome") == o).sum().cast(pl.Int64).alias(o) for o in OUTCOMES],
    )
    if by == "Month":
        agg = month_grid(period).join(agg, on="Month", how="left").with_columns(pl.col("Due", *OUTCOMES).fill_null(0))
    else:
        agg = agg.sort("Due", by, descending=[True, False])
    out = agg.with_columns(*[pct(pl.col(o), pl.col("Due")).alias(f"{o} (%)") for o in OUTCOMES])
    totals = ch.select(pl.len().alias("Due"), *[(pl.col("Outcome") == o).sum().alias(o) for o in OUTCOMES]).to_dicts()[
        0
    ]
    totals.update({f"{o} (%)": round(totals[o] * 100 / totals["Due"], 1) for o in OUTCOMES})
    return Figure(key, title, out, summary=totals)


def checklist(
    answers: pl.DataFrame | None, caseload: Caseload, period: Period, sel: Selection, by: Literal["Team", "Month"]
) -> Figure:
    """The checklist answers of final midway checks recorded in the period (`answers` from
    services.persistence.report_facts.checklist_answers), per question and `by` team (who held the
    child on the check date) or month: Answered, Gaps (answered "No"; for the drift question,
    "Yes") and Gaps (%). A manager reads across a row for the gap that recurs in one team."""
    key, title = f"checklist_by_{by.lower()}", f"{CHECKLIST_TITLE}, by {by.lower()}"
    if answers is None or answers.is_empty():
        return unsupported(
            key,
            title,
            "No midway check in the data has checklist answers (the checklist is in the default and the "
            "002 templates of the midway check form; other templates and imported checks do not ask it).",
        )
    rows = answers.filter(period.contains("check_date"))
    rows = attributed(rows.with_columns(month_col("check_date")), "check_date", caseload.allocations, sel)
    if rows.is_empty():
        return unsupported(
            key, title, "No midway check with checklist answers was recorded in this period for this selection."
        )
    labels = {k: v[0] for k, v in CHECKLIST.items()}
    gap_answer = {k: v[1] for k, v in CHECKLIST.items()}
    item = pl.col("item")
    tagged = rows.with_columns(
        item.replace_strict(labels, default=item.str.replace_all("_", " ")).alias("Question"),
        (pl.col("answer").str.strip_chars().str.to_titlecase() == item.replace_strict(gap_answer, default="No")).alias(
            "_gap"
        ),
        pl.col("item").replace_strict({k: i for i, k in enumerate(CHECKLIST)}, default=len(CHECKLIST)).alias("_order"),
    )
    agg = tagged.group_by(by, "Question").agg(
        pl.len().cast(pl.Int64).alias("Answered"),
        pl.col("_gap").sum().cast(pl.Int64).alias("Gaps"),
        pl.col("_order").first(),
    )
    if by == "Month":
        questions = agg.select("Question", "_order").unique()
        agg = (
            month_grid(period, questions)
            .join(agg.drop("_order"), on=["Month", "Question"], how="left")
            .with_columns(pl.col("Answered", "Gaps").fill_null(0))
        )
    out = (
        agg.with_columns(pct(pl.col("Gaps"), pl.col("Answered")).alias("Gaps (%)"))
        .sort(by, "_order", "Question")
        .drop("_order")
        .select(by, "Question", "Answered", "Gaps", "Gaps (%)")
    )
    return Figure(key, title, out, summary={"checks": rows.get_column("check_id").n_unique()})
