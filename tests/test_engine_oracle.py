"""The whole engine against the per-child Python oracle (tests/schedule_oracle.py `compute_rows`) on
random caseloads: every frame of EngineResult (children with all 15 flag codes, flags with their
reasons, reviews, intervals, deadlines) and the undecidable codes must be equal, row for row.

The caseloads draw everything the engine reads: periods of care (start known or not, ended or not,
placement orders, adoption placements), reviews with their post-review dates (some missing),
recommendations with target and completion dates, midway checks, significant events (with and
without a type, bringing the review forward or not), allocations of IROs, social workers and teams
(some ended), placements, sibling groups with and without an exception, permanence plans with dates,
escalations (resolved or not, stages started after as_of, formal or not), missing episodes and, sometimes, facts the
source does not support. Dates that the engine orders by are drawn without ties where a tie would
leave the order (and so the chosen row) undefined (polars sorts without keeping the input order):
two periods, placements or allocations of one role starting the same day, two reviews of a child held
the same day, two escalations of a child due the same day, two events of a child the same day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.engine.caseload import FACTS
from services.engine.compute import CHILD_COLUMNS, compute
from services.engine.deadlines import COLUMNS as DEADLINE_COLUMNS
from services.engine.flags import FLAG_SCHEMA
from services.engine.policy import MIDWAY_POLICIES, Policy
from services.engine.schedule import REVIEW_COLUMNS
from services.engine.workdays import add_working_days, is_working_day
from tests.caseload_builder import caseload
from tests.schedule_oracle import compute_rows, sorted_rows

BASE = dt.date(2024, 1, 1)


def day(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


def maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    """None about a third of the time."""
    return draw(st.one_of(st.none(), strategy, strategy))


def after(draw: st.DrawFn, d: int, lo: int, hi: int) -> dt.date | None:
    """A date lo..hi days after day d, or None."""
    return maybe(draw, st.integers(d + lo, d + hi).map(day))


def working_days_before(d: dt.date, n: int) -> dt.date:
    """The day n working days before d (so that add_working_days(it, n) is d when d is a working day)."""
    while n:
        d -= dt.timedelta(days=1)
        n -= is_working_day(d)
    return d


@st.composite
def rich_caseload(draw: st.DrawFn) -> tuple[Any, dt.date, Policy]:
    t: dict[str, list[dict[str, Any]]] = defaultdict(list)
    ids = {"review": 0, "rec": 0, "esc": 0, "check": 0}

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    for i in range(draw(st.integers(1, 5))):
        cid = f"C{i}"
        t["children"].append(
            {
                "child_id": cid,
                "display_name": draw(st.sampled_from([None, f"Child {i}"])),
                "date_of_birth": maybe(draw, st.integers(-6500, 0).map(day)),
                "legal_status": draw(st.sampled_from([None, "C2", "E1", "V3"])),
                "placement_type": draw(st.sampled_from([None, "U1", "A3"])),
                "sibling_group": draw(st.sampled_from([None, "G1", "G1", "G2"])),
                "sibling_iro_exception": draw(st.sampled_from([None, False, False, True])),
                "permanence_plan": draw(st.sampled_from([None, None, "", "  ", "adoption", "long_term_fostering"])),
                "permanence_plan_date": maybe(draw, st.integers(0, 1100).map(day)),
                "short_breaks": draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
                "midway_policy": draw(st.sampled_from([None, None, "unknown_policy", *MIDWAY_POLICIES])),
                "annual_reviews_from": maybe(draw, st.integers(0, 900).map(day)),
            }
        )
        first = draw(st.integers(0, 200))
        s = first
        for _p in range(draw(st.sampled_from([0, 1, 1, 1, 2, 2]))):  # sometimes a child with no period
            known = draw(st.integers(0, 5)) > 0
            held, dates = s, []
            for _ in range(draw(st.integers(0, 6))):
                held += draw(st.integers(1, 200))
                dates.append(held)
            end = held + draw(st.integers(1, 60)) if draw(st.booleans()) else None
            t["periods"].append(
                {
                    "child_id": cid,
                    "start_date": day(s) if known else None,
                    "observed_from": day(s),
                    "end_date": day(end) if end is not None else None,
                    "placement_order_date": maybe(draw, st.integers(s, s + 700).map(day)),
                    "placed_for_adoption_date": maybe(draw, st.integers(s, s + 700).map(day)),
                }
            )
            for d in dates:
                rid = next_id("review")
                t["reviews"].append(
                    {
                        "child_id": cid,
                        "review_id": rid,
                        "held_date": day(d),
                        "recommendations_sent_date": after(draw, d, 0, 12),
                        "record_completed_date": after(draw, d, 0, 40),
                        "care_plan_updated_date": after(draw, d, 0, 40),
                    }
                )
                for _ in range(draw(st.integers(0, 2))):
                    t["recommendations"].append(
                        {
                            "child_id": cid,
                            "review_id": rid,
                            "rec_id": next_id("rec"),
                            "text": "Update the PEP",
                            "owner": "SW",
                            "target_date": after(draw, d, 0, 150),
                            "completed_date": after(draw, d, 0, 200),
                        }
                    )
            for _ in range(draw(st.integers(0, 3))):
                # anywhere, or on / next to a review day (the edges of an interval)
                near = (
                    draw(st.sampled_from(dates)) + draw(st.integers(-1, 1)) if dates and draw(st.booleans()) else None
                )
                d = near if near is not None else draw(st.integers(s, s + 900))
                t["midway_checks"].append({"child_id": cid, "check_id": next_id("check"), "check_date": day(d)})
            if end is None:
                break
            s = end + draw(st.integers(1, 100))
        last = max(s, first) + 700
        used = {r["held_date"] for r in t["reviews"] if r["child_id"] == cid}
        for d in draw(st.sets(st.integers(first - 20, last), max_size=2)):
            # one more review anywhere (inside, between or outside the periods), or one not held yet
            if day(d) not in used:
                held_on = day(d) if draw(st.booleans()) else None
                t["reviews"].append(
                    {"child_id": cid, "review_id": next_id("review"), "held_date": held_on, "scheduled_date": day(d)}
                )

        held_days = [
            r["held_date"].toordinal() - BASE.toordinal()
            for r in t["reviews"]
            if r["child_id"] == cid and r["held_date"] is not None
        ]
        # anywhere, or (about) 20 working days before a review (the edge of REVIEW_NOT_BROUGHT_FORWARD)
        anywhere = st.integers(first, last)
        before_review = st.sampled_from(held_days or [first]).flatmap(
            lambda h: st.integers(-1, 1).map(lambda k: (working_days_before(day(h), 20) - BASE).days + k)
        )
        for d in sorted(draw(st.sets(st.one_of(anywhere, before_review), max_size=4))):
            t["events"].append(
                {
                    "child_id": cid,
                    "event_date": day(d),
                    "event_type": draw(st.sampled_from([None, "Missing from placement", "Change of care plan"])),
                    "bring_forward": draw(st.sampled_from([True, True, False, None])),
                }
            )
        for role, staff in (("iro", ["I1", "I2", "I3", None]), ("social_worker", ["S1", "S2"]), ("team", [None])):
            starts = draw(st.sets(st.integers(first - 30, last), max_size=2))
            open_from = first - 5 if draw(st.booleans()) else None  # often one allocation still running
            for d in sorted(starts | {open_from} - {None}):
                code = draw(st.sampled_from(staff))
                t["allocations"].append(
                    {
                        "child_id": cid,
                        "role": role,
                        "staff_code": code,
                        "name": f"{role} {code}" if code else draw(st.sampled_from(["Team A", "Team B", None])),
                        "from_date": day(d),
                        "to_date": None if d == open_from else after(draw, d, 0, 500),
                    }
                )
        for d in draw(st.sets(st.integers(first - 10, last), max_size=2)):
            t["placements"].append(
                {
                    "child_id": cid,
                    "start_date": day(d),
                    "end_date": after(draw, d, 0, 400),
                    "legal_status": draw(st.sampled_from([None, "C2", "E1"])),
                    "placement_type": draw(st.sampled_from([None, "U1", "A4"])),
                }
            )
        for due in draw(st.sets(st.integers(first, last), max_size=2)):
            raised = due - draw(st.integers(0, 60))
            stage = draw(st.integers(0, 2))
            started = draw(st.integers(raised, due + 20))
            # the first formal stage started on or before the current one (null while informal)
            formal = day(draw(st.integers(raised, started))) if stage >= 1 and draw(st.booleans()) else None
            t["escalations"].append(
                {
                    "child_id": cid,
                    "escalation_id": next_id("esc"),
                    "raised_date": day(raised),
                    "stage": stage,
                    "stage_name": draw(st.sampled_from([None, "Informal (Team Manager)", "Formal: Team Manager"])),
                    # a stage normally starts before its due date; a later start checks the as_of clip
                    "stage_started": day(started),
                    "stage_due_date": day(due),
                    "resolved_date": after(draw, raised, 0, 200),
                    "formal_started": formal,
                }
            )
    # as_of: anywhere, or on / next to a date where a rule changes its answer, so that the "on or
    # before" edges of DOMAIN §2 are drawn: first a kind of edge, then one of its dates
    held = [r["held_date"] for r in t["reviews"] if r["held_date"] is not None]
    starts = [p["start_date"] or p["observed_from"] for p in t["periods"]]
    months = [h + relativedelta(months=m) for h in held for m in (3, 6)]
    review_dues = [
        *(add_working_days(d, 20) for d in starts),
        *months,
        *(add_working_days(e["event_date"], 20) for e in t["events"]),
        *(p[k] + relativedelta(months=3) for p in t["periods"] for k in ("placement_order_date",) if p[k]),
        *(p[k] + dt.timedelta(days=28) for p in t["periods"] for k in ("placed_for_adoption_date",) if p[k]),
    ]
    midway_dues = [h + dt.timedelta(days=n) for h in held for n in (42, 84)]
    midway_dues += [h + (m - h) // 2 for h in held for m in (h + relativedelta(months=3), h + relativedelta(months=6))]
    edges = [
        [
            d
            for name, table in t.items()
            if name != "children"
            for r in table
            for d in r.values()
            if isinstance(d, dt.date)
        ],
        [add_working_days(h, n) for h in held for n in (5, 10, 15)],  # post-review deadlines
        review_dues,
        [working_days_before(d, 15) for d in review_dues],  # REVIEW_DUE_SOON's window
        midway_dues,
        [working_days_before(d, 10) for d in midway_dues],  # MIDWAY_DUE_SOON's window
        [add_working_days(d, 5) for d in starts],  # IRO_NOT_ALLOCATED
        [e["stage_due_date"] for e in t["escalations"]],  # ESCALATION_OVERDUE
        [add_working_days(e["formal_started"], n) for e in t["escalations"] if e["formal_started"] for n in (5, 20)],
    ]
    edges = [kind for kind in edges if kind]
    if edges and draw(st.booleans()):
        edge = draw(st.sampled_from(draw(st.sampled_from(edges))))
        as_of = edge + dt.timedelta(days=draw(st.sampled_from([-1, 0, 0, 1])))
    else:
        as_of = day(draw(st.integers(0, 1100)))
    for c in t["children"]:  # missing episodes around as_of (FREQUENT_MISSING counts the last 90 days)
        for _ in range(draw(st.integers(0, 5))):
            d = as_of - dt.timedelta(days=draw(st.integers(-20, 120)))
            end = maybe(draw, st.integers(0, 5).map(lambda k, d=d: d + dt.timedelta(days=k)))
            t["missing"].append({"child_id": c["child_id"], "start_date": d, "end_date": end})
    # what the data cannot tell: for every child (a source that never carries it), per child, or both
    unsupported = (
        frozenset(draw(st.sets(st.sampled_from(sorted(FACTS)), max_size=3))) if draw(st.booleans()) else frozenset()
    )
    unknown = {
        c["child_id"]: frozenset(draw(st.sets(st.sampled_from(sorted(FACTS)), max_size=3)))
        for c in t["children"]
        if draw(st.booleans())
    }
    policy = Policy().with_(
        midway_policy=draw(st.sampled_from(MIDWAY_POLICIES)),
        midway_grace_days=draw(st.sampled_from([0, 0, 3])),
        months_as_days=draw(st.booleans()) and draw(st.booleans()),
        permanence_plan_by_review=draw(st.sampled_from([2, 2, 3])),
        formal_process_total_working_days=draw(st.sampled_from([20, 20, 5])),
        review_due_soon_working_days=draw(st.sampled_from([15, 15, 5])),
        midway_due_soon_working_days=draw(st.sampled_from([10, 10, 3])),
        frequent_missing_count=draw(st.sampled_from([3, 3, 2])),
        frequent_missing_window_days=draw(st.sampled_from([90, 90, 30])),
    )
    return caseload(unsupported=unsupported, unknown=unknown, **t), as_of, policy


INTERVAL_COLUMNS = (
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
)
COLUMNS = {
    "children": CHILD_COLUMNS,
    "flags": tuple(FLAG_SCHEMA),
    "reviews": REVIEW_COLUMNS,
    "intervals": INTERVAL_COLUMNS,
    "deadlines": DEADLINE_COLUMNS,
}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rich_caseload())
def test_engine_equals_the_per_child_oracle(case) -> None:  # type: ignore[no-untyped-def]
    cl, as_of, policy = case
    res = compute(cl, as_of, policy)
    exp = compute_rows(cl, as_of, policy)
    assert res.undecidable == exp["undecidable"]
    assert res.coverage.to_dicts() == exp["coverage"]
    for name, columns in COLUMNS.items():
        frame = getattr(res, name)
        assert tuple(frame.columns) == columns, name
        assert all(set(r) == set(columns) for r in exp[name]), f"the oracle's {name} rows have other columns"
        assert sorted_rows(frame.to_dicts(), columns) == sorted_rows(exp[name], columns), name
