"""Demo mode's "Act as" list is cached by the data version: a staff member added after the first
call (an import, an admin edit) appears on the next call, without a restart."""

from __future__ import annotations

import pytest
import streamlit as st

from services.persistence import database as db
from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work
from ui import context


@pytest.fixture
def app_engine(engine, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    st.cache_data.clear()
    st.cache_resource.clear()
    db.get_engine.cache_clear()
    yield engine
    st.cache_data.clear()
    st.cache_resource.clear()
    db.get_engine.cache_clear()


def _add(engine, code: str, name: str, role: str) -> None:
    with unit_of_work(engine, "test") as s:
        s.add(m.Staff(code=code, display_name=name, role=role))


def _names() -> list[str]:
    return [p.name for p in context.people().values()]


def test_a_staff_member_added_after_the_first_call_appears(app_engine) -> None:
    _add(app_engine, "IRO1", "Iris Reviewer", "iro")
    assert _names() == ["Iris Reviewer", "Midway administrator (demo)"]
    assert _names() == ["Iris Reviewer", "Midway administrator (demo)"]  # cached while nothing is written
    _add(app_engine, "IRO2", "Adam Able", "iro")
    _add(app_engine, "SW1", "Sam Worker", "social_worker")  # social workers: never offered
    _add(app_engine, "SM1", "Mo Manager", "service_manager")
    _add(app_engine, "ADM1", "Ada Admin", "admin")  # an administrator on the list: no demo administrator
    assert _names() == ["Ada Admin", "Adam Able", "Iris Reviewer", "Mo Manager"]
