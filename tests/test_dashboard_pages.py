"""AppTest of the Dashboard pages over the demo caseload (a temp SQLite file): each renders without an
exception, the filters change the numbers (and match services.views.dashboard's), the keyboard path of a
heatmap selection lists that cell's children, the known demo child's timeline shows its known
reviews, and an empty database or an unknown child id says what to do instead of a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from services.demo.generate import KNOWN_ANCHOR, KNOWN_CHILD_ID, KNOWN_CHILD_REVIEWS
from services.engine.compute import compute
from services.persistence import database as db
from services.persistence.caseload import load_caseload
from services.views import dashboard
from tests.demo_pages import as_shown, fresh_caches

APP = "../app.py"
AS_OF = KNOWN_ANCHOR
PAGES = (
    "app_pages/overview.py",
    "app_pages/heatmap.py",
    "app_pages/timeline.py",
    "app_pages/caseloads.py",
    "app_pages/reports.py",
)


@pytest.fixture(scope="module")
def demo_result(demo_url: str):
    eng = db.make_engine(demo_url)
    caseload = load_caseload(eng)
    eng.dispose()
    return caseload, compute(caseload, AS_OF)


def _app(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["act_as"] = "SM01"  # a service manager sees every child and every dashboard
    at.query_params["as_of"] = AS_OF.isoformat()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page != "app_pages/overview.py":
        at.switch_page(page).run()
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(demo_db: str, page: str) -> None:
    at = _app(page, child=KNOWN_CHILD_ID)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value
    assert at.date_input(key="as_of").value == AS_OF  # the URL's as_of reached the filter


def test_overview_cards_match_the_services_and_filters_change_them(demo_db: str, demo_result) -> None:
    caseload, result = demo_result
    at = _app("app_pages/overview.py")
    want = dashboard.card_counts(result, caseload.escalations)
    got = _metrics(at)
    assert got["Children looked after"] == f"{want['children']:,}"
    assert got["Children: review overdue"] == str(want["reviews_overdue"])
    assert got["Children: midway check late"] == str(want["midway_overdue_missed"])
    assert got["Open escalations"] == str(want["open_escalations"])

    team = sorted(result.children["team"].drop_nulls().unique())[0]
    at.selectbox(key="team").select(team).run()
    want_team = dashboard.card_counts(dashboard.filter_result(result, team=team), caseload.escalations)
    got_team = _metrics(at)
    assert got_team["Children looked after"] == f"{want_team['children']:,}"
    assert want_team["children"] < want["children"]
    assert got_team["Children: review overdue"] == str(want_team["reviews_overdue"])
    assert not at.exception


def test_filter_in_the_url_opens_the_same_view(demo_db: str, demo_result) -> None:
    _, result = demo_result
    iro = sorted(result.children["iro"].drop_nulls().unique())[0]
    at = _app("app_pages/overview.py", iro=iro)
    assert at.selectbox(key="iro").value == iro
    n = dashboard.filter_result(result, iro=iro).children.height
    assert _metrics(at)["Children looked after"] == f"{n:,}"


def test_as_of_changes_the_numbers(demo_db: str, demo_url: str) -> None:
    at = _app("app_pages/overview.py")
    before = _metrics(at)
    earlier = AS_OF - dt.timedelta(days=182)
    at.date_input(key="as_of").set_value(earlier).run()
    eng = db.make_engine(demo_url)
    caseload = load_caseload(eng)
    eng.dispose()
    then = compute(caseload, earlier)
    assert _metrics(at)["Children looked after"] == f"{then.children.height:,}"
    assert _metrics(at) != before


def test_heatmap_keyboard_selection_lists_that_cells_children(demo_db: str, demo_result) -> None:
    _, result = demo_result
    cells = dashboard.heatmap_cells(result, "team", "week", 12)
    hot = cells.filter(pl.col("count") > 0).sort("count", "row", descending=[True, False]).row(0, named=True)
    want = dashboard.cell_children(result, "team", "week", hot["row"], hot["bucket"], 12)["child_id"].to_list()
    assert want, "the demo has overdue midway checks"

    at = _app("app_pages/heatmap.py")
    assert not at.exception
    at.selectbox(key="hm_row").select(hot["row"])
    at.selectbox(key="hm_col").select(hot["label"]).run()
    assert not at.exception
    assert any(f"{hot['count']} overdue or missed" in m.value for m in at.markdown)
    shown = next(df.value for df in at.dataframe if "timeline" in df.value.columns)
    links = list(shown["timeline"])
    assert [link.split("child=")[1].split("&")[0] for link in links] == want


def test_heatmap_by_iro_and_months(demo_db: str, demo_result) -> None:
    _, result = demo_result
    at = _app("app_pages/heatmap.py")
    at.radio(key="hm_by").set_value("iro")
    at.radio(key="hm_period").set_value("month").run()
    assert not at.exception
    iros = set(result.children["iro"].drop_nulls())
    assert set(at.selectbox(key="hm_row").options) >= iros
    assert len(at.selectbox(key="hm_col").options) == 12


def test_timeline_of_the_known_child_shows_its_known_reviews(demo_db: str) -> None:
    at = _app("app_pages/timeline.py", child=KNOWN_CHILD_ID)
    assert not at.exception and not at.error
    assert at.selectbox(key="timeline_child").value == KNOWN_CHILD_ID
    table = at.dataframe[0].value
    held = table[(table["lane"] == "Reviews") & (table["status"].isin(["on time", "late"]))]
    dates = sorted(d.date() if hasattr(d, "date") else d for d in held["start"])
    assert tuple(dates) == tuple(d for d in KNOWN_CHILD_REVIEWS if d <= AS_OF)
    assert any(b.label == "Record a midway check" for b in at.button)


def test_unknown_child_in_the_url_says_so(demo_db: str) -> None:
    at = _app("app_pages/timeline.py", child="NO-SUCH-CHILD")
    assert not at.exception
    assert any("The child in the link is not one you can see" in as_shown(e.value) for e in at.error)
    assert "NO-SUCH-CHILD" not in [e.value for e in at.error][0]  # the link's text is not echoed


def test_caseloads_work_list_and_download(demo_db: str, demo_result) -> None:
    caseload, result = demo_result
    at = _app("app_pages/caseloads.py")
    assert not at.exception
    want = dashboard.work_list(result, caseload, result.policy)
    tables = [df.value for df in at.dataframe]
    assert len(tables[1]) == want.height  # the work list, all kinds shown
    assert len(at.get("download_button")) == 1
    iro_table = tables[0]
    assert int(iro_table["children"].sum()) == result.children.height


def test_reports_table_is_the_engine_report(demo_db: str, demo_result) -> None:
    _, result = demo_result
    at = _app("app_pages/reports.py", report_tab="Drift report")
    assert not at.exception
    # the schedule and drift report is the one table of every child
    report = next(d.value for d in at.dataframe if list(d.value.columns)[:1] == ["child_id"])
    assert len(report) == result.children.height
    assert list(report.columns)[:3] == ["child_id", "period_start", "reviews_in_period"]


def test_empty_database_shows_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    fresh_caches()
    try:
        for page in PAGES:
            at = _app(page)
            assert not at.exception, (page, [e.value for e in at.exception])
            assert any(b.label == "Load demo caseload" for b in at.button), page
        at = _app("app_pages/overview.py")
        next(b for b in at.button if b.label == "Load demo caseload").click().run(timeout=120)
        assert not at.exception
        at.sidebar.selectbox(key="act_as").select("SM01").run()  # the demo's staff are there to act as now
        assert int(_metrics(at)["Children looked after"].replace(",", "")) > 0
    finally:
        fresh_caches()


def test_filters_carry_across_pages_and_into_the_url(demo_db: str, demo_result) -> None:
    _, result = demo_result
    team = sorted(result.children["team"].drop_nulls().unique())[-1]
    at = _app("app_pages/overview.py")
    at.selectbox(key="team").select(team).run()
    assert at.query_params["team"] == [team] or at.query_params["team"] == team
    at.switch_page("app_pages/heatmap.py").run()
    assert not at.exception
    assert at.selectbox(key="team").value == team
    assert at.date_input(key="as_of").value == AS_OF
    rows = set(at.selectbox(key="hm_row").options)
    assert rows == {team}  # the heatmap is filtered to that team


def test_timeline_button_opens_the_midway_check_form_for_that_child(demo_db: str) -> None:
    at = _app("app_pages/timeline.py", child=KNOWN_CHILD_ID)
    next(b for b in at.button if b.label == "Record a midway check").click().run()
    assert not at.exception
    assert at.title[0].value == "Midway check"
    assert at.query_params["child"] in ([KNOWN_CHILD_ID], KNOWN_CHILD_ID)


def test_overview_sends_the_flagged_children_table_only_once_opened(demo_db: str, demo_result) -> None:
    """The table of every flagged child is a lazy expander: the Overview opens without it (hundreds
    of rows it would send and draw for nobody), and opening it lists every flagged child with a link
    to their timeline."""
    _, result = demo_result
    at = _app("app_pages/overview.py")
    assert [e.label for e in at.expander if e.label.endswith("children with flags")]
    assert not [d for d in at.dataframe if "timeline" in d.value.columns]
    at.session_state["overview_all_flagged"] = True  # what a click on the expander does
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "timeline" in d.value.columns)
    flagged = result.flags.select("child_id").unique().height
    assert len(table) == flagged
    assert table["timeline"].str.startswith("timeline?child=").all()
