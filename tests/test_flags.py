"""Drift flags (DOMAIN §8): each code raised when it should be, with a reason a manager can read aloud."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from services.engine.caseload import unknown_for_all
from services.engine.compute import compute
from services.engine.policy import Policy
from tests.caseload_builder import caseload, one_child

D = dt.date


def iro(child_id: str = "C1", code: str = "I1", frm: dt.date | None = None) -> dict[str, Any]:
    frm = frm or D(2025, 1, 1)
    return {"child_id": child_id, "role": "iro", "staff_code": code, "name": f"IRO {code}", "from_date": frm}


def settled(start: dt.date, reviews: list[dt.date] = (), **kw: Any):  # type: ignore[no-untyped-def, assignment]
    """A child with an IRO and a permanence plan, so only the flag under test is raised."""
    import polars as pl

    child = {"permanence_plan": "long_term_fostering", "permanence_plan_date": D(2025, 1, 1), **kw.pop("child", {})}
    cl = one_child(start, reviews, child=child, allocations=kw.pop("allocations", [iro()]), **kw)
    done = pl.col("held_date")  # post-review work done on the day
    rv = cl.reviews.with_columns(
        recommendations_sent_date=done, record_completed_date=done, care_plan_updated_date=done
    )
    return cl.__class__(**{**cl.tables(), "reviews": rv})


def flags(cl, as_of: dt.date, policy: Policy | None = None) -> dict[str, tuple[str, Any, Any]]:  # type: ignore[no-untyped-def]
    res = compute(cl, as_of, policy or Policy())
    f = res.flags.filter(child_id="C1")
    row = res.children.filter(child_id="C1").row(0, named=True)
    assert row["flags"] == sorted(f["code"].to_list())
    return {r["code"]: (r["reason"], r["due_date"], r["days_overdue"]) for r in f.to_dicts()}


def test_review_overdue_reason_and_working_days() -> None:
    got = flags(settled(D(2026, 11, 2)), D(2026, 12, 16))
    assert got == {"REVIEW_OVERDUE": ("Review was due 30 Nov 2026: 12 working days overdue", D(2026, 11, 30), 12)}


def test_review_due_soon_window() -> None:
    assert flags(settled(D(2026, 11, 2)), D(2026, 11, 10)) == {
        "REVIEW_DUE_SOON": ("Review is due 30 Nov 2026: in 14 working days", D(2026, 11, 30), None)
    }
    assert flags(settled(D(2026, 11, 2)), D(2026, 11, 30))["REVIEW_DUE_SOON"][0] == "Review is due 30 Nov 2026: today"
    assert flags(settled(D(2026, 11, 2)), D(2026, 11, 6)) == {}  # 16 working days ahead


def test_review_late() -> None:
    got = flags(settled(D(2026, 11, 2), [D(2026, 12, 3)]), D(2026, 12, 4))
    assert got == {
        "REVIEW_LATE": (
            "Most recent review was held 3 Dec 2026 but was due 30 Nov 2026: 3 working days late",
            D(2026, 11, 30),
            3,
        )
    }


def test_midway_overdue_and_due_soon() -> None:
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30), D(2026, 4, 28)])
    assert flags(cl, D(2026, 7, 29)) == {
        "MIDWAY_OVERDUE": ("Midway check was due 28 Jul 2026: 1 working day overdue", D(2026, 7, 28), 1)
    }
    assert flags(cl, D(2026, 7, 20)) == {
        "MIDWAY_DUE_SOON": ("Midway check is due 28 Jul 2026: in 6 working days", D(2026, 7, 28), None)
    }
    assert flags(cl, D(2026, 7, 13)) == {}  # 11 working days ahead


def test_midway_missed_reason() -> None:
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30), D(2026, 4, 28), D(2026, 9, 1)])
    assert flags(cl, D(2026, 9, 2))["MIDWAY_MISSED"] == (
        "No midway check was recorded between the reviews of 28 Apr 2026 and 1 Sep 2026; it was due 28 Jul 2026",
        D(2026, 7, 28),
        None,
    )


def test_recommendation_overdue() -> None:
    cl = settled(
        D(2026, 1, 5),
        [D(2026, 1, 30)],
        recommendations=[
            {"child_id": "C1", "review_id": 1, "rec_id": 1, "text": "PEP", "target_date": D(2026, 3, 1)},
            {
                "child_id": "C1",
                "review_id": 1,
                "rec_id": 2,
                "text": "Health",
                "target_date": D(2026, 2, 1),
                "completed_date": D(2026, 2, 1),
            },
        ],
    )
    got = flags(cl, D(2026, 3, 10))
    assert got["REC_OVERDUE"] == (
        "1 recommendation is past its target date and not done: "
        "the earliest was due 1 Mar 2026, 7 working days overdue",
        D(2026, 3, 1),
        7,
    )
    dl = compute(cl, D(2026, 3, 10)).deadlines.filter(kind="recommendation_target").sort("rec_id")
    assert dl["status"].to_list() == ["overdue", "met"]


def _reviewed(**review: Any):  # type: ignore[no-untyped-def]
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30)])
    rv = cl.reviews.with_columns(**{k: v for k, v in review.items()})
    return cl.__class__(**{**cl.tables(), "reviews": rv})


def test_record_late_and_care_plan_not_updated() -> None:
    import polars as pl

    cl = _reviewed(
        recommendations_sent_date=pl.lit(D(2026, 2, 3)),
        record_completed_date=pl.lit(D(2026, 2, 25)),
        care_plan_updated_date=pl.lit(None, dtype=pl.Date),
    )
    got = flags(cl, D(2026, 2, 26))
    assert got["RECORD_LATE"] == (
        "Record of the review held 30 Jan 2026 was due 20 Feb 2026: done 25 Feb 2026, 3 working days late",
        D(2026, 2, 20),
        3,
    )
    assert got["CARE_PLAN_NOT_UPDATED"] == (
        "Care plan update after the review held 30 Jan 2026 was due 17 Feb 2026: not done, 7 working days overdue",
        D(2026, 2, 17),
        7,
    )
    # before the record was completed (as_of 2026-02-23) it is overdue, not late
    assert flags(cl, D(2026, 2, 23))["RECORD_LATE"][0].endswith("not done, 1 working day overdue")
    # kind and status are Enums: sorting by kind follows deadlines.KINDS, the order they fall due
    dl = compute(cl, D(2026, 2, 26)).deadlines.filter(review_id=1).sort("kind")
    assert dl.select("kind", "due_date", "status").rows() == [
        ("recommendations_to_tm", D(2026, 2, 6), "met"),
        ("record_completed", D(2026, 2, 20), "late"),
        ("care_plan_updated", D(2026, 2, 17), "overdue"),
    ]


def test_short_breaks_keep_post_review_deadlines_but_not_the_schedule() -> None:
    """DOMAIN §3: short breaks are not on the review schedule, but the deadlines after a review
    that was held still apply (recommendations, record, care plan)."""
    import polars as pl

    cl = _reviewed(
        recommendations_sent_date=pl.lit(D(2026, 2, 3)),
        record_completed_date=pl.lit(D(2026, 2, 25)),
        care_plan_updated_date=pl.lit(None, dtype=pl.Date),
    )
    cl = cl.__class__(**{**cl.tables(), "children": cl.children.with_columns(short_breaks=pl.lit(True))})
    got = flags(cl, D(2026, 2, 26))
    assert sorted(got) == ["CARE_PLAN_NOT_UPDATED", "RECORD_LATE"]
    assert got["RECORD_LATE"][1:] == (D(2026, 2, 20), 3)
    assert compute(cl, D(2026, 2, 26)).children["next_review_due"].to_list() == [None]


def test_unsupported_facts_are_not_raised_and_are_listed() -> None:
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30)])
    unknown = unknown_for_all(cl.children["child_id"], {"care_plan_updated_date", "record_completed_date"}, "why")
    cl = cl.__class__(**cl.tables(), unknown=unknown)
    res = compute(cl, D(2026, 3, 2))
    assert res.undecidable == ("RECORD_LATE", "CARE_PLAN_NOT_UPDATED")
    assert set(res.flags["code"]) & {"RECORD_LATE", "CARE_PLAN_NOT_UPDATED"} == set()
    statuses = res.deadlines.filter(kind="care_plan_updated")["status"].to_list()
    assert statuses == ["unknown"]


def test_unknown_facts_are_per_child() -> None:
    """Two children with the same overdue record and no IRO: only the one whose data can tell is
    flagged; coverage counts the children each check is supported for, and `undecided` says why."""
    rows = {"held_date": D(2026, 1, 30), "record_completed_date": None}
    cl = caseload(
        children=[{"child_id": "A"}, {"child_id": "B"}],
        periods=[{"child_id": c, "start_date": D(2026, 1, 5)} for c in ("A", "B")],
        reviews=[{"child_id": c, **rows} for c in ("A", "B")],
        unknown={"B": frozenset({"record_completed_date", "allocations"})},
    )
    res = compute(cl, D(2026, 3, 2))
    flagged = res.flags.group_by("code").agg(pl.col("child_id").sort()).sort("code")
    by_code = dict(zip(flagged["code"], flagged["child_id"].to_list(), strict=True))
    assert by_code["RECORD_LATE"] == ["A"]
    assert by_code["IRO_NOT_ALLOCATED"] == ["A"]
    assert res.undecidable == ()
    cov = {r["code"]: (r["supported"], r["children"]) for r in res.coverage.to_dicts()}
    assert cov["RECORD_LATE"] == (1, 2)
    assert cov["IRO_NOT_ALLOCATED"] == (1, 2)
    assert cov["SIBLINGS_SPLIT"] == (1, 2)
    assert cov["CARE_PLAN_NOT_UPDATED"] == (2, 2)
    assert res.undecided.select("child_id", "code", "fact").rows() == [  # CODES order
        ("B", "RECORD_LATE", "record_completed_date"),
        ("B", "IRO_NOT_ALLOCATED", "allocations"),
        ("B", "SIBLINGS_SPLIT", "allocations"),
    ]
    record = res.deadlines.filter(kind="record_completed").sort("child_id")["status"].to_list()
    assert record == ["overdue", "unknown"]


def test_iro_not_allocated_after_five_working_days() -> None:
    cl = settled(D(2026, 11, 2), allocations=[])
    assert "IRO_NOT_ALLOCATED" not in flags(cl, D(2026, 11, 9))
    assert flags(cl, D(2026, 11, 10))["IRO_NOT_ALLOCATED"] == (
        "No IRO allocated on 10 Nov 2026: one was due by 9 Nov 2026, 1 working day overdue",
        D(2026, 11, 9),
        1,
    )
    ended = [{**iro(frm=D(2026, 11, 3)), "to_date": D(2026, 11, 20)}]
    assert flags(settled(D(2026, 11, 2), allocations=ended), D(2026, 11, 24))["IRO_NOT_ALLOCATED"][0] == (
        "No IRO allocated on 24 Nov 2026: the last IRO allocation ended 20 Nov 2026, 2 working days overdue"
    )


def _siblings(exception: bool):  # type: ignore[no-untyped-def]
    return caseload(
        children=[
            {"child_id": "C1", "sibling_group": "G1", "permanence_plan": "x"},
            {"child_id": "C2", "sibling_group": "G1", "permanence_plan": "x", "sibling_iro_exception": exception},
        ],
        periods=[{"child_id": "C1", "start_date": D(2026, 1, 5)}, {"child_id": "C2", "start_date": D(2026, 1, 5)}],
        allocations=[iro("C1", "I1"), iro("C2", "I2")],
    )


def test_siblings_split_unless_an_exception_is_recorded() -> None:
    res = compute(_siblings(False), D(2026, 1, 12))
    split = res.flags.filter(code="SIBLINGS_SPLIT")
    assert split["child_id"].to_list() == ["C1", "C2"]
    assert split["reason"].to_list()[0] == "Siblings in group G1 have different IROs (C2) and no exception is recorded"
    assert compute(_siblings(True), D(2026, 1, 12)).flags.filter(code="SIBLINGS_SPLIT").height == 0


def test_no_permanence_plan_by_the_second_review() -> None:
    no_plan = {"permanence_plan": None, "permanence_plan_date": None}
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30)], child=no_plan)
    assert "NO_PERMANENCE_PLAN" not in flags(cl, D(2026, 4, 29))  # 2nd due 2026-04-30
    assert flags(cl, D(2026, 4, 30))["NO_PERMANENCE_PLAN"][0] == (
        "No permanence plan recorded: the 2nd review was due 30 Apr 2026"
    )
    cl3 = settled(D(2026, 1, 5), [D(2026, 1, 30), D(2026, 4, 28)], child=no_plan)
    assert flags(cl3, D(2026, 5, 1))["NO_PERMANENCE_PLAN"][0] == (
        "No permanence plan recorded: the 2nd review was held 28 Apr 2026"
    )
    # a plan recorded after as_of is not there yet on as_of
    later = {"permanence_plan": "adoption", "permanence_plan_date": D(2026, 6, 1)}
    cl4 = settled(D(2026, 1, 5), [D(2026, 1, 30), D(2026, 4, 28)], child=later)
    assert "NO_PERMANENCE_PLAN" in flags(cl4, D(2026, 5, 1))
    assert "NO_PERMANENCE_PLAN" not in flags(cl4, D(2026, 6, 1))


def test_escalation_overdue() -> None:
    esc = {
        "child_id": "C1",
        "escalation_id": 1,
        "raised_date": D(2026, 2, 1),
        "stage": 1,
        "stage_name": "Formal: Team Manager",
        "stage_started": D(2026, 2, 20),
        "stage_due_date": D(2026, 3, 2),
    }
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30)], escalations=[esc])
    assert flags(cl, D(2026, 3, 2)).get("ESCALATION_OVERDUE") is None  # due today: not overdue
    assert flags(cl, D(2026, 3, 5))["ESCALATION_OVERDUE"] == (
        "Escalation at stage 'Formal: Team Manager' was due to be resolved by 2 Mar 2026: 3 working days overdue",
        D(2026, 3, 2),
        3,
    )
    resolved = settled(D(2026, 1, 5), [D(2026, 1, 30)], escalations=[{**esc, "resolved_date": D(2026, 3, 4)}])
    assert "ESCALATION_OVERDUE" not in flags(resolved, D(2026, 3, 5))
    assert "ESCALATION_OVERDUE" in flags(resolved, D(2026, 3, 3))  # resolved after that as_of


def test_frequent_missing_in_the_last_90_days() -> None:
    as_of = D(2026, 3, 31)
    episodes = [as_of - dt.timedelta(days=d) for d in (0, 30, 89)]
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30)], missing=[{"child_id": "C1", "start_date": d} for d in episodes])
    assert flags(cl, as_of)["FREQUENT_MISSING"][0] == "3 missing episodes in the 90 days to 31 Mar 2026"
    edge = [as_of - dt.timedelta(days=d) for d in (0, 30, 90)]
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30)], missing=[{"child_id": "C1", "start_date": d} for d in edge])
    assert "FREQUENT_MISSING" not in flags(cl, as_of)


def test_review_not_brought_forward() -> None:
    ev = [
        {"event_date": D(2026, 8, 28), "event_type": "missing", "bring_forward": True}
    ]  # the code; the reason reads its label
    reviews = [D(2026, 2, 2), D(2026, 5, 1), D(2026, 6, 1)]
    assert "REVIEW_NOT_BROUGHT_FORWARD" not in flags(settled(D(2026, 1, 5), reviews, events=ev), D(2026, 9, 28))
    got = flags(settled(D(2026, 1, 5), reviews, events=ev), D(2026, 9, 29))
    assert got["REVIEW_NOT_BROUGHT_FORWARD"] == (
        "A significant event on 28 Aug 2026 (Missing from placement) asked for a review by 28 Sep 2026: "
        "none held, 1 working day overdue",
        D(2026, 9, 28),
        1,
    )
    assert got["REVIEW_OVERDUE"][0] == "Review was due 28 Sep 2026: 1 working day overdue"
    late = flags(settled(D(2026, 1, 5), [*reviews, D(2026, 10, 1)], events=ev), D(2026, 10, 2))
    assert late["REVIEW_NOT_BROUGHT_FORWARD"][0].endswith("the review was held 1 Oct 2026, 3 working days late")
    assert "REVIEW_LATE" in late
    on_time = flags(settled(D(2026, 1, 5), [*reviews, D(2026, 9, 25)], events=ev), D(2026, 10, 2))
    assert "REVIEW_NOT_BROUGHT_FORWARD" not in on_time


def test_flag_frame_columns() -> None:
    res = compute(settled(D(2026, 11, 2)), D(2026, 12, 16))
    assert res.flags.columns == ["child_id", "code", "reason", "due_date", "days_overdue"]
