"""Screenshots of every page at 1280×720 (issue 16: "readable on a projector"), for a person to look
at before and after a change: `python -m tests.screenshots LABEL` starts the demo server of
tests/test_browser.py and saves, per page, `tests/artifacts/1280x720/LABEL-<page>.png` (what the
projector shows, the first 720 px) and `LABEL-<page>-full.png` (the whole page at 1280 wide).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.a11y import acting_as
from tests.test_browser import AS_OF, CHROMIUM, _wait_for_app, demo_server

OUT = Path(__file__).resolve().parent / "artifacts" / "1280x720"
PAGES = {
    "overview": ("", 0),
    "heatmap": ("", 1),
    "timeline": ("&child=C00001", 1),
    "caseloads": ("", 1),
    "reports": ("", 1),
    "midway-check": ("&child=C00001", 0),
    "escalations": ("", 0),
    "events": ("", 0),
    "recommendations": ("&child=C00001", 0),
    "allocations": ("", 0),
    "import": ("", 0),
    "settings": ("", 0),
    "overview-present": ("&present=1", 0),
}


def shoot(label: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, demo_server(Path(tmp)) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        ctx = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=1)
        page = ctx.new_page()
        for name, (query, charts) in PAGES.items():
            path = "" if name.startswith("overview") else name
            page.set_viewport_size({"width": 1280, "height": 720})
            page.goto(f"{base}/{path}?as_of={AS_OF}&act_as={acting_as(path)}{query}")
            _wait_for_app(page, charts)
            page.wait_for_timeout(800)
            shot = OUT / f"{label}-{name}.png"
            page.screenshot(path=str(shot))
            saved.append(shot)
            height = page.evaluate(
                "() => Math.max(document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0, 720)"
            )
            page.set_viewport_size({"width": 1280, "height": int(min(height, 8000)) + 40})
            page.wait_for_timeout(800)
            full = OUT / f"{label}-{name}-full.png"
            page.screenshot(path=str(full), full_page=True)
            saved.append(full)
        # a refused midway check: the error summary in view at the top of the form
        page.set_viewport_size({"width": 1280, "height": 720})
        page.goto(f"{base}/midway-check?as_of={AS_OF}&act_as=SM01&child=C00001")
        _wait_for_app(page)
        page.get_by_role("button", name="Save check").click()
        _wait_for_app(page)
        page.wait_for_timeout(800)
        shot = OUT / f"{label}-midway-check-refused.png"
        page.screenshot(path=str(shot))
        saved.append(shot)
        browser.close()
    return saved


if __name__ == "__main__":
    for shot in shoot(sys.argv[1] if len(sys.argv) > 1 else "after"):
        print(shot)
