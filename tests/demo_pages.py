"""The demo caseload as the AppTest page tests open it: a temp SQLite file, and the app's
process-wide engine and caches started afresh from it (fixtures `demo_url`, `demo_db` in conftest)."""

from __future__ import annotations

import pytest
import streamlit as st

from services.demo.generate import KNOWN_ANCHOR
from services.demo.load import load_demo
from services.persistence import database as db


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
