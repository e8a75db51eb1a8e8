"""The Audit page's read side: the append-only audit log filtered by person, child, date and
action, with readable labels, for managers (issue 12).

Filters run in SQL (the log grows by a row per imported record); labels and dates are polars
expressions over the result. Dates are shown in UK time ("13 Nov 2026 14:05"): PostgreSQL stores
`at` with its zone, SQLite as UTC text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Engine, String, cast, func, select
from sqlalchemy.orm import Session

from services.access import ADMIN, SERVICE_MANAGER, Principal, require_role
from services.persistence import models as m
from services.vocabulary import AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS

UK = ZoneInfo("Europe/London")
AUDIT_ROLES = (SERVICE_MANAGER, ADMIN)
# the table on screen; the export holds every matching row
SHOWN_LIMIT = 5000

COLUMNS = {
    "when": "When",
    "who": "Who",
    "action": "Action",
    "record": "Record",
    "record_id": "Record id",
    "child_id": "Child",
    "before": "Before",
    "after": "After",
}


def can_view_audit(actor: Principal) -> bool:
    """Who may read (and export) the audit log: service managers and administrators. The one
    place this rule lives, for the roles work to fold into its rules."""
    return actor.role in AUDIT_ROLES


@dataclass(frozen=True)
class AuditFilter:
    """What the manager asked for; None or empty means no restriction. Dates are UK calendar days,
    both ends included."""

    person: str | None = None
    child_id: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    actions: tuple[str, ...] = ()


def _uk_midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), UK).astimezone(dt.UTC)


def audit_rows(engine: Engine, who: Principal, f: AuditFilter, limit: int | None = None) -> pl.DataFrame:
    """The audit rows that match `f`, newest first (at most `limit`), as stored: id, at (UTC),
    actor, action, entity, entity_id, child_id, before and after (JSON text). Refused
    (`NotAllowed`) unless `who` may read the audit log."""
    require_role(who, AUDIT_ROLES, "read the audit log")
    e = m.AuditEntry
    # naive UTC from both databases: PostgreSQL's aware value converted in SQL, SQLite's as stored
    at = func.timezone("UTC", e.at) if engine.dialect.name == "postgresql" else e.at
    stmt = select(
        e.id,
        at.label("at"),
        e.actor,
        e.action,
        e.entity,
        e.entity_id,
        e.child_id,
        cast(e.before, String).label("before"),
        cast(e.after, String).label("after"),
    )
    if f.person:
        stmt = stmt.where(e.actor == f.person)
    if f.child_id:
        stmt = stmt.where(e.child_id == f.child_id)
    if f.start:
        stmt = stmt.where(e.at >= _at_bound(engine, f.start))
    if f.end:
        stmt = stmt.where(e.at < _at_bound(engine, f.end + dt.timedelta(days=1)))
    if f.actions:
        stmt = stmt.where(e.action.in_(f.actions))
    stmt = stmt.order_by(e.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    with Session(engine) as s:
        rows = s.execute(stmt).all()
    frame = pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "id": pl.Int64,
            "at": pl.Datetime("us"),
            "actor": pl.String,
            "action": pl.String,
            "entity": pl.String,
            "entity_id": pl.String,
            "child_id": pl.String,
            "before": pl.String,
            "after": pl.String,
        },
        orient="row",
    )
    return frame.with_columns(pl.col("at").dt.replace_time_zone("UTC"))


def _at_bound(engine: Engine, day: dt.date) -> dt.datetime:
    """A UK day's start as the database compares `at`: aware UTC on PostgreSQL; naive UTC on
    SQLite, whose CURRENT_TIMESTAMP text has no zone."""
    bound = _uk_midnight_utc(day)
    return bound if engine.dialect.name == "postgresql" else bound.replace(tzinfo=None)


def for_display(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows as a manager reads them: UK time as "13 Nov 2026 14:05", actions and records by
    their labels (an unknown code shows as itself), the child, before and after."""
    return rows.select(
        pl.col("at").dt.convert_time_zone("Europe/London").dt.strftime("%-d %b %Y %H:%M").alias("when"),
        pl.col("actor").alias("who"),
        pl.col("action").replace_strict(AUDIT_ACTION_LABELS, default=pl.col("action")).alias("action"),
        pl.col("entity").replace_strict(AUDIT_ENTITY_LABELS, default=pl.col("entity")).alias("record"),
        pl.col("entity_id").alias("record_id"),
        "child_id",
        "before",
        "after",
    )


def for_export(rows: pl.DataFrame) -> pl.DataFrame:
    """The export: the displayed columns under their headings, with the exact UTC time too."""
    return (
        for_display(rows)
        .with_columns(rows["at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias("at_utc"))
        .rename(COLUMNS | {"at_utc": "When (UTC)"})
    )


def people(engine: Engine) -> list[str]:
    """Everyone with a row in the log, sorted: the person filter's choices."""
    with Session(engine) as s:
        return list(s.scalars(select(m.AuditEntry.actor).distinct().order_by(m.AuditEntry.actor)).all())
