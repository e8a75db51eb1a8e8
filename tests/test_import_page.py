"""The admin Import page: upload, errors table, dry-run preview, import, history."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from services.persistence import database as db
from services.persistence.caseload import load_caseload
from tests.conftest import FAKE_903
from tests.test_import_ssda903 import GOOD_HEADER, MALFORMED


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'page.db'}")
    monkeypatch.setenv("DEMO_MODE_ON_REAL_DATA", "true")  # a pilot: the imported data is not the demo's
    db.get_engine.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["act_as"] = "demo-admin"  # no administrator on the staff list yet
    at.run()
    at.switch_page("app_pages/import_data.py").run()
    assert not at.exception
    return at


def _frame(at: AppTest, column: str):
    """The first dataframe on the page with `column` (AppTest looks dataframes up by position)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _upload(at: AppTest, files: list[tuple[str, bytes]]) -> None:
    at.get("file_uploader")[0].set_value([(n, b, "text/csv") for n, b in files])
    at.run()


def test_fake_903_preview_then_import_then_history(app: AppTest) -> None:
    _upload(app, [(p.name, p.read_bytes()) for p in sorted(FAKE_903.glob("*.csv"))])
    assert not app.exception
    assert any("No errors found" in s.value for s in app.success)
    preview = _frame(app, "unchanged")
    assert dict(zip(preview["table"], preview["added"], strict=True))["reviews"] == 12568
    assert app.get("expander")[0].label.startswith("6520 warning(s)")
    app.button[0].click().run()
    assert not app.exception
    assert any("Imported (run 1)" in s.value for s in app.success)
    hist = _frame(app, "rows added")
    assert hist["rows added"].to_list() == [22563]
    assert load_caseload(db.get_engine()).reviews.height == 12568


def test_errors_are_listed_and_nothing_can_be_imported(app: AppTest) -> None:
    files, _ = MALFORMED["bad date"]
    _upload(app, [("header.csv", GOOD_HEADER.encode()), ("reviews.csv", files["reviews.csv"].encode())])
    assert not app.exception
    assert app.error[0].value.startswith("1 error(s): nothing can be imported")
    errors = _frame(app, "message")
    assert errors.iloc[0].to_dict() == {
        "file": "reviews.csv",
        "line": 3,
        "column": "REVIEW",
        "value": "38/04/2021",
        "message": "is not a date (expected dd/mm/yyyy)",
    }
    assert len(app.button) == 0  # no Import button
    assert app.get("download_button")  # template + problems CSV
