"""The role rules (services.access) on SQLite and PostgreSQL: who sees and changes which child,
cover that runs out, sign-in by email, the demo mark, and views audited once per visit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.__main__ import main
from services.access import ADMIN, ALL, IRO, NotAllowed, Principal, require_child, visible_children
from services.access.cover import cover_grants, grant_cover
from services.access.demo import demo_only, writes
from services.access.identity import demo_principals, principal_for_email
from services.casework.errors import Refused
from services.casework.escalations import open_escalations, raise_escalation
from services.casework.events import events_for, record_event
from services.demo.load import load_demo
from services.errors import UsageError
from services.persistence import models as m
from services.persistence.audit import audit_view
from services.persistence.database import data_version
from services.persistence.unit_of_work import unit_of_work
from tests.principals import MANAGER, as_iro, as_team_manager

D = dt.date
TODAY = D(2026, 6, 15)


def _seed(engine) -> dict[str, int]:
    """Two IROs and two teams: Iris holds A1 and A2 (North), Omar holds B1 (South) until 30 June;
    B2 (South) has no IRO."""
    with unit_of_work(engine, "seed") as s:
        north, south = m.Team(name="North"), m.Team(name="South")
        iris = m.Staff(code="IRO01", display_name="Iris Reviewer", role="iro", email="iris@example.invalid")
        omar = m.Staff(code="IRO02", display_name="Omar Officer", role="iro", email="omar@example.invalid")
        gone = m.Staff(code="IRO03", display_name="Gil Gone", role="iro", email="gil@example.invalid", active=False)
        s.add_all([north, south, iris, omar, gone])
        s.flush()
        tm = m.Staff(code="TM01", display_name="Tara Manager", role="team_manager", team_id=south.id)
        s.add(tm)
        for cid, team, iro, to in (
            ("A1", north, iris, None),
            ("A2", north, iris, None),
            ("B1", south, omar, D(2026, 6, 30)),
            ("B2", south, None, None),
        ):
            s.add(m.Child(id=cid, display_name=f"Child {cid}", date_of_birth=D(2015, 1, 1)))
            s.flush()
            s.add(m.Allocation(child_id=cid, role="team", team_id=team.id, from_date=D(2026, 1, 5)))
            if iro is not None:
                s.add(m.Allocation(child_id=cid, role="iro", staff_id=iro.id, from_date=D(2026, 1, 5), to_date=to))
        s.flush()
        return {"iris": iris.id, "omar": omar.id, "north": north.id, "south": south.id, "tm": tm.id}


def test_each_role_sees_its_children(engine) -> None:
    ids = _seed(engine)
    iris, omar = as_iro("Iris Reviewer", ids["iris"]), as_iro("Omar Officer", ids["omar"])
    assert visible_children(engine, iris, TODAY) == frozenset({"A1", "A2"})
    assert visible_children(engine, omar, TODAY) == frozenset({"B1"})
    assert visible_children(engine, omar, D(2026, 7, 1)) == frozenset()  # the allocation ended 30 June
    assert visible_children(engine, as_team_manager("Tara Manager", ids["south"]), TODAY) == frozenset({"B1", "B2"})
    assert visible_children(engine, MANAGER, TODAY) == ALL
    assert visible_children(engine, Principal("Ada Admin", ADMIN), TODAY) == frozenset()
    assert visible_children(engine, Principal("Sam Worker", "social_worker"), TODAY) == frozenset()


def test_require_child_refuses_plainly_and_the_same_for_unknown_ids(engine) -> None:
    ids = _seed(engine)
    iris = as_iro("Iris Reviewer", ids["iris"])
    require_child(engine, iris, "A1", write=True, on=TODAY)
    with pytest.raises(NotAllowed) as other:
        require_child(engine, iris, "B1", on=TODAY)
    with pytest.raises(NotAllowed) as unknown:
        require_child(engine, iris, "ZZ9", on=TODAY)
    assert str(other.value).replace("B1", "?") == str(unknown.value).replace("ZZ9", "?")
    assert "not one of yours" in str(other.value)
    tm = as_team_manager("Tara Manager", ids["south"])
    require_child(engine, tm, "B1", on=TODAY)  # reads their team's child
    with pytest.raises(NotAllowed, match="can read this record but not change it"):
        require_child(engine, tm, "B1", write=True, on=TODAY)


def test_cover_widens_an_iro_until_its_end_date(engine) -> None:
    ids = _seed(engine)
    iris = as_iro("Iris Reviewer", ids["iris"])
    with pytest.raises(NotAllowed, match="Only service managers can grant cover"):
        grant_cover(engine, iris, iro_code="IRO01", of_iro_code="IRO02", from_date=TODAY, to_date=D(2026, 6, 20))
    with pytest.raises(Refused) as incomplete:
        grant_cover(engine, MANAGER, iro_code="IRO01", of_iro_code="IRO02", from_date=TODAY, to_date=None)
    assert incomplete.value.errors == {"to_date": "Cover needs an end date."}
    with pytest.raises(Refused) as inactive:
        grant_cover(engine, MANAGER, iro_code="IRO03", child_id="B2", from_date=TODAY, to_date=D(2026, 6, 20))
    assert inactive.value.errors == {"iro": "Choose an active IRO."}
    grant_cover(engine, MANAGER, iro_code="IRO01", of_iro_code="IRO02", from_date=TODAY, to_date=D(2026, 6, 20))
    grant_cover(engine, MANAGER, iro_code="IRO01", child_id="B2", from_date=TODAY, to_date=D(2026, 6, 25))
    assert visible_children(engine, iris, D(2026, 6, 14)) == frozenset({"A1", "A2"})
    assert visible_children(engine, iris, D(2026, 6, 20)) == frozenset({"A1", "A2", "B1", "B2"})
    assert visible_children(engine, iris, D(2026, 6, 21)) == frozenset({"A1", "A2", "B2"})
    assert visible_children(engine, iris, D(2026, 6, 26)) == frozenset({"A1", "A2"})
    grants = cover_grants(engine, MANAGER, TODAY)
    assert grants.select("covering_iro", "for_iro", "child_id", "to_date", "granted_by").rows() == [
        ("Iris Reviewer", "Omar Officer", None, D(2026, 6, 20), "Sue Manager"),
        ("Iris Reviewer", None, "B2", D(2026, 6, 25), "Sue Manager"),
    ]


def test_services_refuse_another_iros_child_and_write_nothing(engine) -> None:
    ids = _seed(engine)
    iris = as_iro("Iris Reviewer", ids["iris"])
    with pytest.raises(NotAllowed):
        record_event(
            engine, iris, "B1", event_date=TODAY, event_type="placement_change", bring_forward=False, as_of=TODAY
        )
    with pytest.raises(NotAllowed):
        events_for(engine, iris, "B1")
    with pytest.raises(NotAllowed):
        raise_escalation(engine, iris, "B1", raised_date=TODAY, category="plan_delay", concern="x", stage=0)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(m.SignificantEvent)) == 0
        assert s.scalar(select(func.count()).select_from(m.Escalation)) == 0
    raise_escalation(engine, MANAGER, "B1", raised_date=D(2026, 6, 1), category="plan_delay", concern="x", stage=0)
    raise_escalation(engine, MANAGER, "A1", raised_date=D(2026, 6, 1), category="plan_delay", concern="y", stage=0)
    seen = open_escalations(engine, MANAGER, TODAY).get_column("child_id").to_list()
    assert sorted(seen) == ["A1", "B1"]


def test_sign_in_matches_email_case_insensitively_and_only_active_staff(engine) -> None:
    ids = _seed(engine)
    who = principal_for_email(engine, "  Iris@Example.INVALID ")
    assert who == Principal("Iris Reviewer", IRO, ids["iris"], None, "iris@example.invalid")
    assert principal_for_email(engine, "someone@example.invalid") is None
    assert principal_for_email(engine, "gil@example.invalid") is None  # inactive
    assert principal_for_email(engine, None) is None
    people = demo_principals(engine)
    assert list(people) == ["IRO01", "IRO02", "TM01", "demo-admin"]  # by role, then name; inactive left out
    assert all(p.demo for p in people.values())


def test_the_demo_mark_follows_what_the_database_holds(sqlite_engine) -> None:
    engine = sqlite_engine
    assert demo_only(engine)  # empty
    load_demo(engine, D(2026, 11, 23))
    assert demo_only(engine)
    with writes(engine, Principal("Demo IRO", IRO, demo=True)) as s:  # demo mode keeps the mark
        s.add(m.Team(name="Demo-mode team"))
    assert demo_only(engine)
    with writes(engine, MANAGER) as s:  # a signed-in user's write: real work now
        s.add(m.Team(name="Real team"))
    assert not demo_only(engine)
    with pytest.raises(UsageError, match="not Midway's demo caseload"):
        load_demo(engine, D(2026, 11, 23))


def test_staff_alone_is_not_demo_data(sqlite_engine) -> None:
    with unit_of_work(sqlite_engine, "seed") as s:
        s.add(m.Staff(code="X1", display_name="Real Person", role="iro"))
    assert not demo_only(sqlite_engine)


def test_cli_reset_refuses_a_database_holding_anything_else_and_changes_nothing(engine, capsys) -> None:
    _seed(engine)
    url = engine.url.render_as_string(hide_password=False)
    with Session(engine) as s:
        before = (s.scalar(select(func.count()).select_from(m.Child)), s.scalar(select(func.max(m.AuditEntry.id))))
    assert main(["demo", "--reset", "--database", url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("demo --reset refused: This database holds data that is not")
    with Session(engine) as s:
        after = (s.scalar(select(func.count()).select_from(m.Child)), s.scalar(select(func.max(m.AuditEntry.id))))
    assert after == before == (4, before[1])


def test_views_are_audited_once_per_visit_and_do_not_move_the_data_version(engine) -> None:
    _seed(engine)
    version = data_version(engine)
    assert audit_view(engine, "Iris Reviewer", "A1", "timeline") is True
    assert audit_view(engine, "Iris Reviewer", "A1", "timeline") is False  # a rerun within ten minutes
    assert audit_view(engine, "Iris Reviewer", "A1", "events") is True  # another page of the record
    assert audit_view(engine, "Omar Officer", "A1", "timeline") is True  # another person
    assert audit_view(engine, "Iris Reviewer", "A1", "timeline", within=dt.timedelta(0)) is True  # the window passed
    with Session(engine) as s:
        rows = s.execute(
            select(m.AuditEntry.actor, m.AuditEntry.entity_id, m.AuditEntry.after)
            .where(m.AuditEntry.action == "view")
            .order_by(m.AuditEntry.id)
        ).all()
    assert [(r[0], r[1], r[2]["page"]) for r in rows] == [
        ("Iris Reviewer", "A1", "timeline"),
        ("Iris Reviewer", "A1", "events"),
        ("Omar Officer", "A1", "timeline"),
        ("Iris Reviewer", "A1", "timeline"),
    ]
    assert data_version(engine) == version


def test_reading_a_childs_events_is_checked_then_audited(engine) -> None:
    ids = _seed(engine)
    iris = as_iro("Iris Reviewer", ids["iris"])  # A1's allocation is open, so it holds today too
    events_for(engine, iris, "A1")
    events_for(engine, iris, "A1")
    with pytest.raises(NotAllowed):
        events_for(engine, iris, "B2")  # refused: no view row for a record not shown
    with Session(engine) as s:
        rows = s.execute(select(m.AuditEntry.actor, m.AuditEntry.entity_id).where(m.AuditEntry.action == "view")).all()
    assert [tuple(r) for r in rows] == [("Iris Reviewer", "A1")]
