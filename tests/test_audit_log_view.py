"""The Audit page's service: filters by person, child, UK date range and action; labels and UK
times as a manager reads them; who may see it; and the page itself (AppTest) for a manager and
for an IRO."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from services.access import Principal
from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work
from services.views import audit_log as al
from tests.demo_pages import as_shown, open_page
from tests.principals import MANAGER

UTC = dt.UTC


def _entries(engine: Engine) -> None:
    """Three hand-timed rows: a November afternoon (GMT), a July night just after midnight in
    London (BST: 23:30 UTC is 00:30 the next day) and a download by someone else."""
    rows = [
        (dt.datetime(2026, 11, 13, 14, 5, tzinfo=UTC), "Iris Reviewer", "update", "children", "C1", "C1"),
        (dt.datetime(2026, 7, 1, 23, 30, tzinfo=UTC), "Iris Reviewer", "insert", "midway_checks", "7", "C2"),
        (dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "Sam Manager", "export", "work_list", "w.csv", None),
    ]
    stored = [(at if engine.dialect.name == "postgresql" else at.replace(tzinfo=None), *rest) for at, *rest in rows]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, entity, entity_id, child_id) "
                "VALUES (:at, :actor, :action, :entity, :entity_id, :child_id)"
            ),
            [dict(zip(("at", "actor", "action", "entity", "entity_id", "child_id"), r, strict=True)) for r in stored],
        )


def test_labels_and_uk_times(engine: Engine) -> None:
    _entries(engine)
    shown = al.for_display(al.audit_rows(engine, MANAGER, al.AuditFilter()))
    assert shown.select("when", "who", "action", "record", "record_id", "child_id").rows() == [  # newest first
        ("1 Jul 2026 13:00", "Sam Manager", "Downloaded", "Work list (CSV)", "w.csv", None),
        ("2 Jul 2026 00:30", "Iris Reviewer", "Added", "Midway check", "7", "C2"),
        ("13 Nov 2026 14:05", "Iris Reviewer", "Changed", "Child", "C1", "C1"),
    ]


def test_filters_by_person_child_date_and_action(engine: Engine) -> None:
    _entries(engine)

    def ids(**kw) -> list[str]:
        return al.audit_rows(engine, MANAGER, al.AuditFilter(**kw))["entity_id"].to_list()

    assert ids(person="Iris Reviewer") == ["7", "C1"]
    assert ids(child_id="C1") == ["C1"]
    # UK days: 23:30 UTC on 1 July is 2 July in London
    assert ids(start=dt.date(2026, 7, 2), end=dt.date(2026, 7, 2)) == ["7"]
    assert ids(start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 1)) == ["w.csv"]
    assert ids(start=dt.date(2026, 11, 13)) == ["C1"]
    assert ids(end=dt.date(2026, 11, 12)) == ["w.csv", "7"]
    assert ids(actions=("export",)) == ["w.csv"]
    assert ids(person="Iris Reviewer", actions=("insert", "update"), end=dt.date(2026, 8, 1)) == ["7"]
    assert al.people(engine) == ["Iris Reviewer", "Sam Manager"]


def test_export_frame_has_headings_and_utc_time(engine: Engine) -> None:
    _entries(engine)
    out = al.for_export(al.audit_rows(engine, MANAGER, al.AuditFilter(child_id="C2")))
    assert out.columns == ["When", "Who", "Action", "Record", "Record id", "Child", "Before", "After", "When (UTC)"]
    assert out.row(0) == ("2 Jul 2026 00:30", "Iris Reviewer", "Added", "Midway check", "7", "C2", None, None,
                          "2026-07-01T23:30:00Z")  # fmt: skip


def test_only_service_managers_and_admins_may_view() -> None:
    allowed = {r for r in ("iro", "social_worker", "team_manager", "service_manager", "admin", "")
               if al.can_view_audit(Principal(name="x", role=r))}  # fmt: skip
    assert allowed == {"service_manager", "admin"}


def _manager_and_iro(url: str) -> tuple[str, str]:
    from services.persistence.database import make_engine

    eng = make_engine(url)
    with Session(eng) as s:
        manager = s.scalars(select(m.Staff.display_name).where(m.Staff.code == "SM01")).one()
        iro = s.scalars(
            select(m.Staff.display_name).where(m.Staff.role == "iro").order_by(m.Staff.display_name)
        ).first()
    with unit_of_work(eng, manager) as s:
        child = s.get(m.Child, "C00001")
        child.permanence_plan = "adoption" if child.permanence_plan != "adoption" else "ltf"
    eng.dispose()
    return manager, iro


def test_audit_page_for_a_manager_and_refused_to_an_iro(demo_db: str) -> None:
    manager, _ = _manager_and_iro(demo_db)
    at = open_page("app_pages/audit.py", act_as="IRO01")
    assert not at.dataframe
    assert [as_shown(e.value) for e in at.error] == ["Only service managers and administrators can read the audit log."]
    at = open_page("app_pages/audit.py", act_as="SM01")
    at.selectbox(key="audit_child").set_value("C00001").run()
    table = at.dataframe[0].value
    assert list(table["who"]) == [manager]
    assert list(table["action"]) == ["Changed"] and list(table["record"]) == ["Child"]
    assert table["when"].str.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}").all()
    assert [b.proto.label for b in at.get("download_button")] == ["Download (CSV)", "Download (Excel)"]
    at.selectbox(key="audit_child").set_value(None).run()
    at.multiselect(key="audit_actions").set_value(["demo_load"]).run()
    assert list(at.dataframe[0].value["action"]) == ["Demo caseload loaded"]
