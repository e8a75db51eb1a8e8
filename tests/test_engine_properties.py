"""Hypothesis properties of the engine, and the engine against a per-child Python oracle
(tests/schedule_oracle.py, written straight from DOMAIN §3-§4 with dateutil) on random caseloads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.engine.compute import compute
from services.engine.policy import MIDWAY_POLICIES, Policy
from services.engine.workdays import add_working_days, is_working_day
from tests.caseload_builder import caseload
from tests.schedule_oracle import report_rows

D = dt.date
BASE = D(2024, 1, 1)
ORACLE_FLAGS = {
    "REVIEW_OVERDUE",
    "REVIEW_DUE_SOON",
    "REVIEW_LATE",
    "MIDWAY_OVERDUE",
    "MIDWAY_MISSED",
    "MIDWAY_DUE_SOON",
}


def day(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


@st.composite
def random_caseload(draw: st.DrawFn) -> tuple[Any, dt.date, Policy, dict[str, Any]]:
    n_children = draw(st.integers(1, 5))
    children, periods, reviews, events, checks = [], [], [], [], []
    for i in range(n_children):
        cid = f"C{i}"
        children.append(
            {
                "child_id": cid,
                "short_breaks": draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
                "midway_policy": draw(st.sampled_from([None, None, *MIDWAY_POLICIES])),
                "annual_reviews_from": draw(st.one_of(st.none(), st.integers(0, 900).map(day))),
            }
        )
        t = draw(st.integers(0, 200))
        for _p in range(draw(st.integers(1, 2))):
            start = t
            known = draw(st.integers(0, 5)) > 0
            held = start
            n_rev = draw(st.integers(0, 6))
            dates = []
            for _ in range(n_rev):
                held += draw(st.integers(1, 200))
                dates.append(held)
            end = held + draw(st.integers(1, 60)) if draw(st.booleans()) else None
            periods.append(
                {
                    "child_id": cid,
                    "start_date": day(start) if known else None,
                    "observed_from": day(start),
                    "end_date": day(end) if end is not None else None,
                    "placement_order_date": draw(st.one_of(st.none(), st.integers(start, start + 700).map(day))),
                    "placed_for_adoption_date": draw(st.one_of(st.none(), st.integers(start, start + 700).map(day))),
                }
            )
            reviews += [{"child_id": cid, "held_date": day(d)} for d in dates]
            for _ in range(draw(st.integers(0, 3))):
                events.append(
                    {
                        "child_id": cid,
                        "event_date": day(draw(st.integers(start, start + 900))),
                        "bring_forward": draw(st.booleans()),
                    }
                )
            for _ in range(draw(st.integers(0, 3))):
                checks.append({"child_id": cid, "check_date": day(draw(st.integers(start, start + 900)))})
            if end is None:
                break
            t = end + draw(st.integers(1, 100))
    cl = caseload(children=children, periods=periods, reviews=reviews, events=events, midway_checks=checks)
    as_of = day(draw(st.integers(0, 1100)))
    policy = Policy().with_(
        midway_policy=draw(st.sampled_from(MIDWAY_POLICIES)),
        midway_grace_days=draw(st.sampled_from([0, 0, 3])),
        months_as_days=draw(st.booleans()) and draw(st.booleans()),
    )
    return cl, as_of, policy, {}


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(random_caseload())
def test_engine_matches_the_per_child_oracle(case) -> None:  # type: ignore[no-untyped-def]
    cl, as_of, policy, _ = case
    res = compute(cl, as_of, policy)
    expected = report_rows(cl, as_of, policy)
    got = {r["child_id"]: r for r in res.children.to_dicts()}
    assert set(got) == set(expected)
    for cid, exp in expected.items():
        row = got[cid]
        for key in (
            "period_start",
            "reviews_in_period",
            "last_review_date",
            "next_review_due",
            "next_review_type",
            "midway_due",
            "midway_status",
        ):
            assert row[key] == exp[key], (cid, key)
        assert sorted(set(row["flags"]) & ORACLE_FLAGS) == exp["flags"], cid


@SETTINGS
@given(random_caseload())
def test_schedule_properties(case) -> None:  # type: ignore[no-untyped-def]
    cl, as_of, policy, _ = case
    res = compute(cl, as_of, policy)
    for r in res.children.to_dicts():
        due, kind = r["next_review_due"], r["next_review_type"]
        # a working-day due date is never a weekend or bank holiday
        if kind in ("first", "brought_forward"):
            assert is_working_day(due)
        # nothing is due before the period starts
        if due is not None and r["period_start"] is not None:
            assert due > r["period_start"]
        # holding a review never makes the next one due on or before it
        if due is not None and r["last_review_date"] is not None:
            assert due > r["last_review_date"]
        if r["midway_due"] is not None:
            assert r["midway_due"] > r["last_review_date"]
    for rv in res.reviews.to_dicts():
        if rv["review_type"] in ("first", "brought_forward"):
            assert is_working_day(rv["due_date"])


@settings(max_examples=80, deadline=None)
@given(
    st.integers(0, 600).map(day),
    st.lists(st.integers(1, 250), min_size=1, max_size=6),
    st.integers(1, 400),
)
def test_plain_schedule_is_exactly_the_statutory_rule(start: dt.date, gaps: list[int], later: int) -> None:
    """Without events, orders or adoption: 1st = start + 20 working days, 2nd = 1st held + 3 months,
    then held + 6 months, whenever each review was actually held."""
    held = []
    d = start
    for g in gaps:
        d += dt.timedelta(days=g)
        held.append(d)
    cl = caseload(
        periods=[{"child_id": "C1", "start_date": start}], reviews=[{"child_id": "C1", "held_date": h} for h in held]
    )
    as_of = held[-1] + dt.timedelta(days=later)
    res = compute(cl, as_of)
    row = res.children.row(0, named=True)
    months = 3 if len(held) == 1 else 6
    assert row["next_review_due"] == held[-1] + relativedelta(months=months)
    assert row["next_review_type"] == ("second" if len(held) == 1 else "subsequent")
    dues = res.reviews.sort("review_number")["due_date"].to_list()
    assert dues[0] == add_working_days(start, 20)
    for k in range(1, len(held)):
        assert dues[k] == held[k - 1] + relativedelta(months=3 if k == 1 else 6)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 600).map(day), st.lists(st.integers(1, 250), max_size=4), st.integers(1, 300), st.integers(0, 60))
def test_a_new_period_restarts_the_schedule(start: dt.date, gaps: list[int], gap_out: int, after: int) -> None:
    held, d = [], start
    for g in gaps:
        d += dt.timedelta(days=g)
        held.append(d)
    end = d + dt.timedelta(days=1)
    restart = end + dt.timedelta(days=gap_out)
    cl = caseload(
        periods=[{"child_id": "C1", "start_date": start, "end_date": end}, {"child_id": "C1", "start_date": restart}],
        reviews=[{"child_id": "C1", "held_date": h} for h in held],
    )
    row = compute(cl, restart + dt.timedelta(days=after)).children.row(0, named=True)
    assert (row["period_start"], row["reviews_in_period"], row["next_review_type"]) == (restart, 0, "first")
    assert row["next_review_due"] == add_working_days(restart, 20)
