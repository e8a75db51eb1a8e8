"""The schedule and drift engine: one call computes everything for a whole caseload on `as_of`.

    result = compute(caseload, as_of, policy)

Everything is vectorised polars over the whole caseload (no per-child Python loop), so the same
functions serve one child's timeline, a team heatmap and the national-scale report. Data dated after
`as_of` is ignored first (`clip_to_as_of`): computing at as_of - 28 days gives "4 weeks ago".
The rules live in services.engine.schedule (DOMAIN §3), services.engine.midway (§4), services.engine.deadlines (§3 after
a review) and services.engine.flags (§8); every number in services.engine.policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import polars as pl

from services.engine.age import age_expr
from services.engine.allocation import allocations_on_lazy
from services.engine.caseload import Caseload
from services.engine.deadlines import COLUMNS as DEADLINE_COLUMNS
from services.engine.deadlines import deadlines as deadline_frame
from services.engine.flags import CODES, FACT_FLAGS, UNDECIDED_SCHEMA, flag_frame, undecided
from services.engine.lazy import collect, collect_all
from services.engine.midway import STATUS as MIDWAY_STATUS
from services.engine.midway import intervals as interval_frame
from services.engine.policy import Policy
from services.engine.schedule import REVIEW_COLUMNS, current_states, held_reviews, review_states
from services.engine.workdays import check_in_span

CHILD_COLUMNS: tuple[str, ...] = (
    "child_id",
    "display_name",
    "date_of_birth",
    "age",
    "team",
    "iro",
    "iro_code",
    "social_worker",
    "social_worker_code",
    "legal_status",
    "placement_type",
    "short_breaks",
    "period_id",
    "period_start",
    "period_start_known",
    "reviews_in_period",
    "last_review_date",
    "next_review_due",
    "next_review_type",
    "midway_due",
    "midway_status",
    "flags",
)


COVERAGE_SCHEMA = {"code": pl.String, "children": pl.Int64, "supported": pl.Int64}


@dataclass(frozen=True)
class EngineResult:
    """What `compute` returns. Pages, the report and the forms all read these frames:

    - children: one row per child looked after on as_of (CHILD_COLUMNS): allocation on as_of,
      period_start (null when unknown), reviews_in_period, last_review_date, next_review_due,
      next_review_type (schedule.REVIEW_TYPE), midway_due, midway_status (midway.STATUS),
      flags (sorted list of DOMAIN §8 codes);
      (review types, midway statuses and policies, deadline kinds and statuses are polars Enums:
      compare them with strings as usual; cast to pl.String before a `.str` operation);
    - flags: child_id, code, reason (a sentence to read aloud), due_date, days_overdue (working days);
    - reviews: every held review up to as_of with its review_number, review_type, due_date, on_time;
    - intervals: one row per held review (the interval it opens) with its midway due date and status;
    - deadlines: post-review deadlines (deadlines.KINDS) with due_date, done_date and status;
    - undecidable: the flag codes the data can decide for none of the children looked after on
      as_of (Caseload.unknown), in CODES order;
    - coverage: one row per code that some child's data may lack (FACT_FLAGS): code, children
      (looked after on as_of) and supported (how many of them the data can decide it for);
    - undecided: child_id, code, fact, why for each looked-after child and code its data cannot
      decide (the child's page says which check and why).
    """

    as_of: dt.date
    policy: Policy
    children: pl.DataFrame
    flags: pl.DataFrame
    reviews: pl.DataFrame
    intervals: pl.DataFrame
    deadlines: pl.DataFrame
    undecidable: tuple[str, ...]
    coverage: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=COVERAGE_SCHEMA))
    undecided: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=UNDECIDED_SCHEMA))


@lru_cache(maxsize=64)
def _not_after(col: str, as_of: dt.date) -> pl.Expr:
    """A date that has not happened yet on as_of is not known then: null."""
    return pl.when(pl.col(col) <= as_of).then(pl.col(col)).alias(col)


def clip_to_as_of(caseload: Caseload, as_of: dt.date) -> Caseload:
    """The caseload as it stood on `as_of`: rows dated after it dropped, later end / done dates
    nulled (a period ending next month is still open; a record completed tomorrow is not done).
    Escalations keep only their current stage, so one whose current stage started after as_of keeps
    its row but with no stage due date (its earlier stage is not in the frame); a formal process
    that started after as_of had not started then (`formal_started` null)."""
    c = caseload
    start = pl.coalesce("start_date", "observed_from")
    frames = dict(
        children=c.children.lazy().with_columns(
            pl.when(pl.col("permanence_plan_date") > as_of)
            .then(None)
            .otherwise(pl.col("permanence_plan"))
            .alias("permanence_plan"),
            _not_after("permanence_plan_date", as_of),
            _not_after("annual_reviews_from", as_of),
        ),
        periods=c.periods.lazy()
        .filter(start <= as_of)
        .with_columns(
            _not_after("end_date", as_of),
            _not_after("placement_order_date", as_of),
            _not_after("placed_for_adoption_date", as_of),
            pl.when(pl.col("observed_from") <= as_of)
            .then(pl.col("observed_from"))
            .otherwise(start)
            .alias("observed_from"),
        ),
        placements=c.placements.lazy()
        .filter(pl.col("start_date") <= as_of)
        .with_columns(_not_after("end_date", as_of)),
        allocations=c.allocations.lazy()
        .filter(pl.col("from_date") <= as_of)
        .with_columns(_not_after("to_date", as_of)),
        reviews=c.reviews.lazy()
        .filter(pl.col("held_date") <= as_of)
        .with_columns(
            _not_after("recommendations_sent_date", as_of),
            _not_after("record_completed_date", as_of),
            _not_after("care_plan_updated_date", as_of),
        ),
        recommendations=c.recommendations.lazy().with_columns(_not_after("completed_date", as_of)),
        midway_checks=c.midway_checks.lazy().filter(pl.col("check_date") <= as_of),
        events=c.events.lazy().filter(pl.col("event_date") <= as_of),
        missing=c.missing.lazy().filter(pl.col("start_date") <= as_of).with_columns(_not_after("end_date", as_of)),
        escalations=c.escalations.lazy()
        .filter(pl.col("raised_date") <= as_of)
        .with_columns(
            _not_after("resolved_date", as_of),
            _not_after("formal_started", as_of),
            pl.when(pl.col("stage_started") <= as_of).then(pl.col("stage_due_date")).alias("stage_due_date"),
        ),
    )
    out = collect_all(list(frames.values()))
    return Caseload(**dict(zip(frames, out, strict=True)), unknown=c.unknown)


def check_dates(caseload: Caseload, as_of: dt.date) -> None:
    """Raise workdays.DateOutOfSpan when as_of or a date the rules count from or compare in working
    days lies outside the span whose bank holidays are known: the table look-ups would give null
    there, and a missing due date reads as "nothing due". One min / max per table, in one query.
    Dates of birth only give an age, so they may be earlier."""
    check_in_span(as_of, as_of, "as_of")
    names = list(caseload.tables())
    spans = collect_all(
        [
            frame.lazy().select(
                pl.min_horizontal(pl.col(pl.Date).exclude("date_of_birth").min()).alias("first"),
                pl.max_horizontal(pl.col(pl.Date).exclude("date_of_birth").max()).alias("last"),
            )
            for frame in caseload.tables().values()
        ]
    )
    for name, span in zip(names, spans, strict=True):
        check_in_span(span["first"].item(), span["last"].item(), f"a date in {name}")


_INTERVAL_INTERNAL = ("period_start_known", "is_current", "reviews_in_period")


def _columns(frame: pl.DataFrame, names: Sequence[str]) -> pl.DataFrame:
    """The named columns, sharing their memory: an eager `select` / `drop` also rechunks, which is
    costly on a national caseload's millions of deadlines (benchmarks/schedule.py)."""
    return pl.DataFrame([frame.get_column(c) for c in names])


def compute(caseload: Caseload, as_of: dt.date, policy: Policy | None = None) -> EngineResult:
    """Schedule, midway checks, deadlines and flags for every child, as they stood on `as_of`.

    Speed (benchmarks/schedule.py). On an authority-sized caseload the time is mostly fixed cost
    per polars step and per expression built, on a national one it is per row. So:
    - the work runs as a few lazy queries, each collected once, and a frame read by several later
      steps (states, held reviews, intervals, deadlines, the children) is materialised once rather
      than recomputed by each (`collect_all` does not share subplans between its frames reliably);
      collects use the in-memory engine, which keeps row order;
    - the rule expressions are built once per (as_of, policy) and reused (`lru_cache` in
      schedule, midway, deadlines, flags): building them was a large part of an authority's time;
    - working days and month offsets are one table look-up per row (workdays, schedule);
    - fixed vocabularies (review types, midway statuses and policies, deadline kinds and
      statuses) are Enums: strings built from literals cost more per row;
    - each working-day count is computed once and read where it is needed again."""
    policy = policy or Policy()
    cl = clip_to_as_of(caseload, as_of)
    check_dates(cl, as_of)
    states = review_states(cl, as_of, policy).lazy()
    # the held reviews first: the deadlines read them four times (once per kind), and without
    # common-subplan elimination each read would recompute them from the states
    reviews = collect(held_reviews(states))
    intervals, deadlines = collect_all(
        [
            interval_frame(states, cl.midway_checks, as_of, policy),
            deadline_frame(reviews.lazy(), cl.recommendations, as_of, policy, cl.unknown),
        ]
    )

    placement_now = (
        cl.placements.lazy()
        .filter(pl.col("end_date").is_null() | (pl.col("end_date") >= as_of))
        .sort("child_id", "start_date", maintain_order=True)
        .group_by("child_id", maintain_order=True)
        .last()
        .select("child_id", pl.col("legal_status").alias("_ls"), pl.col("placement_type").alias("_pt"))
    )
    midway_now = intervals.lazy().filter(
        pl.col("is_current") & (pl.col("review_number") == pl.col("reviews_in_period"))
    )
    kids = collect(
        current_states(states)
        .drop("reviews_in_period", "midway_policy")
        .join(cl.children.lazy().drop("short_breaks"), on="child_id", how="left", maintain_order="left")
        .join(allocations_on_lazy(cl, as_of), on="child_id", how="left", maintain_order="left")
        .join(placement_now, on="child_id", how="left", maintain_order="left")
        .join(
            midway_now.select("child_id", "midway_due", "midway_status"),
            on="child_id",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            age_expr(as_of).alias("age"),
            pl.coalesce("_ls", "legal_status").alias("legal_status"),
            pl.coalesce("_pt", "placement_type").alias("placement_type"),
            pl.col("sibling_iro_exception").fill_null(False),
            pl.col("n").alias("reviews_in_period"),
            pl.col("last_held").alias("last_review_date"),
            pl.col("due").alias("next_review_due"),
            pl.col("due_type").alias("next_review_type"),
            pl.col("midway_status").fill_null(pl.lit("not_required", dtype=MIDWAY_STATUS)),
            pl.col("observed_from").alias("period_from"),
        )
    )
    lacking = undecided(cl.unknown)
    raised = flag_frame(kids, reviews, intervals, deadlines, cl, as_of, policy, lacking)
    flags = collect(raised.sort("child_id", "code"))
    # each child's codes from the sorted flags (one flag per code and child): a plain list, where
    # sorting within each group would be the slow part of this step; `kids` is already in child order
    codes = flags.lazy().group_by("child_id", maintain_order=True).agg(pl.col("code").alias("flags"))
    children = collect(
        kids.lazy()
        .join(codes, on="child_id", how="left", maintain_order="left")
        .with_columns(pl.col("flags").fill_null(pl.lit([], dtype=pl.List(pl.String))))
        .select(CHILD_COLUMNS)
    )
    return EngineResult(
        as_of=as_of,
        policy=policy,
        children=children,
        flags=flags,
        reviews=_columns(reviews, REVIEW_COLUMNS),
        intervals=_columns(intervals, [c for c in intervals.columns if c not in _INTERVAL_INTERNAL]),
        deadlines=_columns(deadlines, DEADLINE_COLUMNS),
        **coverage(children.select("child_id"), lacking),
    )


GATED: tuple[str, ...] = tuple(c for c in CODES if any(c in codes for codes in FACT_FLAGS.values()))


def coverage(looked_after: pl.DataFrame, lacking: pl.DataFrame) -> dict[str, Any]:
    """undecidable, coverage and undecided (see EngineResult) for the children of `looked_after`
    (child_id), from `lacking` (flags.undecided rows); a filtered view recounts with this too."""
    lacking = lacking.join(looked_after, on="child_id", how="semi", maintain_order="left")
    n = looked_after.height
    missing = dict(lacking.group_by("code").len().iter_rows())
    coverage = pl.DataFrame(
        {"code": list(GATED), "children": [n] * len(GATED), "supported": [n - missing.get(c, 0) for c in GATED]},
        schema=COVERAGE_SCHEMA,
    )
    undecidable = tuple(c for c in GATED if n and missing.get(c, 0) == n)
    return {"undecidable": undecidable, "coverage": coverage, "undecided": lacking}
