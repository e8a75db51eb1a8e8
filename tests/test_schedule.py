"""The statutory review schedule (DOMAIN §3), table-driven with dates worked out by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.engine.compute import compute
from services.engine.midway import check_due, check_required
from services.engine.policy import MIDWAY_POLICIES, Policy
from services.engine.schedule import next_review, review_states
from tests.caseload_builder import caseload, one_child

D = dt.date


def child_row(cl, as_of: dt.date, policy: Policy | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    rows = compute(cl, as_of, policy or Policy()).children.filter(child_id="C1").to_dicts()
    assert len(rows) == 1
    return rows[0]


# (name, caseload, as_of, expected next_review_due, expected next_review_type, reviews_in_period)
CASES = [
    ("first: 20 working days after the start (DOMAIN §2 example)",
     one_child(D(2026, 11, 2)), D(2026, 11, 10), D(2026, 11, 30), "first", 0),
    ("first over Christmas and the observed Boxing Day 2026",
     one_child(D(2026, 12, 11)), D(2026, 12, 11), D(2027, 1, 13), "first", 0),
    ("first over Easter 2026 (Good Friday 3 Apr, Easter Monday 6 Apr)",
     one_child(D(2026, 3, 20)), D(2026, 3, 25), D(2026, 4, 21), "first", 0),
    ("first over both May bank holidays 2026",
     one_child(D(2026, 4, 30)), D(2026, 5, 1), D(2026, 6, 1), "first", 0),
    ("second: 3 months after the 1st as held",
     one_child(D(2026, 5, 1), [D(2026, 5, 31)]), D(2026, 6, 1), D(2026, 8, 31), "second", 1),
    ("second from a late 1st review: counted from the date held",
     one_child(D(2026, 1, 5), [D(2026, 2, 20)]), D(2026, 3, 1), D(2026, 5, 20), "second", 1),
    ("subsequent: 31 Aug + 6 months = 28 Feb",
     one_child(D(2026, 4, 1), [D(2026, 4, 28), D(2026, 8, 31)]), D(2026, 9, 1), D(2027, 2, 28), "subsequent", 2),
    ("subsequent into a leap year: 31 Aug 2027 + 6 months = 29 Feb 2028",
     one_child(D(2027, 4, 1), [D(2027, 4, 28), D(2027, 8, 31)]), D(2027, 9, 1), D(2028, 2, 29), "subsequent", 2),
    ("due dates from months stay on a weekend (Sat 28 Feb 2027)",
     one_child(D(2026, 7, 1), [D(2026, 7, 29), D(2026, 11, 30)]), D(2026, 12, 1), D(2027, 5, 30), "subsequent", 2),
    ("brought forward: event Fri 28 Aug 2026 + 20 working days over the August bank holiday",
     one_child(D(2026, 1, 5), [D(2026, 2, 2), D(2026, 5, 1), D(2026, 6, 1)],
               events=[{"event_date": D(2026, 8, 28), "event_type": "Missing from placement", "bring_forward": True}]),
     D(2026, 9, 1), D(2026, 9, 28), "brought_forward", 3),
    ("an event the IRO did not bring forward changes nothing",
     one_child(D(2026, 1, 5), [D(2026, 2, 2), D(2026, 5, 1), D(2026, 6, 1)],
               events=[{"event_date": D(2026, 8, 28), "event_type": "Complaint", "bring_forward": False}]),
     D(2026, 9, 1), D(2026, 12, 1), "subsequent", 3),
    ("an event before the last review does not bring the next one forward",
     one_child(D(2026, 1, 5), [D(2026, 2, 2), D(2026, 5, 1), D(2026, 6, 1)],
               events=[{"event_date": D(2026, 5, 20), "event_type": "Complaint", "bring_forward": True}]),
     D(2026, 9, 1), D(2026, 12, 1), "subsequent", 3),
    ("brought forward later than the normal date: the normal date stands",
     one_child(D(2026, 1, 5), [D(2026, 2, 2)],
               events=[{"event_date": D(2026, 4, 20), "event_type": "Complaint", "bring_forward": True}]),
     D(2026, 4, 21), D(2026, 5, 2), "second", 1),
    ("placement order: order + 3 months when earlier than last review + 6 months",
     one_child(D(2025, 9, 1), [D(2025, 9, 26), D(2025, 12, 1), D(2026, 3, 2)],
               period={"placement_order_date": D(2026, 4, 15)}),
     D(2026, 5, 1), D(2026, 7, 15), "placement_order", 3),
    ("placement order after the review that followed it: spent",
     one_child(D(2025, 9, 1), [D(2025, 9, 26), D(2025, 12, 1), D(2026, 3, 2), D(2026, 6, 1)],
               period={"placement_order_date": D(2026, 4, 15)}),
     D(2026, 6, 2), D(2026, 12, 1), "subsequent", 4),
    ("placed for adoption: first review 28 calendar days after placement",
     one_child(D(2025, 9, 1), [D(2025, 9, 26), D(2025, 12, 1), D(2026, 3, 2)],
               period={"placed_for_adoption_date": D(2026, 4, 10)}),
     D(2026, 4, 11), D(2026, 5, 8), "adoption_first", 3),
    ("adoption second: 3 months after the adoption first review; the count goes on",
     one_child(D(2025, 9, 1), [D(2025, 9, 26), D(2025, 12, 1), D(2026, 3, 2), D(2026, 5, 6)],
               period={"placed_for_adoption_date": D(2026, 4, 10)}),
     D(2026, 5, 7), D(2026, 8, 6), "adoption_second", 4),
    ("adoption subsequent: 6-monthly",
     one_child(D(2025, 9, 1), [D(2025, 9, 26), D(2025, 12, 1), D(2026, 3, 2), D(2026, 5, 6), D(2026, 8, 1)],
               period={"placed_for_adoption_date": D(2026, 4, 10)}),
     D(2026, 8, 2), D(2027, 2, 1), "adoption_subsequent", 5),
    ("long-term fostering recorded: annual regime, still due 6 months after the last review",
     one_child(D(2024, 1, 8), [D(2024, 2, 2), D(2024, 5, 1), D(2025, 1, 10), D(2026, 6, 10)],
               child={"annual_reviews_from": D(2025, 1, 10)}),
     D(2026, 6, 11), D(2026, 12, 10), "annual", 4),
    ("a later placement order or adoption is ignored before it happens (as_of)",
     one_child(D(2025, 9, 1), [D(2025, 9, 26), D(2025, 12, 1), D(2026, 3, 2)],
               period={"placed_for_adoption_date": D(2026, 4, 10)}),
     D(2026, 4, 9), D(2026, 9, 2), "subsequent", 3),
    ("reviews after as_of have not happened yet",
     one_child(D(2026, 11, 2), [D(2026, 11, 27)]), D(2026, 11, 26), D(2026, 11, 30), "first", 0),
    ("re-admission: a new period restarts the schedule",
     caseload(periods=[{"child_id": "C1", "start_date": D(2025, 1, 6), "end_date": D(2025, 6, 30)},
                       {"child_id": "C1", "start_date": D(2026, 3, 2)}],
              reviews=[{"child_id": "C1", "held_date": D(2025, 2, 3)}, {"child_id": "C1", "held_date": D(2025, 5, 1)}]),
     D(2026, 3, 20), D(2026, 3, 30), "first", 0),
    ("re-admission: the count restarts in the new period",
     caseload(periods=[{"child_id": "C1", "start_date": D(2025, 1, 6), "end_date": D(2025, 6, 30)},
                       {"child_id": "C1", "start_date": D(2026, 3, 2)}],
              reviews=[{"child_id": "C1", "held_date": D(2025, 2, 3)}, {"child_id": "C1", "held_date": D(2025, 5, 1)},
                       {"child_id": "C1", "held_date": D(2026, 3, 27)}]),
     D(2026, 4, 1), D(2026, 6, 27), "second", 1),
]  # fmt: skip


@pytest.mark.parametrize(("name", "cl", "as_of", "due", "kind", "count"), CASES, ids=[c[0] for c in CASES])
def test_next_review(name: str, cl, as_of: dt.date, due: dt.date, kind: str, count: int) -> None:  # type: ignore[no-untyped-def]
    row = child_row(cl, as_of)
    assert (row["next_review_due"], row["next_review_type"], row["reviews_in_period"]) == (due, kind, count)


def test_months_as_days_policy() -> None:
    cl = one_child(D(2026, 1, 5), [D(2026, 1, 30), D(2026, 4, 1)])
    assert child_row(cl, D(2026, 4, 2), Policy().with_(months_as_days=True))["next_review_due"] == D(2026, 10, 1)
    cl = one_child(D(2026, 1, 5), [D(2026, 1, 30)])
    assert child_row(cl, D(2026, 2, 2), Policy().with_(months_as_days=True))["next_review_due"] == D(2026, 5, 1)


def test_unknown_start_never_invents_a_first_due_date() -> None:
    row = child_row(one_child(None), D(2026, 5, 1))
    assert (row["period_start"], row["period_start_known"], row["next_review_due"], row["next_review_type"]) == (
        None,
        False,
        None,
        None,
    )
    row = child_row(one_child(None, [D(2026, 3, 1)]), D(2026, 5, 1))
    assert (row["reviews_in_period"], row["next_review_due"], row["next_review_type"]) == (1, D(2026, 6, 1), "second")
    assert row["period_start_known"] is False


def test_short_breaks_are_off_the_schedule() -> None:
    iro = [{"child_id": "C1", "role": "iro", "staff_code": "I1", "name": "Iro", "from_date": D(2026, 1, 6)}]
    cl = one_child(D(2026, 1, 5), [D(2026, 2, 2)], child={"short_breaks": True}, allocations=iro)
    row = child_row(cl, D(2026, 9, 1))
    assert (row["next_review_due"], row["next_review_type"], row["midway_status"]) == (None, None, "not_required")
    # no review or midway flag; the deadlines after the review that was held still apply (DOMAIN §3)
    assert row["flags"] == ["CARE_PLAN_NOT_UPDATED", "RECORD_LATE"]


def test_each_held_review_has_its_rule_due_date_and_on_time() -> None:
    cl = one_child(
        D(2026, 1, 5),
        [D(2026, 2, 2), D(2026, 5, 5), D(2026, 9, 1)],
        events=[{"event_date": D(2026, 8, 3), "event_type": "Complaint", "bring_forward": True}],
    )
    rv = compute(cl, D(2026, 9, 2)).reviews.sort("review_number").to_dicts()
    got = [(r["review_number"], r["review_type"], r["due_date"], r["on_time"]) for r in rv]
    assert got == [
        (1, "first", D(2026, 2, 2), True),
        (2, "second", D(2026, 5, 2), False),  # held 5 May: 3 days late
        (3, "brought_forward", D(2026, 9, 1), True),  # 3 Aug + 20 working days (31 Aug bank holiday)
    ]
    assert list(compute(cl, D(2026, 9, 2)).reviews.columns) == [
        "child_id",
        "period_id",
        "review_id",
        "held_date",
        "review_number",
        "review_type",
        "due_date",
        "on_time",
    ]


def test_children_not_looked_after_on_as_of_are_left_out() -> None:
    cl = caseload(
        periods=[
            {"child_id": "C1", "start_date": D(2025, 1, 6), "end_date": D(2025, 6, 30)},
            {"child_id": "C2", "start_date": D(2026, 7, 1)},
            {"child_id": "C3", "start_date": D(2025, 1, 6), "end_date": D(2026, 12, 1)},
        ]
    )
    assert compute(cl, D(2026, 6, 1)).children["child_id"].to_list() == ["C3"]
    # a period ending after as_of is still open then ("4 weeks ago" sees it open)
    assert compute(cl, D(2026, 12, 1)).children["child_id"].to_list() == ["C2", "C3"]


# --- the scalar twins (schedule.next_review, midway.check_required / check_due) -------------------
# The demo generator lays out reviews one at a time with them, so they must give what the vectorised
# engine gives for the same facts.

_days = st.integers(min_value=1, max_value=400)


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=D(2015, 1, 1), max_value=D(2024, 12, 31)),
    gaps=st.lists(_days, max_size=6),
    po=st.one_of(st.none(), _days),
    adopt=st.one_of(st.none(), _days),
    events=st.lists(st.tuples(_days, st.booleans()), max_size=3),
    annual=st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
    policy_name=st.sampled_from(MIDWAY_POLICIES),
    months_as_days=st.booleans(),
)
def test_scalar_twins_agree_with_review_states(  # type: ignore[no-untyped-def]
    start, gaps, po, adopt, events, annual, policy_name, months_as_days
) -> None:
    policy = Policy().with_(midway_policy=policy_name, months_as_days=months_as_days)
    held = []
    day = start
    for gap in gaps:
        day += dt.timedelta(days=gap)
        held.append(day)
    po_date = start + dt.timedelta(days=po) if po else None
    adopt_date = (po_date or start) + dt.timedelta(days=adopt) if adopt else None
    annual_from = held[annual] if annual is not None and annual < len(held) else None
    evs = [(start + dt.timedelta(days=d), bf) for d, bf in events]
    _assert_twins_agree(start, held, po_date, adopt_date, evs, annual_from, policy)


def _assert_twins_agree(  # type: ignore[no-untyped-def]
    start, held, po_date, adopt_date, evs, annual_from, policy: Policy
) -> None:
    policy_name = policy.midway_policy
    as_of = max([start, *held, *(d for d, _ in evs), *(x for x in (po_date, adopt_date) if x)]) + dt.timedelta(days=1)
    cl = caseload(
        children=[{"child_id": "C1", "annual_reviews_from": annual_from}],
        periods=[
            {
                "child_id": "C1",
                "start_date": start,
                "placement_order_date": po_date,
                "placed_for_adoption_date": adopt_date,
            }
        ],
        reviews=[{"child_id": "C1", "held_date": h} for h in held],
        events=[{"child_id": "C1", "event_date": d, "event_type": "complaint", "bring_forward": bf} for d, bf in evs],
    )
    states = review_states(cl, as_of, policy).to_dicts()
    assert [s["n"] for s in states] == list(range(len(held) + 1))
    for s in states:
        n = s["n"]
        window = s["window_end"]  # what the engine counts for `due`: facts up to the next review (or as_of)

        def upto(d: dt.date | None, w: dt.date = window) -> dt.date | None:
            return d if d is not None and d <= w else None

        now = next_review(
            start,
            held[:n],
            policy,
            placement_order=upto(po_date),
            placed_for_adoption=upto(adopt_date),
            bring_forward=[d for d, bf in evs if bf and d <= window],
            annual_reviews_from=annual_from,
        )
        assert (now.due, now.type) == (s["due"], s["due_type"]), (n, s)
        assert now.counts_from <= window
        if n == 0:
            continue
        at = next_review(
            start,
            held[:n],
            policy,
            placement_order=po_date,
            placed_for_adoption=adopt_date,
            bring_forward=[d for d, bf in evs if bf],
            annual_reviews_from=annual_from,
            as_set_at_review=True,
        )
        assert (at.due, at.type) == (s["due_at_review"], s["type_at_review"]), (n, s)

    intervals = compute(cl, as_of, policy).intervals.sort("review_number").to_dicts()
    for iv in intervals:
        required = check_required(iv["review_number"], policy_name)
        assert required == iv["midway_required"]
        if required:
            assert check_due(iv["review_date"], iv["next_due_at_review"], policy_name, policy) == iv["midway_due"]


@pytest.mark.parametrize(
    ("start", "held", "po", "events", "kind"),
    [
        # 25 Jan 2024 + 6 months = order 25 Apr 2024 + 3 months: the placement order names the review
        (D(2023, 6, 1), [D(2023, 6, 28), D(2023, 9, 25), D(2024, 1, 25)], D(2024, 4, 25), [], "placement_order"),
        # order 20 Nov 2024 + 3 months = event 23 Jan 2025 + 20 working days (20 Feb 2025): the order wins
        (
            D(2024, 4, 2),
            [D(2024, 5, 1), D(2024, 7, 25), D(2024, 10, 1)],
            D(2024, 11, 20),
            [D(2025, 1, 23)],
            "placement_order",
        ),
    ],
)
def test_scalar_twins_break_ties_like_the_engine(  # type: ignore[no-untyped-def]
    start, held, po, events, kind
) -> None:
    assert next_review(start, held, Policy(), placement_order=po, bring_forward=events).type == kind
    _assert_twins_agree(start, held, po, None, [(d, True) for d in events], None, Policy())
