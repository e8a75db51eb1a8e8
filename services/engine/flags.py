"""Drift flags (DOMAIN §8): stable codes, each with a plain reason a manager can read aloud.

`flag_frame` returns one row per raised flag: child_id, code, reason, due_date, days_overdue
(working days, DOMAIN §2, or null). Flags are raised only for children looked after on as_of, and
only when the data can decide them: a flag whose fact a child's own data lacks (`Caseload.unknown`,
see `FACT_FLAGS`) is never raised for that child; `undecided` lists those (child, code) pairs and the
engine counts, per code, the children the data supports (`EngineResult.coverage`). Review and midway
flags are not raised for short breaks (not on the statutory schedule, DOMAIN §3); the deadlines after
a review that was held (REC_OVERDUE, RECORD_LATE, CARE_PLAN_NOT_UPDATED) are.

Windows and choices (numbers are in `Policy`):
- REVIEW_DUE_SOON: due on as_of or within the next 15 working days; REVIEW_OVERDUE from the day after.
- REVIEW_LATE: the most recent review of the current period was held after its due date.
- MIDWAY_MISSED: the last *closed* interval of the current period closed without a required check.
- MIDWAY_DUE_SOON: the current check is `due` and due within 10 working days (or in its grace days).
- REC_OVERDUE: a recommendation of a review in the current period past its target, not done.
- RECORD_LATE / CARE_PLAN_NOT_UPDATED: a review of the current period whose record / care plan is
  still not done past its deadline, or the most recent review's done late.
- IRO_NOT_ALLOCATED: no IRO allocated on as_of, once start + 5 working days has passed.
- SIBLINGS_SPLIT: looked-after children sharing a sibling group with different current IROs, when
  neither child has an exception recorded.
- NO_PERMANENCE_PLAN: the 2nd review of the period was held, or was due on or before as_of, and no
  permanence plan is recorded (by as_of).
- ESCALATION_OVERDUE: an unresolved escalation whose current stage's resolution date is before as_of,
  or whose formal process (from the start of its first formal stage) is past the national total
  (`formal_process_total_working_days`, 20: due on the 20th working day after that start, overdue
  from the day after). Each escalation is overdue from the earlier of its two dates (a stage's own
  date wins a tie); the flag names the child's earliest, ties broken by escalation id.
- FREQUENT_MISSING: 3 or more missing episodes starting in the 90 days ending on as_of.
- REVIEW_NOT_BROUGHT_FORWARD: an event asking for the review to be brought forward whose
  20-working-day date passed with no review held between the event and that date. Only events that
  bear on the most recent review or the next one count (after the review before the most recent one),
  like REVIEW_LATE: older ones are history, visible in the reviews table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import polars as pl

from services.dates import day, day_expr
from services.engine.caseload import Caseload
from services.engine.lazy import collect, collect_all
from services.engine.policy import Policy
from services.engine.schedule import brought_forward_due
from services.engine.workdays import add_working_days, add_working_days_expr, working_days_between
from services.vocabulary import SIGNIFICANT_EVENT_TYPES

CODES: tuple[str, ...] = (
    "REVIEW_OVERDUE",
    "REVIEW_DUE_SOON",
    "REVIEW_LATE",
    "MIDWAY_OVERDUE",
    "MIDWAY_MISSED",
    "MIDWAY_DUE_SOON",
    "REC_OVERDUE",
    "RECORD_LATE",
    "CARE_PLAN_NOT_UPDATED",
    "IRO_NOT_ALLOCATED",
    "SIBLINGS_SPLIT",
    "NO_PERMANENCE_PLAN",
    "ESCALATION_OVERDUE",
    "FREQUENT_MISSING",
    "REVIEW_NOT_BROUGHT_FORWARD",
)

# Caseload.unknown fact -> the flags it decides (fact names: services.engine.caseload.FACTS)
FACT_FLAGS: dict[str, tuple[str, ...]] = {
    "record_completed_date": ("RECORD_LATE",),
    "care_plan_updated_date": ("CARE_PLAN_NOT_UPDATED",),
    "recommendations": ("REC_OVERDUE",),
    "allocations": ("IRO_NOT_ALLOCATED", "SIBLINGS_SPLIT"),
    "sibling_group": ("SIBLINGS_SPLIT",),
    "permanence_plan": ("NO_PERMANENCE_PLAN",),
    "events": ("REVIEW_NOT_BROUGHT_FORWARD",),
    "missing": ("FREQUENT_MISSING",),
    "escalations": ("ESCALATION_OVERDUE",),
}

FLAG_SCHEMA = {
    "child_id": pl.String,
    "code": pl.String,
    "reason": pl.String,
    "due_date": pl.Date,
    "days_overdue": pl.Int64,
}


UNDECIDED_SCHEMA = {"child_id": pl.String, "code": pl.String, "fact": pl.String, "why": pl.String}


def undecided(unknown: pl.DataFrame) -> pl.DataFrame:
    """(child_id, code, fact, why): each flag code a child's data cannot decide, with the fact it
    lacks and why (from `Caseload.unknown`), in CODES order, then in `unknown`'s order; a code
    needing two unknown facts is listed once, for the first of them in FACT_FLAGS order. One
    filter per (fact, code) pair and no sort: a national 903 has 700,000 (child, fact) rows."""
    if unknown.height == 0:
        return pl.DataFrame(schema=UNDECIDED_SCHEMA)
    parts = []
    for code in CODES:
        seen: pl.DataFrame | None = None
        for fact in (f for f, codes in FACT_FLAGS.items() if code in codes):
            part = unknown.filter(pl.col("fact") == fact)
            if seen is not None:
                part = part.join(seen, on="child_id", how="anti")
            parts.append(part.with_columns(pl.lit(code).alias("code")))
            seen = part.select("child_id") if seen is None else pl.concat([seen, part.select("child_id")])
    return pl.concat(parts).select(list(UNDECIDED_SCHEMA))


def _days(n: pl.Expr, what: str = "") -> pl.Expr:
    """'12 working days' / '1 working day' (+ ' ' + what)."""
    word = pl.when(n == 1).then(pl.lit("working day")).otherwise(pl.lit("working days"))
    out = pl.concat_str(n.cast(pl.String), pl.lit(" "), word)
    return pl.concat_str(out, pl.lit(" " + what)) if what else out


def _unknown_start_note() -> pl.Expr:
    return (
        pl.when(~pl.col("period_start_known"))
        .then(pl.lit("; period start unknown: reviews counted from the data"))
        .otherwise(pl.lit(""))
    )


# a flag's working days, once computed as its `days_overdue` column (see `_rows`): reasons read it
DAYS = pl.col("days_overdue")


@dataclass(frozen=True)
class _Frames:
    """What the flag queries read, as lazy frames (see `flag_frame`)."""

    current: pl.LazyFrame  # one row per child looked after on as_of
    on_schedule: pl.LazyFrame  # those of them on the statutory schedule (not short breaks)
    reviews: pl.LazyFrame
    cur_reviews: pl.LazyFrame  # the reviews of each child's current period
    intervals: pl.LazyFrame
    cur_deadlines: pl.LazyFrame  # current-period deadlines overdue, or late for the latest review
    caseload: Caseload


Query = Callable[[_Frames], pl.LazyFrame]


def _rows(code: str, source: Query, reason: pl.Expr, due: pl.Expr | None, days: pl.Expr | None) -> tuple[str, Query]:
    """The flag's query: `source`'s rows with the flag's columns. `days` is computed once, as
    `days_overdue`, before the reason, which reads it as `DAYS` (the in-memory engine on a small
    caseload runs without common-subexpression elimination, so a count written twice is counted
    twice)."""
    days_col = (days if days is not None else pl.lit(None)).cast(pl.Int64).alias("days_overdue")
    columns = (
        "child_id",
        pl.lit(code).alias("code"),
        reason.alias("reason"),
        (due if due is not None else pl.lit(None)).cast(pl.Date).alias("due_date"),
        "days_overdue",
    )
    return code, lambda f: source(f).with_columns(days_col).select(columns)


_IS_CURRENT = pl.col("is_current")
_LATEST = pl.col("review_number") == pl.col("reviews_in_period")
_CURRENT_DEADLINES = _IS_CURRENT & ((pl.col("status") == "overdue") | ((pl.col("status") == "late") & _LATEST))


def flag_frame(
    current: pl.DataFrame,
    reviews: pl.DataFrame,
    intervals: pl.DataFrame,
    deadlines: pl.DataFrame,
    caseload: Caseload,
    as_of: dt.date,
    policy: Policy,
    skip: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """All flags (in no particular order) for the children of `current` (one row per child looked
    after, with child_id, period_id, period_from, period_start_known, short_breaks,
    reviews_in_period, next_review_due, midway_due, midway_status, iro, iro_code, sibling_group,
    sibling_iro_exception, permanence_plan). Other frames are the engine's, already clipped to
    as_of. Each code is one lazy query; they are collected together (each eager step has a fixed
    cost, which dominated an authority-sized caseload)."""
    lazy_current = current.lazy()
    # overdue deadlines of the current period, and late ones of its most recent review, with only
    # the columns the reasons need, materialised once (three flags read it; a national caseload has
    # millions of deadlines, so the filter runs before any string column is touched)
    cur_deadlines = collect(
        deadlines.lazy()
        .filter(_CURRENT_DEADLINES)
        .select("child_id", "kind", "held_date", "due_date", "done_date", "status")
    )
    frames = _Frames(
        current=lazy_current,
        on_schedule=lazy_current.filter(~pl.col("short_breaks")),
        reviews=reviews.lazy(),
        cur_reviews=reviews.lazy().filter(_IS_CURRENT),
        intervals=intervals.lazy(),
        cur_deadlines=cur_deadlines.lazy(),
        caseload=caseload,
    )
    # in-memory engine: it keeps the orders the queries rely on
    queries = [query(frames) for _code, query in _queries(as_of, policy)]
    raised = pl.concat(collect_all(queries), how="vertical").lazy()
    skip = undecided(caseload.unknown) if skip is None else skip  # (`skip`: already worked out by the caller)
    if skip.height == 0:
        return raised
    # a flag a child's own data cannot decide is not raised for that child (DOMAIN §8)
    return raised.join(skip.lazy().select("child_id", "code"), on=["child_id", "code"], how="anti")


@lru_cache(maxsize=8)
def _queries(as_of: dt.date, policy: Policy) -> tuple[tuple[str, Query], ...]:
    """Each flag's query in CODES order, its expressions built once per (as_of, policy): the
    flags' reasons take some 900 polars expressions, and building them cost a tenth of an
    authority's engine time on every call (the dashboard asks for a few dates, many times)."""
    asof = pl.lit(as_of)
    out: list[tuple[str, Query]] = []

    # --- review schedule (DOMAIN §3, §8) ---
    due = pl.col("next_review_due")
    overdue = due < as_of
    out.append(
        _rows(
            "REVIEW_OVERDUE",
            lambda f: f.on_schedule.filter(overdue),
            pl.concat_str(
                pl.lit("Review was due "), day_expr(due), pl.lit(": "), _days(DAYS, "overdue"), _unknown_start_note()
            ),
            due,
            working_days_between(due, asof),
        )
    )
    soon_end = add_working_days(as_of, policy.review_due_soon_working_days)
    soon = (due >= as_of) & (due <= soon_end)
    out.append(
        _rows(
            "REVIEW_DUE_SOON",
            lambda f: f.on_schedule.filter(soon),
            pl.concat_str(
                pl.lit("Review is due "),
                day_expr(due),
                pl.when(due == as_of)
                .then(pl.lit(": today"))
                .otherwise(pl.concat_str(pl.lit(": in "), _days(working_days_between(asof, due)))),
                _unknown_start_note(),
            ),
            due,
            None,
        )
    )
    # the most recent review of the current period, held after its due date (short breaks have
    # no due dates, so on_time is null for them)
    late_last = _LATEST & (pl.col("on_time") == False)  # noqa: E712
    out.append(
        _rows(
            "REVIEW_LATE",
            lambda f: f.cur_reviews.filter(late_last),
            pl.concat_str(
                pl.lit("Most recent review was held "),
                day_expr(pl.col("held_date")),
                pl.lit(" but was due "),
                day_expr(pl.col("due_date")),
                pl.lit(": "),
                _days(DAYS, "late"),
            ),
            pl.col("due_date"),
            working_days_between(pl.col("due_date"), pl.col("held_date")),
        )
    )

    # --- midway checks (DOMAIN §4) ---
    md = pl.col("midway_due")
    midway_overdue = pl.col("midway_status") == "overdue"
    out.append(
        _rows(
            "MIDWAY_OVERDUE",
            lambda f: f.on_schedule.filter(midway_overdue),
            pl.concat_str(pl.lit("Midway check was due "), day_expr(md), pl.lit(": "), _days(DAYS, "overdue")),
            md,
            working_days_between(md, asof),
        )
    )
    missed = (
        _IS_CURRENT
        & (pl.col("review_number") == pl.col("reviews_in_period") - 1)
        & (pl.col("midway_status") == "missed")
    )
    out.append(
        _rows(
            "MIDWAY_MISSED",
            lambda f: f.intervals.filter(missed),
            pl.concat_str(
                pl.lit("No midway check was recorded between the reviews of "),
                day_expr(pl.col("review_date")),
                pl.lit(" and "),
                day_expr(pl.col("next_review_date")),
                pl.lit("; it was due "),
                day_expr(md),
            ),
            md,
            None,
        )
    )
    md_soon = add_working_days(as_of, policy.midway_due_soon_working_days)
    midway_soon = (pl.col("midway_status") == "due") & (md <= md_soon)
    out.append(
        _rows(
            "MIDWAY_DUE_SOON",
            lambda f: f.on_schedule.filter(midway_soon),
            pl.concat_str(
                pl.lit("Midway check "),
                pl.when(md < as_of)
                .then(pl.concat_str(pl.lit("was due "), day_expr(md), pl.lit(" (within the grace days)")))
                .when(md == as_of)
                .then(pl.concat_str(pl.lit("is due today, "), day_expr(md)))
                .otherwise(
                    pl.concat_str(
                        pl.lit("is due "), day_expr(md), pl.lit(": in "), _days(working_days_between(asof, md))
                    )
                ),
            ),
            md,
            None,
        )
    )

    # --- post-review deadlines (DOMAIN §3 after a review) ---
    rec_overdue = (pl.col("kind") == "recommendation_target") & (pl.col("status") == "overdue")
    rec_agg = (pl.len().alias("count"), pl.col("due_date").min())
    out.append(
        _rows(
            "REC_OVERDUE",
            lambda f: f.cur_deadlines.filter(rec_overdue).group_by("child_id").agg(*rec_agg),
            pl.concat_str(
                pl.col("count").cast(pl.String),
                pl.when(pl.col("count") == 1)
                .then(pl.lit(" recommendation is past its target date and not done"))
                .otherwise(pl.lit(" recommendations are past their target date and not done")),
                pl.lit(": the earliest was due "),
                day_expr(pl.col("due_date")),
                pl.lit(", "),
                _days(DAYS, "overdue"),
            ),
            pl.col("due_date"),
            working_days_between(pl.col("due_date"), asof),
        )
    )
    # the earliest per child (arg_min, not a sort: a string sort of many rows is slow)
    earliest = pl.all().get(pl.col("due_date").arg_min())
    is_late = pl.col("status") == "late"
    late_or_overdue = (
        pl.when(is_late)
        .then(working_days_between(pl.col("due_date"), pl.col("done_date")))
        .otherwise(working_days_between(pl.col("due_date"), asof))
    )
    for kind, code, what in (
        ("record_completed", "RECORD_LATE", "Record of the review held "),
        ("care_plan_updated", "CARE_PLAN_NOT_UPDATED", "Care plan update after the review held "),
    ):
        of_kind = pl.col("kind") == kind
        out.append(
            _rows(
                code,
                lambda f, of_kind=of_kind: (
                    f.cur_deadlines.filter(of_kind).drop("kind").group_by("child_id").agg(earliest)
                ),
                pl.concat_str(
                    pl.lit(what),
                    day_expr(pl.col("held_date")),
                    pl.lit(" was due "),
                    day_expr(pl.col("due_date")),
                    pl.when(is_late)
                    .then(
                        pl.concat_str(
                            pl.lit(": done "), day_expr(pl.col("done_date")), pl.lit(", "), _days(DAYS, "late")
                        )
                    )
                    .otherwise(pl.concat_str(pl.lit(": not done, "), _days(DAYS, "overdue"))),
                ),
                pl.col("due_date"),
                late_or_overdue,
            )
        )

    # --- IRO allocation (DOMAIN §3 appointment) ---
    is_iro = pl.col("role") == "iro"
    ended_before = pl.col("to_date").is_not_null() & (pl.col("to_date") < as_of)
    last_end = pl.col("to_date").max().alias("_last_end")
    no_iro = pl.col("iro_code").is_null() & pl.col("iro").is_null()
    deadline = add_working_days_expr(pl.col("period_from"), policy.iro_allocation_working_days).alias("_deadline")
    past_deadline = asof > pl.col("_deadline")
    gap_from = (
        pl.when(pl.col("_last_end") >= pl.col("_deadline"))
        .then(pl.col("_last_end"))
        .otherwise(pl.col("_deadline"))
        .alias("_from")
    )

    def unallocated(f: _Frames) -> pl.LazyFrame:
        ended = f.caseload.allocations.lazy().filter(is_iro).filter(ended_before).group_by("child_id").agg(last_end)
        return (
            f.current.filter(no_iro)
            .join(ended, on="child_id", how="left")
            .with_columns(deadline)
            .filter(past_deadline)
            .with_columns(gap_from)
        )

    out.append(
        _rows(
            "IRO_NOT_ALLOCATED",
            unallocated,
            pl.concat_str(
                pl.lit("No IRO allocated on "),
                pl.lit(day(as_of)),
                pl.when(pl.col("_from") == pl.col("_deadline"))
                .then(pl.concat_str(pl.lit(": one was due by "), day_expr(pl.col("_deadline"))))
                .otherwise(pl.concat_str(pl.lit(": the last IRO allocation ended "), day_expr(pl.col("_from")))),
                pl.lit(", "),
                _days(DAYS, "overdue"),
            ),
            pl.col("_from"),
            working_days_between(pl.col("_from"), asof),
        )
    )

    # --- siblings (DOMAIN §3: siblings share one IRO unless an exception is recorded) ---
    in_group = (
        pl.col("sibling_group").is_not_null() & pl.col("iro_code").is_not_null() & ~pl.col("sibling_iro_exception")
    )
    split = (pl.col("child_id") != pl.col("child_id_sib")) & (pl.col("iro_code") != pl.col("iro_code_sib"))
    sib_agg = (pl.col("child_id_sib").str.join(", ").alias("_sibs"), pl.first("sibling_group"))

    def split_siblings(f: _Frames) -> pl.LazyFrame:
        sib = f.current.filter(in_group).select("child_id", "sibling_group", "iro_code", "iro")
        return (
            sib.join(sib, on="sibling_group", suffix="_sib")
            .filter(split)
            .sort("child_id", "child_id_sib")
            .group_by("child_id", maintain_order=True)
            .agg(*sib_agg)
        )

    out.append(
        _rows(
            "SIBLINGS_SPLIT",
            split_siblings,
            pl.concat_str(
                pl.lit("Siblings in group "),
                pl.col("sibling_group"),
                pl.lit(" have different IROs ("),
                pl.col("_sibs"),
                pl.lit(") and no exception is recorded"),
            ),
            None,
            None,
        )
    )

    # --- permanence plan by the 2nd review (DOMAIN §3, seed 003 §9) ---
    k = policy.permanence_plan_by_review
    kth_review = pl.col("review_number") == k
    kth_columns = ("child_id", "period_id", pl.col("held_date").alias("_kth"))
    plan = pl.col("permanence_plan")
    no_plan = (plan.is_null() | (plan.str.strip_chars() == "")) & (
        pl.col("_kth").is_not_null() | ((pl.col("reviews_in_period") == k - 1) & (pl.col("next_review_due") <= as_of))
    )
    ordinal = {1: "1st", 2: "2nd", 3: "3rd"}.get(k, f"{k}th")
    out.append(
        _rows(
            "NO_PERMANENCE_PLAN",
            lambda f: f.on_schedule.join(
                f.reviews.filter(kth_review).select(kth_columns), on=["child_id", "period_id"], how="left"
            ).filter(no_plan),
            pl.concat_str(
                pl.lit(f"No permanence plan recorded: the {ordinal} review "),
                pl.when(pl.col("_kth").is_not_null())
                .then(pl.concat_str(pl.lit("was held "), day_expr(pl.col("_kth"))))
                .otherwise(pl.concat_str(pl.lit("was due "), day_expr(pl.col("next_review_due")))),
            ),
            pl.coalesce("_kth", "next_review_due"),
            None,
        )
    )

    # --- escalations (DOMAIN §6, §8) ---
    total = policy.formal_process_total_working_days
    unresolved = pl.col("resolved_date").is_null()
    stage_late = pl.col("stage_due_date").is_not_null() & (pl.col("stage_due_date") < as_of)
    formal_due = add_working_days_expr(pl.col("formal_started"), total).alias("_formal_due")
    formal_late = pl.col("_formal_due").is_not_null() & (pl.col("_formal_due") < as_of)
    # each overdue escalation's date: its stage's, unless the formal total ran out first
    by_formal = formal_late & (~stage_late | (pl.col("_formal_due") < pl.col("stage_due_date")))
    esc_columns = (
        pl.when(by_formal).then(pl.col("_formal_due")).otherwise(pl.col("stage_due_date")).alias("_esc_due"),
        by_formal.alias("_by_formal"),
    )
    esc_agg = (
        pl.len().alias("count"),
        pl.first("_esc_due"),
        pl.first("_by_formal"),
        pl.first("stage_name"),
        pl.first("formal_started"),
    )
    esc_due = pl.col("_esc_due")
    out.append(
        _rows(
            "ESCALATION_OVERDUE",
            lambda f: (
                f.caseload.escalations.lazy()
                .filter(unresolved)
                .with_columns(formal_due)
                .filter(stage_late | formal_late)
                .with_columns(esc_columns)
                .join(f.current.select("child_id"), on="child_id")
                .sort("child_id", "_esc_due", "escalation_id", maintain_order=True)
                .group_by("child_id", maintain_order=True)
                .agg(*esc_agg)
            ),
            pl.concat_str(
                pl.when(pl.col("_by_formal"))
                .then(
                    pl.concat_str(
                        pl.lit("Formal escalation started "),
                        day_expr(pl.col("formal_started")),
                        pl.lit(f" was due to end within {total} working days in total, by "),
                    )
                )
                .otherwise(
                    pl.concat_str(
                        pl.lit("Escalation at stage '"),
                        pl.col("stage_name").fill_null("?"),
                        pl.lit("' was due to be resolved by "),
                    )
                ),
                day_expr(esc_due),
                pl.lit(": "),
                _days(DAYS, "overdue"),
                pl.when(pl.col("count") > 1)
                .then(pl.concat_str(pl.lit(" ("), pl.col("count").cast(pl.String), pl.lit(" escalations overdue)")))
                .otherwise(pl.lit("")),
            ),
            esc_due,
            working_days_between(esc_due, asof),
        )
    )

    # --- missing episodes (DOMAIN §4, seed 001) ---
    window_start = as_of - dt.timedelta(days=policy.frequent_missing_window_days)
    in_window = (pl.col("start_date") > window_start) & (pl.col("start_date") <= as_of)
    frequent = pl.col("count") >= policy.frequent_missing_count
    out.append(
        _rows(
            "FREQUENT_MISSING",
            lambda f: (
                f.caseload.missing.lazy()
                .filter(in_window)
                .join(f.current.select("child_id"), on="child_id")
                .group_by("child_id")
                .agg(pl.len().alias("count"))
                .filter(frequent)
            ),
            pl.concat_str(
                pl.col("count").cast(pl.String),
                pl.lit(f" missing episodes in the {policy.frequent_missing_window_days} days to {day(as_of)}"),
            ),
            None,
            None,
        )
    )

    # --- brought-forward reviews not held (DOMAIN §3, §7) ---
    previous = pl.col("review_number") == pl.col("reviews_in_period") - 1
    brought_forward = pl.col("bring_forward").fill_null(False)
    bears_on_latest = (pl.col("event_date") >= pl.col("period_from")) & (
        pl.col("_prev").is_null() | (pl.col("event_date") > pl.col("_prev"))
    )
    bf_due = brought_forward_due(pl.col("event_date"), policy).alias("_bf_due")
    not_held_in_time = (pl.col("held_date").is_null() & (pl.col("_bf_due") < as_of)) | (
        pl.col("held_date") > pl.col("_bf_due")
    )

    def not_brought_forward(f: _Frames) -> pl.LazyFrame:
        prev = f.cur_reviews.filter(previous).select("child_id", pl.col("held_date").alias("_prev"))
        ev = (
            f.caseload.events.lazy()
            .filter(brought_forward)
            .join(f.on_schedule.select("child_id", "period_id", "period_from"), on="child_id")
            .join(prev, on="child_id", how="left")
            .filter(bears_on_latest)
            .with_columns(bf_due)
            .sort("child_id", "event_date", maintain_order=True)
        )
        # (no sort: the reviews are in child, period, review order, so each child's dates already
        # ascend, which is all the asof join by child needs); only the reviews of children with
        # such an event (a semi join keeps that order): the asof join then groups a few rows by
        # child rather than every review of the caseload
        held_after = f.cur_reviews.select("child_id", "held_date").join(
            ev.select("child_id"), on="child_id", how="semi", maintain_order="left"
        )
        return (
            ev.join_asof(
                held_after,
                left_on="event_date",
                right_on="held_date",
                by="child_id",
                strategy="forward",
                check_sortedness=False,
            )
            .filter(not_held_in_time)
            .group_by("child_id", maintain_order=True)
            .first()
        )

    held_late = pl.col("held_date").is_not_null()
    out.append(
        _rows(
            "REVIEW_NOT_BROUGHT_FORWARD",
            not_brought_forward,
            pl.concat_str(
                pl.lit("A significant event on "),
                day_expr(pl.col("event_date")),
                pl.when(pl.col("event_type").is_not_null())
                .then(
                    pl.concat_str(
                        pl.lit(" ("),
                        pl.col("event_type").replace_strict(
                            SIGNIFICANT_EVENT_TYPES, default=pl.col("event_type"), return_dtype=pl.String
                        ),
                        pl.lit(")"),
                    )
                )
                .otherwise(pl.lit("")),
                pl.lit(" asked for a review by "),
                day_expr(pl.col("_bf_due")),
                pl.when(held_late)
                .then(
                    pl.concat_str(
                        pl.lit(": the review was held "),
                        day_expr(pl.col("held_date")),
                        pl.lit(", "),
                        _days(DAYS, "late"),
                    )
                )
                .otherwise(pl.concat_str(pl.lit(": none held, "), _days(DAYS, "overdue"))),
            ),
            pl.col("_bf_due"),
            pl.when(held_late)
            .then(working_days_between(pl.col("_bf_due"), pl.col("held_date")))
            .otherwise(working_days_between(pl.col("_bf_due"), asof)),
        )
    )
    assert tuple(code for code, _ in out) == CODES
    return tuple(out)
