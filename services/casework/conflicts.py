"""Who changed a record last, and the refusal that names them (issue 13: nothing lost, nothing crossed).

Every form save is checked against the version the form was rendered with; when it changed, or a
save raced another one (SQLAlchemy's StaleDataError, a unique index's IntegrityError), the page gets
an `EditConflict` that says who saved first and when, read from the audit log, never a traceback.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.casework.errors import EditConflict
from services.dates import day
from services.persistence import models as m


def last_change(db: Engine | Session, entity: str, entity_id: object) -> tuple[str | None, dt.datetime | None]:
    """The actor and time of the newest audit entry for one row (None, None when there is none).
    Given the open session, it reads on that session's connection (a second connection per
    refused save would exhaust the pool when many saves race)."""
    query = (
        select(m.AuditEntry.actor, m.AuditEntry.at)
        .where(m.AuditEntry.entity == entity, m.AuditEntry.entity_id == str(entity_id))
        .order_by(m.AuditEntry.id.desc())
        .limit(1)
    )
    if isinstance(db, Session):
        row = db.execute(query).first()
    else:
        with Session(db) as s:
            row = s.execute(query).first()
    return (row[0], row[1]) if row else (None, None)


def last_change_of(s: Session, entity: str, entity_id: object, column: str) -> tuple[str | None, dt.datetime | None]:
    """The actor and time of the newest audit entry that changed `column` of one row (its insert
    counts). Why not `last_change`: a child's row is also written by imports and allocations, and a
    refusal must name who changed the value the form edits, not who touched the row last. Reads on
    the open session's connection (see `last_change`); a row's audit entries are few."""
    rows = s.execute(
        select(m.AuditEntry.actor, m.AuditEntry.at, m.AuditEntry.before, m.AuditEntry.after)
        .where(m.AuditEntry.entity == entity, m.AuditEntry.entity_id == str(entity_id))
        .order_by(m.AuditEntry.id.desc())
        .limit(200)
    ).all()
    for actor, at, before, after in rows:
        if after is not None and (before is None or before.get(column) != after.get(column)):
            return actor, at
    return None, None


def describe(actor: str | None, at: dt.datetime | None) -> str:
    if at is None:
        return f"by {actor or 'another user'}"
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    local = at.astimezone()
    return f"by {actor or 'another user'} at {local:%H:%M} on {day(local)}"


def conflict(
    engine: Engine | Session, what: str, entity: str, entity_id: object, cls: type[EditConflict] = EditConflict
) -> EditConflict:
    """An EditConflict for `what` ("This escalation"), naming the last change to the row."""
    actor, at = last_change(engine, entity, entity_id)
    exc = cls(
        f"{what} was changed {describe(actor, at)} since you opened it; nothing was saved. Reload to see their changes."
    )
    exc.changed_by, exc.changed_at = actor, at
    return exc
