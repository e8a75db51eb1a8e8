"""Demo mode (no `[auth]`): a banner on every page, "Act as" with no default and nothing shown or
saved until someone is chosen; Midway refuses to start on a database holding anything but the demo
unless the deployment setting allows it; the "Load demo caseload" button refuses such a database
and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from services.persistence import database as db
from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work
from tests.demo_pages import fresh_caches, open_page

CHOOSE = "Choose whom you act as in the sidebar: nothing is shown or saved until you do."
PAGES = ("overview", "timeline", "midway_check", "escalations", "events", "recommendations", "settings")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_the_banner_and_no_default_user(demo_db: str, page: str) -> None:
    at = open_page(f"app_pages/{page}.py", act_as=None)
    assert [w.value for w in at.warning if w.value.startswith("Demo mode")], "no demo-mode banner"
    act_as = at.sidebar.selectbox(key="act_as")
    assert act_as.value is None and act_as.index is None
    assert "IRO01" in act_as.options or any("Independent" in o or "iro" in o for o in act_as.options)
    assert [i.value for i in at.info] == [
        "Choose whom you act as in the sidebar: nothing is shown or saved until you do."
    ]
    assert not at.dataframe and not at.metric  # nothing of the caseload is drawn


def test_the_chosen_person_is_who_the_page_acts_for(demo_db: str) -> None:
    at = open_page("app_pages/overview.py", act_as="SM01")
    assert at.metric  # the service manager sees the cards
    assert at.sidebar.selectbox(key="act_as").value == "SM01"


def _real_database(tmp_path, monkeypatch) -> db.Engine:
    url = f"sqlite:///{tmp_path / 'real.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("DEMO_MODE_ON_REAL_DATA", raising=False)
    fresh_caches()
    engine = db.get_engine(url)
    db.migrate(engine)
    return engine


def test_demo_mode_refuses_a_database_holding_real_data(tmp_path, monkeypatch) -> None:
    engine = _real_database(tmp_path, monkeypatch)
    with unit_of_work(engine, "import") as s:  # as an import would write them: no demo mark
        s.add(m.Staff(code="IRO01", display_name="Real Person", role="iro"))
        s.add(m.Child(id="R1", display_name="Real Child", date_of_birth=dt.date(2015, 1, 1)))
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["act_as"] = "IRO01"
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "will not start on it" in at.error[0].value
    assert "Real Child" not in str(at._tree) and "R1" not in [t.value for t in at.text]
    monkeypatch.setenv("DEMO_MODE_ON_REAL_DATA", "true")  # the deployment setting allows it
    fresh_caches()
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.run()
    assert not at.error and at.sidebar.selectbox(key="act_as").options == [
        "Real Person (iro)",
        "Midway administrator (demo) (admin)",  # offered while the staff list has no administrator
    ]
    fresh_caches()


def test_load_demo_button_refuses_a_database_holding_anything_else(tmp_path, monkeypatch) -> None:
    engine = _real_database(tmp_path, monkeypatch)
    with unit_of_work(engine, "import") as s:  # staff imported, no children yet: the empty state shows
        s.add(m.Staff(code="IRO01", display_name="Real Person", role="iro"))
    with Session(engine) as s:
        before = s.scalar(select(func.max(m.AuditEntry.id)))
    monkeypatch.setenv("DEMO_MODE_ON_REAL_DATA", "true")  # so the page starts and shows the button
    fresh_caches()
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.run()
    buttons = [b for b in at.button if b.label == "Load demo caseload"]
    assert buttons, [b.label for b in at.button]
    buttons[0].click().run()
    assert not at.exception
    assert any("not Midway's demo caseload" in e.value for e in at.error)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(m.Child)) == 0
        assert s.scalar(select(func.count()).select_from(m.Staff)) == 1
        assert s.scalar(select(func.max(m.AuditEntry.id))) == before
    fresh_caches()
