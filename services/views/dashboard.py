"""The dashboard's numbers, as pure polars over the engine's output (no Streamlit here).

Every page of the Dashboard section asks this module, so that what a service manager sees on the
projector is unit-tested without a browser. Inputs are an `EngineResult` (services.engine.compute) and, where
the engine does not carry a fact (open escalations, recommendation texts), the `Caseload` it was
computed from.

Definitions a manager may ask about (also shown as captions on the pages):

- **Overdue midway check (heatmap)**: a check the midway policy required after a review, due in the
  bucket's week or month (up to as_of), whose status on as_of is `overdue` (still not done) or
  `missed` (the next review was held without it). Checks done late are done; superseded checks
  (next review held on or before the due date) were never really owed and are left out.
- **Rate (heatmap)**: overdue-or-missed checks / required checks due in that bucket (superseded left
  out). A bucket with no check due has no rate (shown as a dash, not as 0 %).
- Rows are the child's team (or IRO) on as_of: the heatmap answers "whose caseload is it now".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Literal

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.access import ALL as EVERY_CHILD
from services.access import Scope, restrict
from services.dates import day_expr
from services.engine.caseload import Caseload
from services.engine.compute import EngineResult, coverage
from services.engine.policy import Policy
from services.persistence.models import Staff
from services.vocabulary import FLAG_LABELS

Granularity = Literal["week", "month"]
RowDimension = Literal["team", "iro"]

NO_TEAM = "No team recorded"
NO_IRO = "No IRO allocated"
ALL = "All"

# How much each flag weighs in "children needing attention now": statutory breaches first,
# then drift in the plan, then warnings of what falls due soon (DOMAIN §8 codes).
FLAG_WEIGHT: dict[str, int] = {
    "IRO_NOT_ALLOCATED": 100,
    "REVIEW_OVERDUE": 100,
    "ESCALATION_OVERDUE": 80,
    "REVIEW_NOT_BROUGHT_FORWARD": 70,
    "MIDWAY_OVERDUE": 60,
    "FREQUENT_MISSING": 60,
    "MIDWAY_MISSED": 50,
    "REC_OVERDUE": 40,
    "NO_PERMANENCE_PLAN": 35,
    "CARE_PLAN_NOT_UPDATED": 30,
    "RECORD_LATE": 25,
    "SIBLINGS_SPLIT": 20,
    "REVIEW_LATE": 15,
    "REVIEW_DUE_SOON": 5,
    "MIDWAY_DUE_SOON": 5,
}
OVERDUE_STATUSES = ("overdue", "missed")


# --- filters -------------------------------------------------------------------------------------


def filter_options(result: EngineResult) -> dict[str, list[str]]:
    """The values the sidebar can filter on, from the children looked after on as_of."""
    ch = result.children
    return {
        col: sorted(v for v in ch.get_column(col).unique().to_list() if v is not None)
        for col in ("team", "iro", "legal_status")
    }


def filter_result(
    result: EngineResult,
    *,
    team: str | None = None,
    iro: str | None = None,
    legal_status: str | None = None,
    scope: Scope = EVERY_CHILD,
) -> EngineResult:
    """The result restricted to the children the acting user may see (`scope`, from
    services.access.visible_children) and matching the filters (None or "All" = no filter).
    Every child-level frame is cut to those children, so every number on a page agrees."""
    conds = [
        pl.col(col) == value
        for col, value in (("team", team), ("iro", iro), ("legal_status", legal_status))
        if value and value != ALL
    ]
    children = restrict(result.children, scope)
    children = children.filter(*conds) if conds else children
    ids = children.get_column("child_id").implode()

    def keep(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("child_id").is_in(ids))

    return replace(
        result,
        children=children,
        flags=keep(result.flags),
        reviews=keep(result.reviews),
        intervals=keep(result.intervals),
        deadlines=keep(result.deadlines),
        # per check, the children of this view the data supports (DOMAIN §8)
        **coverage(children.select("child_id"), result.undecided),
    )


# --- overview cards ------------------------------------------------------------------------------


def open_escalations(escalations: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Escalations raised on or before as_of and not resolved by then."""
    return escalations.filter(
        (pl.col("raised_date") <= as_of) & (pl.col("resolved_date").is_null() | (pl.col("resolved_date") > as_of))
    )


def card_counts(result: EngineResult, escalations: pl.DataFrame) -> dict[str, int]:
    """The overview's five numbers for the (filtered) result; `escalations` = Caseload.escalations.

    Reviews overdue and midway checks overdue or missed count children (a child is one case to chase);
    recommendations overdue count recommendations; escalations count escalations."""
    ids = result.children.get_column("child_id").implode()
    flags = result.flags

    def children_with(*codes: str) -> int:
        return flags.filter(pl.col("code").is_in(codes)).get_column("child_id").n_unique()

    recs = result.deadlines.filter((pl.col("kind") == "recommendation_target") & (pl.col("status") == "overdue"))
    esc = open_escalations(escalations, result.as_of).filter(pl.col("child_id").is_in(ids))
    return {
        "children": result.children.height,
        "reviews_overdue": children_with("REVIEW_OVERDUE"),
        "midway_overdue_missed": children_with("MIDWAY_OVERDUE", "MIDWAY_MISSED"),
        "midway_overdue": children_with("MIDWAY_OVERDUE"),
        "midway_missed": children_with("MIDWAY_MISSED"),
        "midway_both": flags.filter(pl.col("code").is_in(["MIDWAY_OVERDUE", "MIDWAY_MISSED"]))
        .group_by("child_id")
        .agg(pl.col("code").n_unique())
        .filter(pl.col("code") == 2)
        .height,
        "recommendations_overdue": recs.height,
        "open_escalations": esc.height,
    }


def attention(result: EngineResult, limit: int | None = None) -> pl.DataFrame:
    """Children needing attention now, most urgent first, each with its flags' plain reasons.

    Ordered by the child's most urgent flag (the highest FLAG_WEIGHT: a child with only midway flags
    never ranks above one whose review is overdue or who has no IRO, however many flags it has);
    among equals, by score (the sum of the flags' weights: more flags first), then the longest
    overdue, then child id (a stable order, so the projected list does not shuffle between reruns).
    `attention_order()` says this in words, for the page's caption. `iro_known` is false
    where the child's data cannot tell who the IRO is (an SSDA903 child: "not in the data", not
    "not allocated")."""
    unknown_allocation = result.undecided.filter(pl.col("code") == "IRO_NOT_ALLOCATED")
    weights = pl.DataFrame({"code": list(FLAG_WEIGHT), "weight": list(FLAG_WEIGHT.values())})
    flags = (
        result.flags.join(weights, on="code", how="left")
        .with_columns(pl.col("weight").fill_null(10))
        .sort("child_id", "weight", "code", descending=[False, True, False])
    )
    ranked = (
        flags.group_by("child_id", maintain_order=True)
        .agg(
            top=pl.col("weight").max(),
            score=pl.col("weight").sum(),
            max_days_overdue=pl.col("days_overdue").max(),
            codes=pl.col("code"),
            reasons=pl.col("reason").str.join("\n"),
        )
        .join(
            result.children.select("child_id", "display_name", "age", "team", "iro", "social_worker"),
            on="child_id",
            how="inner",
        )
        .sort(["top", "score", "max_days_overdue", "child_id"], descending=[True, True, True, False], nulls_last=True)
        .with_columns(iro_known=~pl.col("child_id").is_in(unknown_allocation.get_column("child_id").implode()))
        .select(
            "child_id",
            "display_name",
            "age",
            "team",
            "iro",
            "social_worker",
            "score",
            "max_days_overdue",
            "codes",
            "reasons",
            "iro_known",
        )
    )
    return ranked.head(limit) if limit else ranked


def attention_order() -> str:
    """The ranking rule of `attention` in words, from FLAG_WEIGHT itself, so the caption on the
    Overview cannot drift from the order shown: "overdue review or no IRO allocated, then ..."."""
    tiers: dict[int, list[str]] = {}
    for code, weight in FLAG_WEIGHT.items():
        if weight >= 50:  # below that, "then the rest"
            tiers.setdefault(weight, []).append(FLAG_LABELS[code][0].lower() + FLAG_LABELS[code][1:])
    words = [" or ".join(labels) for _, labels in sorted(tiers.items(), reverse=True)]
    return (
        "ranked by the most urgent flag: "
        + ", then ".join(words)
        + ", then the rest; among equals, more flags first, then the longest overdue"
    )


# --- heatmap -------------------------------------------------------------------------------------


def bucket_start(day: dt.date, granularity: Granularity) -> dt.date:
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def bucket_starts(as_of: dt.date, granularity: Granularity, n: int) -> list[dt.date]:
    """The n buckets ending with the one holding as_of, oldest first (weeks start on Monday)."""
    last = bucket_start(as_of, granularity)
    if granularity == "week":
        return [last - dt.timedelta(weeks=k) for k in range(n - 1, -1, -1)]
    out = []
    y, m = last.year, last.month
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def bucket_label(start: dt.date, granularity: Granularity) -> str:
    """Short enough to sit horizontally under a square: "2 Nov" (week commencing), "Nov 2026"."""
    return f"{start.day} {start:%b}" if granularity == "week" else f"{start:%b %Y}"


def _row_expr(by: RowDimension) -> pl.Expr:
    return pl.col(by).fill_null(NO_TEAM if by == "team" else NO_IRO).alias("row")


def _midway_base(result: EngineResult, by: RowDimension, granularity: Granularity, n: int) -> pl.DataFrame:
    """Required, non-superseded midway checks due in the window, with their row and bucket."""
    first = bucket_starts(result.as_of, granularity, n)[0]
    every = "1w" if granularity == "week" else "1mo"
    return (
        result.intervals.filter(
            pl.col("midway_required")
            & pl.col("midway_due").is_not_null()
            & pl.col("midway_due").is_between(first, result.as_of)
            & (pl.col("midway_status") != "superseded")
        )
        .join(
            result.children.select("child_id", "display_name", "team", "iro", "social_worker", _row_expr(by)),
            on="child_id",
            how="inner",
        )
        .with_columns(bucket=pl.col("midway_due").dt.truncate(every))
    )


def heatmap_cells(result: EngineResult, by: RowDimension, granularity: Granularity, n: int = 12) -> pl.DataFrame:
    """One row per (row, bucket) cell of the full grid: required, overdue, missed, count
    (= overdue + missed) and rate (= count / required, null when nothing was due).

    Rows are every team (or IRO) of the children in the result, so a team with nothing overdue
    still shows as a row of zeros; rows are sorted by total count, worst first, then name (the
    "no team" / "no IRO" row last among equals)."""
    base = _midway_base(result, by, granularity, n)
    buckets = pl.DataFrame({"bucket": bucket_starts(result.as_of, granularity, n)}, schema={"bucket": pl.Date})
    rows = result.children.select(_row_expr(by)).unique()
    agg = base.group_by("row", "bucket").agg(
        required=pl.len().cast(pl.Int64),
        overdue=(pl.col("midway_status") == "overdue").sum().cast(pl.Int64),
        missed=(pl.col("midway_status") == "missed").sum().cast(pl.Int64),
    )
    grid = (
        rows.join(buckets, how="cross")
        .join(agg, on=["row", "bucket"], how="left")
        .with_columns(pl.col("required", "overdue", "missed").fill_null(0))
        .with_columns(count=pl.col("overdue") + pl.col("missed"))
        .with_columns(
            rate=pl.when(pl.col("required") > 0).then(pl.col("count") / pl.col("required")).otherwise(None),
            label=pl.col("bucket").map_elements(lambda d: bucket_label(d, granularity), return_dtype=pl.String),
            total=pl.col("count").sum().over("row"),
            placeholder=pl.col("row").is_in([NO_TEAM, NO_IRO]),
        )
    )
    return grid.sort(["total", "placeholder", "row", "bucket"], descending=[True, False, False, False]).drop(
        "total", "placeholder"
    )


def highest_cell(cells: pl.DataFrame, value: Literal["count", "rate"]) -> dict | None:
    """The cell the heatmap's caption names as the highest: by the value the squares show (in Rate
    mode the highest rate, not the highest count), ties to the larger count, then the grid's order
    (worst row first, oldest bucket first); None when no check is overdue or missed."""
    hot = cells.with_row_index("_order").filter(pl.col("count") > 0)
    if hot.is_empty():
        return None
    return (
        hot.sort([value, "count", "_order"], descending=[True, True, False], nulls_last=True)
        .drop("_order")
        .row(0, named=True)
    )


def cell_children(
    result: EngineResult, by: RowDimension, granularity: Granularity, row: str, bucket: dt.date, n: int = 12
) -> pl.DataFrame:
    """The children behind one heatmap cell: their midway checks due in that bucket that are overdue
    or missed on as_of (the cell's count is this frame's height)."""
    return (
        _midway_base(result, by, granularity, n)
        .filter((pl.col("row") == row) & (pl.col("bucket") == bucket) & pl.col("midway_status").is_in(OVERDUE_STATUSES))
        .select(
            "child_id",
            "display_name",
            "team",
            "iro",
            "social_worker",
            "review_date",
            "midway_due",
            "midway_status",
        )
        .sort("midway_due", "child_id")
    )


# --- IRO caseloads -------------------------------------------------------------------------------


def staff_fte(engine: Engine) -> pl.DataFrame:
    """Each IRO's full-time equivalent (staff.fte): the Caseload does not carry it, and the
    IRO Handbook's 50-70 range is per full-time IRO."""
    with Session(engine) as s:
        rows = s.execute(select(Staff.code, Staff.fte).where(Staff.role == "iro")).all()
    return pl.DataFrame([tuple(r) for r in rows], schema={"iro_code": pl.String, "fte": pl.Float64}, orient="row")


def iro_caseloads(result: EngineResult, policy: Policy, fte: pl.DataFrame | None = None) -> pl.DataFrame:
    """Children per IRO against the Handbook's range (per FTE when known), with overdue counts.

    `range_status` is below / within / above, judged on children per FTE (FTE 1 when unknown)."""
    if fte is None:
        fte = pl.DataFrame(schema={"iro_code": pl.String, "fte": pl.Float64})
    ch = result.children.with_columns(pl.col("iro").fill_null(NO_IRO))
    fl = result.flags.join(ch.select("child_id", "iro"), on="child_id", how="inner")

    def per_iro(code: str, name: str) -> pl.Expr:
        return pl.col("child_id").filter(pl.col("code") == code).n_unique().alias(name)

    overdue = fl.group_by("iro").agg(
        per_iro("REVIEW_OVERDUE", "reviews_overdue"),
        per_iro("MIDWAY_OVERDUE", "midway_overdue"),
        per_iro("MIDWAY_MISSED", "midway_missed"),
        per_iro("REC_OVERDUE", "recs_overdue"),
        per_iro("ESCALATION_OVERDUE", "escalations_overdue"),
    )
    lo, hi = policy.iro_caseload_min, policy.iro_caseload_max
    counts = ["reviews_overdue", "midway_overdue", "midway_missed", "recs_overdue", "escalations_overdue"]
    return (
        ch.group_by("iro")
        .agg(iro_code=pl.col("iro_code").drop_nulls().first(), children=pl.len().cast(pl.Int64))
        .join(fte, on="iro_code", how="left")
        .with_columns(fte=pl.when(pl.col("iro") == NO_IRO).then(None).otherwise(pl.col("fte").fill_null(1.0)))
        .with_columns(per_fte=(pl.col("children") / pl.col("fte")).round(1))
        .with_columns(
            range_status=pl.when(pl.col("per_fte").is_null())
            .then(pl.lit("not an IRO"))
            .when(pl.col("per_fte") < lo)
            .then(pl.lit("below range"))
            .when(pl.col("per_fte") > hi)
            .then(pl.lit("above range"))
            .otherwise(pl.lit("within range"))
        )
        .join(overdue, on="iro", how="left")
        .with_columns(pl.col(counts).fill_null(0).cast(pl.Int64))
        .sort("children", "iro", descending=[True, False])
        .select("iro", "iro_code", "children", "fte", "per_fte", "range_status", *counts)
    )


# --- work list -----------------------------------------------------------------------------------

WORK_SCHEMA = {
    "due_date": pl.Date,
    "item": pl.String,
    "child_id": pl.String,
    "detail": pl.String,
}


def work_list(result: EngineResult, caseload: Caseload, policy: Policy) -> pl.DataFrame:
    """What falls due from as_of to as_of + policy.work_list_days (both included): next reviews,
    midway checks not yet done, recommendation targets not yet met, escalation stages' resolution
    dates. One row per item, soonest first, with who holds the child."""
    start = result.as_of
    end = start + dt.timedelta(days=policy.work_list_days)
    ch = result.children
    in_window = pl.col("due_date").is_between(start, end)
    reviews = ch.filter(pl.col("next_review_due").is_not_null()).select(
        pl.col("next_review_due").alias("due_date"),
        pl.lit("Review").alias("item"),
        "child_id",
        pl.concat_str(
            pl.lit("Review "),
            (pl.col("reviews_in_period") + 1).cast(pl.String),
            pl.lit(" ("),
            pl.col("next_review_type").cast(pl.String).fill_null("unknown").str.replace_all("_", " "),
            pl.lit(")"),
        ).alias("detail"),
    )
    midway = ch.filter(pl.col("midway_status") == "due").select(
        pl.col("midway_due").alias("due_date"),
        pl.lit("Midway check").alias("item"),
        "child_id",
        pl.concat_str(pl.lit("After the review of "), day_expr(pl.col("last_review_date"))).alias("detail"),
    )
    texts = caseload.recommendations.select("rec_id", "text", "owner")
    recs = (
        result.deadlines.filter((pl.col("kind") == "recommendation_target") & (pl.col("status") == "pending"))
        .join(texts, on="rec_id", how="left")
        .select(
            "due_date",
            pl.lit("Recommendation target").alias("item"),
            "child_id",
            pl.concat_str(
                pl.col("text").fill_null("(no text)").str.slice(0, 90),
                pl.lit(" (owner: "),
                pl.col("owner").fill_null("not recorded"),
                pl.lit(")"),
            ).alias("detail"),
        )
    )
    esc = open_escalations(caseload.escalations, start).select(
        pl.col("stage_due_date").alias("due_date"),
        pl.lit("Escalation stage").alias("item"),
        "child_id",
        pl.concat_str(
            pl.col("stage_name").fill_null("stage"), pl.lit(" - "), pl.col("category").fill_null("no category")
        ).alias("detail"),
    )
    items = pl.concat([f.cast(WORK_SCHEMA) for f in (reviews, midway, recs, esc)]).filter(in_window)
    return (
        items.join(ch.select("child_id", "display_name", "team", "iro", "social_worker"), on="child_id", how="inner")
        .with_columns(days_until=(pl.col("due_date") - pl.lit(start)).dt.total_days().cast(pl.Int64))
        .sort("due_date", "item", "child_id")
        .select("due_date", "days_until", "item", "child_id", "display_name", "team", "iro", "social_worker", "detail")
    )
