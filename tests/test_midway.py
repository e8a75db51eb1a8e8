"""Midway checks (DOMAIN §4): due dates under the three policies and every status."""

from __future__ import annotations

import datetime as dt

import pytest

from services.engine.compute import compute
from services.engine.policy import Policy
from tests.caseload_builder import one_child

D = dt.date
START = D(2026, 1, 5)
REVIEWS = [D(2026, 1, 30), D(2026, 4, 28)]  # 2nd review: next due 2026-10-28, 183 days -> check due +91


def current(cl, as_of: dt.date, policy: Policy | None = None) -> tuple[dt.date | None, str]:  # type: ignore[no-untyped-def]
    row = compute(cl, as_of, policy or Policy()).children.row(0, named=True)
    return row["midway_due"], row["midway_status"]


@pytest.mark.parametrize(
    ("name", "reviews", "checks", "as_of", "policy", "expected"),
    [
        ("no review yet: none required", [], [], D(2026, 1, 20), Policy(), (None, "not_required")),
        ("midpoint: the 1st review starts none", REVIEWS[:1], [], D(2026, 2, 20), Policy(), (None, "not_required")),
        (
            "midpoint: halfway, rounded down, to the next due date",
            REVIEWS,
            [],
            D(2026, 5, 1),
            Policy(),
            (D(2026, 7, 28), "due"),
        ),
        ("due on the due date itself", REVIEWS, [], D(2026, 7, 28), Policy(), (D(2026, 7, 28), "due")),
        ("overdue from the day after", REVIEWS, [], D(2026, 7, 29), Policy(), (D(2026, 7, 28), "overdue")),
        (
            "grace days keep it due",
            REVIEWS,
            [],
            D(2026, 7, 31),
            Policy().with_(midway_grace_days=3),
            (D(2026, 7, 28), "due"),
        ),
        (
            "grace days then overdue",
            REVIEWS,
            [],
            D(2026, 8, 1),
            Policy().with_(midway_grace_days=3),
            (D(2026, 7, 28), "overdue"),
        ),
        ("done", REVIEWS, [D(2026, 6, 15)], D(2026, 8, 1), Policy(), (D(2026, 7, 28), "done")),
        (
            "done late, before the next review, is done",
            REVIEWS,
            [D(2026, 8, 10)],
            D(2026, 8, 20),
            Policy(),
            (D(2026, 7, 28), "done"),
        ),
        (
            "a check on the review day counts",
            REVIEWS,
            [D(2026, 4, 28)],
            D(2026, 8, 1),
            Policy(),
            (D(2026, 7, 28), "done"),
        ),
        (
            "a check before the review does not",
            REVIEWS,
            [D(2026, 4, 20)],
            D(2026, 8, 1),
            Policy(),
            (D(2026, 7, 28), "overdue"),
        ),
        (
            "a check recorded after as_of has not happened yet",
            REVIEWS,
            [D(2026, 8, 10)],
            D(2026, 8, 1),
            Policy(),
            (D(2026, 7, 28), "overdue"),
        ),
        (
            "six weeks after each: even the 1st review",
            REVIEWS[:1],
            [],
            D(2026, 2, 20),
            Policy().with_(midway_policy="six_weeks_after_each"),
            (D(2026, 3, 13), "due"),
        ),
        (
            "twelve weeks after the 2nd",
            REVIEWS,
            [],
            D(2026, 5, 1),
            Policy().with_(midway_policy="twelve_weeks_after_second"),
            (D(2026, 7, 21), "due"),
        ),
        (
            "twelve weeks: not after the 1st",
            REVIEWS[:1],
            [],
            D(2026, 2, 20),
            Policy().with_(midway_policy="twelve_weeks_after_second"),
            (None, "not_required"),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_current_midway(name, reviews, checks, as_of, policy, expected) -> None:  # type: ignore[no-untyped-def]
    assert current(one_child(START, reviews, checks=checks), as_of, policy) == expected


def test_per_child_override_beats_the_deployment_policy() -> None:
    cl = one_child(START, REVIEWS[:1], child={"midway_policy": "six_weeks_after_each"})
    assert current(cl, D(2026, 2, 20)) == (D(2026, 3, 13), "due")
    cl = one_child(START, REVIEWS[:1], child={"midway_policy": "no_such_policy"})
    assert current(cl, D(2026, 2, 20)) == (None, "not_required")


def test_a_brought_forward_review_does_not_move_the_check() -> None:
    cl = one_child(START, REVIEWS, events=[{"event_date": D(2026, 5, 4), "bring_forward": True}])
    res = compute(cl, D(2026, 5, 10))
    row = res.children.row(0, named=True)
    assert (row["next_review_type"], row["next_review_due"]) == (
        "brought_forward",
        D(2026, 6, 2),
    )  # 4 May is a bank holiday
    assert (row["midway_due"], row["midway_status"]) == (D(2026, 7, 28), "due")


def test_closed_intervals_superseded_and_missed() -> None:
    # 3rd review held before the check was due: superseded; the 4th after it, no check: missed
    cl = one_child(START, [*REVIEWS, D(2026, 7, 20), D(2027, 1, 15)])
    res = compute(cl, D(2027, 1, 20))
    iv = res.intervals.sort("review_number")
    assert iv.select("review_number", "midway_due", "midway_status", "next_review_date").rows() == [
        (1, None, "not_required", D(2026, 4, 28)),
        (2, D(2026, 7, 28), "superseded", D(2026, 7, 20)),
        (3, D(2026, 10, 20), "missed", D(2027, 1, 15)),  # 20 Jul + 6 months = 20 Jan: 184 days, +92
        (4, D(2027, 4, 15), "due", None),  # 15 Jan + 6 months = 15 Jul: 181 days, +90
    ]
    assert "MIDWAY_MISSED" in res.children.row(0, named=True)["flags"]
    assert list(iv.columns) == [
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
    ]


def test_unknown_start_requires_a_check_from_the_first_review_in_the_data() -> None:
    cl = one_child(None, [D(2026, 3, 1)])
    # next due (as the "3 month" review) 2026-06-01: 92 days, check due +46
    assert current(cl, D(2026, 3, 5)) == (D(2026, 4, 16), "due")


@pytest.mark.parametrize(
    ("end", "checks", "expected"),
    [
        # leaving care on as_of (2026-06-01) before the check was due (2026-07-28): no longer needed
        (D(2026, 6, 1), [], (D(2026, 7, 28), "superseded")),
        # a check on the leaving day itself still counts
        (D(2026, 6, 1), [D(2026, 6, 1)], (D(2026, 7, 28), "done")),
    ],
)
def test_leaving_care_on_as_of_closes_the_interval(end: dt.date, checks: list[dt.date], expected: tuple) -> None:
    """Found by the oracle property test: a period ending on as_of closes the open interval like a
    review held that day (the child is still looked after on as_of, so it is on the report)."""
    cl = one_child(START, REVIEWS, period={"end_date": end}, checks=checks)
    assert current(cl, D(2026, 6, 1)) == expected
