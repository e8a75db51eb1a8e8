"""The audit log: every ORM write is attributed and recorded with its before and after values.

Listeners on every SQLAlchemy `Session` (registered when this module is imported, which
`services.persistence.unit_of_work` does), so no write path can skip them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, event, inspect, select
from sqlalchemy.orm import Session

from services.persistence.models import AuditEntry, Child, Escalation, EscalationStage, Recommendation, Review


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _row_dict(obj: Any, *, committed: bool) -> dict[str, Any]:
    state = inspect(obj)
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if committed:
            value = hist.deleted[0] if hist.deleted else (hist.unchanged[0] if hist.unchanged else None)
        else:
            value = getattr(obj, attr.key)
        out[attr.key] = _plain(value)
    return out


def _entity_id(obj: Any) -> str | None:
    ident = inspect(obj).identity
    if ident:
        return "/".join(str(i) for i in ident)
    pk = getattr(obj, "id", None)
    return None if pk is None else str(pk)


def _child_of(session: Session, obj: Any) -> str | None:
    """The child a written row belongs to, so the Audit page can filter by child: the child itself,
    a row's own child_id, or (recommendations, escalation stages) its parent's child. Parents are
    read on the flush's connection, never through the ORM, so no autoflush runs inside the flush."""
    if isinstance(obj, Child):
        return obj.id
    own = getattr(obj, "child_id", None)
    if own is not None:
        return str(own)
    parent: tuple[Any, Any] | None = None
    if isinstance(obj, Recommendation) and obj.review_id is not None:
        parent = (Review, obj.review_id)
    elif isinstance(obj, EscalationStage) and obj.escalation_id is not None:
        parent = (Escalation, obj.escalation_id)
    if parent is None:
        return None
    model, key = parent
    return session.connection().scalar(select(model.child_id).where(model.id == key))


@event.listens_for(Session, "before_flush")
def _audit_before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    """Every ORM write is attributed and audited. Audit rows themselves are append-only."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("The audit log is append-only: entries cannot be changed or deleted.")
    actor = session.info.get("actor")
    pending: list[tuple[str, Any]] = []
    for obj in session.new:
        if not isinstance(obj, AuditEntry):
            pending.append(("insert", obj))
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            pending.append(("update", obj))
    for obj in session.deleted:
        pending.append(("delete", obj))
    if pending and not actor:
        raise PermissionError("Every write must be attributed: open the session with unit_of_work(actor=...).")
    session.info.setdefault("_audit_pending", []).extend(pending)
    for action, obj in pending:
        if action == "update":
            obj._audit_before = _row_dict(obj, committed=True)


@event.listens_for(Session, "after_flush")
def _audit_after_flush(session: Session, _ctx: Any) -> None:
    pending = session.info.pop("_audit_pending", [])
    actor = session.info.get("actor")
    for action, obj in pending:
        before = getattr(obj, "_audit_before", None) if action == "update" else None
        if action == "delete":
            before = _row_dict(obj, committed=True)
        after = None if action == "delete" else _row_dict(obj, committed=False)
        session.add(
            AuditEntry(
                actor=actor,
                action=action,
                entity=type(obj).__tablename__,
                entity_id=_entity_id(obj),
                child_id=_child_of(session, obj),
                before=before,
                after=after,
            )
        )


def audit(
    session: Session,
    action: str,
    entity: str,
    entity_id: str | None,
    after: dict | None,
    *,
    child_id: str | None = None,
) -> None:
    """An explicit audit entry, for bulk writes that bypass the ORM (imports, demo load)."""
    session.add(
        AuditEntry(
            actor=session.info["actor"],
            action=action,
            entity=entity,
            entity_id=entity_id,
            child_id=child_id,
            after=after,
        )
    )


def record_export(
    engine: Engine,
    actor: str,
    role: str,
    what: str,
    *,
    rows: int | None,
    file_name: str,
    child_id: str | None = None,
) -> None:
    """One 'export' row: who downloaded what (`what`: the download's code, e.g. "work_list"), how
    many rows and, for a one-child download, which child. Its own short transaction, so a download
    is recorded even though nothing else is written; called when the file is built (on click), not
    when the button is drawn."""
    if not actor or not actor.strip():
        raise PermissionError("Every export must be attributed to a named user.")
    with Session(engine) as session, session.begin():
        session.info["actor"] = actor.strip()
        session.add(
            AuditEntry(
                actor=actor.strip(),
                action="export",
                entity=what[:40],
                entity_id=file_name[:80],
                child_id=child_id,
                after={"rows": rows, "file": file_name, "role": role},
            )
        )


VIEW_REPEAT = dt.timedelta(minutes=10)  # a page reruns on every click: one view row per visit, not per rerun


def audit_view(engine: Engine, actor: str, child_id: str, page: str, *, within: dt.timedelta = VIEW_REPEAT) -> bool:
    """Record that `actor` viewed `page` (timeline, midway_check, events, escalations,
    recommendations) of child `child_id`: action "view", entity "child", the page in `after`.
    Skipped, returning False, when the same actor viewed the same child's same page within
    `within` (Streamlit reruns the page on every widget change; the last 20 views of that actor
    and child are compared). Its own short transaction, so the view is recorded even when the
    page fails afterwards."""
    with Session(engine) as s:
        recent = s.execute(
            select(AuditEntry.at, AuditEntry.after)
            .where(
                AuditEntry.action == "view",
                AuditEntry.entity == "child",
                AuditEntry.entity_id == child_id,
                AuditEntry.actor == actor,
            )
            .order_by(AuditEntry.id.desc())
            .limit(20)
        ).all()
        now = dt.datetime.now(dt.UTC)
        if any(
            at is not None and now - _aware(at) < within and (after or {}).get("page") == page for at, after in recent
        ):
            return False
        s.add(
            AuditEntry(
                actor=actor, action="view", entity="child", entity_id=child_id, child_id=child_id, after={"page": page}
            )
        )
        s.commit()
    return True


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)  # SQLite hands back naive UTC
