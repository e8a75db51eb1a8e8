"""The dashboard's caches (ui.results, ui.report_cache: keyed by the data version) never show old
data: a write made after a page was drawn, by this server or by another process on the same
database, is on the page at its next rerun; and the start-up warm-up fills the very keys the
pages open on."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from services.demo.generate import KNOWN_ANCHOR
from services.persistence import database as db
from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work
from tests.demo_pages import app_database
from ui import results, warmup


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(request, tmp_path, monkeypatch):
    from services.demo.load import load_demo

    yield from app_database(request, tmp_path, monkeypatch, lambda e: load_demo(e, KNOWN_ANCHOR, actor="test"))


def _children_card(at: AppTest) -> int:
    card = next(mt for mt in at.metric if mt.label == "Children looked after")
    return int(card.value.replace(",", ""))


def _add_looked_after_child(url: str, child_id: str) -> None:
    """A write from another process's point of view: its own engine, not the app's."""
    other = db.make_engine(url)
    with unit_of_work(other, "another server") as s:
        s.add(m.Child(id=child_id, display_name="New Arrival", date_of_birth=dt.date(2015, 3, 1)))
        s.flush()
        start = KNOWN_ANCHOR - dt.timedelta(days=10)
        s.add(m.PeriodOfCare(child_id=child_id, start_date=start, observed_from=start))
    other.dispose()


def test_a_child_added_by_another_process_is_on_the_overview_at_the_next_rerun(demo) -> None:
    engine, _ = demo
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["act_as"] = "SM01"  # demo mode: the service manager, who sees every child
    at.query_params["as_of"] = KNOWN_ANCHOR.isoformat()
    at.run()
    assert not at.exception, at.exception
    before = _children_card(at)
    version = db.data_version(engine)
    at.run()
    assert _children_card(at) == before  # nothing written: the same (cached) figure

    _add_looked_after_child(engine.url.render_as_string(hide_password=False), "NEW0001")
    assert db.data_version(engine) > version
    at.run()
    assert not at.exception, at.exception
    assert _children_card(at) == before + 1
    ids = results.engine_result(db.data_version(engine), KNOWN_ANCHOR, at.session_state["policy"]).children
    assert "NEW0001" in ids["child_id"].to_list()


def test_the_warm_up_fills_the_keys_the_pages_open_on(demo, caplog) -> None:
    engine, _ = demo
    version = db.data_version(engine)
    warmup._warm(version)  # what the background thread runs, here in the test's thread
    assert not [r for r in caplog.records if r.name == "ui.warmup"], caplog.text
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["act_as"] = "SM01"
    at.run()
    assert not at.exception, at.exception
    view = warmup.opening_view(version)
    assert view == (at.session_state["as_of"], at.session_state["policy"], None, None, None, "all")
    assert _children_card(at) == results.filtered_result(version, *view).children.height
