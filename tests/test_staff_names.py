"""The sign-in list is cached by the data version: a staff member added after the first call
(an import, an admin edit) appears on the next call, without a restart."""

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


def test_a_staff_member_added_after_the_first_call_appears(app_engine) -> None:
    _add(app_engine, "IRO1", "Iris Reviewer", "iro")
    assert context.staff_names() == ["Iris Reviewer"]
    assert context.staff_names() == ["Iris Reviewer"]  # cached: same answer while nothing is written
    _add(app_engine, "IRO2", "Adam Able", "iro")
    _add(app_engine, "SW1", "Sam Worker", "social_worker")  # not an IRO: never offered
    _add(app_engine, "SM1", "Mo Manager", "service_manager")
    assert context.staff_names() == ["Adam Able", "Iris Reviewer", "Mo Manager"]
