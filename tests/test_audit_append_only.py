"""The audit log is append-only in the database itself: raw SQL UPDATE, DELETE (and TRUNCATE on
PostgreSQL) are refused by triggers, while inserts, imports, the demo load and a schema reset
still work; child-related writes carry the child's id."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from services.demo.generate import KNOWN_ANCHOR
from services.demo.load import load_demo
from services.importers import collect, parse_files
from services.importers.writer import import_parsed
from services.persistence import models as m
from services.persistence.database import reset_schema
from services.persistence.unit_of_work import unit_of_work
from tests.conftest import FAKE_903
from tests.test_models import _seed

D = dt.date


def _count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(m.AuditEntry)) or 0)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET actor = 'forged'",
        "UPDATE audit_log SET after = NULL WHERE entity = 'children'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = (SELECT MIN(id) FROM audit_log)",
    ],
)
def test_raw_sql_update_and_delete_are_refused(engine: Engine, sql: str) -> None:
    _seed(engine)
    before = _count(engine)
    with Session(engine) as s:
        actors_before = sorted(s.scalars(select(m.AuditEntry.actor)).all())
    with pytest.raises(DBAPIError, match="audit_log is append-only"), engine.begin() as conn:
        conn.execute(text(sql))
    assert _count(engine) == before
    with Session(engine) as s:
        assert sorted(s.scalars(select(m.AuditEntry.actor)).all()) == actors_before


def test_truncate_is_refused_on_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    _seed(engine)
    before = _count(engine)
    with pytest.raises(DBAPIError, match="audit_log is append-only: TRUNCATE refused"), engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))
    assert _count(engine) == before


def test_inserts_still_work_and_carry_the_child(engine: Engine) -> None:
    _seed(engine)
    with Session(engine) as s:
        rows = s.execute(select(m.AuditEntry.entity, m.AuditEntry.child_id).where(m.AuditEntry.action == "insert"))
        by_entity: dict[str, set] = {}
        for entity, child in rows:
            by_entity.setdefault(entity, set()).add(child)
    # the child itself, rows with their own child_id, and rows that reach it through a parent
    for entity in ("children", "reviews", "recommendations", "escalations", "escalation_stages", "midway_checks"):
        assert by_entity[entity] == {"C1"}, entity
    assert by_entity["teams"] == {None}
    assert by_entity["staff"] == {None}
    with engine.begin() as conn:  # a raw insert is allowed
        conn.execute(text("INSERT INTO audit_log (actor, action, entity) VALUES ('raw', 'note', 'test')"))
    with Session(engine) as s:
        assert s.scalar(select(m.AuditEntry.actor).where(m.AuditEntry.action == "note")) == "raw"


def test_update_and_delete_of_a_child_record_are_audited_with_its_child(engine: Engine) -> None:
    _seed(engine)
    with unit_of_work(engine, "editor") as s:
        event = s.scalars(select(m.SignificantEvent)).one()
        event.bring_forward = False
        rec = s.scalars(select(m.Recommendation)).one()
        s.delete(rec)
    with Session(engine) as s:
        got = s.execute(
            select(m.AuditEntry.action, m.AuditEntry.entity, m.AuditEntry.child_id).where(
                m.AuditEntry.actor == "editor"
            )
        ).all()
    assert sorted(got) == [("delete", "recommendations", "C1"), ("update", "significant_events", "C1")]


def test_demo_load_then_reset_schema_still_work(engine: Engine) -> None:
    counts = load_demo(engine, KNOWN_ANCHOR)
    assert counts["children"] > 0
    with Session(engine) as s:
        assert s.scalar(select(func.count()).where(m.AuditEntry.action == "demo_load")) == 1
    reset_schema(engine)  # drops the table (allowed), then migrates: the triggers are back
    assert _count(engine) == 0
    _seed(engine)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))


def test_import_writes_row_audits_with_the_child_and_they_cannot_be_removed(engine: Engine) -> None:
    result = import_parsed(engine, parse_files(collect(FAKE_903)), "importer")
    assert result.written
    with Session(engine) as s:
        reviews = s.execute(
            select(m.AuditEntry.entity_id, m.AuditEntry.child_id).where(
                m.AuditEntry.action == "import_add", m.AuditEntry.entity == "reviews"
            )
        ).all()
        children = s.execute(
            select(m.AuditEntry.entity_id, m.AuditEntry.child_id).where(
                m.AuditEntry.action == "import_add", m.AuditEntry.entity == "children"
            )
        ).all()
    assert len(reviews) == 12568 and len(children) == 2675
    # a review's key is "child|held date": its child_id is the key's first part
    assert all(child == key.split("|")[0] for key, child in reviews)
    assert all(child == key for key, child in children)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE action = 'import_add'"))
