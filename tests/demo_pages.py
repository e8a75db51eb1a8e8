"""The demo caseload as the AppTest page tests open it: a temp SQLite file, and the app's
process-wide engine and caches started afresh from it (fixtures `demo_url`, `demo_db` in conftest)."""

from __future__ import annotations

import os
import re
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


def fresh_caches() -> None:
    """The app's engine and caches are process-wide: start from the URL this test set."""
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
