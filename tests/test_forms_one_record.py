"""A form belongs to one record (issue 13): what was typed for one child or escalation is never
carried to the next, and a double click saves once. AppTest on the real pages and databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.casework.escalations import raise_escalation
from services.persistence import models as m
from tests.demo_pages import as_shown
from tests.demo_pages import open_page as _open
from tests.principals import as_manager
from tests.test_casework_pages import TODAY, app_db  # noqa: F401  (app_db is a fixture)


def _count(engine, model) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def _ids(engine, model) -> list[int]:
    with Session(engine) as s:
        return list(s.scalars(select(model.id)))


def _type_event(at, cid: str = "C1") -> None:
    at.date_input(key=f"ev:{cid}:date").set_value(TODAY - dt.timedelta(days=2))
    at.selectbox(key=f"ev:{cid}:type").set_value("care_plan_change")
    at.radio(key=f"ev:{cid}:bring_forward").set_value("Yes")
    at.text_area(key=f"ev:{cid}:notes").set_value("About child A")


def _event_form_empty(at, cid: str = "C2") -> bool:
    return (
        at.date_input(key=f"ev:{cid}:date").value is None
        and at.selectbox(key=f"ev:{cid}:type").value is None
        and at.radio(key=f"ev:{cid}:bring_forward").value is None
        and not at.text_area(key=f"ev:{cid}:notes").value
    )


def test_event_typed_for_child_a_is_not_shown_for_child_b(app_db) -> None:  # noqa: F811
    at = _open("app_pages/events.py", child="C1")
    _type_event(at)
    at.run()
    at.selectbox(key="ev_child").set_value("C2").run()
    assert not at.exception and _event_form_empty(at)


def test_event_saved_for_child_a_then_child_b_starts_empty(app_db) -> None:  # noqa: F811
    engine, _ = app_db
    at = _open("app_pages/events.py", child="C1")
    _type_event(at)
    at.button(key="ev_submit").click().run()
    (event_id,) = _ids(engine, m.SignificantEvent)
    assert len(at.success) == 1
    assert as_shown(at.success[0].value).startswith(f"Event {event_id} recorded; next review due ")
    at.selectbox(key="ev_child").set_value("C2").run()
    assert not at.exception and _event_form_empty(at)
    at.button(key="ev_submit").click().run()  # nothing of child A's event is saved for child B
    assert _count(engine, m.SignificantEvent) == 1


def test_midway_answers_for_child_a_are_not_shown_for_child_b(app_db) -> None:  # noqa: F811
    at = _open("app_pages/midway_check.py", child="C1")
    at.text_area(key="mc:concerns").set_value("Child A's concerns")
    at.run()
    at.selectbox(key="mc_child_select").set_value("C2").run()
    assert not at.exception
    assert not at.text_area(key="mc:concerns").value


def _response(at, eid: int):
    """The move form's response box of escalation `eid` (keyed by the escalation and its version)."""
    (box,) = [t for t in at.text_area if t.key and t.key.startswith(f"esc_move_{eid}_")]
    return box


def test_escalation_response_is_not_carried_to_the_next_escalation(app_db) -> None:  # noqa: F811
    engine, _ = app_db
    fields = dict(raised_date=TODAY - dt.timedelta(days=3), category="plan_delay", concern="x", stage=0)
    first = raise_escalation(engine, as_manager("Iris Reviewer"), "C1", **fields)
    second = raise_escalation(engine, as_manager("Iris Reviewer"), "C2", **fields)
    at = _open("app_pages/escalations.py")
    at.selectbox(key="esc_pick").set_value(first).run()
    _response(at, first).set_value("Reply about the first").run()
    at.selectbox(key="esc_pick").set_value(second).run()
    assert not at.exception and not _response(at, second).value
    # saved, then switched: empty too, and the saved escalation's next stage starts empty
    at.selectbox(key="esc_pick").set_value(first).run()
    _response(at, first).set_value("Reply about the first").run()
    at.button(key="esc_move_submit").click().run()
    assert not at.exception and not _response(at, first).value
    at.selectbox(key="esc_pick").set_value(second).run()
    assert not _response(at, second).value


def test_raise_clicked_twice_raises_once(app_db) -> None:  # noqa: F811
    engine, _ = app_db
    at = _open("app_pages/escalations.py")
    at.selectbox(key="esc_new_child").set_value("C1")
    at.selectbox(key="esc_new_category").set_value("plan_delay")
    at.text_area(key="esc_new_concern").set_value("Health assessment not booked")
    at.button(key="esc_raise_submit").click().run()
    at.button(key="esc_raise_submit").click().run()
    assert not at.exception
    assert _count(engine, m.Escalation) == 1
    assert not at.text_area(key="esc_new_concern").value  # a saved form starts empty again
    at.selectbox(key="esc_new_child").set_value("C1")
    at.selectbox(key="esc_new_category").set_value("plan_delay")
    at.text_area(key="esc_new_concern").set_value("A different concern")  # a different submission
    at.button(key="esc_raise_submit").click().run()
    assert _count(engine, m.Escalation) == 2


def test_record_event_clicked_twice_records_once(app_db) -> None:  # noqa: F811
    engine, _ = app_db
    at = _open("app_pages/events.py", child="C1")
    _type_event(at)
    at.button(key="ev_submit").click().run()
    at.button(key="ev_submit").click().run()  # the same answers again: the same submission
    assert not at.exception and not at.error
    assert _count(engine, m.SignificantEvent) == 1
