"""Issue 16 in a real browser at 1280×720 (a projector's size): no Overview card label cut, no two
heatmap tick labels overlapping (weeks and months), the timeline's "as of" label inside the chart,
presentation mode (no sidebar, the view written on the page), and the GOV.UK error summary of a
refused midway check (in view and focused, each link moving focus to its field, typed input kept).
Uses tests/test_browser.py's demo server and chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.test_browser import AS_OF, CHROMIUM, _wait_for_app, demo_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_server(tmp_path_factory.mktemp("projector")) as url:
        yield url


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=1)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def _open(page, base: str, path: str, query: str = "", charts: int = 0) -> None:
    page.goto(f"{base}/{path}?as_of={AS_OF}&act_as=SM01{query}")
    _wait_for_app(page, charts)
    assert page.locator("[data-testid='stException']").count() == 0


CUT = """(sel) => [...document.querySelectorAll(sel)]
  .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
  .map((e) => e.textContent)"""

OVERLAPS = """(sel) => {
  const boxes = [...document.querySelectorAll(sel)]
    .map((t) => t.getBoundingClientRect()).filter((b) => b.width > 0);
  const bad = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    const x = a.left < b.right - 0.5 && b.left < a.right - 0.5;
    if (x && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) bad.push([i, j]);
  }
  return {n: boxes.length, bad};
}"""


def test_no_overview_card_label_is_cut_at_1280(page, base: str) -> None:
    _open(page, base, "")
    page.locator("[data-testid='stMetric']").nth(4).wait_for(timeout=30_000)
    labels = page.locator("[data-testid='stMetricLabel']")
    assert labels.count() == 5
    cut = page.evaluate(CUT, "[data-testid='stMetricLabel'], [data-testid='stMetricLabel'] *")
    assert cut == []
    assert "Children: midway check late" in page.locator("[data-testid='stMetric']").nth(2).inner_text()
    assert page.get_by_text("Midway — midway checks and drift between looked-after children's reviews").count() >= 1


@pytest.mark.parametrize("period", ["week", "month"])
def test_heatmap_tick_labels_do_not_overlap_at_1280(page, base: str, period: str) -> None:
    _open(page, base, "heatmap", f"&hm_period={period}", charts=1)
    got = page.evaluate(OVERLAPS, ".midway-chart .xtick text")
    assert got["n"] >= 12 and got["bad"] == [], got
    legend = page.locator(".midway-chart .legendtext").all_text_contents()
    assert any("none overdue" in t for t in legend), legend  # grey has its own legend entry


def test_every_reports_tab_label_shows_whole_at_1280(page, base: str) -> None:
    """The Reports page's six tab labels fit on one line: no label behind the tab bar's scroll arrow."""
    from ui.report_view import TABS

    _open(page, base, "reports", charts=1)
    tabs = page.get_by_role("tab")
    assert tabs.all_inner_texts() == list(TABS)
    bar = page.locator("[role='tablist']").first
    assert bar.evaluate("(e) => e.scrollWidth <= e.clientWidth + 1"), bar.evaluate(
        "(e) => [e.scrollWidth, e.clientWidth]"
    )
    right = bar.bounding_box()["x"] + bar.bounding_box()["width"]
    assert all(t.bounding_box()["x"] + t.bounding_box()["width"] <= right + 1 for t in tabs.all())


def test_timeline_marker_counts_do_not_overlap_at_1280(page, base: str) -> None:
    """A long case's merged recommendation markers: their counts ("×12") are each readable."""
    _open(page, base, "timeline", "&child=C00001", charts=1)
    got = page.evaluate(OVERLAPS, ".midway-chart .scatterlayer .textpoint text")
    assert got["n"] >= 5 and got["bad"] == [], got


def _label_inside_the_chart(page, text: str) -> None:
    chart = page.locator(".midway-chart").first.bounding_box()
    label = page.locator(".midway-chart .annotation-text", has_text=text).first.bounding_box()
    assert chart and label
    assert chart["x"] <= label["x"] and label["x"] + label["width"] <= chart["x"] + chart["width"]
    assert chart["y"] <= label["y"] and label["y"] + label["height"] <= chart["y"] + chart["height"]


def test_timeline_as_of_label_is_inside_the_chart(page, base: str) -> None:
    _open(page, base, "timeline", "&child=C00001", charts=1)
    _label_inside_the_chart(page, "as of")


def test_caseload_band_label_is_inside_the_chart(page, base: str) -> None:
    """The IRO Handbook band's label in the half-width caseload chart (it was cut: "range 50-7")."""
    _open(page, base, "caseloads", charts=1)
    _label_inside_the_chart(page, "IRO Handbook range 50-70")


def test_presentation_mode_hides_the_sidebar_and_states_the_view(page, base: str) -> None:
    _open(page, base, "", "&present=1")
    statement = page.locator("[data-testid='stMarkdownContainer']", has_text="Showing:").first
    statement.wait_for(timeout=30_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    # The presentation style is a style-only st.html, which Streamlit sends to its event container:
    # under load it lands up to half a second after the page's elements and after the script state
    # reads notRunning, so a one-off is_visible() there saw the sidebar before the style hid it.
    sidebar.wait_for(state="hidden", timeout=30_000)
    shown = statement.inner_text()
    assert "as of 23 Nov 2026" in shown and "midway policy" in shown
    page.get_by_role("button", name="Leave presentation mode").click()
    _wait_for_app(page)
    sidebar.wait_for(state="visible", timeout=30_000)  # the rerun may not have started when the wait returned
    page.get_by_role("button", name="Leave presentation mode").wait_for(state="detached", timeout=30_000)


def test_a_refused_midway_check_shows_the_error_summary_focused(page, base: str) -> None:
    _open(page, base, "midway-check", "&child=C00001")
    form = page.locator("[data-testid='stForm']").first
    typed = "Projector test: a note that must survive the refusal"
    notes = form.locator("textarea").first
    notes.fill(typed)
    page.get_by_role("button", name="Save check").click()
    _wait_for_app(page)
    summary = page.locator("[class*='st-key-error_summary_']").first
    summary.wait_for(timeout=30_000)
    page.wait_for_timeout(400)
    assert "There is a problem" in summary.inner_text()
    box = summary.bounding_box()
    assert box is not None and -2 <= box["y"] < 720, box  # in the viewport, not 3,000 px below
    focused = page.evaluate("() => !!document.activeElement.closest('[class*=\"st-key-error_summary_\"]')")
    assert focused
    links = summary.locator("a")
    assert links.count() >= 1
    links.first.click()
    page.wait_for_timeout(300)
    tag = page.evaluate("() => [document.activeElement.tagName, document.activeElement.getAttribute('role')]")
    assert tag[0] in ("INPUT", "TEXTAREA") or tag[1] in ("combobox", "radio", "spinbutton"), tag
    assert form.locator("textarea").first.input_value() == typed
