"""Whether a database holds only the synthetic demo caseload.

`load_demo` writes the one `demo_mark` row in the same unit of work as the demo data. Any import
(`services.importers.writer.import_parsed`) and any write by a signed-in user (a `Principal` with
`demo=False`, through `writes`) deletes it in that write's transaction. So a database is demo-only
when it holds no children, or when the mark is still there. The demo reset (`python -m services demo
--reset`, `make demo`), the "Load demo caseload" button and demo mode's start-up check all ask
`demo_only`, and refuse a database that holds anything else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, delete, inspect, select
from sqlalchemy.orm import Session

from services.access import Principal
from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work

NOT_DEMO = (
    "This database holds data that is not Midway's demo caseload (an import, or work saved by a signed-in "
    "user), so the demo will not replace or join it. Nothing was changed."
)


def demo_only(engine: Engine) -> bool:
    """True when the database is not yet migrated, holds nothing (no children, staff, teams,
    imports or saved settings), or holds only the demo caseload (the mark is there)."""
    names = set(inspect(engine).get_table_names())
    if "children" not in names:
        return True
    with Session(engine) as s:
        if "demo_mark" in names and s.scalars(select(m.DemoMark.id).limit(1)).first() is not None:
            return True
        return all(s.scalars(select(t.id).limit(1)).first() is None for t in _DATA)


_DATA = (m.Child, m.Staff, m.Team, m.ImportRun, m.CouncilSettings)


def clear_mark(session: Session) -> None:
    """The database now holds something besides the demo: forget that it was demo-only."""
    session.execute(delete(m.DemoMark))


@contextmanager
def writes(engine: Engine, who: Principal) -> Iterator[Session]:
    """The unit of work for `who`'s write, attributed by name; a non-demo user's write also clears
    the demo mark in the same transaction."""
    with unit_of_work(engine, who.name) as session:
        if not who.demo:
            clear_mark(session)
        yield session
