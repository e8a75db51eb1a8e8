"""A freshly started server, four first visitors at once (issue 13): no "partially initialized
module 'pandas'" error box, because ui/eager.py imports plotly, pandas and numpy first: server.py's
warm start before the server accepts anyone, app.py's first run under `streamlit run app.py`.

Starts its own `streamlit run` on a free loopback port (no session has run yet), then opens four
pages from four browser contexts without waiting for one before the next, and asserts that none
shows an exception element.
"""

from __future__ import annotations

import pytest

from tests.test_browser import AS_OF, CHROMIUM, _wait_for_app, demo_server_process

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]

PAGES = ["heatmap", "timeline?child=C00001", "caseloads", "reports"]


@pytest.mark.parametrize("entry", ["server.py", "app.py"])  # the warm start, and `streamlit run app.py`
def test_four_first_visitors_at_once_get_no_exception(tmp_path, entry: str) -> None:
    from playwright.sync_api import sync_playwright

    with demo_server_process(tmp_path, entry=entry) as (base, _), sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-background-networking"]
        )
        try:
            contexts = [browser.new_context() for _ in PAGES]
            pages = [ctx.new_page() for ctx in contexts]
            for pg, path in zip(pages, PAGES, strict=True):  # all four sessions start together
                sep = "&" if "?" in path else "?"
                pg.goto(f"{base}/{path}{sep}as_of={AS_OF}&act_as=SM01", wait_until="commit")
            for pg in pages:
                _wait_for_app(pg)
                errors = pg.locator("[data-testid='stException']")
                assert errors.count() == 0, errors.first.inner_text()
                assert pg.locator("h1").first.inner_text().strip()
        finally:
            browser.close()
    assert "partially initialized" not in (tmp_path / "streamlit.log").read_text()
