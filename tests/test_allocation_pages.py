"""The Allocations and Recommendations pages driven through AppTest on real databases (temp SQLite
file, and PostgreSQL when TEST_DATABASE_URL is set): saved rows, audit rows, messages, typed input
kept on a refusal and never carried to another child."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from services.casework.events import next_review
from services.dates import day
from services.engine.workdays import add_working_days, is_working_day
from services.persistence import models as m
from tests.alloc_seed import AS_OF, S_START, W1_REVIEW, W1_START, seed_dates_only
from tests.demo_pages import app_database, as_shown, open_page
from tests.principals import MANAGER
from tests.schedule_oracle import _working_days as days_text  # the oracle's '1 working day' / '2 working days'
from ui.text import md

SHIFT = dt.date.today() - AS_OF  # the pages work on today's date
TODAY = dt.date.today()
SIGNED_IN = "Sue Manager"  # SM01, the service manager the page tests act as


@pytest.fixture(params=["sqlite", "postgresql"])
def app_db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from app_database(request, tmp_path, monkeypatch, lambda engine: seed_dates_only(engine, SHIFT))


def _working_days(after: dt.date, until: dt.date) -> int:
    """Working days in (after, until], counted one by one."""
    days = (after + dt.timedelta(days=i) for i in range(1, (until - after).days + 1))
    return sum(is_working_day(d) for d in days)


def _iro_rows(engine) -> list[tuple]:
    with Session(engine) as s:
        rows = s.execute(
            select(m.Allocation.id, m.Allocation.child_id, m.Staff.code, m.Allocation.from_date, m.Allocation.to_date)
            .join(m.Staff, m.Staff.id == m.Allocation.staff_id)
            .where(m.Allocation.role == "iro")
            .order_by(m.Allocation.id)
        ).all()
    return [tuple(r) for r in rows]


def test_allocations_page_lists_waiting_children_and_allocates_siblings_together(app_db) -> None:
    engine, _ = app_db
    at = open_page("app_pages/allocations.py", act_as="SM01")
    waiting = at.dataframe[0].value
    assert list(waiting["child_id"]) == ["W1", "S1", "S2"]
    w1_late = _working_days(add_working_days(W1_START + SHIFT, 5), TODAY)
    s_left = _working_days(TODAY, add_working_days(S_START + SHIFT, 5))
    assert list(waiting["status"]) == [  # "1 working day", in the singular, on some days the tests run
        f"OVERDUE by {days_text(w1_late)}",
        days_text(s_left, "left"),
        days_text(s_left, "left"),
    ]
    at.selectbox(key="al_child").set_value("S1").run()
    assert at.multiselect(key="al:S1:siblings").value == ["S2"]
    loads = next(d.value for d in at.dataframe if "range_status" in d.value.columns)
    assert list(loads["iro"]) == ["Iris Reviewer", "Omar Officer"]
    at.selectbox(key="al:S1:iro").set_value("IRO02")
    at.date_input(key="al:S1:from").set_value(TODAY)
    at.button(key="al_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    rows = _iro_rows(engine)
    assert [r[1:] for r in rows] == [("S1", "IRO02", TODAY, None), ("S2", "IRO02", TODAY, None)]
    nxt = next_review(engine, MANAGER, "S1", TODAY)
    assert [s.value for s in at.success] == [
        md(
            f"Allocations {rows[0][0]}, {rows[1][0]} saved: Omar Officer is the IRO of S1 and S2 from "
            f"{day(TODAY)}. Next review due {day(nxt['next_review_due'])}."
        )
    ]
    assert list(at.dataframe[0].value["child_id"]) == ["W1"]  # the waiting list follows at once
    with Session(engine) as s:
        audit = s.scalars(
            select(m.AuditEntry).where(m.AuditEntry.entity == "allocations", m.AuditEntry.actor == SIGNED_IN)
        ).all()
        assert sorted((a.action, a.after["child_id"]) for a in audit) == [("insert", "S1"), ("insert", "S2")]


def test_a_second_click_on_the_same_allocation_saves_nothing_more_and_says_so(app_db) -> None:
    engine, _ = app_db
    at = open_page("app_pages/allocations.py", act_as="SM01", child="S1")

    def submit() -> None:  # what the browser sends on each click: the answers it still holds
        at.selectbox(key="al:S1:iro").set_value("IRO02")
        at.date_input(key="al:S1:from").set_value(TODAY)
        at.button(key="al_submit").click().run()

    submit()
    first = _iro_rows(engine)
    assert [r[1:3] for r in first] == [("S1", "IRO02"), ("S2", "IRO02")]
    submit()  # the double click's second submission, the same answers in the same session
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _iro_rows(engine) == first  # saved once
    assert [i.value for i in at.info] == [
        md(
            f"Already saved: this allocation was saved once (allocations {first[0][0]}, {first[1][0]}: "
            f"Omar Officer from {day(TODAY)}); the repeated click saved nothing more."
        )
    ]
    with Session(engine) as s:
        submissions = s.scalars(select(m.Allocation.submission_id).where(m.Allocation.role == "iro")).all()
    assert len(set(submissions)) == 1 and len(submissions[0]) == 36  # one uuid for the one submission


def test_sibling_left_out_needs_an_exception_and_typing_is_kept(app_db) -> None:
    engine, _ = app_db
    at = open_page("app_pages/allocations.py", act_as="SM01", child="S1")
    at.multiselect(key="al:S1:siblings").set_value([])
    at.selectbox(key="al:S1:iro").set_value("IRO01")
    at.date_input(key="al:S1:from").set_value(TODAY)
    at.button(key="al_submit").click().run()  # S2 has no IRO yet: no exception needed
    assert len(_iro_rows(engine)) == 1
    at.selectbox(key="al_child").set_value("S2").run()
    assert at.selectbox(key="al:S2:iro").value is None  # nothing carried over from S1's form
    at.multiselect(key="al:S2:siblings").set_value([])
    at.selectbox(key="al:S2:iro").set_value("IRO02")
    at.date_input(key="al:S2:from").set_value(TODAY)
    at.text_area(key="al:S2:exception").set_value("")
    at.button(key="al_submit").click().run()
    assert [as_shown(e.value) for e in at.error] == [
        "Nothing was saved: Siblings share one IRO unless an exception is recorded: S1 (Iris Reviewer) would "
        "have a different IRO. Allocate them together, or record why. Everything you typed is kept.",
        "Record why these siblings have different IROs, or allocate them together.",
    ]
    assert len(_iro_rows(engine)) == 1
    assert at.date_input(key="al:S2:from").value == TODAY
    assert at.selectbox(key="al:S2:iro").value == "IRO02"
    at.text_area(key="al:S2:exception").set_value("S2 placed out of area")
    at.button(key="al_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "the sibling exception is recorded" in at.success[0].value
    with Session(engine) as s:
        s2 = s.get(m.Child, "S2")
        assert (s2.sibling_iro_exception, s2.sibling_iro_exception_reason) == (True, "S2 placed out of area")
    assert [r[1:3] for r in _iro_rows(engine)] == [("S1", "IRO01"), ("S2", "IRO02")]


def test_reassigning_needs_a_reason_and_keeps_the_history(app_db) -> None:
    engine, _ = app_db
    at = open_page("app_pages/allocations.py", act_as="SM01", child="W1")
    at.selectbox(key="al:W1:iro").set_value("IRO01")
    at.date_input(key="al:W1:from").set_value(TODAY - dt.timedelta(days=7))
    at.button(key="al_submit").click().run()
    assert not at.error
    at.selectbox(key="al:W1:iro").set_value("IRO02")
    at.date_input(key="al:W1:from").set_value(TODAY)
    at.button(key="al_submit").click().run()
    assert as_shown(at.error[1].value) == "Give the reason for the change of IRO."
    assert at.selectbox(key="al:W1:iro").value == "IRO02"
    at.text_area(key="al:W1:reason").set_value("Iris on long-term leave")
    at.button(key="al_submit").click().run()
    assert not at.error
    assert [r[1:] for r in _iro_rows(engine)] == [
        ("W1", "IRO01", TODAY - dt.timedelta(days=7), TODAY - dt.timedelta(days=1)),
        ("W1", "IRO02", TODAY, None),
    ]
    hist = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert list(hist["iro"]) == ["Omar Officer", "Iris Reviewer"]
    assert list(hist["reason"])[0] == "Iris on long-term leave"


def test_recommendations_page_saves_rows_and_shows_the_draft(app_db) -> None:
    engine, ids = app_db
    at = open_page("app_pages/recommendations.py", act_as="SM01", child="W1")
    held = TODAY - (AS_OF - W1_REVIEW)
    assert at.selectbox(key="rec_review:W1").value == ids["review_id"]
    p = f"rec:{ids['review_id']}:"
    at.text_area(key=p + "0.text").set_value("Book the health assessment")
    at.selectbox(key=p + "0.owner").set_value("social_worker")
    at.date_input(key=p + "0.target_date").set_value(held + dt.timedelta(days=30))
    at.text_area(key=p + "1.text").set_value("Refer to the virtual school")
    at.selectbox(key=p + "1.owner").set_value("other")
    at.date_input(key=p + "sent_date").set_value(held + dt.timedelta(days=1))
    at.button(key="rec_submit").click().run()
    # refused: the second row has no owner name and no target date; everything typed is kept
    assert [as_shown(e.value) for e in at.error] == [
        "Nothing was saved: 2 fields need attention (marked below each field). Everything you typed is kept.",
        "Name the owner.",
        "Enter the target date.",
    ]
    with Session(engine) as s:
        assert s.scalars(select(m.Recommendation)).all() == []
    assert at.text_area(key=p + "1.text").value == "Refer to the virtual school"
    assert at.text_area(key=p + "0.text").value == "Book the health assessment"
    at.text_input(key=p + "1.owner_other").set_value("Designated teacher")
    at.date_input(key=p + "1.target_date").set_value(held + dt.timedelta(days=60))
    at.button(key="rec_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    limit = add_working_days(held + dt.timedelta(days=1), 10)
    assert [x.value for x in at.success] == [
        md(
            f"2 recommendations saved for the review of {day(held)} (numbers 1-2, 2 new); "
            f"the team manager may disagree until {day(limit)}."
        )
    ]
    with Session(engine) as s:
        recs = s.scalars(select(m.Recommendation).order_by(m.Recommendation.seq)).all()
        assert [(r.seq, r.text, r.owner, r.target_date) for r in recs] == [
            (1, "Book the health assessment", "Social worker", held + dt.timedelta(days=30)),
            (2, "Refer to the virtual school", "Designated teacher", held + dt.timedelta(days=60)),
        ]
        assert s.get(m.Review, ids["review_id"]).recommendations_sent_date == held + dt.timedelta(days=1)
        audit = s.scalars(select(m.AuditEntry).where(m.AuditEntry.actor == SIGNED_IN)).all()
        assert sorted((a.action, a.entity, a.entity_id) for a in audit) == [
            ("insert", "recommendations", "1"),
            ("insert", "recommendations", "2"),
            ("update", "reviews", str(ids["review_id"])),
            ("view", "child", "W1"),  # opening the child's recommendations is audited (once)
        ]
    assert at.text_area(key=p + "0.text").value == "Book the health assessment"  # reloaded from the record
    assert at.code[0].value.startswith("Dear Tara Manager,\n\nThese are the recommendations of Wren Test's (W1)")
    # the midway check form now lists them
    mc = open_page("app_pages/midway_check.py", act_as="SM01", child="W1")
    assert any("Book the health assessment" in x.value for x in mc.markdown)


def test_escalation_from_a_flag_is_prefilled_and_says_its_number_and_due_date(app_db) -> None:
    engine, _ = app_db
    at = open_page("app_pages/escalations.py", act_as="SM01", child="W1", flag="IRO_NOT_ALLOCATED")
    assert at.selectbox(key="esc_new_child").value == "W1"
    assert at.selectbox(key="esc_new_category").value == "statutory_functions"
    concern = at.text_area(key="esc_new_concern").value
    assert concern.startswith("IRO_NOT_ALLOCATED: No IRO allocated on ")
    at.button(key="esc_raise_submit").click().run()
    assert not at.exception
    with Session(engine) as s:
        row = s.scalars(select(m.Escalation)).one()
        assert (row.child_id, row.category, row.concern, row.raised_by) == (
            "W1",
            "statutory_functions",
            concern,
            SIGNED_IN,
        )
        stage = row.stages[0]
    assert [x.value for x in at.success] == [
        md(f"Escalation {row.id} raised; {stage.stage_name} stage due {day(stage.due_date)}.")
    ]
    assert stage.due_date == add_working_days(TODAY, 10)


def test_timeline_offers_the_actions_for_its_flags(app_db) -> None:
    at = open_page("app_pages/timeline.py", act_as="SM01", child="W1")
    links = [(p.proto.label, p.proto.page) for p in at.get("page_link")]
    labels = [label for label, _ in links]
    assert "Allocate an IRO" in labels and "Escalate: No IRO allocated" in labels
    assert "Record a significant event" in labels and "Record a review's recommendations" in labels


def test_overview_cards_offer_the_actions_for_the_childs_flags(app_db) -> None:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.session_state["act_as"] = "SM01"
    at.run()  # the Overview is the default page
    assert not at.exception, at.exception
    links = {(p.proto.label, p.proto.query_string) for p in at.get("page_link")}
    assert ("Allocate an IRO", "child=W1") in links
    assert ("Raise an escalation", "child=W1&flag=IRO_NOT_ALLOCATED") in links
    assert ("Record a review's recommendations", "child=W1") in links
