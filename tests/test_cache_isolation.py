"""The process-wide caches answer for the database configured now, and AppTest runs leave no thread
behind to fill them later. Both once made AppTest page tests see another test's data about one run
in three under load: ui.warmup started its thread under AppTest (whose stand-in runtime, a
`MagicMock(spec=Runtime)`, passes `isinstance`), and that thread, still running in the next test,
filled the unkeyed engine cache with the previous test's engine or data/midway.db's."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services.demo.generate import KNOWN_ANCHOR
from services.persistence import database as db
from tests.demo_pages import fresh_caches
from ui import context, warmup


def test_an_apptest_run_starts_no_warm_up(demo_db: str) -> None:
    version = db.data_version(db.get_engine(demo_db))
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["act_as"] = "SM01"
    at.query_params["as_of"] = KNOWN_ANCHOR.isoformat()
    at.run()
    assert not at.exception, at.exception
    assert version not in warmup._warmed  # start() returned before claiming this data version
    assert not [t for t in threading.enumerate() if t.name == "midway-warmup"]


def test_the_engine_is_the_configured_databases_without_clearing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (f"sqlite:///{tmp_path / name}" for name in ("first.db", "second.db"))
    monkeypatch.setenv("DATABASE_URL", first)
    fresh_caches()
    try:
        assert context.engine().url.render_as_string() == first
        monkeypatch.setenv("DATABASE_URL", second)  # no cache cleared in between
        assert context.engine().url.render_as_string() == second
        monkeypatch.setenv("DATABASE_URL", first)
        assert context.engine() is db.get_engine(first)  # one engine per URL, kept
    finally:
        fresh_caches()
        db.get_engine(first).dispose()
        db.get_engine(second).dispose()
        db.get_engine.cache_clear()
