"""Faults (issue 13): the database unreachable mid-session, behind a TCP proxy on loopback that the
test cuts and restores. A save during a cut is refused with a plain DatabaseUnavailable (nothing
saved, no driver traceback); after the restore the same engine reconnects by itself
(pool_pre_ping) and saves again. The CLI prints one line and exits 2 when it cannot connect."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session

from services.casework.escalations import raise_escalation
from services.errors import DatabaseUnavailable
from services.persistence import models as m
from services.persistence.database import data_version, make_engine, reset_schema
from tests.casework_seed import D, seed
from tests.conftest import ROOT
from tests.principals import as_manager
from tests.tcp_proxy import TcpProxy

CUTS = 3


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL run skipped")
    return url


def _raise(engine) -> int:
    return raise_escalation(
        engine,
        as_manager("Iris Reviewer"),
        "C1",
        raised_date=D(2026, 6, 1),
        category="plan_delay",
        concern="x",
        stage=0,
    )


def test_saves_refused_plainly_while_cut_and_the_app_reconnects(pg_url: str) -> None:
    direct = make_engine(pg_url)
    reset_schema(direct)
    seed(direct)
    base = make_url(pg_url)
    with TcpProxy((base.host or "127.0.0.1", base.port or 5432)) as proxy:
        via = make_engine(base.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
        try:
            saved = [_raise(via)]
            for _ in range(CUTS):
                proxy.cut()
                with pytest.raises(DatabaseUnavailable, match="cannot be reached"):
                    _raise(via)
                with pytest.raises(Exception) as read_error:  # a page's read: ui/empty shows its message
                    data_version(via)
                assert "sqlalchemy" in type(read_error.value).__module__
                proxy.restore()
                saved.append(_raise(via))  # the same engine, reconnected by itself
        finally:
            via.dispose()
    with Session(direct) as s:
        assert s.scalar(select(func.count()).select_from(m.Escalation)) == len(saved) == CUTS + 1
    direct.dispose()


def test_cli_prints_one_line_and_exits_2_when_the_database_cannot_be_reached(tmp_path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://postgres@127.0.0.1:{port}/nowhere"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "services",
            "report",
            "--as-of",
            "2026-11-23",
            "--database",
            url,
            "--out",
            str(tmp_path / "r.csv"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the database cannot be reached"), out.stderr
