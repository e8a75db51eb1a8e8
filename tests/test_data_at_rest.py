"""Children's data at rest and in logs: the SQLite file, its -wal/-shm files and backups are
owner-only (0600) whatever the umask; a failing write's error text (what Streamlit logs) carries
no child's name or id."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import stat
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from services.cli.backup import run_backup, run_restore
from services.persistence import models as m
from services.persistence.database import make_engine, migrate
from services.persistence.unit_of_work import unit_of_work

SECRET_NAME = "Zebedee Quillfeather"
SECRET_ID = "CHILD-7731"
BORN = dt.date(2013, 7, 19)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would make new files world-readable (0644), as on many servers."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_sqlite_database_and_its_wal_files_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    db = tmp_path / "data" / "midway.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    with unit_of_work(engine, "tester") as s:
        s.add(m.Team(name="North"))
    with engine.connect() as conn:  # a connection open: the -wal and -shm files exist
        conn.execute(text("SELECT 1"))
        files = {p.name: _mode(p) for p in db.parent.iterdir()}
    engine.dispose()
    assert files == {"midway.db": 0o600, "midway.db-wal": 0o600, "midway.db-shm": 0o600}


def test_existing_world_readable_database_is_made_owner_only(tmp_path: Path, open_umask: None) -> None:
    db = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    engine.dispose()
    db.chmod(0o644)
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    assert _mode(db) == 0o600


def test_backup_and_restored_files_are_owner_only(tmp_path: Path, open_umask: None, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    out = tmp_path / "backups" / "midway.db"
    out.parent.mkdir()
    assert run_backup(argparse.Namespace(out=str(out), database=url)) == 0
    assert _mode(out) == 0o600
    target = tmp_path / "restored" / "midway.db"
    assert run_restore(argparse.Namespace(source=str(out), database=f"sqlite:///{target}")) == 0
    assert _mode(target) == 0o600
    assert "backed up" in capsys.readouterr().out


@pytest.mark.parametrize("failure", ["duplicate id", "missing date of birth"])
def test_failing_write_logs_no_child_name_or_id(engine: Engine, caplog: pytest.LogCaptureFixture, failure: str) -> None:
    """PostgreSQL's DETAIL line would say "Key (id)=(CHILD-7731) already exists" or "Failing row
    contains (CHILD-7731, Zebedee Quillfeather, ...)"; SQLAlchemy's text would list the parameters."""
    with unit_of_work(engine, "tester") as s:
        s.add(m.Child(id=SECRET_ID, display_name=SECRET_NAME, date_of_birth=BORN, sex="M", legal_status="C2"))
    bad = (
        m.Child(id=SECRET_ID, display_name=SECRET_NAME, date_of_birth=BORN, sex="M", legal_status="C2")
        if failure == "duplicate id"
        else m.Child(id="CHILD-7732", display_name=SECRET_NAME, sex="M", legal_status="C2")
    )
    with pytest.raises(DBAPIError) as caught, unit_of_work(engine, "tester") as s:
        s.add(bad)
    # what Streamlit does with an uncaught exception: log it with its traceback
    logging.getLogger("streamlit.test").error("Uncaught app exception", exc_info=caught.value)
    logged = caplog.text + "".join(traceback.format_exception(caught.value))
    assert "Uncaught app exception" in caplog.text
    assert "children" in logged  # the error names the table and constraint ...
    assert SECRET_NAME not in logged  # ... but no value that was written
    assert SECRET_ID not in logged and "CHILD-7732" not in logged
    assert "2013-07-19" not in logged
    assert "parameters hidden" in str(caught.value)
