"""Past data shown as past on the casework pages too (issue 11, DOMAIN §10): after importing only a
903 return, the midway check, escalations and events pages say the data ends on 31 March of its
collection year; with live data (the casework seed) they do not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services.persistence import database as db
from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work
from tests.casework_seed import AS_OF, seed
from tests.demo_pages import fresh_caches
from tests.test_provenance import FAKE, imported

PAGES = ["app_pages/midway_check.py", "app_pages/escalations.py", "app_pages/events.py"]
NOTE = "The data ends on 31 Mar 2018 (an SSDA903 return)"


def _fresh(url: str) -> db.Engine:
    fresh_caches()
    return db.get_engine(url)


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_MODE_ON_REAL_DATA", "true")  # imported and seeded data, not the demo's
    yield url
    _fresh(url).dispose()
    db.get_engine.cache_clear()


def _warnings(page: str) -> list[str]:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["act_as"] = "SM01"
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return [w.value for w in at.warning]


@pytest.mark.parametrize("page", PAGES)
def test_a_903_import_is_said_to_end_in_the_past(page: str, url: str) -> None:
    engine = _fresh(url)
    imported(engine, FAKE)
    with unit_of_work(engine, "test") as s:  # a 903 return names no service manager: add one to act as
        s.add(m.Staff(code="SM01", display_name="Sue Manager", role="service_manager"))
    assert any(w.startswith(NOTE) for w in _warnings(page))


@pytest.mark.parametrize("page", PAGES)
def test_live_data_gets_no_past_data_note(page: str, url: str) -> None:
    seed(_fresh(url), dt.date.today() - AS_OF)
    assert not [w for w in _warnings(page) if "The data ends on" in w]
