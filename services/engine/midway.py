"""Midway checks (DOMAIN §4): which review starts one, when it is due, and its status.

Each held review opens an interval that the next review (or the end of the period of care) closes.
The due date is fixed when the review is held, from the schedule *as it stood at that review*
(`due_at_review` of `services.engine.schedule.review_states`): later events that move the next review
(brought forward, placement order, adoption) do not move the check.

Policies (the deployment's `Policy.midway_policy`, overridden per child by `children.midway_policy`;
an unknown override name falls back to the deployment's):
- midpoint_after_second: reviews from the 2nd in the period on; due halfway, in days rounded down,
  from the review to the next due date as set at the review.
- six_weeks_after_each: every review; review + 42 days.
- twelve_weeks_after_second: reviews from the 2nd on; review + 84 days.
With an unknown period start the count in the data is a lower bound, so every review in the data
starts a check (the 1st in the data is very unlikely to be the period's 1st): the safe reading.

Status (first that applies): not_required; done (a final check on or after the review and before
the next review; late but before the next review is still done); superseded (the next review was
held on or before the due date); missed (the interval closed without a check); overdue (as_of is
past due + grace days); due. An interval closed by the end of the period of care is treated like
one closed by a review held that day.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import polars as pl

from services.engine.policy import MIDWAY_POLICIES, Policy

STATUSES: tuple[str, ...] = ("done", "due", "overdue", "missed", "superseded", "not_required")
# Enums, not strings: one value per review of a national caseload, and a string column built from
# literals costs more than a small-integer category (benchmarks/schedule.py); compare them with
# plain strings as usual, and cast to pl.String before a `.str` operation
STATUS = pl.Enum(STATUSES)
POLICY = pl.Enum(MIDWAY_POLICIES)


@lru_cache(maxsize=8)
def child_policy(policy: Policy) -> pl.Expr:
    """A child's midway policy (on the children frame): the child's override when it names a known
    policy, else the deployment's."""
    override = pl.col("midway_policy")
    return (
        pl.when(override.is_in(list(MIDWAY_POLICIES)))
        .then(override)
        .otherwise(pl.lit(policy.midway_policy))
        .cast(POLICY)
        .alias("midway_policy")
    )


def intervals(states: pl.LazyFrame, checks: pl.DataFrame, as_of: dt.date, policy: Policy) -> pl.LazyFrame:
    """One row per held review = the interval it opens (see the module docstring).

    `states` is `review_states(...)` (sorted by child and date, with each child's midway policy);
    `checks` the final midway checks,
    already clipped to as_of. Columns: child_id, period_id, review_id, review_date, review_number,
    next_due_at_review, midway_policy, midway_required, midway_due, midway_status, check_date,
    next_review_date, then period_start_known, is_current, reviews_in_period (for the flags).
    """
    iv = states.filter(pl.col("n") >= 1).select(
        "child_id",
        "period_id",
        "review_id",
        pl.col("last_held").alias("review_date"),
        pl.col("n").alias("review_number"),
        pl.col("due_at_review").alias("next_due_at_review"),
        pl.col("next_held").alias("next_review_date"),
        "period_end",
        "period_start_known",
        "short_breaks",
        "midway_policy",
        "is_current",
        "reviews_in_period",
    )
    chk = (
        checks.lazy()
        .filter(pl.col("check_date").is_not_null())
        .select("child_id", "check_date")
        .sort("child_id", "check_date")  # cheap when already in order (load_caseload sorts them)
    )
    # first final check on or after the review (the interval frame is sorted by child and date)
    iv = iv.join_asof(
        chk, left_on="review_date", right_on="check_date", by="child_id", strategy="forward", check_sortedness=False
    )
    for layer in _status_layers(as_of, policy):
        iv = iv.with_columns(*layer)
    return iv.select(
        "child_id",
        "period_id",
        "review_id",
        "review_date",
        "review_number",
        "next_due_at_review",
        "midway_policy",
        "midway_required",
        "midway_due",
        "midway_status",
        "check_date",
        "next_review_date",
        "period_start_known",
        "is_current",
        "reviews_in_period",
    )


@lru_cache(maxsize=8)
def _status_layers(as_of: dt.date, policy: Policy) -> tuple[tuple[pl.Expr, ...], ...]:
    """check_date (the first final check inside the interval), midway_required, midway_due and
    midway_status, as successive with_columns layers, built once per (as_of, policy): building
    polars expressions on every call was a measurable part of a small caseload's engine time."""
    close = pl.coalesce("next_review_date", "period_end")
    in_interval = pl.when(pl.col("next_review_date").is_not_null()).then(
        pl.col("check_date") < pl.col("next_review_date")
    )
    in_interval = in_interval.when(pl.col("period_end").is_not_null()).then(
        pl.col("check_date") <= pl.col("period_end")
    )
    check_in_interval = pl.when(in_interval.otherwise(True)).then(pl.col("check_date")).alias("check_date")

    pol = pl.col("midway_policy")
    n = pl.col("review_number")
    from_second = (n >= 2) | ~pl.col("period_start_known")
    required = (
        pl.when(pl.col("short_breaks"))
        .then(False)
        .when(pol == "six_weeks_after_each")
        .then(True)
        .otherwise(from_second)
    )
    review = pl.col("review_date")
    half = ((pl.col("next_due_at_review") - review).dt.total_days() // 2).cast(pl.Int64)
    due = (
        pl.when(pol == "six_weeks_after_each")
        .then(review + pl.duration(days=policy.six_weeks_days))
        .when(pol == "twelve_weeks_after_second")
        .then(review + pl.duration(days=policy.twelve_weeks_days))
        .otherwise(review + pl.duration(days=half))
    )
    grace_end = pl.col("midway_due") + pl.duration(days=policy.midway_grace_days)
    status = (
        pl.when(~pl.col("midway_required") | pl.col("midway_due").is_null())
        .then(pl.lit("not_required", dtype=STATUS))
        .when(pl.col("check_date").is_not_null())
        .then(pl.lit("done", dtype=STATUS))
        .when(close.is_not_null() & (close <= pl.col("midway_due")))
        .then(pl.lit("superseded", dtype=STATUS))
        .when(close.is_not_null())
        .then(pl.lit("missed", dtype=STATUS))
        .when(pl.lit(as_of) > grace_end)
        .then(pl.lit("overdue", dtype=STATUS))
        .otherwise(pl.lit("due", dtype=STATUS))
    )
    return (
        (check_in_interval, required.alias("midway_required")),
        (pl.when("midway_required").then(due).alias("midway_due"),),
        (status.alias("midway_status"),),
    )


# Scalar twins of `_status_layers`' required and due rules, for a schedule laid out one review at a
# time (the demo generator): the same policy numbers, the same cases in the same order.


def check_required(
    review_number: int, midway_policy: str, *, period_start_known: bool = True, short_breaks: bool = False
) -> bool:
    """Whether review `review_number` of its period starts a midway check under `midway_policy`."""
    if short_breaks:
        return False
    if midway_policy == "six_weeks_after_each":
        return True
    return review_number >= 2 or not period_start_known


def check_due(review_date: dt.date, next_due_at_review: dt.date, midway_policy: str, policy: Policy) -> dt.date:
    """The midway check's due date, fixed on the review's day from the next due date as the schedule
    set it then (`schedule.next_review(..., as_set_at_review=True)`)."""
    if midway_policy == "six_weeks_after_each":
        return review_date + dt.timedelta(days=policy.six_weeks_days)
    if midway_policy == "twelve_weeks_after_second":
        return review_date + dt.timedelta(days=policy.twelve_weeks_days)
    return review_date + dt.timedelta(days=(next_due_at_review - review_date).days // 2)
