"""Review figures: reviews held in timescale by type and month (DOMAIN §3), and how children took
part in them (SSDA903 participation codes PN0-PN7)."""

from __future__ import annotations

import polars as pl

from services.engine.caseload import Caseload
from services.engine.compute import EngineResult
from services.views.reports.common import Figure, Period, Selection, attributed, month_col, month_grid, pct, unsupported

# The engine's review types, grouped as the Corporate Parenting Board report counts them: the 1st
# ("28 day"), the 2nd ("3 month") and every later one ("6 month", whatever rule set its date).
REVIEW_GROUPS: dict[str, str] = {
    "first": "First (20 working days)",
    "adoption_first": "First (20 working days)",
    "second": "Second (3 months)",
    "adoption_second": "Second (3 months)",
    "subsequent": "Subsequent (6 months)",
    "brought_forward": "Subsequent (6 months)",
    "placement_order": "Subsequent (6 months)",
    "adoption_subsequent": "Subsequent (6 months)",
    "annual": "Subsequent (6 months)",
}
GROUP_ORDER = ("First (20 working days)", "Second (3 months)", "Subsequent (6 months)", "All reviews")

# SSDA903 REVIEW_CODE (rule 167), as SSDA903.md words them, shortened for a chart axis.
PARTICIPATION: dict[str, str] = {
    "PN0": "PN0: under 4 at the review",
    "PN1": "PN1: attends and speaks for themselves",
    "PN2": "PN2: attends, advocate or IRO speaks for them",
    "PN3": "PN3: attends, conveys views symbolically",
    "PN4": "PN4: attends but does not convey views",
    "PN5": "PN5: does not attend, briefs an advocate or IRO",
    "PN6": "PN6: does not attend, views by another medium",
    "PN7": "PN7: does not attend, views not conveyed",
}
NOT_RECORDED = "Not recorded"

TIMESCALE_KEY = "reviews_in_timescale"
TIMESCALE_TITLE = "Reviews held in timescale"
PARTICIPATION_KEY = "participation"
PARTICIPATION_TITLE = "Children's participation in their reviews"


def _held(result: EngineResult, caseload: Caseload, period: Period, sel: Selection) -> pl.DataFrame:
    rv = result.reviews.filter(period.contains("held_date"))
    return attributed(rv, "held_date", caseload.allocations, sel)


def reviews_in_timescale(result: EngineResult, caseload: Caseload, period: Period, sel: Selection) -> Figure:
    """Reviews held in the period, month by month and by type: held, in timescale (held on or
    before the due date the schedule gave, DOMAIN §2), late, timescale unknown, and the share in
    timescale of those whose due date is known. "All reviews" sums the three types."""
    rv = _held(result, caseload, period, sel)
    if rv.is_empty():
        return unsupported(TIMESCALE_KEY, TIMESCALE_TITLE, "No reviews were held in this period for this selection.")
    if rv.get_column("on_time").is_null().all():
        return unsupported(
            TIMESCALE_KEY,
            TIMESCALE_TITLE,
            "The data does not say when these children's periods of care started (for example an SSDA903 "
            "return without the episode that opened the period), so no due date, and no timescale, can be "
            "worked out for their reviews.",
        )
    typed = rv.with_columns(
        month_col("held_date"),
        pl.col("review_type")
        .cast(pl.String)
        .replace_strict(REVIEW_GROUPS, default="Subsequent (6 months)")
        .alias("Review"),
    )
    both = pl.concat([typed, typed.with_columns(pl.lit("All reviews").alias("Review"))])
    agg = both.group_by("Month", "Review").agg(
        pl.len().cast(pl.Int64).alias("Held"),
        (pl.col("on_time") == True).sum().cast(pl.Int64).alias("In timescale"),  # noqa: E712
        (pl.col("on_time") == False).sum().cast(pl.Int64).alias("Late"),  # noqa: E712
        pl.col("on_time").is_null().sum().cast(pl.Int64).alias("Timescale unknown"),
    )
    groups = pl.DataFrame({"Review": list(GROUP_ORDER)})
    counts = ["Held", "In timescale", "Late", "Timescale unknown"]
    out = (
        month_grid(period, groups)
        .join(agg, on=["Month", "Review"], how="left")
        .with_columns(pl.col(counts).fill_null(0))
        .with_columns(pct(pl.col("In timescale"), pl.col("In timescale") + pl.col("Late")).alias("In timescale (%)"))
        .with_columns(pl.col("Review").cast(pl.Enum(GROUP_ORDER)))
        .sort("Month", "Review")
        .with_columns(pl.col("Review").cast(pl.String))
    )
    totals = (
        out.group_by("Review", maintain_order=True)
        .agg(pl.col(counts).sum())
        .with_columns(pct(pl.col("In timescale"), pl.col("In timescale") + pl.col("Late")).alias("In timescale (%)"))
    )
    summary = {row["Review"]: row for row in totals.to_dicts()}
    return Figure(TIMESCALE_KEY, TIMESCALE_TITLE, out, summary={"by_type": summary, "totals": totals})


def participation(result: EngineResult, caseload: Caseload, period: Period, sel: Selection) -> Figure:
    """How children took part in the reviews held in the period (one count per review, PN0-PN7 with
    their meaning; a review without a code is "Not recorded"), with each code's share."""
    rv = _held(result, caseload, period, sel)
    if rv.is_empty():
        return unsupported(
            PARTICIPATION_KEY, PARTICIPATION_TITLE, "No reviews were held in this period for this selection."
        )
    codes = rv.join(
        caseload.reviews.select("review_id", "participation_code"), on="review_id", how="left"
    ).with_columns(pl.col("participation_code").str.strip_chars().str.to_uppercase())
    if codes.get_column("participation_code").is_null().all():
        return unsupported(
            PARTICIPATION_KEY,
            PARTICIPATION_TITLE,
            "No participation code (PN0-PN7) is recorded for the reviews in this period: the data that was "
            "loaded does not carry them.",
        )
    labelled = codes.with_columns(
        pl.col("participation_code")
        .replace_strict(PARTICIPATION, default=None)
        .fill_null(NOT_RECORDED)
        .alias("Participation")
    )
    order = pl.DataFrame({"Participation": [*PARTICIPATION.values(), NOT_RECORDED]})
    counts = labelled.group_by("Participation").agg(pl.len().cast(pl.Int64).alias("Reviews"))
    out = (
        order.join(counts, on="Participation", how="left", maintain_order="left")
        .with_columns(pl.col("Reviews").fill_null(0))
        .with_columns(pct(pl.col("Reviews"), pl.col("Reviews").sum()).alias("Share (%)"))
    )
    return Figure(PARTICIPATION_KEY, PARTICIPATION_TITLE, out, summary={"reviews": rv.height})
