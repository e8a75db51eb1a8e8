"""Faults (issue 13): the database unreachable mid-session, behind a TCP proxy on loopback that the
test cuts and restores. A save during a cut is refused with a plain DatabaseUnavailable (nothing
saved, no driver traceback); after the restore the same engine reconnects by itself
(pool_pre_ping) and saves again. A form's save callback met by a cut (AppTest, the Escalations
page's good practice form) shows the page's plain message, keeps what was typed, and saves after
"Try again". The CLI prints one line and exits 2 when it cannot connect."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from services.casework.escalations import raise_escalation
from services.errors import DatabaseUnavailable
from services.persistence import models as m
from services.persistence.database import Engine, data_version, make_engine, migrate, reset_schema
from tests.casework_seed import AS_OF, D, seed
from tests.conftest import ROOT
from tests.demo_pages import as_shown, fresh_caches, open_page
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


UNREACHABLE = "The database cannot be reached just now, so this page cannot be shown and nothing was saved."
NOTE = "Foster carer took <b>Alex</b> to every *contact* session"  # typed text, shown as text


@pytest.fixture(params=["sqlite", "postgresql"])
def cuttable(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, Callable[[], None], Callable[[], None]]]:
    """The app's database (DATABASE_URL), seeded with today as the seed's as-of date, and how to
    cut it and bring it back: yields (a direct engine, cut, restore). PostgreSQL is reached through
    TcpProxy, which is cut. A SQLite file cannot be cut over TCP: the table the save writes is
    taken away from under the page instead (a DatabaseError on the same path) and put back."""
    shift = dt.date.today() - AS_OF
    monkeypatch.setenv("DEMO_MODE_ON_REAL_DATA", "true")  # seeded test data is not the demo caseload
    if request.param == "sqlite":
        direct = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
        migrate(direct)
        seed(direct, shift)
        monkeypatch.setenv("DATABASE_URL", direct.url.render_as_string(hide_password=False))
        table = m.GoodPractice.__table__
        fresh_caches()
        try:
            yield direct, lambda: table.drop(direct), lambda: table.create(direct)
        finally:
            fresh_caches()
            direct.dispose()
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL run skipped")
    direct = make_engine(url)
    reset_schema(direct)
    seed(direct, shift)
    base = make_url(url)
    with TcpProxy((base.host or "127.0.0.1", base.port or 5432)) as proxy:
        monkeypatch.setenv("DATABASE_URL", base.set(host="127.0.0.1", port=proxy.port).render_as_string(False))
        fresh_caches()
        try:
            yield direct, proxy.cut, proxy.restore
        finally:
            fresh_caches()  # the app's engine through the proxy is disposed with the caches
            direct.dispose()


def _good_practice(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as s:
        return [tuple(r) for r in s.execute(select(m.GoodPractice.child_id, m.GoodPractice.text)).all()]


def _good_practice_typed_then_cut(cut: Callable[[], None]) -> AppTest:
    """The Escalations page with a good practice note typed for C1, saved while the database is cut."""
    at = open_page("app_pages/escalations.py")
    at.selectbox(key="gp_child").set_value("C1")
    at.text_area(key="gp_text").set_value(NOTE)
    cut()
    at.button(key="gp_submit").click().run()
    return at


def test_a_save_callback_met_by_a_cut_shows_the_plain_message_and_keeps_the_typed_text(cuttable) -> None:
    direct, cut, restore = cuttable
    at = _good_practice_typed_then_cut(cut)
    assert not at.exception, at.exception  # the callback's error did not escape as an exception box
    assert [as_shown(e.value) for e in at.error] == [
        UNREACHABLE + " What you typed is kept: try again in a moment. If it persists, check DATABASE_URL (or "
        "`database_url` in .streamlit/secrets.toml) and that the database server is running."
    ]
    assert at.button(key="_db_try_again").label == "Try again"
    assert not at.text_area  # the page is not drawn on this run: the message instead
    assert at.session_state["gp_text"] == NOTE and at.session_state["gp_child"] == "C1"
    restore()
    assert _good_practice(direct) == []  # nothing was saved
    at.button(key="_db_try_again").click().run()
    assert not at.exception and not at.error
    assert at.text_area(key="gp_text").value == NOTE  # the form is back with what was typed
    assert at.selectbox(key="gp_child").value == "C1"
    at.button(key="gp_submit").click().run()
    assert [as_shown(s.value) for s in at.success] == ["Good practice recorded."]
    assert _good_practice(direct) == [("C1", NOTE)]  # saved after the cut, without a restart


def test_typed_text_outlives_several_runs_during_a_cut(cuttable) -> None:
    """More than one run while the database is away (a second click, a rerun key, a blur that
    commits a field just before the click: seen under load in tests/test_browser_servers.py): what
    was typed is kept through each, not only through the first."""
    direct, cut, restore = cuttable
    at = _good_practice_typed_then_cut(cut)
    assert at.button(key="_db_try_again").label == "Try again" and not at.text_area
    at.button(key="_db_try_again").click().run()  # still cut (on PostgreSQL: the message again)
    at.run()
    restore()
    at.button(key="_db_try_again").click().run()
    assert not at.exception and not at.error
    assert at.text_area(key="gp_text").value == NOTE
    assert at.selectbox(key="gp_child").value == "C1"
    assert _good_practice(direct) == []


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
