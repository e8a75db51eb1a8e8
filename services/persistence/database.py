"""Which database, its engine and migrations, and the data version pages key their caches by.

The URL comes from the typed deployment settings (`services.settings`): DATABASE_URL, else
`.streamlit/secrets.toml` (`database_url = "..."`), else the embedded SQLite file `data/midway.db`.
Services read the secrets file themselves because they never import Streamlit, and so the command
line and the app use the same database.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from services.persistence.models import AuditEntry, Base, Child
from services.settings import database_url as configured_url

__all__ = ["DatabaseError", "Engine"]  # re-exported so pages and ui/ never import SQLAlchemy themselves

# What a page catches when the database cannot be reached or refuses a read.
DatabaseError = SQLAlchemyError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE = ROOT / "data" / "midway.db"


def database_url() -> str:
    """The configured URL (services.settings: DATABASE_URL, else secrets.toml, else the SQLite
    file); a bad value raises `services.settings.SettingsError` naming the key and value."""
    return configured_url()


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
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Child)) == 0


def data_version(engine: Engine) -> int:
    """A number that changes whenever data is written: every write is audited, so the newest
    audit id is the version. Pages key their caches by it. Views (action "view", audited too)
    change no data, so they do not move it: a child's timeline opened does not recompute the
    caseload."""
    with Session(engine) as s:
        return int(s.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.action != "view")) or 0)


def reset_schema(engine: Engine) -> None:
    """Drop every table (used by `make demo` and tests), then migrate from empty again."""
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    migrate(engine)
