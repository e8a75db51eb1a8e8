"""Post-review deadlines (DOMAIN §3 "After a review held on D"; seed 003 §8, §12; seed 004 §6).

For each held review:
- recommendations_to_tm: the IRO sends the recommendations to the TM within 5 working days of D;
- record_completed: the IRO completes the review record within 15 working days of D;
- care_plan_updated: the SW updates the care plan within 10 working days of *receiving* the
  recommendations: counted from `recommendations_sent_date`, or, while that is not recorded, from
  the date they were due to be sent (the latest the clock can fairly start);
- recommendation_target: each recommendation's own target date (owner and timescale).

Status: met (done on or before due), late (done after due), overdue (not done and as_of is past
due), pending (not done, not yet due), unknown (the child's data cannot tell the fact: see
`Caseload.unknown`, or there is no target date).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import polars as pl

from services.engine.policy import Policy
from services.engine.workdays import add_working_days_expr

KINDS: tuple[str, ...] = ("recommendations_to_tm", "record_completed", "care_plan_updated", "recommendation_target")
# which Caseload.unknown fact each deadline needs
KIND_FACT: dict[str, str] = {
    "recommendations_to_tm": "recommendations_sent_date",
    "record_completed": "record_completed_date",
    "care_plan_updated": "care_plan_updated_date",
    "recommendation_target": "recommendations",
}

STATUSES: tuple[str, ...] = ("met", "late", "overdue", "pending", "unknown")
# Enum columns, not strings: a national caseload has millions of deadlines, and a string column
# broadcast from a literal (or compared with one) costs far more than a small-integer category
KIND = pl.Enum(KINDS)
STATUS = pl.Enum(STATUSES)

COLUMNS = ("child_id", "review_id", "kind", "rec_id", "due_date", "done_date", "status")
KEYS = ("child_id", "review_id", "period_id", "held_date", "review_number", "is_current", "reviews_in_period")
INTERNAL = (*COLUMNS, *KEYS[2:])


UNKNOWN = "_unknown"  # a deadline row's column: its child's data cannot tell this kind's fact


@lru_cache(maxsize=32)
def status_expr(as_of: dt.date, per_child_unknown: bool = False) -> pl.Expr:
    """The status of each deadline row; with `per_child_unknown`, rows whose `_unknown` column is
    true (the child's data cannot tell the kind's fact) are "unknown". (Built once per as_of: see
    services.engine.flags._queries.)"""
    due, done = pl.col("due_date"), pl.col("done_date")
    unknown = pl.col(UNKNOWN) if per_child_unknown else pl.lit(False)
    return (
        pl.when(unknown | due.is_null())
        .then(pl.lit("unknown", dtype=STATUS))
        .when(done.is_not_null() & (done <= due))
        .then(pl.lit("met", dtype=STATUS))
        .when(done.is_not_null())
        .then(pl.lit("late", dtype=STATUS))
        .when(pl.lit(as_of) > due)
        .then(pl.lit("overdue", dtype=STATUS))
        .otherwise(pl.lit("pending", dtype=STATUS))
    )


@lru_cache(maxsize=8)
def _review_deadlines(policy: Policy) -> tuple[pl.Expr, tuple[tuple[pl.Expr, ...], ...]]:
    """The recommendations' due date (a column first: the care plan clock also starts from it), then
    each review deadline's kind, due and done columns; built once per policy."""
    d = pl.col("held_date")
    to_tm_due = pl.col("_to_tm_due")
    received = pl.coalesce("recommendations_sent_date", to_tm_due)
    no_rec = pl.lit(None, dtype=pl.Int64).alias("rec_id")
    return add_working_days_expr(d, policy.recommendations_to_tm_working_days).alias("_to_tm_due"), (
        (
            pl.lit("recommendations_to_tm", dtype=KIND).alias("kind"),
            no_rec,
            to_tm_due.alias("due_date"),
            pl.col("recommendations_sent_date").alias("done_date"),
        ),
        (
            pl.lit("record_completed", dtype=KIND).alias("kind"),
            no_rec,
            add_working_days_expr(d, policy.record_completed_working_days).alias("due_date"),
            pl.col("record_completed_date").alias("done_date"),
        ),
        (
            pl.lit("care_plan_updated", dtype=KIND).alias("kind"),
            no_rec,
            add_working_days_expr(received, policy.care_plan_update_working_days).alias("due_date"),
            pl.col("care_plan_updated_date").alias("done_date"),
        ),
    )


_RECOMMENDATION = (
    pl.lit("recommendation_target", dtype=KIND).alias("kind"),
    "rec_id",
    pl.col("target_date").alias("due_date"),
    pl.col("completed_date").alias("done_date"),
)


def deadlines(
    held: pl.LazyFrame,
    recommendations: pl.DataFrame,
    as_of: dt.date,
    policy: Policy,
    unknown: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """`held` is `schedule.held_reviews(...)` (with the reviews' post-review dates, clipped to
    as_of); `recommendations` the caseload frame; `unknown` the caseload's (child_id, fact) rows
    (`Caseload.unknown`). One row per deadline (COLUMNS, then is_current and reviews_in_period and
    review_number for the flags). The status is computed once over all kinds. With every fact
    known (the usual case of a live database) no join is made: a national caseload has millions
    of deadlines."""
    to_tm_due, kinds = _review_deadlines(policy)
    base = held.with_columns(to_tm_due)
    lacks = unknown_kinds(unknown)
    if lacks is not None:
        # one join per review (not per deadline: there are four times as many), a column per kind
        base = base.join(lacks.lazy(), on="child_id", how="left", maintain_order="left")
    recs = base.select(*KEYS, *([_flag("recommendation_target")] if lacks is not None else [])).join(
        recommendations.lazy().select("review_id", "rec_id", "target_date", "completed_date"),
        on="review_id",
        how="inner",
    )
    flag = (lambda kind: (_flag(kind).alias(UNKNOWN),)) if lacks is not None else (lambda _kind: ())
    parts = [base.select(*KEYS, *columns, *flag(kind)) for kind, columns in zip(KINDS, kinds, strict=False)]
    parts.append(recs.select(*KEYS, *_RECOMMENDATION, *flag("recommendation_target")))
    return pl.concat(parts).with_columns(status_expr(as_of, lacks is not None).alias("status")).select(INTERNAL)


def _flag(kind: str) -> pl.Expr:
    return pl.col(f"_unknown_{kind}").fill_null(False).alias(f"_unknown_{kind}")


def unknown_kinds(unknown: pl.DataFrame | None) -> pl.DataFrame | None:
    """One row per child whose data cannot tell some deadline's fact: child_id and a boolean
    `_unknown_<kind>` per kind; None when no child lacks any."""
    if unknown is None:
        return None
    facts = {fact: kind for kind, fact in KIND_FACT.items()}
    pairs = unknown.filter(pl.col("fact").is_in(list(facts)))
    if pairs.height == 0:
        return None
    return pairs.group_by("child_id").agg(
        (pl.col("fact") == fact).any().alias(f"_unknown_{kind}") for fact, kind in facts.items()
    )
