"""The statutory review schedule (DOMAIN §3), vectorised over a whole caseload.

The central frame is the *review states* frame: one row per period of care and number of reviews
held so far in it (n = 0, 1, 2 ...). State n is "after the n-th review" (state 0: the period has
started, no review yet). From each state the schedule gives the due date and type of review n + 1:

- the due date *as the schedule set it at the review* (`due_at_review`: only what was known on the
  day review n was held; the midway check is fixed from it, DOMAIN §4), and
- the due date *in force* (`due`): also counting what happened after review n and before review
  n + 1 was held (or before `as_of` for the open state): a significant event that brought the review
  forward, a placement order, a placement for adoption.

Rules (DOMAIN §3; every number is in `Policy`):
- normal: 1st = `first_review_working_days` working days after the period start; 2nd = 3 months
  after the 1st as held; then 6 months after the previous as held. Months are calendar months
  (`dt.offset_by("Nmo")`, which clamps to the month end exactly as `dateutil.relativedelta` does:
  31 Aug + 6 months = 28/29 Feb; tests compare the two on random dates) or 91 / 183 days under
  `months_as_days`. Due dates from months or days are not moved off weekends (DOMAIN §2).
- brought_forward: the first significant event with `bring_forward` after the last review: event
  + 20 working days. It is then a "6 month" review for what follows (the count simply goes on).
- placement_order: the first review held on or after the order date (the period's
  `placement_order_date`): order + 3 months.
- adoption: placed for adoption on A restarts the schedule on A while the period's review count goes
  on: the first review held on or after A is `adoption_first` (A + 28 days), the next
  `adoption_second` (3 months after it), then `adoption_subsequent` (6-monthly).
- annual (long-term fostering, only when `children.annual_reviews_from` is recorded and on or before
  the last review, from the 2nd review on). Decision: the IRO consultation between two 12-monthly
  meetings *is* the statutory review in between (DOMAIN §3: "the review in between is then an IRO
  consultation due at 6 months"), so a review, meeting or consultation, is still due 6 months after
  the previous one; the type `annual` says that the long-term fostering regime applies, so pages can
  say "12-monthly meeting or IRO consultation". Assuming 12 months would let a statutory review lapse.

Every applicable rule is a candidate and the earliest wins (DOMAIN §3: the type "names the rule that
gives its due date (the earliest applicable)"); on a tie the specific rule names the review
(adoption, placement order, brought forward, then normal). The earliest is the safe reading where
rules overlap (e.g. the 6-month review falling before the adoption first review).

Unknown period start (`start_date` null, SSDA903 single-year data): the first review's due date is
not computed (never invented) and neither is anything else from state 0; from the first review in
the data on, the count within the data drives the rules (so the 2nd in the data is treated as the
"3 month" review: the earlier, safe date). `period_start_known` marks such rows.
Short breaks (V3/V4) are not on this schedule: due and type are null.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from services.engine.caseload import Caseload
from services.engine.lazy import collect
from services.engine.midway import POLICY, child_policy
from services.engine.policy import Policy
from services.engine.workdays import (
    TABLE_FIRST,
    add_working_days,
    add_working_days_expr,
    check_in_span,
    day_index,
    named_like,
    table_days,
)

_EPOCH = dt.date(1970, 1, 1)

REVIEW_TYPES: tuple[str, ...] = (
    "first",
    "second",
    "subsequent",
    "brought_forward",
    "placement_order",
    "adoption_first",
    "adoption_second",
    "adoption_subsequent",
    "annual",
)

# an Enum, not a string: see services.engine.midway.STATUS
REVIEW_TYPE = pl.Enum(REVIEW_TYPES)

GROUP = ("child_id", "period_id")


def months_after(expr: pl.Expr, months: int, policy: Policy) -> pl.Expr:
    """`expr` + N months (DOMAIN §2): calendar months clamped to the month end like relativedelta,
    or the fixed 91 / 183 days of seed 004 §5 under `months_as_days` (other N: N * 365 / 12 days)."""
    if policy.months_as_days:
        return expr + pl.duration(days=_months_in_days(months, policy))
    return add_months_expr(expr, months)


def months_after_date(day: dt.date, months: int, policy: Policy) -> dt.date:
    """Scalar twin of `months_after`, read from the same month table (for a schedule built one
    review at a time: the demo generator)."""
    if policy.months_as_days:
        return day + dt.timedelta(days=_months_in_days(months, policy))
    return add_months(day, months)


def _months_in_days(months: int, policy: Policy) -> int:
    return {3: policy.three_months_in_days, 6: policy.six_months_in_days}.get(months, round(months * 365 / 12))


@lru_cache(maxsize=16)
def _month_table(months: int) -> pl.Series:
    """For each day of the working-day tables' span (workdays.table_days), that day + N months as a
    day number. dt.offset_by("Nmo") clamps to the month end exactly like relativedelta
    (tests/test_workdays.py compares the two); a look-up is one gather per row where computing it
    costs several."""
    return table_days().dt.offset_by(f"{months}mo").cast(pl.Int32)


@lru_cache(maxsize=16)
def _month_shift(months: int) -> pl.Expr:
    """`_month_table` as a literal built once per N."""
    return pl.lit(_month_table(months))


@lru_cache(maxsize=16)
def _month_list(months: int) -> list[int]:
    return _month_table(months).to_list()


def add_months(day: dt.date, months: int) -> dt.date:
    """Scalar twin of `add_months_expr` (the same table); raises `DateOutOfSpan` outside it."""
    check_in_span(day, day)
    return _EPOCH + dt.timedelta(days=_month_list(months)[(day - TABLE_FIRST).days])


def add_months_expr(expr: pl.Expr, months: int) -> pl.Expr:
    """Vectorised `d + relativedelta(months=N)` (day clamped to the month's last day: 31 Aug + 6
    months = 28/29 Feb), by table look-up. Dates outside the tables' span (workdays.FIRST to LAST)
    give null: `services.engine.compute.check_dates` refuses them first."""
    out = _month_shift(months).gather(day_index(expr), null_on_oob=True).cast(pl.Date)
    return named_like(out, expr)


def brought_forward_due(event: pl.Expr, policy: Policy) -> pl.Expr:
    """DOMAIN §3: a review brought forward after a significant event is due this many working days
    after it; the schedule's `brought_forward` rule and the REVIEW_NOT_BROUGHT_FORWARD flag
    (services.engine.flags) both count from here."""
    return add_working_days_expr(event, policy.brought_forward_working_days)


REVIEW_FACT_COLUMNS = ("recommendations_sent_date", "record_completed_date", "care_plan_updated_date")


def period_frame(caseload: Caseload, as_of: dt.date, policy: Policy) -> pl.LazyFrame:
    """The periods with what the schedule needs of the child, and `is_current` (the period open on
    as_of, chosen as services.engine.allocation.looked_after_on does: the latest one open then), as a lazy
    query (collect it on the in-memory engine, which keeps the order `_latest_open` relies on)."""
    children = caseload.children.lazy().select(
        "child_id", pl.col("short_breaks").fill_null(False), "annual_reviews_from", child_policy(policy)
    )
    frm = pl.coalesce("start_date", "observed_from")
    open_on = (frm <= as_of) & (pl.col("end_date").is_null() | (pl.col("end_date") >= as_of))
    p = (
        caseload.periods.lazy()
        .select(
            "child_id",
            "period_id",
            pl.col("start_date").alias("period_start"),
            pl.col("start_date").is_not_null().alias("period_start_known"),
            frm.alias("observed_from"),
            pl.col("end_date").alias("period_end"),
            "placement_order_date",
            "placed_for_adoption_date",
            open_on.alias("_open"),
        )
        .join(children, on="child_id", how="left")
        .with_columns(
            pl.col("short_breaks").fill_null(False),
            pl.col("midway_policy").fill_null(pl.lit(policy.midway_policy, dtype=POLICY)),
        )
        .sort("child_id", "observed_from", maintain_order=True)
    )
    return p.with_columns(_latest_open().alias("is_current")).drop("_open")


def _latest_open() -> pl.Expr:
    """On a frame sorted by child and start: the last `_open` row of each child."""
    seen_later = (
        pl.when(pl.col("_open")).then(pl.col("child_id")).shift(-1).backward_fill()  # next open row's child
    )
    return pl.col("_open") & (seen_later.is_null() | (seen_later != pl.col("child_id")))


def assign_periods(reviews: pl.DataFrame, periods: pl.DataFrame) -> pl.LazyFrame:
    """Each review with the period of care it was held in and that period's columns (`periods` is
    `period_frame(...)`). Reviews outside every period are dropped: they belong to no schedule.
    A period runs from its start (or `observed_from` when the start is unknown) to its end, inclusive."""
    r = (
        reviews.lazy()
        .select("child_id", "review_id", "held_date", *REVIEW_FACT_COLUMNS)
        .filter(pl.col("held_date").is_not_null())
    )
    return (
        r.sort("child_id", "held_date", maintain_order=True)
        .join_asof(
            periods.lazy(),
            left_on="held_date",
            right_on="observed_from",
            by="child_id",
            check_sortedness=False,
            coalesce=False,
        )
        .filter(
            pl.col("period_id").is_not_null()
            & (pl.col("period_end").is_null() | (pl.col("held_date") <= pl.col("period_end")))
        )
    )


def _new_group() -> pl.Expr:
    """True on the first row of each period's run of states (`_po`: the period's ordinal, one per
    period row, so an integer comparison rather than a string one on child_id)."""
    return (pl.col("_po") != pl.col("_po").shift(1)).fill_null(True)


def _same_group_next() -> pl.Expr:
    return (pl.col("_po") == pl.col("_po").shift(-1)).fill_null(False)


def review_states(caseload: Caseload, as_of: dt.date, policy: Policy) -> pl.DataFrame:
    """One row per period and number of reviews held in it (caseload already clipped to `as_of`).

    Columns: child_id, period_id, period_start, period_start_known, observed_from (start, or the
    earliest date seen), period_end, placement_order_date, placed_for_adoption_date, short_breaks, n,
    reviews_in_period (n of the period's last state), is_current (the period open on as_of),
    midway_policy (the child's), review_id, last_held (held date of review n, null for n = 0), the
    review's post-review dates (REVIEW_FACT_COLUMNS), next_held (of review n + 1, null if not held),
    window_end, adoptions_held (reviews 1..n held on or after the adoption placement), bf_event,
    due_at_review, type_at_review, due, due_type. Ordered by child, period, n.
    """
    # the periods materialised once (the states and the review assignment below both read them)
    periods = collect(
        period_frame(caseload, as_of, policy).with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_po")  # period ordinal
        ),
    )
    held = assign_periods(caseload.reviews, periods)
    zero = periods.lazy().with_columns(
        pl.lit(None, dtype=pl.Int64).alias("review_id"),
        pl.lit(None, dtype=pl.Date).alias("last_held"),
        *(pl.lit(None, dtype=pl.Date).alias(c) for c in REVIEW_FACT_COLUMNS),
        # the first review's due date, computed on the small periods frame (DOMAIN §3: 20 working days)
        add_working_days_expr(pl.col("period_start"), policy.first_review_working_days).alias("_first_due"),
    )
    rows = held.rename({"held_date": "last_held"}).with_columns(pl.lit(None, dtype=pl.Date).alias("_first_due"))
    # Interleave each period's state-0 row before its reviews without a string sort (slow on 1M rows):
    # both frames are in (child, date) order, reviews in period-ordinal order, so a stable sort by
    # period ordinal, state-0 row first (one integer key), puts them in place.
    columns = [*periods.columns, "review_id", "last_held", *REVIEW_FACT_COLUMNS, "_first_due"]
    states = (
        pl.concat(
            [
                zero.select(columns).with_columns((pl.col("_po") * 2).alias("_k")),
                rows.select(columns).with_columns((pl.col("_po") * 2 + 1).alias("_k")),
            ]
        )
        .sort("_k", maintain_order=True)
        .drop("_k")
        .with_columns(pl.coalesce("last_held", pl.col("observed_from") - pl.duration(days=1)).alias("_after"))
    )
    for layer in _count_layers():
        states = states.with_columns(*layer)
    states = states.with_columns(
        pl.coalesce("next_held", "period_end", pl.lit(as_of)).alias("window_end"),
    )
    # the first significant event asking for the review to be brought forward, after the last review
    bf = (
        caseload.events.lazy()
        .filter(pl.col("bring_forward").fill_null(False) & pl.col("event_date").is_not_null())
        .select("child_id", pl.col("event_date").alias("bf_event"))
        .sort("child_id", "bf_event")
        .with_columns(brought_forward_due(pl.col("bf_event"), policy).alias("bf_due"))
    )
    states = states.join_asof(
        bf,
        left_on="_after",
        right_on="bf_event",
        by="child_id",
        strategy="forward",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    for layer in _rule_layers(policy):
        states = states.with_columns(*layer)
    return states.select(
        "child_id",
        "period_id",
        "period_start",
        "period_start_known",
        "observed_from",
        "period_end",
        "placement_order_date",
        "placed_for_adoption_date",
        "short_breaks",
        "n",
        "reviews_in_period",
        "is_current",
        "midway_policy",
        "review_id",
        "last_held",
        *REVIEW_FACT_COLUMNS,
        "next_held",
        "window_end",
        "adoptions_held",
        "bf_event",
        "due_at_review",
        "type_at_review",
        "due",
        "due_type",
    ).pipe(collect)


@lru_cache(maxsize=1)
def _count_layers() -> tuple[tuple[pl.Expr, ...], ...]:
    """n (reviews held so far in the period), adoptions_held and next_held, as successive
    with_columns layers over the interleaved states (built once: see `_rule_layers`)."""
    idx = pl.int_range(pl.len(), dtype=pl.Int64)
    a = pl.col("placed_for_adoption_date")
    after_adoption = (pl.col("last_held").is_not_null() & a.is_not_null() & (pl.col("last_held") >= a)).cast(pl.Int64)
    return (
        (
            _new_group().alias("_new"),
            idx.alias("_idx"),
            after_adoption.cum_sum().alias("_acs"),
            after_adoption.alias("_aa"),
        ),
        (
            (pl.col("_idx") - pl.when("_new").then("_idx").forward_fill()).alias("n"),
            (pl.col("_acs") - pl.when("_new").then(pl.col("_acs") - pl.col("_aa")).forward_fill()).alias(
                "adoptions_held"
            ),
            pl.when(_same_group_next()).then(pl.col("last_held").shift(-1)).alias("next_held"),
        ),
    )


@lru_cache(maxsize=8)
def _rule_layers(policy: Policy) -> tuple[tuple[pl.Expr, ...], ...]:
    """The due-date rules as successive with_columns layers, built once per policy: a few hundred
    expressions whose building cost a measurable part of a small caseload's engine time.
    Each month offset is one column (the rules reuse them); each rule's candidate is one column,
    then the earliest, then its name (not one nested expression: its parts would be evaluated
    again for every comparison)."""
    months = sorted(
        {
            policy.second_review_months,
            policy.subsequent_review_months,
            policy.adoption_second_review_months,
            policy.adoption_subsequent_review_months,
        }
    )
    at_cands = _candidates(pl.col("last_held"), policy, include_after=False)
    now_cands = _candidates(pl.col("window_end"), policy, include_after=True)
    return (
        (
            *(months_after(pl.col("last_held"), k, policy).alias(f"_m{k}") for k in months),
            months_after(pl.col("placement_order_date"), policy.placement_order_review_months, policy).alias("_po_due"),
            pl.when(~_same_group_next()).then(pl.col("n")).backward_fill().alias("reviews_in_period"),
        ),
        (
            _normal(policy).alias("_normal"),
            _normal_type().alias("_normal_type"),
            *(c.alias(f"_at_{name}") for c, name in at_cands),
            *(c.alias(f"_now_{name}") for c, name in now_cands),
        ),
        (
            pl.min_horizontal("_normal", *(f"_at_{name}" for _, name in at_cands)).alias("_at_due"),
            pl.min_horizontal("_normal", *(f"_now_{name}" for _, name in now_cands)).alias("_now_due"),
        ),
        (
            *_due_and_type("_at", [name for _, name in at_cands], "due_at_review", "type_at_review"),
            *_due_and_type("_now", [name for _, name in now_cands], "due", "due_type"),
        ),
    )


def _normal(policy: Policy) -> pl.Expr:
    """The normal rule's due date for the review after state n (first, second, 6-monthly, annual)."""
    n = pl.col("n")
    ar = pl.col("annual_reviews_from")
    return (
        pl.when(n == 0)
        .then(pl.col("_first_due"))
        .when(ar.is_not_null() & (ar <= pl.col("last_held")) & (n >= 2))
        .then(pl.col(f"_m{policy.subsequent_review_months}"))
        .when(n == 1)
        .then(pl.col(f"_m{policy.second_review_months}"))
        .otherwise(pl.col(f"_m{policy.subsequent_review_months}"))
    )


def _normal_type() -> pl.Expr:
    n = pl.col("n")
    ar = pl.col("annual_reviews_from")
    return (
        pl.when(n == 0)
        .then(pl.lit("first", dtype=REVIEW_TYPE))
        .when(ar.is_not_null() & (ar <= pl.col("last_held")) & (n >= 2))
        .then(pl.lit("annual", dtype=REVIEW_TYPE))
        .when(n == 1)
        .then(pl.lit("second", dtype=REVIEW_TYPE))
        .otherwise(pl.lit("subsequent", dtype=REVIEW_TYPE))
    )


_CAND_TYPES = {"placement_order": "placement_order", "brought_forward": "brought_forward"}


def _candidates(window: pl.Expr, policy: Policy, *, include_after: bool) -> list[tuple[pl.Expr, str]]:
    """The specific rules' due dates for the review after state n, counting what happened up to
    `window` (the review's own date for `due_at_review`; the next review or as_of for `due`), in
    tie-break order (the first equal to the earliest names the review)."""
    last = pl.col("last_held")
    a = pl.col("placed_for_adoption_date")
    m = pl.col("adoptions_held")
    adoption = (
        pl.when(a.is_null() | (a > window))
        .then(None)
        .when(m == 0)
        .then(a + pl.duration(days=policy.adoption_first_review_days))
        .when(m == 1)
        .then(pl.col(f"_m{policy.adoption_second_review_months}"))
        .otherwise(pl.col(f"_m{policy.adoption_subsequent_review_months}"))
    )
    po = pl.col("placement_order_date")
    po_due = pl.when(po.is_not_null() & (last.is_null() | (po > last)) & (po <= window)).then(pl.col("_po_due"))
    cands = [(adoption, "adoption"), (po_due, "placement_order")]
    if include_after:
        cands.append((pl.when(pl.col("bf_event") <= window).then(pl.col("bf_due")), "brought_forward"))
    return cands


def _adoption_type() -> pl.Expr:
    m = pl.col("adoptions_held")
    return (
        pl.when(m == 0)
        .then(pl.lit("adoption_first", dtype=REVIEW_TYPE))
        .when(m == 1)
        .then(pl.lit("adoption_second", dtype=REVIEW_TYPE))
        .otherwise(pl.lit("adoption_subsequent", dtype=REVIEW_TYPE))
    )


def _due_and_type(prefix: str, names: list[str], due_name: str, type_name: str) -> list[pl.Expr]:
    """The earliest candidate (`{prefix}_due`, from the normal rule and `{prefix}_{name}`) and the
    rule naming it: the first specific rule equal to it, else the normal one. Null for short
    breaks and for the first review of a period with an unknown start."""
    due = pl.col(f"{prefix}_due")
    kind = pl.when(pl.lit(False)).then(pl.lit(None, dtype=REVIEW_TYPE))
    for name in names:
        kind = kind.when(pl.col(f"{prefix}_{name}") == due).then(
            _adoption_type() if name == "adoption" else pl.lit(_CAND_TYPES[name], dtype=REVIEW_TYPE)
        )
    kind = kind.otherwise(pl.col("_normal_type"))
    off = pl.col("short_breaks") | ((pl.col("n") == 0) & pl.col("period_start").is_null())
    return [
        pl.when(off).then(None).otherwise(due).alias(due_name),
        pl.when(off | due.is_null()).then(None).otherwise(kind).alias(type_name),
    ]


REVIEW_COLUMNS = (
    "child_id",
    "period_id",
    "review_id",
    "held_date",
    "review_number",
    "review_type",
    "due_date",
    "on_time",
)


def held_reviews(states: pl.LazyFrame) -> pl.LazyFrame:
    """Every held review (REVIEW_COLUMNS, then is_current, reviews_in_period and the review's
    post-review dates for the deadlines) with its number in the period, the rule and due date it was held against,
    and whether it was on time (held on or before the due date, DOMAIN §2; null when no due date
    could be computed: unknown period start or short breaks). `states` is in (child, period, n)
    order, so the previous row is the state the review was due from."""
    return (
        states.select(
            "child_id",
            "period_id",
            "review_id",
            "last_held",
            "n",
            "is_current",
            "reviews_in_period",
            *REVIEW_FACT_COLUMNS,
            pl.col("due").shift(1).alias("due_date"),
            pl.col("due_type").shift(1).alias("review_type"),
        )
        .filter(pl.col("n") >= 1)
        .select(
            "child_id",
            "period_id",
            "review_id",
            pl.col("last_held").alias("held_date"),
            pl.col("n").alias("review_number"),
            "review_type",
            "due_date",
            (pl.col("last_held") <= pl.col("due_date")).alias("on_time"),
            "is_current",
            "reviews_in_period",
            *REVIEW_FACT_COLUMNS,
        )
    )


def current_states(states: pl.LazyFrame) -> pl.LazyFrame:
    """The open state (after the last review) of each child's current period: one row per child
    looked after on as_of."""
    return states.filter(pl.col("is_current") & (pl.col("n") == pl.col("reviews_in_period")))


# --- one period, one review at a time --------------------------------------------------------------
# The demo generator lays out each period's reviews one after another (each held date depends on the
# due date before it and on a random draw), so it cannot hand the engine a whole caseload; asking
# `review_states` once per review would cost a polars query each time. These scalar twins of the
# rules above use the same primitives (working-day scalar, month table, policy) and the same
# tie-break order (`_CANDIDATE_ORDER`); tests/test_schedule.py checks they agree with `review_states`.

_CANDIDATE_ORDER = ("adoption", "placement_order", "brought_forward")  # as `_candidates` lists them


@dataclass(frozen=True)
class NextReview:
    """The next review's due date and type, and `counts_from`: the date of the fact its rule counts
    from (the period start, the last review, the adoption placement, the order or the event). The
    engine counts facts up to the day a review is held, so a review held after `counts_from` is due
    on `due` for the engine too."""

    due: dt.date
    type: str
    counts_from: dt.date


def next_review(
    period_start: dt.date,
    held: Sequence[dt.date],
    policy: Policy,
    *,
    placement_order: dt.date | None = None,
    placed_for_adoption: dt.date | None = None,
    bring_forward: Sequence[dt.date] = (),
    annual_reviews_from: dt.date | None = None,
    as_set_at_review: bool = False,
) -> NextReview:
    """The review after `held` (the period's reviews so far, in order), by the rules of
    `review_states`: `due` / `due_type` counting every fact given (the facts of the period, with
    `bring_forward` the dates of events asking for the review to be brought forward), or with
    `as_set_at_review` `due_at_review` / `type_at_review` (only what was known on the last review's
    day; no brought-forward events)."""
    n = len(held)
    last = held[-1] if held else None
    window = last if as_set_at_review else None  # None: no limit

    def known(day: dt.date | None) -> bool:
        return day is not None and (window is None or day <= window)

    # the normal rule (`_normal`, `_normal_type`)
    if last is None:
        normal = NextReview(add_working_days(period_start, policy.first_review_working_days), "first", period_start)
    elif annual_reviews_from is not None and annual_reviews_from <= last and n >= 2:
        normal = NextReview(months_after_date(last, policy.subsequent_review_months, policy), "annual", last)
    elif n == 1:
        normal = NextReview(months_after_date(last, policy.second_review_months, policy), "second", last)
    else:
        normal = NextReview(months_after_date(last, policy.subsequent_review_months, policy), "subsequent", last)

    # the specific rules (`_candidates`), in tie-break order
    cands: dict[str, NextReview] = {}
    a = placed_for_adoption
    if known(a):
        assert a is not None
        m = sum(1 for h in held if h >= a)
        if m == 0:
            due = a + dt.timedelta(days=policy.adoption_first_review_days)
            cands["adoption"] = NextReview(due, "adoption_first", a)
        else:
            assert last is not None
            months = policy.adoption_second_review_months if m == 1 else policy.adoption_subsequent_review_months
            kind = "adoption_second" if m == 1 else "adoption_subsequent"
            cands["adoption"] = NextReview(months_after_date(last, months, policy), kind, last)
    po = placement_order
    if known(po) and (last is None or po > last):  # type: ignore[operator]
        assert po is not None
        due = months_after_date(po, policy.placement_order_review_months, policy)
        cands["placement_order"] = NextReview(due, "placement_order", po)
    if not as_set_at_review:
        after = last if last is not None else period_start - dt.timedelta(days=1)
        later = [e for e in bring_forward if e > after]
        if later:
            event = min(later)
            due = add_working_days(event, policy.brought_forward_working_days)
            cands["brought_forward"] = NextReview(due, "brought_forward", event)

    earliest = min([normal.due, *(c.due for c in cands.values())])
    for name in _CANDIDATE_ORDER:
        if name in cands and cands[name].due == earliest:
            return cands[name]
    return normal
