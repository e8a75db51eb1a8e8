"""AppTest of the Reports page over the demo caseload (a temp SQLite file): it renders without an
exception, its headline numbers are services.views.reports' numbers for the default period (the 12
months to the as-of date), a team filter changes them the same way, a figure the demo cannot
support says so, and the printable page shows the supervision pack alone."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from services.demo.generate import KNOWN_ANCHOR
from services.engine.compute import compute
from services.persistence import database as db
from services.persistence.caseload import load_caseload
from services.persistence.report_facts import checklist_answers
from services.views.dashboard import staff_fte
from services.views.reports import Period, ReportInput, Selection, report_figures
from ui.report_view import TAB_KEY, TABS

APP = "../app.py"
AS_OF = KNOWN_ANCHOR


@pytest.fixture(scope="module")
def report_input(demo_url: str) -> ReportInput:
    eng = db.make_engine(demo_url)
    cl = load_caseload(eng)
    inp = ReportInput(compute(cl, AS_OF), cl, checklist_answers(eng), staff_fte(eng))
    eng.dispose()
    return inp


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["act_as"] = "SM01"  # reports are a service manager's
    at.query_params["as_of"] = AS_OF.isoformat()
    at.run()
    at.switch_page("app_pages/reports.py").run()
    return at


def _pc(v: float | None) -> str:
    return "–" if v is None else f"{v:g}%"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_reports_page_shows_the_services_numbers(demo_db: str, report_input: ReportInput) -> None:
    at = _app()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    figs = report_figures(report_input, Period.twelve_months_to(AS_OF), Selection())
    got = _metrics(at)
    assert got["Reviews in timescale"] == _pc(
        figs["reviews_in_timescale"].summary["by_type"]["All reviews"]["In timescale (%)"]
    )
    assert got["Midway checks done on time"] == _pc(figs["midway_by_month"].summary["Done on time (%)"])
    assert got["Recommendations done by target"] == _pc(figs["recommendations"].summary["Done by target date (%)"])
    assert got["Escalations raised"] == f"{figs['escalations'].summary['Raised']:,}"
    # the figures are in lazy tabs: the first opens with the page, and only the open tab is drawn
    assert [t.label for t in at.tabs] == list(TABS)
    shown = {}
    for tab in TABS:
        at.query_params[TAB_KEY] = tab  # what a click on the tab, or a link to it, does
        at.run()
        assert not at.exception, (tab, [e.value for e in at.exception])
        shown[tab] = [s.value for s in at.main.header]
    assert shown["Reviews"] == [figs["reviews_in_timescale"].title]  # the opening tab: one chart, drawn fast
    assert shown["Midway checks"] == [figs[k].title for k in ("midway_by_month", "midway_by_team", "midway_by_iro")]
    titles = [t for tab in TABS for t in shown[tab]]
    for fig in figs.values():
        assert titles.count(fig.title) == 1, fig.title  # each figure in one tab, once
    assert shown["Supervision pack"] == ["Supervision pack"]
    assert shown["Drift report"] == ["Schedule and drift report", "What the data can tell, check by check"]
    at.query_params[TAB_KEY] = "Participation, checklist, caseloads"
    at.run()
    # the demo's midway checks carry no checklist answers: the figure says so, it does not show zeros
    assert not figs["checklist_by_team"].supported
    assert any("cannot support" in i.value and "checklist answers" in i.value for i in at.info)
    # the period picker defaults to the 12 months to the as-of date
    assert at.date_input(key=f"report_from_{AS_OF}").value == Period.twelve_months_to(AS_OF).start


def test_team_filter_and_period_change_the_numbers(demo_db: str, report_input: ReportInput) -> None:
    at = _app()
    team = sorted(report_input.result.children["team"].drop_nulls().unique())[0]
    at.selectbox(key="team").select(team).run()
    want = report_figures(report_input, Period.twelve_months_to(AS_OF), Selection(team=team))
    assert _metrics(at)["Midway checks done on time"] == _pc(want["midway_by_month"].summary["Done on time (%)"])
    assert _metrics(at)["Escalations raised"] == (
        f"{want['escalations'].summary['Raised']:,}" if want["escalations"].supported else "None / not supported"
    )
    short = Period(AS_OF.replace(day=1), AS_OF)
    at.date_input(key=f"report_from_{AS_OF}").set_value(short.start).run()
    want = report_figures(report_input, short, Selection(team=team))
    assert _metrics(at)["Midway checks done on time"] == (
        _pc(want["midway_by_month"].summary["Done on time (%)"])
        if want["midway_by_month"].supported
        else "Not supported"
    )
    assert not at.exception


def test_printable_page_is_the_supervision_pack(demo_db: str, report_input: ReportInput) -> None:
    at = _app()
    at.toggle(key="report_printable").set_value(True).run()
    assert not at.exception
    titles = [s.value for s in at.main.header]
    assert titles == ["Supervision pack"]
    iro = at.selectbox(key="pack_IRO").value
    assert iro in report_input.result.children["iro"].to_list()
    assert any(f"Supervision pack: {iro}" in t.value for t in at.text)
    at.radio(key="pack_kind").set_value("Team").run()
    assert at.selectbox(key="pack_Team").value in report_input.result.children["team"].to_list()
    assert not at.exception
