"""services.views.reports on a small hand-made caseload (the real engine over it), every figure's
numbers worked by hand below; the workbook read back and the supervision pack's PDF text hold them.

The caseload (period 1 Dec 2025 - 30 Nov 2026, as of Mon 30 Nov 2026, default midway policy:
halfway from the 2nd review on):

CA: in care from Mon 3 Nov 2025; team North, IRO Iro One throughout.
    review 1 Mon 1 Dec 2025: due 1 Dec (20 working days after 3 Nov)      first, on time
    review 2 Tue 10 Mar 2026: due 1 Mar (1 Dec + 3 months)                second, late
      midway due 10 Jun (halfway to 10 Sep: 184 days // 2 = 92); check Fri 5 Jun: done on time
    review 3 Tue 1 Sep 2026: due 10 Sep                                   subsequent, on time
      midway due Mon 30 Nov (halfway to 1 Mar 2027: 181 // 2 = 90) = as of: not yet due
CB: in care from Mon 2 Jun 2025; team North; Iro Two to 31 May 2026, then Iro One.
    reviews 30 Jun 2025 and 30 Sep 2025 (before the period)
      midway due 29 Dec 2025 (halfway to 30 Mar: 181 // 2 = 90); check 20 Jan 2026: done late
    review 3 Wed 15 Apr 2026: due 30 Mar                                  subsequent, late
      midway due 15 Jul (183 // 2 = 91 after 15 Apr)
    review 4 Fri 10 Jul 2026 (before that due date, so it is superseded): due 15 Oct, on time
      midway due 10 Oct (184 // 2 = 92), no check, no review since: overdue
CC: in care from Mon 1 Sep 2025; team South, IRO Iro Two throughout.
    review 1 29 Sep 2025 (before the period)
    review 2 Mon 15 Dec 2025: due 29 Dec                                  second, on time
      midway due 16 Mar 2026 (182 // 2 = 91); no check before review 3: missed
    review 3 Wed 10 Jun 2026: due 15 Jun                                  subsequent, on time
      midway due 9 Sep (183 // 2 = 91); check 1 Sep: done on time
CD: in care 6 Jan 2025 - 15 Feb 2026, team South, IRO Iro Two; no reviews (caseloads only).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import polars as pl
import pytest
from pypdf import PdfReader

from services.engine.compute import compute
from services.engine.policy import Policy
from services.persistence import models as m
from services.persistence.caseload import load_caseload
from services.persistence.report_facts import checklist_answers
from services.persistence.unit_of_work import unit_of_work
from services.views.export import safe_cells, to_csv
from services.views.reports import SHEETS, Period, ReportInput, Selection, report_figures, report_workbook
from services.views.reports.common import add_months, holders
from services.views.reports.pack import build_pack, pack_pdf
from tests.caseload_builder import caseload

D = dt.date
AS_OF = D(2026, 11, 30)
PERIOD = Period.twelve_months_to(AS_OF)
POLICY = Policy().with_(iro_caseload_min=2, iro_caseload_max=3)
# when escalations 1 and 2 entered their first formal stage (the national total counts from there)
FORMAL_STARTED = {1: D(2026, 2, 16), 2: D(2026, 4, 8)}


def _alloc(child: str, role: str, name: str, frm: dt.date, to: dt.date | None = None, code: str | None = None) -> dict:
    return {"child_id": child, "role": role, "name": name, "staff_code": code, "from_date": frm, "to_date": to}


def _caseload():
    reviews = [
        (1, "CA", D(2025, 12, 1), "PN1"), (2, "CA", D(2026, 3, 10), "PN1"), (3, "CA", D(2026, 9, 1), "PN7"),
        (4, "CB", D(2025, 6, 30), "PN1"), (5, "CB", D(2025, 9, 30), "PN1"), (6, "CB", D(2026, 4, 15), "PN0"),
        (7, "CB", D(2026, 7, 10), None),
        (8, "CC", D(2025, 9, 29), "PN1"), (9, "CC", D(2025, 12, 15), "PN5"), (10, "CC", D(2026, 6, 10), "PN1"),
    ]  # fmt: skip
    recs = [
        (1, 1, D(2026, 1, 15), D(2026, 1, 10)),  # met
        (2, 1, D(2026, 1, 15), D(2026, 1, 22)),  # late: 5 working days
        (3, 6, D(2026, 5, 1), D(2026, 5, 13)),  # late: 7 working days (Mon 4 May a bank holiday)
        (4, 10, D(2026, 11, 2), None),  # overdue: 20 working days on 30 Nov
        (5, 3, D(2026, 12, 15), None),  # not yet due
        (6, 5, D(2025, 11, 1), None),  # review before the period: not counted
        (7, 3, None, None),  # no target date
    ]
    child_of = {rid: cid for rid, cid, _, _ in reviews}
    escalations = [
        # id, child, raised, stage, resolved, outcome, category
        (1, "CA", D(2026, 2, 2), 1, D(2026, 3, 2), "resolved", "plan_delay"),
        (2, "CC", D(2026, 4, 1), 2, D(2026, 5, 20), "referred_to_cafcass", "statutory_functions"),
        (3, "CB", D(2026, 10, 5), 0, None, None, "plan_delay"),
        (4, "CB", D(2025, 10, 1), 0, None, None, "plan_delay"),  # before the period
        (5, "CA", D(2026, 6, 15), 0, D(2026, 6, 17), "withdrawn", "care_arrangements"),
    ]
    return caseload(
        children=[{"child_id": c, "display_name": f"Child {c}"} for c in ("CA", "CB", "CC", "CD")],
        periods=[
            {"child_id": "CA", "start_date": D(2025, 11, 3)},
            {"child_id": "CB", "start_date": D(2025, 6, 2)},
            {"child_id": "CC", "start_date": D(2025, 9, 1)},
            {"child_id": "CD", "start_date": D(2025, 1, 6), "end_date": D(2026, 2, 15)},
        ],
        reviews=[{"review_id": r, "child_id": c, "held_date": d, "participation_code": p} for r, c, d, p in reviews],
        recommendations=[
            {
                "child_id": child_of[rv],
                "review_id": rv,
                "rec_id": i,
                "text": f"rec {i}",
                "target_date": t,
                "completed_date": done,
            }
            for i, rv, t, done in recs
        ],
        midway_checks=[
            {"child_id": "CA", "check_id": 1, "check_date": D(2026, 6, 5)},
            {"child_id": "CB", "check_id": 2, "check_date": D(2026, 1, 20)},
            {"child_id": "CC", "check_id": 3, "check_date": D(2026, 9, 1)},
        ],
        allocations=[
            _alloc("CA", "team", "North", D(2025, 11, 3)),
            _alloc("CA", "iro", "Iro One", D(2025, 11, 3), code="I1"),
            _alloc("CB", "team", "North", D(2025, 6, 2)),
            _alloc("CB", "iro", "Iro Two", D(2025, 6, 2), D(2026, 5, 31), code="I2"),
            _alloc("CB", "iro", "Iro One", D(2026, 6, 1), code="I1"),
            _alloc("CC", "team", "South", D(2025, 9, 1)),
            _alloc("CC", "iro", "Iro Two", D(2025, 9, 1), code="I2"),
            _alloc("CD", "team", "South", D(2025, 1, 6), D(2026, 2, 15)),
            _alloc("CD", "iro", "Iro Two", D(2025, 1, 6), D(2026, 2, 15), code="I2"),
        ],
        escalations=[
            {
                "escalation_id": i,
                "child_id": c,
                "raised_date": r,
                "stage": s,
                "stage_started": r,
                "stage_name": POLICY.escalation_stage_names[s],
                "resolved_date": res,
                "outcome": o,
                "category": cat,
                "formal_started": FORMAL_STARTED.get(i),
            }
            for i, c, r, s, res, o, cat in escalations
        ],
    )


ANSWERS = pl.DataFrame(
    [
        (1, "CA", D(2026, 6, 5), "permanence", "No"),
        (1, "CA", D(2026, 6, 5), "care_plan_updated", "Yes"),
        (1, "CA", D(2026, 6, 5), "drift", "Yes"),  # the drift question's gap is "Yes"
        (2, "CB", D(2026, 1, 20), "permanence", "No"),
        (2, "CB", D(2026, 1, 20), "care_plan_updated", "No"),
        (2, "CB", D(2026, 1, 20), "drift", "No"),
        (3, "CC", D(2026, 9, 1), "permanence", "Yes"),
        (3, "CC", D(2026, 9, 1), "care_plan_updated", "No"),
    ],
    schema={"check_id": pl.Int64, "child_id": pl.String, "check_date": pl.Date, "item": pl.String, "answer": pl.String},
    orient="row",
)
FTE = pl.DataFrame({"iro_code": ["I1"], "fte": [0.5]})


@pytest.fixture(scope="module")
def inp() -> ReportInput:
    cl = _caseload()
    return ReportInput(compute(cl, AS_OF, POLICY), cl, ANSWERS, FTE)


@pytest.fixture(scope="module")
def figs(inp: ReportInput) -> dict:
    return report_figures(inp, PERIOD, Selection())


def _row(frame: pl.DataFrame, **where: object) -> dict:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()]).to_dicts()
    assert len(rows) == 1, (where, rows)
    return rows[0]


def test_period_is_the_twelve_months_to_as_of() -> None:
    assert (PERIOD.start, PERIOD.end) == (D(2025, 12, 1), D(2026, 11, 30))
    assert len(PERIOD.months()) == 12
    assert PERIOD.month_ends()[:3] == [D(2025, 12, 31), D(2026, 1, 31), D(2026, 2, 28)]
    assert add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert Period.twelve_months_to(D(2026, 12, 1)).start == D(2025, 12, 2)


def test_holders_are_who_held_the_child_on_the_day(inp: ReportInput) -> None:
    days = pl.DataFrame({"child_id": ["CB", "CB", "CB"], "day": [D(2026, 5, 31), D(2026, 6, 1), D(2025, 1, 1)]})
    got = holders(days, "day", inp.caseload.allocations).sort("day")
    assert got["IRO"].to_list() == ["No IRO allocated", "Iro Two", "Iro One"]
    assert got["Team"].to_list() == ["No team recorded", "North", "North"]


def test_reviews_in_timescale_by_type_and_month(figs: dict) -> None:
    fig = figs["reviews_in_timescale"]
    assert fig.supported
    by = fig.summary["by_type"]
    # first: CA 1 Dec on time; second: CA late, CC on time; subsequent: CA Sep, CB Jul, CC Jun on time, CB Apr late
    assert (by["First (20 working days)"]["Held"], by["First (20 working days)"]["In timescale (%)"]) == (1, 100.0)
    assert (by["Second (3 months)"]["Held"], by["Second (3 months)"]["In timescale (%)"]) == (2, 50.0)
    assert (by["Subsequent (6 months)"]["Held"], by["Subsequent (6 months)"]["In timescale (%)"]) == (4, 75.0)
    assert (by["All reviews"]["Held"], by["All reviews"]["In timescale"], by["All reviews"]["Late"]) == (7, 5, 2)
    assert by["All reviews"]["In timescale (%)"] == 71.4
    data = fig.data
    assert data.height == 12 * 4  # every month, every type: a month without reviews is a row of zeros
    assert _row(data, Month=D(2025, 12, 1), Review="All reviews")["Held"] == 2
    assert _row(data, Month=D(2026, 3, 1), Review="Second (3 months)")["In timescale (%)"] == 0.0
    assert _row(data, Month=D(2026, 2, 1), Review="All reviews")["In timescale (%)"] is None


def test_reviews_for_one_iro_count_who_held_the_child_then(inp: ReportInput) -> None:
    # Iro One: CA's three reviews and CB's July review (CB was Iro Two's in April)
    fig = report_figures(inp, PERIOD, Selection(iro="Iro One"))["reviews_in_timescale"]
    assert fig.summary["by_type"]["All reviews"]["Held"] == 4
    assert fig.summary["by_type"]["All reviews"]["In timescale (%)"] == 75.0


def test_midway_checks_by_month_team_and_iro(figs: dict) -> None:
    s = figs["midway_by_month"].summary
    assert (s["Due"], s["Done on time"], s["Done late"], s["Missed"], s["Superseded"], s["Overdue"]) == (
        7,
        2,
        1,
        1,
        1,
        1,
    )
    assert s["Not yet due"] == 1
    assert (s["Done on time (%)"], s["Missed (%)"]) == (28.6, 14.3)
    month = figs["midway_by_month"].data
    assert _row(month, Month=D(2025, 12, 1))["Done late"] == 1
    assert _row(month, Month=D(2026, 3, 1))["Missed"] == 1
    assert _row(month, Month=D(2026, 7, 1))["Superseded"] == 1
    assert _row(month, Month=D(2026, 11, 1))["Not yet due"] == 1
    assert _row(month, Month=D(2026, 2, 1))["Due"] == 0
    team = figs["midway_by_team"].data
    north, south = _row(team, Team="North"), _row(team, Team="South")
    assert (north["Due"], north["Done on time"], north["Done late"], north["Superseded"], north["Overdue"]) == (
        5,
        1,
        1,
        1,
        1,
    )
    assert (south["Due"], south["Missed"], south["Done on time"], south["Done on time (%)"]) == (2, 1, 1, 50.0)
    iro = figs["midway_by_iro"].data
    one, two = _row(iro, IRO="Iro One"), _row(iro, IRO="Iro Two")
    # CB's checks due 15 Jul and 10 Oct fell to Iro One, its December one to Iro Two
    assert (one["Due"], one["Done on time"], one["Superseded"], one["Overdue"], one["Not yet due"]) == (4, 1, 1, 1, 1)
    assert (two["Due"], two["Done late"], two["Missed"], two["Done on time"]) == (3, 1, 1, 1)
    assert iro["IRO"].to_list() == ["Iro One", "Iro Two"]  # most due first


def test_recommendations(figs: dict) -> None:
    fig = figs["recommendations"]
    s = fig.summary
    assert (s["Made"], s["Done by target date"], s["Done late"], s["Overdue"], s["Not yet due"]) == (6, 1, 2, 1, 1)
    assert s["No target date"] == 1
    assert s["Done by target date (%)"] == 20.0  # 1 of the 5 with a target date
    assert s["Median working days late (done late)"] == 6.0  # median of 5 and 7
    assert s["Median working days overdue"] == 20.0
    dec = _row(fig.data, Month=D(2025, 12, 1))
    assert (dec["Made"], dec["Done by target date"], dec["Done late"], dec["Done by target date (%)"]) == (
        2,
        1,
        1,
        50.0,
    )
    assert _row(fig.data, Month=D(2026, 9, 1))["Made"] == 2


def test_escalations(figs: dict) -> None:
    fig = figs["escalations"]
    s = fig.summary
    # E1 raised 2 Feb closed 2 Mar: 20 working days, 10 in the formal process (from 16 Feb): within;
    # E2 raised 1 Apr closed 20 May: 32 working days (Good Friday, Easter and early May holidays
    # out), 29 from its formal start on 8 Apr: not within; E5 withdrawn after 2; E3 open
    assert (s["Raised"], s["Closed"], s["Open"], s["Median working days to resolution"]) == (4, 3, 1, 20.0)
    assert (s["Closed after a formal stage"], s["Within 20 working days (%)"]) == (2, 50.0)
    north = _row(fig.data, Team="North")
    assert (north["Raised"], north["Open"], north["Median working days to resolution"]) == (3, 1, 11.0)
    assert north["Within 20 working days (%)"] == 100.0
    assert _row(fig.data, Team="South")["Within 20 working days (%)"] == 0.0
    b = figs["escalations_breakdown"].data
    assert _row(b, Breakdown="Category", Value="Delay in care or permanence plan progress")["Escalations"] == 2
    assert _row(b, Breakdown="Stage reached", Value="Informal (Team Manager)")["Escalations"] == 2
    assert _row(b, Breakdown="Stage reached", Value="Formal: Area Manager")["Escalations"] == 1
    assert _row(b, Breakdown="Outcome", Value="Open")["Escalations"] == 1
    assert _row(b, Breakdown="Outcome", Value="Referred to CAFCASS")["Share (%)"] == 25.0


def test_escalations_without_the_stage_history_count_from_raised(inp: ReportInput) -> None:
    # E1: 20 working days from raised (within, just), E2: 32 (not)
    cl = inp.caseload
    cl = dataclasses.replace(cl, escalations=cl.escalations.with_columns(pl.lit(None, pl.Date).alias("formal_started")))
    no_history = ReportInput(inp.result, cl, ANSWERS, FTE)
    s = report_figures(no_history, PERIOD, Selection())["escalations"].summary
    assert (s["Closed after a formal stage"], s["Within 20 working days (%)"]) == (2, 50.0)


def test_participation(figs: dict) -> None:
    fig = figs["participation"]
    assert fig.summary["reviews"] == 7
    data = fig.data
    assert _row(data, Participation="PN1: attends and speaks for themselves")["Reviews"] == 3
    assert _row(data, Participation="PN1: attends and speaks for themselves")["Share (%)"] == 42.9
    assert _row(data, Participation="PN7: does not attend, views not conveyed")["Reviews"] == 1
    assert _row(data, Participation="Not recorded")["Reviews"] == 1
    assert _row(data, Participation="PN3: attends, conveys views symbolically")["Reviews"] == 0
    assert data.height == 9 and data["Reviews"].sum() == 7


def test_checklist_gaps_by_team_and_month(figs: dict) -> None:
    team = figs["checklist_by_team"].data
    assert _row(team, Team="North", Question="Permanence plan in place")["Gaps (%)"] == 100.0
    cp = _row(team, Team="North", Question="Care plan updated with the review's recommendations")
    assert (cp["Answered"], cp["Gaps"], cp["Gaps (%)"]) == (2, 1, 50.0)
    assert _row(team, Team="North", Question="No drift or delay needing escalation")["Gaps"] == 1
    assert _row(team, Team="South", Question="Permanence plan in place")["Gaps (%)"] == 0.0
    month = figs["checklist_by_month"].data
    assert _row(month, Month=D(2026, 1, 1), Question="Permanence plan in place")["Gaps"] == 1
    assert _row(month, Month=D(2026, 2, 1), Question="Permanence plan in place")["Gaps (%)"] is None


def test_caseloads_over_time(figs: dict) -> None:
    fig = figs["caseloads"]
    data = fig.data
    dec_one, dec_two = (
        _row(data, **{"Month end": D(2025, 12, 31), "IRO": "Iro One"}),
        _row(data, **{"Month end": D(2025, 12, 31), "IRO": "Iro Two"}),
    )
    assert (dec_one["Children"], dec_one["FTE"], dec_one["Per FTE"], dec_one["Against range"]) == (
        1,
        0.5,
        2.0,
        "Within range",
    )
    assert (dec_two["Children"], dec_two["Against range"]) == (3, "Within range")  # CB, CC and CD
    assert _row(data, **{"Month end": D(2026, 2, 28), "IRO": "Iro Two"})["Children"] == 2  # CD left on 15 Feb
    assert _row(data, **{"Month end": D(2026, 5, 31), "IRO": "Iro Two"})["Children"] == 2  # CB's until 31 May
    jun = _row(data, **{"Month end": D(2026, 6, 30), "IRO": "Iro One"})
    assert (jun["Children"], jun["Per FTE"], jun["Against range"]) == (2, 4.0, "Above range")
    assert _row(data, **{"Month end": D(2026, 6, 30), "IRO": "Iro Two"})["Against range"] == "Below range"
    assert fig.summary["Above range"] == 1 and fig.summary["Below range"] == 1
    assert data.height == 24


def test_team_selection_counts_that_teams_children(inp: ReportInput) -> None:
    figs = report_figures(inp, PERIOD, Selection(team="South"))
    assert _row(figs["caseloads"].data, **{"Month end": D(2025, 12, 31), "IRO": "Iro Two"})["Children"] == 2
    assert figs["midway_by_month"].summary["Due"] == 2
    assert figs["escalations"].summary["Raised"] == 1


def test_what_the_data_cannot_support_says_so(inp: ReportInput) -> None:
    bare = caseload(
        unsupported=frozenset({"recommendations", "escalations", "allocations"}),
        periods=[{"child_id": "X", "start_date": None, "observed_from": D(2026, 1, 5)}],
        reviews=[{"child_id": "X", "held_date": D(2026, 3, 2)}],
    )
    figs = report_figures(ReportInput(compute(bare, AS_OF), bare), PERIOD, Selection())
    for key in figs:
        assert not figs[key].supported, key
        assert figs[key].why_not
    assert "period" in figs["reviews_in_timescale"].why_not  # start unknown: no due date
    assert "No midway checks have been recorded" in figs["midway_by_month"].why_not


def test_workbook_read_back_holds_the_page_numbers(figs: dict) -> None:
    book = report_workbook(figs, [("Period", PERIOD.describe())])
    sheets = pl.read_excel(io.BytesIO(book), sheet_id=0, read_options={"header_row": 2})
    assert list(sheets)[1:] == list(SHEETS.values())
    reviews = sheets["Reviews in timescale"]
    assert reviews.schema["Month"] == pl.Date  # dates as dates
    assert _row(reviews, Month=D(2025, 12, 1), Review="All reviews")["In timescale (%)"] == 100.0
    assert reviews.shape == figs["reviews_in_timescale"].data.shape
    iro = sheets["Midway by IRO"]
    assert _row(iro, IRO="Iro One")["Due"] == 4
    assert _row(sheets["Escalations by team"], Team="All teams")["Within 20 working days (%)"] == 50.0
    contents = pl.read_excel(io.BytesIO(book), sheet_name="Contents", has_header=False)
    assert "1 Dec 2025 to 30 Nov 2026" in contents.to_series(1).to_list()


def test_downloads_neutralise_formula_cells() -> None:
    frame = pl.DataFrame({"name": ["=1+2", "+x", "-y", "@z", "\tt", "\rr", "ok"], "n": [1, 2, 3, 4, 5, 6, 7]})
    assert safe_cells(frame)["name"].to_list() == ["'=1+2", "'+x", "'-y", "'@z", "'\tt", "'\rr", "ok"]
    assert b"'=1+2" in to_csv(frame)
    book = report_workbook({"x": _fig(frame)}, [("Team", "=HYPERLINK(1)")])
    back = pl.read_excel(io.BytesIO(book), sheet_name="x", read_options={"header_row": 2})
    assert back["name"][0] == "'=1+2"


def _fig(frame: pl.DataFrame):
    from services.views.reports import Figure

    return Figure("x", "A test", frame)


def test_supervision_pack_pdf_holds_the_figures(inp: ReportInput) -> None:
    sel = Selection(iro="Iro One")
    figs = report_figures(inp, PERIOD, sel)
    pack = build_pack(figs, inp.result, inp.caseload, PERIOD, sel)
    # E4 (raised Oct 2025) and E3 (Oct 2026), both open; CB is Iro One's now
    assert pack.escalations.select("Child", "Raised").rows() == [("CB", D(2025, 10, 1)), ("CB", D(2026, 10, 5))]
    assert set(pack.attention["Child"]) <= {"CA", "CB"}
    assert "CB" in pack.attention["Child"].to_list()  # midway overdue since 10 Oct
    pdf = pack_pdf(pack)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Supervision pack: Iro One" in text
    assert "1 Dec 2025 to 30 Nov 2026" in text
    assert "Reviews held in timescale" in text and "Children needing attention" in text
    assert "Delay in care or permanence plan progress" in text  # the open escalation
    assert "Child CB" in text
    midway = figs["midway_by_month"].summary
    assert midway["Due"] == 4
    assert "Midway checks due and what became of them" in text


def test_checklist_answers_and_the_formal_start_from_the_database(engine) -> None:
    with unit_of_work(engine, actor="test") as s:
        s.add(m.Child(id="CA", date_of_birth=D(2012, 1, 1)))
        s.flush()
        s.add_all(
            [
                m.MidwayCheck(
                    child_id="CA",
                    check_date=D(2026, 6, 5),
                    status="final",
                    answers={
                        "chk_permanence.answer": "No",
                        "chk_permanence.comment": "none yet",
                        "chk_drift.answer": "Yes",
                        "concerns": "x",
                        "chk_pep.answer": "",
                    },
                ),
                m.MidwayCheck(
                    child_id="CA", check_date=D(2026, 7, 5), status="draft", answers={"chk_permanence.answer": "Yes"}
                ),
                m.MidwayCheck(child_id="CA", check_date=D(2026, 8, 5), status="final", answers={"contact": "x"}),
            ]
        )
        esc = m.Escalation(child_id="CA", raised_date=D(2026, 2, 2))
        esc.stages = [
            m.EscalationStage(stage=0, stage_name="Informal", started_date=D(2026, 2, 2)),
            m.EscalationStage(stage=1, stage_name="Formal: TM", started_date=D(2026, 2, 16)),
            m.EscalationStage(stage=2, stage_name="Formal: AM", started_date=D(2026, 2, 23)),
        ]
        s.add_all([esc, m.Escalation(child_id="CA", raised_date=D(2026, 3, 2))])
        s.flush()
        esc_id = esc.id
    answers = checklist_answers(engine)
    assert answers.select("check_date", "item", "answer").rows() == [
        (D(2026, 6, 5), "drift", "Yes"),
        (D(2026, 6, 5), "permanence", "No"),
    ]
    formal = load_caseload(engine).escalations.sort("escalation_id").select("escalation_id", "formal_started")
    assert formal.rows() == [(esc_id, D(2026, 2, 16)), (esc_id + 1, None)]


def test_a_check_superseded_by_leaving_care_belongs_to_the_iro_then() -> None:
    # reviews 29 Sep and 15 Dec 2025 (as CC's): check due 16 Mar 2026; the child left care on 27 Feb
    cl = caseload(
        periods=[{"child_id": "CX", "start_date": D(2025, 9, 1), "end_date": D(2026, 2, 27)}],
        reviews=[{"child_id": "CX", "held_date": D(2025, 9, 29)}, {"child_id": "CX", "held_date": D(2025, 12, 15)}],
        midway_checks=[{"child_id": "CZ", "check_date": D(2020, 1, 1)}],
        allocations=[_alloc("CX", "iro", "Iro Three", D(2025, 9, 1), D(2026, 2, 27), code="I3")],
    )
    fig = report_figures(ReportInput(compute(cl, AS_OF), cl), PERIOD, Selection())["midway_by_iro"]
    assert fig.data.select("IRO", "Due", "Superseded").rows() == [("Iro Three", 1, 1)]
