"""Allocations made in Midway (issue 14): the waiting list with working days left, allocate and
reassign with the history kept, siblings together or with a recorded exception, and the engine's
flags following at once."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.casework.allocations import (
    AllocationChanged,
    AllocationError,
    allocate_iro,
    allocation_history,
    iro_loads,
    iros,
    siblings_of,
    waiting_for_iro,
)
from services.engine.compute import compute
from services.engine.policy import Policy
from services.persistence import models as m
from services.persistence.caseload import load_caseload
from tests.alloc_seed import AS_OF, S_START, W1_START, seed_dates_only
from tests.principals import MANAGER, as_manager

D = dt.date
SM = "Mona Manager"


def _seen(engine, child_id: str) -> int:
    """How many IRO allocations the page shows in the child's history (the save needs it)."""
    return allocation_history(engine, MANAGER, child_id).height


def _flags(engine, as_of=AS_OF) -> list[tuple[str, str]]:
    result = compute(load_caseload(engine), as_of, Policy())
    return sorted(
        (r["child_id"], r["code"])
        for r in result.flags.iter_rows(named=True)
        if r["code"] in ("IRO_NOT_ALLOCATED", "SIBLINGS_SPLIT")
    )


def _iro_rows(engine) -> list[tuple]:
    with Session(engine) as s:
        rows = s.execute(
            select(
                m.Allocation.child_id, m.Staff.code, m.Allocation.from_date, m.Allocation.to_date, m.Allocation.reason
            )
            .join(m.Staff, m.Staff.id == m.Allocation.staff_id)
            .where(m.Allocation.role == "iro")
            .order_by(m.Allocation.child_id, m.Allocation.from_date)
        ).all()
    return [tuple(r) for r in rows]


def test_waiting_list_oldest_first_with_working_days_left(engine) -> None:
    seed_dates_only(engine)
    frame = waiting_for_iro(load_caseload(engine), AS_OF)
    assert frame.select("child_id", "period_from", "iro_due", "working_days_left").rows() == [
        ("W1", W1_START, D(2026, 1, 12), -113),
        ("S1", S_START, D(2026, 6, 26), 2),
        ("S2", S_START, D(2026, 6, 26), 2),
    ]


def test_first_allocation_clears_iro_not_allocated_at_once(engine) -> None:
    seed_dates_only(engine)
    assert _flags(engine) == [("W1", "IRO_NOT_ALLOCATED")]  # S1/S2 are still within their 5 days
    saved = allocate_iro(
        engine,
        as_manager(SM),
        "W1",
        seen_allocations=_seen(engine, "W1"),
        iro_code="IRO01",
        from_date=AS_OF,
        as_of=AS_OF,
    )
    assert (saved.child_ids, saved.iro, saved.from_date, saved.exception_recorded) == (
        ("W1",),
        "Iris Reviewer",
        AS_OF,
        False,
    )
    assert _iro_rows(engine) == [("W1", "IRO01", AS_OF, None, None)]
    assert _flags(engine) == []
    assert waiting_for_iro(load_caseload(engine), AS_OF).get_column("child_id").to_list() == ["S1", "S2"]
    with Session(engine) as s:
        mine = (m.AuditEntry.entity == "allocations") & (m.AuditEntry.actor == SM)
        audit = s.scalars(select(m.AuditEntry).where(mine)).all()
        assert [(a.actor, a.action, a.after["child_id"], a.after["from_date"]) for a in audit] == [
            (SM, "insert", "W1", AS_OF.isoformat())
        ]


def test_reassign_needs_a_reason_and_closes_the_previous_allocation(engine) -> None:
    seed_dates_only(engine)
    allocate_iro(
        engine,
        as_manager(SM),
        "W1",
        seen_allocations=_seen(engine, "W1"),
        iro_code="IRO01",
        from_date=D(2026, 6, 1),
        as_of=AS_OF,
    )
    with pytest.raises(AllocationError) as exc:
        allocate_iro(
            engine,
            as_manager(SM),
            "W1",
            seen_allocations=_seen(engine, "W1"),
            iro_code="IRO02",
            from_date=AS_OF,
            as_of=AS_OF,
        )
    assert exc.value.errors == {"reason": "Give the reason for the change of IRO."}
    assert str(exc.value) == "W1 already has an IRO: a change of IRO needs a reason."
    with pytest.raises(AllocationError) as exc:
        allocate_iro(
            engine,
            as_manager(SM),
            "W1",
            seen_allocations=_seen(engine, "W1"),
            iro_code="IRO01",
            from_date=AS_OF,
            reason="x",
            as_of=AS_OF,
        )
    assert exc.value.errors == {"iro": "Already this child's IRO."}
    allocate_iro(
        engine,
        as_manager(SM),
        "W1",
        seen_allocations=_seen(engine, "W1"),
        iro_code="IRO02",
        from_date=AS_OF,
        reason="Iris leaving the team",
        as_of=AS_OF,
    )
    assert _iro_rows(engine) == [
        ("W1", "IRO01", D(2026, 6, 1), D(2026, 6, 23), None),
        ("W1", "IRO02", AS_OF, None, "Iris leaving the team"),
    ]
    hist = allocation_history(engine, MANAGER, "W1")
    assert hist.rows() == [
        ("Omar Officer", AS_OF, None, "Iris leaving the team"),
        ("Iris Reviewer", D(2026, 6, 1), D(2026, 6, 23), None),
    ]
    kids = compute(load_caseload(engine), AS_OF, Policy()).children
    assert kids.filter(kids["child_id"] == "W1").get_column("iro").to_list() == ["Omar Officer"]


def test_siblings_allocated_together_share_the_iro(engine) -> None:
    seed_dates_only(engine)
    cl = load_caseload(engine)
    assert siblings_of(cl, "S1", AS_OF).select("child_id", "iro").rows() == [("S2", None)]
    saved = allocate_iro(
        engine,
        as_manager(SM),
        "S1",
        seen_allocations=_seen(engine, "S1"),
        iro_code="IRO02",
        from_date=AS_OF,
        siblings=["S2"],
        as_of=AS_OF,
    )
    assert saved.child_ids == ("S1", "S2")
    assert _iro_rows(engine) == [("S1", "IRO02", AS_OF, None, None), ("S2", "IRO02", AS_OF, None, None)]
    assert _flags(engine, D(2026, 7, 1)) == [("W1", "IRO_NOT_ALLOCATED")]


def test_sibling_given_another_iro_needs_a_recorded_exception(engine) -> None:
    seed_dates_only(engine)
    allocate_iro(
        engine,
        as_manager(SM),
        "S1",
        seen_allocations=_seen(engine, "S1"),
        iro_code="IRO01",
        from_date=AS_OF,
        as_of=AS_OF,
    )  # S2 has no IRO yet: no split
    with pytest.raises(AllocationError) as exc:
        allocate_iro(
            engine,
            as_manager(SM),
            "S2",
            seen_allocations=_seen(engine, "S2"),
            iro_code="IRO02",
            from_date=AS_OF,
            as_of=AS_OF,
        )
    assert str(exc.value) == (
        "Siblings share one IRO unless an exception is recorded: S1 (Iris Reviewer) would have a different IRO. "
        "Allocate them together, or record why."
    )
    assert exc.value.errors == {
        "exception_reason": "Record why these siblings have different IROs, or allocate them together."
    }
    assert _iro_rows(engine) == [("S1", "IRO01", AS_OF, None, None)]  # nothing written
    saved = allocate_iro(
        engine,
        as_manager(SM),
        "S2",
        seen_allocations=_seen(engine, "S2"),
        iro_code="IRO02",
        from_date=AS_OF,
        exception_reason="S2 placed 200 miles away",
        as_of=AS_OF,
    )
    assert saved.exception_recorded
    with Session(engine) as s:
        s2 = s.get(m.Child, "S2")
        assert (s2.sibling_iro_exception, s2.sibling_iro_exception_reason) == (True, "S2 placed 200 miles away")
    assert _flags(engine, D(2026, 7, 1)) == [("W1", "IRO_NOT_ALLOCATED")]  # no SIBLINGS_SPLIT


def test_split_siblings_from_elsewhere_are_flagged_until_allocated_together(engine) -> None:
    seed_dates_only(engine)
    with Session(engine) as s, s.begin():  # data from an import: different IROs, no exception
        i1, i2 = s.scalars(select(m.Staff.id).where(m.Staff.role == "iro").order_by(m.Staff.code)).all()
        s.info["actor"] = "import"
        s.add_all(
            [
                m.Allocation(child_id="S1", role="iro", staff_id=i1, from_date=S_START),
                m.Allocation(child_id="S2", role="iro", staff_id=i2, from_date=S_START),
            ]
        )
    assert _flags(engine) == [("S1", "SIBLINGS_SPLIT"), ("S2", "SIBLINGS_SPLIT"), ("W1", "IRO_NOT_ALLOCATED")]
    allocate_iro(
        engine,
        as_manager(SM),
        "S2",
        seen_allocations=_seen(engine, "S2"),
        iro_code="IRO01",
        from_date=AS_OF,
        reason="Siblings share one IRO",
        as_of=AS_OF,
    )
    assert _flags(engine) == [("W1", "IRO_NOT_ALLOCATED")]


def test_iro_loads_against_the_range(engine) -> None:
    seed_dates_only(engine)
    allocate_iro(
        engine,
        as_manager(SM),
        "S1",
        seen_allocations=_seen(engine, "S1"),
        iro_code="IRO02",
        from_date=AS_OF,
        siblings=["S2"],
        as_of=AS_OF,
    )
    loads = iro_loads(load_caseload(engine), iros(engine, MANAGER), AS_OF, Policy())
    assert loads.select("iro", "children", "per_fte", "range_status").rows() == [
        ("Iris Reviewer", 0, 0.0, "below range"),
        ("Omar Officer", 2, 4.0, "below range"),
    ]


def test_refusals_for_missing_fields(engine) -> None:
    seed_dates_only(engine)
    with pytest.raises(AllocationError) as exc:
        allocate_iro(
            engine,
            as_manager(SM),
            "W1",
            seen_allocations=_seen(engine, "W1"),
            iro_code=None,
            from_date=None,
            as_of=AS_OF,
        )
    assert exc.value.errors == {"iro": "Choose the IRO.", "from_date": "Enter the date the IRO is allocated from."}
    assert _iro_rows(engine) == []


def test_allocation_history_is_drawn_on_the_timeline(engine) -> None:
    from services.views.timeline import child_timeline

    seed_dates_only(engine)
    allocate_iro(
        engine,
        as_manager(SM),
        "W1",
        seen_allocations=_seen(engine, "W1"),
        iro_code="IRO01",
        from_date=D(2026, 6, 1),
        as_of=AS_OF,
    )
    allocate_iro(
        engine,
        as_manager(SM),
        "W1",
        seen_allocations=_seen(engine, "W1"),
        iro_code="IRO02",
        from_date=AS_OF,
        reason="Iris leaving",
        as_of=AS_OF,
    )
    cl = load_caseload(engine)
    ev = child_timeline(cl, compute(cl, AS_OF, Policy()), "W1").filter(pl.col("lane") == "IRO")
    assert ev.select("kind", "label", "start", "end", "status", "hover").rows() == [
        (
            "allocation",
            "Iris Reviewer",
            D(2026, 6, 1),
            D(2026, 6, 23),
            "ended",
            "IRO Iris Reviewer from 1 Jun 2026 to 23 Jun 2026",
        ),
        ("allocation", "Omar Officer", AS_OF, AS_OF, "current", "IRO Omar Officer from 24 Jun 2026 (current)"),
    ]


def test_allocation_over_one_the_form_did_not_show_is_refused(engine) -> None:
    seed_dates_only(engine)
    opened = _seen(engine, "W1")  # both managers open W1's form: no IRO yet
    allocate_iro(
        engine,
        as_manager("Other Manager"),
        "W1",
        iro_code="IRO01",
        from_date=AS_OF,
        as_of=AS_OF,
        seen_allocations=opened,
    )
    with pytest.raises(AllocationChanged) as exc:
        allocate_iro(
            engine,
            as_manager(SM),
            "W1",
            iro_code="IRO02",
            from_date=AS_OF,
            reason="x",
            as_of=AS_OF,
            seen_allocations=opened,
        )
    assert exc.value.changed_by == "Other Manager"
    assert str(exc.value).startswith("W1's IRO allocation was changed by Other Manager at ")
    assert _iro_rows(engine) == [("W1", "IRO01", AS_OF, None, None)]  # nothing reassigned over it
