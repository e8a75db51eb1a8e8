"""Which database, its engine and migrations, and the data version pages key their caches by.

The URL comes from the typed deployment settings (`services.settings`): DATABASE_URL, else
`.streamlit/secrets.toml` (`database_url = "..."`), else the embedded SQLite file `data/midway.db`.
Services read the secrets file themselves because they never import Streamlit, and so the command
line and the app use the same database.
"""

from __future__ import annotations

import os
import threading
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, make_url, select
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from services.persistence.models import AuditEntry, Base, Child
from services.settings import database_url as configured_url
from services.vocabulary import AUDIT_READ_ACTIONS

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
    Streamlit sessions writing at once wait for each other instead of failing, and its file (with
    the -wal and -shm files) is readable and writable by its owner only: it holds children's
    special-category data. `hide_parameters`: an error's text (logged, or shown to an
    administrator) carries the SQL but never the values, which are names and case details."""
    if url.startswith("sqlite"):
        path = make_url(url).database
        file = Path(path) if path and path != ":memory:" and not path.startswith("file:") else None
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
            owner_only(file)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()
            if file is not None:  # WAL mode has created the -wal and -shm files by now
                for companion in (file, file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")):
                    if companion.exists():
                        owner_only(companion)

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    event.listen(engine, "handle_error", _primary_message_only)
    return engine


def _primary_message_only(ctx: ExceptionContext) -> None:
    """PostgreSQL's error text has a DETAIL line with the values of the row it refused ("Failing
    row contains (C00001, <name>, ...)", "Key (id)=(C00001) already exists"): keep the primary
    message only, in the driver's exception and SQLAlchemy's, so a logged traceback names the
    table and constraint but no child. The full diagnostics stay on `exc.orig.diag`."""
    orig = ctx.original_exception
    if not orig.args or not isinstance(orig.args[0], str) or "\n" not in orig.args[0]:
        return
    primary = orig.args[0].split("\n", 1)[0]
    orig.args = (primary, *orig.args[1:])
    wrapped = ctx.sqlalchemy_exception
    if wrapped is not None and wrapped.args:
        wrapped.args = (f"({type(orig).__module__}.{type(orig).__name__}) {primary}", *wrapped.args[1:])


def owner_only(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist, else set its mode to 0600: SQLite
    would otherwise create it with the process umask (often world-readable 0644). Also used for
    backups (services.cli.backup)."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with suppress(PermissionError):  # someone else's file: leave it as its owner set it
        path.chmod(0o600)


_MIGRATING = threading.Lock()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (run on every start; cheap when current).
    One at a time per process: Alembic's environment is module-global state, so two threads
    migrating at once (a page session and the cache warm-up) break each other's run."""
    with _MIGRATING:
        run_alembic(engine, "upgrade", "head")


def run_alembic(engine: Engine, name: str, *args: str) -> None:
    """An Alembic command (`upgrade`, `downgrade` ...) in one transaction on `engine`.

    On SQLite, Alembic's batch mode changes a table by building a copy and dropping the original.
    With foreign keys on (as every Midway connection has them), dropping `children` cascades to
    every child's periods, reviews and casework: migration 0009 emptied them all that way on a
    database with data in it. So foreign keys are off while SQLite migrates (the pragma only takes
    effect outside a transaction), and `PRAGMA foreign_key_check` must find nothing before the
    migration commits; they are on again afterwards."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                getattr(command, name)(cfg, *args)
                if sqlite and (broken := conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                    raise RuntimeError(f"the migration left {len(broken)} rows without their parent row")
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


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
    audit id is the version. Pages key their caches by it. Audit rows of reads (a download, a view)
    are left out: recording a download must not make every page recompute."""
    with Session(engine) as s:
        newest = select(func.max(AuditEntry.id)).where(AuditEntry.action.not_in(AUDIT_READ_ACTIONS))
        return int(s.scalar(newest) or 0)


def reset_schema(engine: Engine) -> None:
    """Drop every table (used by `make demo` and tests), then migrate from empty again."""
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    migrate(engine)
