"""`python -m services backup` / `restore` (issue 13): a restored SQLite database reports
identically (`python -m services report` CSV equal), even after the live one was changed."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from services.casework.escalations import raise_escalation
from services.persistence.database import make_engine
from tests.conftest import ROOT
from tests.principals import as_manager

AS_OF = "2026-11-23"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "services", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_restored_database_reports_identically(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    assert _cli("demo", "--reset", "--database", url, "--as-of", AS_OF).returncode == 0
    assert _cli("report", "--as-of", AS_OF, "--database", url, "--out", str(tmp_path / "before.csv")).returncode == 0
    done = _cli("backup", "--database", url, "--out", str(tmp_path / "backup.db"))
    assert done.returncode == 0, done.stderr
    # the live database moves on: the demo is rebuilt around another date, a write lands
    assert _cli("demo", "--reset", "--database", url, "--as-of", "2026-06-01").returncode == 0
    engine = make_engine(url)
    raise_escalation(
        engine,
        as_manager("Iris Reviewer"),
        "C00001",
        raised_date=dt.date(2026, 6, 1),
        category="plan_delay",
        concern="x",
        stage=0,
    )
    engine.dispose()
    assert _cli("report", "--as-of", AS_OF, "--database", url, "--out", str(tmp_path / "moved.csv")).returncode == 0
    assert (tmp_path / "moved.csv").read_bytes() != (tmp_path / "before.csv").read_bytes()

    done = _cli("restore", "--from", str(tmp_path / "backup.db"), "--database", url)
    assert done.returncode == 0, done.stderr
    assert _cli("report", "--as-of", AS_OF, "--database", url, "--out", str(tmp_path / "after.csv")).returncode == 0
    assert (tmp_path / "after.csv").read_bytes() == (tmp_path / "before.csv").read_bytes()


def test_backup_refuses_postgresql_and_a_non_database_in_one_line(tmp_path) -> None:
    out = _cli("backup", "--database", "postgresql://postgres@127.0.0.1:5432/x", "--out", str(tmp_path / "b.db"))
    assert out.returncode == 2 and "pg_dump" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    out = _cli("restore", "--from", str(junk), "--database", f"sqlite:///{tmp_path / 'live.db'}")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
