"""The demo caseload as the AppTest page tests open it: a temp SQLite file, and the app's
process-wide engine and caches started afresh from it (fixtures `demo_url`, `demo_db` in conftest)."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.demo.generate import KNOWN_ANCHOR
from services.demo.load import load_demo
from services.persistence import database as db
from services.persistence.database import Engine
from ui.text import JOINER


def as_shown(markdown: str) -> str:
    """What the browser shows for Markdown that `ui.text.md` escaped: the backslash escapes and the
    invisible word joiners removed (AppTest gives an element's Markdown source)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(JOINER, "")


# The app's own threads: ui.warmup's, and the one AppTest runs a script in (which AppTest joins).
APP_THREADS = ("midway-warmup", "ScriptRunner.scriptThread")


def no_app_thread_left(wait: float = 60.0) -> None:
    """Fail loudly if a thread of the app outlived the test that started it. The caches are
    process-wide and keyed by the data version, which starts from the same numbers in every fresh
    test database, so such a thread refills them after the next test cleared them, with the data
    (or, once DATABASE_URL was unset between tests, the engine of data/midway.db) of a test that has
    ended: that test then sees another test's data one run in a few. AppTest joins its script
    thread, so one is waited for up to `wait` seconds (a slow machine); a warm-up thread should
    never start outside a server (ui.warmup.in_server) and fails at once."""
    deadline = time.monotonic() + wait
    for thread in threading.enumerate():
        if thread.name == "ScriptRunner.scriptThread" and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in threading.enumerate() if t.name in APP_THREADS and t is not threading.current_thread()]
    if alive:
        pytest.fail(f"app threads still running after the test that started them: {alive}", pytrace=False)


def fresh_caches() -> None:
    """The app's engine and caches are process-wide: start from the URL this test set, with no
    thread of an earlier test left to refill them."""
    no_app_thread_left()
    st.cache_data.clear()
    st.cache_resource.clear()
    db.get_engine.cache_clear()


def demo_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file holding the demo caseload on KNOWN_ANCHOR; its URL."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    eng = db.make_engine(url)
    db.migrate(eng)
    load_demo(eng, KNOWN_ANCHOR, actor="test")
    eng.dispose()
    return url


def app_database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: Callable[[Engine], Any]
) -> Iterator[tuple[Engine, Any]]:
    """For a fixture parametrised ["sqlite", "postgresql"]: the app's database (DATABASE_URL) on a
    temp SQLite file or a reset TEST_DATABASE_URL, seeded by `seed(engine)`; yields (engine, seed's
    result), with the app's engine and caches fresh before and after."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
    else:
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.skip("TEST_DATABASE_URL not set: PostgreSQL run skipped")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_MODE_ON_REAL_DATA", "true")  # seeded test data is not the demo caseload
    fresh_caches()
    engine = db.get_engine(url)
    if request.param == "postgresql":
        db.reset_schema(engine)
    yield engine, seed(engine)
    fresh_caches()
    engine.dispose()


ACT_AS = "act_as"  # ui.context's demo-mode selectbox
SERVICE_MANAGER = "SM01"  # the demo's (and the seeds') first service manager: sees every child


def open_page(page: str, *, act_as: str | None = "IRO01", **params: str) -> AppTest:
    """The app from its entry point in demo mode, acting as the staff member with code `act_as`
    (None: nobody chosen), switched to `page` with these query parameters; no exception."""
    at = AppTest.from_file("../app.py", default_timeout=60)
    if act_as is not None:
        at.session_state[ACT_AS] = act_as
    at.run()
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at
