"""Deployment settings that bound what a browser can send and see (issue 13)."""

from __future__ import annotations

import tomllib

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def test_uploads_are_bounded_and_browsers_get_no_tracebacks() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 50
    assert config["client"]["showErrorDetails"] == "none"  # a valid value in streamlit 1.67's config.py


def test_the_import_page_says_the_upload_limit(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["act_as"] = "demo-admin"  # an empty database: demo mode's administrator
    at.run()
    at.switch_page("app_pages/import_data.py").run()
    assert any("MB per file" in c.value for c in at.caption)
