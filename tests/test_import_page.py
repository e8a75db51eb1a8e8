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


def test_the_session_keeps_no_upload_bytes_or_frames_and_the_spool_goes_with_the_upload(app: AppTest) -> None:
    """Issue 13: the session holds the check's problems and counts and a private temporary copy of
    the files, parsed again for the write; removing the upload removes that copy."""
    from services.importers.bundle import Parsed
    from services.importers.upload import Checked
    from services.importers.writer import ImportResult
    from tests.test_import_template import FILES

    files = {n: FILES[n].encode() for n in ("children.csv", "periods_of_care.csv", "reviews.csv")}
    _upload(app, list(files.items()))
    assert not app.exception
    assert any("No errors found" in s.value for s in app.success)
    checked = app.session_state["import_checked"]
    assert isinstance(checked, Checked)
    assert "import_parsed" not in app.session_state
    held = [getattr(checked, f) for f in checked.__dataclass_fields__]
    assert not any(isinstance(v, (bytes, Parsed, ImportResult, dict)) for v in held)
    assert dict(zip(checked.counts["table"], checked.counts["added"], strict=True))["children"] == 2
    # one private file per upload, the same bytes, nothing kept in memory
    spooled = checked.spool.files
    assert [f.name for f in spooled] == list(files)
    assert all(f.data is None and f.path.read_bytes() == files[f.name] for f in spooled)
    assert all(f.path.stat().st_mode & 0o777 == 0o600 for f in spooled)
    folder = checked.spool.folder
    assert folder.stat().st_mode & 0o777 == 0o700

    app.run()  # a rerun (any click) neither checks again nor copies the files again
    assert app.session_state["import_checked"] is checked

    app.button[0].click().run()
    assert not app.exception
    assert any("Imported (run 1)" in s.value for s in app.success)
    done = app.session_state["import_done"]
    assert not isinstance(done, ImportResult)  # its parsed frames would live as long as the session
    caseload = load_caseload(db.get_engine())
    assert sorted(caseload.children["child_id"]) == ["C1", "C2"]
    assert sorted(caseload.reviews["held_date"].cast(str)) == ["2023-02-01", "2024-12-02", "2025-03-01"]

    app.get("file_uploader")[0].set_value([])
    app.run()
    assert not app.exception
    assert not folder.exists()
    assert "import_checked" not in app.session_state and "import_done" not in app.session_state


def test_files_with_errors_are_not_kept_on_disk(app: AppTest) -> None:
    files, _ = MALFORMED["bad date"]
    _upload(app, [("header.csv", GOOD_HEADER.encode()), ("reviews.csv", files["reviews.csv"].encode())])
    checked = app.session_state["import_checked"]
    assert checked.has_errors and checked.counts is None
    assert not checked.spool.folder.exists()  # nothing can be imported: no copy is kept
