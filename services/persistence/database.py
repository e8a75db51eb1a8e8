"""Database access: which database, migrations, and the unit of work that audits every write.

The URL comes from DATABASE_URL, else `.streamlit/secrets.toml` (`database_url = "..."`), else the
embedded SQLite file `data/midway.db`. Services read the secrets file themselves (tomllib) because
they never import Streamlit, and so the command line and the app use the same database.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from services.persistence.models import AuditEntry, Base

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE = ROOT / "data" / "midway.db"


def database_url(environ: dict[str, str] | None = None, secrets_path: Path | None = None) -> str:
    env = os.environ if environ is None else environ
    if env.get("DATABASE_URL"):
        return env["DATABASE_URL"]
    secrets = secrets_path or ROOT / ".streamlit" / "secrets.toml"
    if secrets.exists():
        data = tomllib.loads(secrets.read_text(encoding="utf-8"))
        url = data.get("database_url") or data.get("DATABASE_URL")
        if url:
            return str(url)
    return f"sqlite:///{DEFAULT_SQLITE}"


def make_engine(url: str) -> Engine:
    """An engine for `url`. SQLite gets foreign keys on and a longer busy timeout, so that two
    Streamlit sessions writing at once wait for each other instead of failing."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (run on every start; cheap when current)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: the configured database), migrated once."""
    engine = make_engine(url or database_url())
    migrate(engine)
    return engine


def is_empty(engine: Engine) -> bool:
    from services.persistence.models import Child

    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Child)) == 0


def data_version(engine: Engine) -> int:
    """A number that changes whenever data is written: every write is audited, so the newest
    audit id is the version. Pages key their caches by it."""
    with Session(engine) as s:
        return int(s.scalar(select(func.max(AuditEntry.id))) or 0)


# --- audit -------------------------------------------------------------------------------------


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
                before=before,
                after=after,
            )
        )


def audit(session: Session, action: str, entity: str, entity_id: str | None, after: dict | None) -> None:
    """An explicit audit entry, for bulk writes that bypass the ORM (imports, demo load)."""
    session.add(AuditEntry(actor=session.info["actor"], action=action, entity=entity, entity_id=entity_id, after=after))


@contextmanager
def unit_of_work(engine: Engine, actor: str) -> Iterator[Session]:
    """One all-or-nothing transaction, attributed to `actor`: commits on normal exit, rolls back
    on any exception (imports and form saves rely on this: nothing is half-saved)."""
    if not actor or not actor.strip():
        raise PermissionError("Every write must be attributed to a named user.")
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session:
        session.info["actor"] = actor.strip()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def reset_schema(engine: Engine) -> None:
    """Drop every table (used by `make demo` and tests), then migrate from empty again."""
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    migrate(engine)
