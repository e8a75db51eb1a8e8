"""Escalation ladder: raise, stage progression with history, overdue flag + next stage, close, CAFCASS."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from services.casework.escalations import (
    EscalationError,
    add_good_practice,
    cafcass_missing,
    cafcass_stage,
    close_escalation,
    good_practice,
    history,
    move_to_next_stage,
    open_escalations,
    raise_escalation,
    set_cafcass_checklist,
)
from services.engine.policy import Policy
from services.persistence import models as m
from services.vocabulary import CAFCASS_DOCUMENTS
from tests.casework_seed import D, seed
from tests.principals import MANAGER, as_manager

IRO = "Iris Reviewer"


def _v(engine, esc_id: int) -> int:
    """The escalation's version, as the page renders it (every change needs it)."""
    with Session(engine) as s:
        return s.get(m.Escalation, esc_id).version


def _raise(engine, **kw):
    fields = dict(
        raised_date=D(2026, 6, 1),
        category="plan_delay",
        concern="Health assessment not booked",
        evidence="Rec 2 target 15/06 missed",
        actions_requested="Book it",
        stage=0,
    )
    fields.update(kw)
    return raise_escalation(engine, as_manager(IRO), "C1", **fields)


def test_stage_progression_keeps_history_and_flags_overdue_with_next_stage(engine) -> None:
    seed(engine)
    esc_id = _raise(engine)  # informal: default 10 working days -> Mon 15/06/2026
    tracker = open_escalations(engine, MANAGER, D(2026, 6, 15))
    row = tracker.row(0, named=True)
    assert (row["stage"], row["stage_name"], row["stage_due_date"], row["overdue"]) == (
        0,
        "Informal (Team Manager)",
        D(2026, 6, 15),
        False,
    )
    assert row["status"] == "Open: resolution due 15 Jun 2026"
    assert row["age_working_days"] == 10

    row = open_escalations(engine, MANAGER, D(2026, 6, 18)).row(0, named=True)
    assert (row["overdue"], row["working_days_overdue"], row["next_stage"], row["next_stage_name"]) == (
        True,
        3,
        1,
        "Formal: Team Manager",
    )
    assert row["status"] == "OVERDUE by 3 working days: propose Formal: Team Manager"

    assert (
        move_to_next_stage(
            engine,
            as_manager(IRO),
            esc_id,
            on_date=D(2026, 6, 18),
            response="No reply from TM",
            expected_version=_v(engine, esc_id),
        )
        == 1
    )
    assert (
        move_to_next_stage(
            engine,
            as_manager(IRO),
            esc_id,
            on_date=D(2026, 6, 22),
            due_date=D(2026, 6, 26),
            expected_version=_v(engine, esc_id),
        )
        == 2
    )
    hist = history(engine, MANAGER, esc_id)
    assert hist.select("stage", "stage_name", "started_date", "due_date", "ended_date", "response").rows() == [
        (0, "Informal (Team Manager)", D(2026, 6, 1), D(2026, 6, 15), D(2026, 6, 18), "No reply from TM"),
        (1, "Formal: Team Manager", D(2026, 6, 18), D(2026, 6, 25), D(2026, 6, 22), None),
        (2, "Formal: Area Manager", D(2026, 6, 22), D(2026, 6, 26), None, None),
    ]
    row = open_escalations(engine, MANAGER, D(2026, 6, 29)).row(0, named=True)
    assert (row["stage"], row["overdue"], row["working_days_overdue"], row["next_stage_name"]) == (
        2,
        True,
        1,
        "Formal: Service Manager",
    )
    assert row["formal_working_days"] == 7 and row["formal_over_limit"] is False
    # the engine's view (caseload frame) sees the current stage too
    from services.persistence.caseload import load_caseload

    assert load_caseload(engine).escalations.select("stage", "stage_due_date").row(0) == (2, D(2026, 6, 26))

    close_escalation(
        engine,
        as_manager(IRO),
        esc_id,
        on_date=D(2026, 6, 30),
        outcome="resolved",
        notes="Assessment booked",
        expected_version=_v(engine, esc_id),
    )
    assert open_escalations(engine, MANAGER, D(2026, 7, 1)).is_empty()
    assert open_escalations(engine, MANAGER, D(2026, 6, 29)).height == 1  # as_of before the close: still open then
    with Session(engine) as s:
        esc = s.get(m.Escalation, esc_id)
        assert (esc.outcome, esc.resolved_date, esc.stages[-1].ended_date) == (
            "resolved",
            D(2026, 6, 30),
            D(2026, 6, 30),
        )
    with pytest.raises(EscalationError, match="already closed"):
        move_to_next_stage(engine, as_manager(IRO), esc_id, on_date=D(2026, 7, 1), expected_version=_v(engine, esc_id))


def test_bypass_to_cafcass_and_its_document_checklist(engine) -> None:
    seed(engine)
    esc_id = _raise(engine, stage=1, due_date=D(2026, 6, 5))
    last = cafcass_stage()
    assert (
        move_to_next_stage(
            engine, as_manager(IRO), esc_id, on_date=D(2026, 6, 8), to_stage=last, expected_version=_v(engine, esc_id)
        )
        == last
    )
    row = open_escalations(engine, MANAGER, D(2026, 6, 9)).row(0, named=True)
    assert (row["stage_name"], row["next_stage"], row["cafcass_documents_ready"]) == ("Referral to CAFCASS", None, 0)
    with pytest.raises(EscalationError, match="last stage"):
        move_to_next_stage(engine, as_manager(IRO), esc_id, on_date=D(2026, 6, 9), expected_version=_v(engine, esc_id))
    ticks = {key: True for key in list(CAFCASS_DOCUMENTS)[:4]}
    set_cafcass_checklist(engine, as_manager(IRO), esc_id, ticks, expected_version=_v(engine, esc_id))
    with Session(engine) as s:
        checklist = s.get(m.Escalation, esc_id).cafcass_checklist
    assert cafcass_missing(checklist) == list(CAFCASS_DOCUMENTS.values())[4:]
    assert open_escalations(engine, MANAGER, D(2026, 6, 9))["cafcass_documents_ready"].to_list() == [4]
    # past the CAFCASS stage date (14 working days), no further stage is proposed
    row = open_escalations(engine, MANAGER, D(2026, 7, 1)).row(0, named=True)
    assert row["status"] == "OVERDUE by 3 working days (last stage)"  # due Fri 26/06


def test_stage_names_and_days_come_from_policy(sqlite_engine) -> None:
    seed(sqlite_engine)
    policy = Policy().with_(
        escalation_stage_names=("Informal", "Team Manager", "Head of Service", "Director of Practice", "CAFCASS"),
        escalation_stage_working_days=(5, 5, 5, 5, 14),
    )
    esc_id = raise_escalation(
        sqlite_engine,
        as_manager(IRO),
        "C1",
        raised_date=D(2026, 6, 1),
        category="plan_disagreement",
        concern="x",
        policy=policy,
    )
    move_to_next_stage(
        sqlite_engine,
        as_manager(IRO),
        esc_id,
        on_date=D(2026, 6, 3),
        policy=policy,
        expected_version=_v(sqlite_engine, esc_id),
    )
    assert history(sqlite_engine, MANAGER, esc_id)["stage_name"].to_list() == ["Informal", "Team Manager"]
    row = open_escalations(sqlite_engine, MANAGER, D(2026, 6, 11), policy).row(0, named=True)
    assert (row["stage_due_date"], row["next_stage_name"], row["overdue"]) == (D(2026, 6, 10), "Head of Service", True)


def test_invalid_input_is_refused_with_field_messages(sqlite_engine) -> None:
    seed(sqlite_engine)
    with pytest.raises(EscalationError) as err:
        raise_escalation(
            sqlite_engine,
            as_manager(IRO),
            "C1",
            raised_date=D(2026, 6, 1),
            category=None,
            concern=" ",
            due_date=D(2026, 5, 1),
        )
    assert err.value.errors == {
        "category": "Choose what the escalation is about.",
        "concern": "Describe the concern.",
        "due_date": "The resolution date cannot be before the date raised.",
    }
    with pytest.raises(EscalationError, match="Outcome must be one of"):
        close_escalation(sqlite_engine, as_manager(IRO), 1, on_date=D(2026, 6, 1), outcome="won", expected_version=1)


def test_good_practice_notes(engine) -> None:
    seed(engine)
    add_good_practice(engine, as_manager(IRO), "C1", D(2026, 6, 2), "SW used a lovely life story book.")
    assert good_practice(engine, MANAGER).rows() == [(D(2026, 6, 2), "C1", IRO, "SW used a lovely life story book.")]
    with pytest.raises(EscalationError):
        add_good_practice(engine, as_manager(IRO), "C1", D(2026, 6, 2), "")
    with pytest.raises(EscalationError) as no_child:  # no child chosen: said, nothing looked up or saved
        add_good_practice(engine, as_manager(IRO), None, D(2026, 6, 2), "A note")
    assert no_child.value.errors == {"child_id": "Choose a child."}
    assert good_practice(engine, MANAGER).height == 1
