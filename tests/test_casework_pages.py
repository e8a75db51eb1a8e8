"""The casework pages driven through AppTest on a real database (temp SQLite file, and PostgreSQL
when TEST_DATABASE_URL is set): the midway form's save, refusal, draft and version check, the
escalations tracker, and the events page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from services.casework.escalations import raise_escalation
from services.casework.events import next_review
from services.casework.midway_check.read_model import form_context
from services.casework.midway_check.save import save_check, save_draft
from services.dates import day
from services.persistence import models as m
from tests.casework_seed import AS_OF, seed, valid_answers
from tests.demo_pages import app_database, as_shown, open_page
from tests.principals import MANAGER, as_manager

SHIFT = dt.date.today() - AS_OF  # the pages work on today's date: move the seed so AS_OF is today
TODAY = dt.date.today()


@pytest.fixture(params=["sqlite", "postgresql"])
def app_db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    yield from app_database(request, tmp_path, monkeypatch, lambda engine: seed(engine, SHIFT))


SELECTS = (".status", ".mode", "esc.category")
RADIOS = (".answer", "outcome", "dispute")


def _fill(at: AppTest, answers: dict[str, Any]) -> None:
    for key, value in answers.items():
        wkey = "mc:" + key
        if isinstance(value, dt.date) or value is None and key.endswith("date"):
            at.date_input(key=wkey).set_value(value)
        elif key.endswith(SELECTS):
            at.selectbox(key=wkey).set_value(value)
        elif key.endswith(RADIOS):
            at.radio(key=wkey).set_value(value)
        else:
            try:
                at.text_area(key=wkey).set_value(value)
            except KeyError:
                at.text_input(key=wkey).set_value(value)


def _count(engine, model) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_full_save_writes_the_check_and_shows_case_note_and_message(app_db) -> None:
    engine, ids = app_db
    at = open_page("app_pages/midway_check.py", child="C1")
    assert at.selectbox(key="mc_child_select").value == "C1"
    _fill(at, valid_answers(ids, SHIFT))
    at.button(key="mc_submit").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    with Session(engine) as s:
        checks = s.scalars(select(m.MidwayCheck)).all()
        assert [(c.status, c.outcome, c.author, c.check_date) for c in checks] == [
            ("final", "actions_sent", "Iris Reviewer", valid_answers(ids, SHIFT)["check_date"])
        ]
        recs = s.scalars(select(m.Recommendation).where(m.Recommendation.review_id == ids["review_id"])).all()
        assert sorted(r.status for r in recs) == ["delayed", "done", "on_track"]
    due = next_review(engine, MANAGER, "C1", TODAY)["next_review_due"]
    check_date = valid_answers(ids, SHIFT)["check_date"]
    assert at.success[0].value == (
        f"Midway check {checks[0].id} saved on {day(check_date)}; next review due {day(due)}."
    )
    note = at.code[0].value
    review_date = form_context(engine, MANAGER, "C1", TODAY).review_date
    assert note.startswith(f"CISRO Midway CLA Review Check\n\nDate of last CLA Review : {day(review_date)}\n")
    assert "Is the Informal Dispute process required? NO" in note
    assert at.code[1].value.startswith("Dear Sam Worker and Tara Manager,")
    assert [b.proto.label for b in at.get("download_button")] == ["Download .txt", "Download .docx"]


def test_missing_field_shows_its_message_keeps_typing_and_writes_nothing(app_db) -> None:
    engine, ids = app_db
    at = open_page("app_pages/midway_check.py", child="C1")
    answers = valid_answers(ids, SHIFT)
    answers["contact_sw.mode"] = None
    _fill(at, answers)
    at.button(key="mc_submit").click().run()
    messages = [as_shown(e.value) for e in at.error]
    assert messages == [
        "Nothing was saved: 1 answer needs attention (marked below each field). Everything you typed is kept.",
        "Choose how you spoke to the social worker.",
    ]
    assert _count(engine, m.MidwayCheck) == 0
    assert at.text_area(key="mc:concerns").value == answers["concerns"]
    assert at.selectbox(key=f"mc:rec.{ids['rec_ids'][1]}.status").value == "delayed"
    # fixing the one field saves
    at.selectbox(key="mc:contact_sw.mode").set_value("Phone")
    at.button(key="mc_submit").click().run()
    assert not at.error and _count(engine, m.MidwayCheck) == 1


def test_draft_is_saved_and_resumed_in_a_new_session(app_db) -> None:
    engine, ids = app_db
    at = open_page("app_pages/midway_check.py", child="C1")
    _fill(at, {"concerns": "Half written", "contact_sw.mode": "Phone"})
    at.button(key="mc_draft").click().run()
    assert [as_shown(s.value) for s in at.success] == ["Draft saved. You can come back to it later."]
    with Session(engine) as s:
        assert [c.status for c in s.scalars(select(m.MidwayCheck))] == ["draft"]
    again = open_page("app_pages/midway_check.py", child="C1")
    assert as_shown(again.info[0].value).startswith("Resumed the draft saved by Iris Reviewer")
    assert again.text_area(key="mc:concerns").value == "Half written"
    assert again.selectbox(key="mc:contact_sw.mode").value == "Phone"


def test_second_save_of_the_same_check_is_refused_on_the_page(app_db) -> None:
    engine, ids = app_db
    draft = save_draft(
        engine, as_manager("Iris Reviewer"), "C1", ids["review_id"], {"concerns": "x"}, "default", None, as_of=TODAY
    )
    at = open_page("app_pages/midway_check.py", child="C1")  # opens the draft at its version
    answers = valid_answers(ids, SHIFT)
    save_check(
        engine,
        as_manager("Other Iro"),
        "C1",
        ids["review_id"],
        answers,
        "default",
        "progressing",
        draft.version,
        check_id=draft.check_id,
        as_of=TODAY,
        review_version=1,  # seeded, never saved
    )
    _fill(at, answers)
    at.button(key="mc_submit").click().run()
    assert re.fullmatch(
        r"This check was saved by Other Iro at \d\d:\d\d since you opened it; nothing was overwritten\. "
        r"Reload to see their version\.",
        as_shown(at.error[0].value),
    )
    with Session(engine) as s:
        assert [(c.author, c.outcome) for c in s.scalars(select(m.MidwayCheck))] == [("Other Iro", "progressing")]
    at.button(key="mc_reload").click().run()  # the concurrent-edit notice offers a reload (by type, not words)
    assert not at.exception and not at.error
    assert any("Already saved for this review" in c.value and "Other Iro" in c.value for c in at.caption)


def test_escalation_changed_by_someone_else_is_refused_with_a_reload(app_db) -> None:
    from services.casework.escalations import set_cafcass_checklist

    engine, _ = app_db
    esc_id = raise_escalation(
        engine,
        as_manager("Iris Reviewer"),
        "C1",
        raised_date=TODAY - dt.timedelta(days=3),
        category="plan_delay",
        concern="Health assessment not booked",
        stage=0,
    )
    at = open_page("app_pages/escalations.py")
    set_cafcass_checklist(
        engine, as_manager("Other Iro"), esc_id, {"review_documents": True}, expected_version=1
    )  # a write to the escalation
    at.button(key="esc_close_submit").click().run()
    assert len(at.error) == 1
    assert re.fullmatch(  # names who changed it and when (issue 13)
        r"This escalation was changed by Other Iro at \d\d:\d\d on \d{1,2} [A-Z][a-z]{2} \d{4} since you opened it; "
        r"nothing was saved\. Reload to see their changes\.",
        as_shown(at.error[0].value),
    )
    at.button(key="esc_reload").click().run()
    assert not at.exception and not at.error
    with Session(engine) as s:
        assert s.get(m.Escalation, esc_id).resolved_date is None


def test_escalations_tracker_flags_overdue_and_moves_stage(app_db) -> None:
    engine, _ = app_db
    esc_id = raise_escalation(
        engine,
        as_manager("Iris Reviewer"),
        "C1",
        raised_date=TODAY - dt.timedelta(days=30),
        category="plan_delay",
        concern="Health assessment not booked",
        stage=0,
    )
    at = open_page("app_pages/escalations.py")
    table = at.dataframe[1].value
    assert list(table["flag"]) == ["⚠ Overdue"]
    assert str(table["status"][0]).endswith("propose Formal: Team Manager")
    at.text_area(key=f"esc_move_{esc_id}_1_response").set_value("TM did not reply")
    at.button(key="esc_move_submit").click().run()
    assert [as_shown(s.value) for s in at.success] == [f"Escalation {esc_id} moved to Formal: Team Manager."]
    with Session(engine) as s:
        stages = s.get(m.Escalation, esc_id).stages
        assert [(x.stage, x.ended_date, x.response) for x in stages] == [
            (0, TODAY, "TM did not reply"),
            (1, None, None),
        ]


def test_events_page_records_decision_and_shows_due_date(app_db) -> None:
    engine, _ = app_db
    at = open_page("app_pages/events.py", child="C1")
    at.button(key="ev_submit").click().run()
    assert [as_shown(e.value) for e in at.error][1:] == [
        "Enter the date of the event.",
        "Choose the type of event.",
        "Decide whether to bring the next review forward.",
    ]
    assert _count(engine, m.SignificantEvent) == 0
    at.date_input(key="ev:C1:date").set_value(TODAY - dt.timedelta(days=2))
    at.selectbox(key="ev:C1:type").set_value("care_plan_change")
    at.radio(key="ev:C1:bring_forward").set_value("Yes")
    at.button(key="ev_submit").click().run()
    with Session(engine) as s:
        ev = s.scalars(select(m.SignificantEvent)).one()
        assert (ev.event_type, ev.bring_forward, ev.decided_by) == ("care_plan_change", True, "Iris Reviewer")
    due = next_review(engine, MANAGER, "C1", TODAY)["next_review_due"]
    assert [as_shown(s.value) for s in at.success] == [f"Event {ev.id} recorded; next review due {day(due)}."]
    assert any("(brought forward)" in i.value for i in at.info)
