"""Loading the demo caseload into a database (generation itself is services.demo.generate).

`load_demo(engine, anchor)` writes everything in ONE unit of work with Core bulk inserts (the
generator assigns the ids so foreign keys line up), then one explicit audit entry, because bulk
writes bypass the ORM's audit listeners; on PostgreSQL it moves each table's id sequence past the
loaded ids so later ORM inserts do not collide. It refuses a database that already holds children:
the demo would mix with real records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, text

from services.access import ADMIN, NotAllowed, Principal
from services.access.demo import NOT_DEMO, demo_only
from services.demo.generate import DEFAULT_SEED, TABLES, generate
from services.errors import UsageError
from services.persistence import models as m
from services.persistence.audit import audit
from services.persistence.database import is_empty
from services.persistence.unit_of_work import unit_of_work

TABLE_MODELS: dict[str, type[m.Base]] = {
    "teams": m.Team,
    "staff": m.Staff,
    "children": m.Child,
    "periods_of_care": m.PeriodOfCare,
    "placements": m.Placement,
    "allocations": m.Allocation,
    "reviews": m.Review,
    "recommendations": m.Recommendation,
    "midway_checks": m.MidwayCheck,
    "escalations": m.Escalation,
    "escalation_stages": m.EscalationStage,
    "good_practice": m.GoodPractice,
    "significant_events": m.SignificantEvent,
    "missing_episodes": m.MissingEpisode,
}

assert tuple(TABLE_MODELS) == TABLES


def load_demo(
    engine: Engine, anchor: dt.date, actor: str = "Demo loader", seed: int = DEFAULT_SEED, who: Principal | None = None
) -> dict[str, int]:
    """Write the demo caseload into an (empty) database in one unit of work: Core bulk inserts in
    foreign-key order, one audit entry with the counts (bulk writes bypass ORM auditing), and the
    demo mark (services.access.demo). From a page, `who` must be an admin or the demo-mode user; the
    command line (no `who`) is the operator at the server."""
    if who is not None and not (who.demo or who.role == ADMIN):
        raise NotAllowed("Only administrators can load the demo caseload.")
    if not demo_only(engine):
        raise UsageError(NOT_DEMO)
    if not is_empty(engine):
        raise UsageError("the database already holds children: load the demo into an empty one (demo --reset)")
    data = generate(anchor, seed)
    counts = data.counts()
    with unit_of_work(engine, actor) as session:
        for table, rows in data.tables.items():
            model = TABLE_MODELS[table]
            groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row in rows:  # executemany needs one key set per batch (None JSON stays SQL NULL)
                clean = {k: v for k, v in row.items() if v is not None or k not in _JSON_COLUMNS}
                groups.setdefault(tuple(clean), []).append(clean)
            for batch in groups.values():  # the table's Core insert: executemany, no ORM bookkeeping
                session.execute(model.__table__.insert(), batch)
        if engine.dialect.name == "postgresql":
            for table, rows in data.tables.items():
                if rows and table != "children":
                    session.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
                    )
        session.add(m.DemoMark(anchor=anchor))
        audit(session, "demo_load", "caseload", None, {"anchor": anchor.isoformat(), "seed": seed, **counts})
    return counts


_JSON_COLUMNS = {"cafcass_checklist", "answers"}
