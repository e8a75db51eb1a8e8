"""The data model round-trips on both databases; the audit log records and protects every write."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from services.persistence import models as m
from services.persistence.caseload import load_caseload
from services.persistence.unit_of_work import unit_of_work

D = dt.date


def _seed(engine) -> None:
    with unit_of_work(engine, "test-user") as s:
        team = m.Team(name="North Team")
        iro = m.Staff(code="IRO01", display_name="Iro Example", role="iro", team=None)
        sw = m.Staff(code="SW01", display_name="Sw Example", role="social_worker", team=team)
        child = m.Child(id="C1", display_name="Test Child", date_of_birth=D(2015, 2, 28), sex="F", legal_status="C2")
        s.add_all([team, iro, sw, child])
        s.flush()
        s.add(m.PeriodOfCare(child_id="C1", start_date=D(2026, 1, 5), observed_from=D(2026, 1, 5)))
        s.add_all(
            [
                m.Allocation(child_id="C1", role="iro", staff_id=iro.id, from_date=D(2026, 1, 6)),
                m.Allocation(child_id="C1", role="social_worker", staff_id=sw.id, from_date=D(2026, 1, 5)),
                m.Allocation(child_id="C1", role="team", team_id=team.id, from_date=D(2026, 1, 5)),
            ]
        )
        review = m.Review(child_id="C1", held_date=D(2026, 2, 2), participation_code="PN1")
        review.recommendations.append(
            m.Recommendation(seq=1, text="Arrange PEP", owner="SW", target_date=D(2026, 3, 1))
        )
        s.add(review)
        s.flush()
        check = m.MidwayCheck(child_id="C1", review_id=review.id, check_date=D(2026, 3, 16), answers={"a": 1})
        s.add(check)
        esc = m.Escalation(child_id="C1", raised_date=D(2026, 3, 20), category="delay")
        esc.stages.append(m.EscalationStage(stage=0, stage_name="Informal", started_date=D(2026, 3, 20)))
        esc.stages.append(
            m.EscalationStage(stage=1, stage_name="Formal: TM", started_date=D(2026, 4, 1), due_date=D(2026, 4, 8))
        )
        s.add(esc)
        s.add(m.SignificantEvent(child_id="C1", event_date=D(2026, 3, 1), event_type="Missing", bring_forward=True))
        s.add(m.MissingEpisode(child_id="C1", start_date=D(2026, 3, 1), end_date=D(2026, 3, 2)))


def test_round_trip_through_caseload_frames(engine) -> None:
    _seed(engine)
    cl = load_caseload(engine)
    assert cl.children.row(0, named=True)["date_of_birth"] == D(2015, 2, 28)
    assert cl.periods["start_date"].to_list() == [D(2026, 1, 5)]
    assert sorted(cl.allocations["role"].to_list()) == ["iro", "social_worker", "team"]
    assert cl.allocations.filter(role="team")["name"].item() == "North Team"
    assert cl.reviews["held_date"].to_list() == [D(2026, 2, 2)]
    assert cl.recommendations["target_date"].to_list() == [D(2026, 3, 1)]
    assert cl.midway_checks["check_date"].to_list() == [D(2026, 3, 16)]
    esc = cl.escalations.row(0, named=True)
    assert (esc["stage"], esc["stage_due_date"]) == (1, D(2026, 4, 8))
    assert cl.events["bring_forward"].to_list() == [True]
    assert cl.missing["end_date"].to_list() == [D(2026, 3, 2)]


def test_every_write_is_audited_with_before_and_after(engine) -> None:
    _seed(engine)
    with unit_of_work(engine, "second-user") as s:
        child = s.get(m.Child, "C1")
        child.legal_status = "E1"
    with Session(engine) as s:
        entries = s.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "children")).all()
    assert [(e.action, e.actor) for e in entries] == [("insert", "test-user"), ("update", "second-user")]
    assert entries[1].before["legal_status"] == "C2"
    assert entries[1].after["legal_status"] == "E1"


def test_unattributed_write_and_audit_edits_are_refused(engine) -> None:
    with pytest.raises(PermissionError), unit_of_work(engine, " ") as s:
        s.add(m.Team(name="X"))
    _seed(engine)
    with pytest.raises(PermissionError, match="append-only"), unit_of_work(engine, "someone") as s:
        entry = s.scalars(select(m.AuditEntry)).first()
        entry.actor = "forged"


def test_failed_unit_of_work_writes_nothing(engine) -> None:
    with pytest.raises(RuntimeError), unit_of_work(engine, "u") as s:
        s.add(m.Team(name="Half saved"))
        s.flush()
        raise RuntimeError("validation failed later")
    with Session(engine) as s:
        assert s.scalars(select(m.Team)).all() == []
        assert s.scalars(select(m.AuditEntry)).all() == []


def test_midway_check_version_refuses_stale_second_save(engine) -> None:
    _seed(engine)
    with Session(engine) as s1, Session(engine) as s2:
        s1.info["actor"] = s2.info["actor"] = "iro"
        a = s1.scalars(select(m.MidwayCheck)).one()
        b = s2.scalars(select(m.MidwayCheck)).one()
        a.outcome = "progressing"
        s1.commit()
        b.outcome = "escalated"
        with pytest.raises(StaleDataError):
            s2.commit()
