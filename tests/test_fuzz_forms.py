"""Hostile form input (issue 13): every field of every casework service a page drives — midway
check answers (draft and final), escalation raise / move / close / CAFCASS checklist / good
practice, significant events, recommendations, allocations, the council's policy values — given
wrong types, impossible dates (31/02, 1900, 2200, outside the working-day span 1950-2100), empty
and very long strings, NUL bytes and unicode, one or two fields at a time over a valid call.
The only accepted endings are a save or a refusal (`Refused` with field messages, the policy's
`PolicyInvalid`, a `UsageError`): 0 crashes, 0 partial writes (fuzz_support.Tally)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from services.casework import allocations as al
from services.casework import council_settings as cs
from services.casework import escalations as esc
from services.casework import events as ev
from services.casework import recommendations as rc
from services.casework.errors import Refused
from services.casework.midway_check import save
from services.casework.midway_check.read_model import form_context
from services.engine.policy import Policy, PolicyInvalid
from services.errors import UsageError
from services.persistence import models as m
from tests.alloc_seed import seed_dates_only
from tests.casework_seed import AS_OF, D, seed, valid_answers
from tests.fuzz_support import FUZZ, Tally, anything
from tests.principals import MANAGER, as_manager

IRO = as_manager("Iris Reviewer")  # a service manager: these tests are about input, not roles
REFUSALS = (Refused, PolicyInvalid, UsageError)


@st.composite
def spoiled(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """`base` with one or two of its fields replaced by anything hostile."""
    keys = draw(st.lists(st.sampled_from(sorted(base)), min_size=1, max_size=2, unique=True))
    return base | {k: draw(anything) for k in keys}


def _fuzz(engine, name: str, base: dict[str, Any], call: Callable[[dict[str, Any]], Any]) -> None:
    tally = Tally(f"{name} [{engine.dialect.name}]")

    @FUZZ
    @given(spoiled(base))
    def one(kwargs: dict[str, Any]) -> None:
        tally.attempt(engine, lambda: bool(call(kwargs)) or True, REFUSALS)

    one()
    tally.check()


def _escalation(engine) -> int:
    return esc.raise_escalation(
        engine, IRO, "C1", raised_date=D(2026, 6, 1), category="plan_delay", concern="Health", stage=0
    )


def _version(engine, esc_id: int) -> int:
    with Session(engine) as s:
        return s.get(m.Escalation, esc_id).version


RAISE = {
    "child_id": "C1", "raised_date": D(2026, 6, 1), "category": "plan_delay", "concern": "Health assessment",
    "evidence": "Rec 2 missed", "actions_requested": "Book it", "stage": 0, "due_date": None, "submission_id": None,
}  # fmt: skip


def test_fuzz_raise_escalation(engine) -> None:
    seed(engine)
    _fuzz(engine, "escalation raise", RAISE, lambda k: esc.raise_escalation(engine, IRO, **k))


def test_fuzz_move_and_close_escalation(engine) -> None:
    seed(engine)
    esc_id = _escalation(engine)
    move = {"on_date": D(2026, 6, 10), "response": "No reply", "to_stage": None, "due_date": None}
    _fuzz(
        engine,
        "escalation move",
        move,
        lambda k: esc.move_to_next_stage(engine, IRO, esc_id, expected_version=_version(engine, esc_id), **k),
    )
    close = {"on_date": D(2026, 6, 30), "outcome": "resolved", "notes": "Booked"}
    other = _escalation(engine)
    _fuzz(
        engine,
        "escalation close",
        close,
        lambda k: esc.close_escalation(engine, IRO, other, expected_version=_version(engine, other), **k),
    )


def test_fuzz_cafcass_checklist_and_good_practice(engine) -> None:
    seed(engine)
    esc_id = _escalation(engine)
    _fuzz(
        engine,
        "CAFCASS checklist",
        {"items": {"review_documents": True}, "expected_version": 1},
        lambda k: esc.set_cafcass_checklist(engine, IRO, esc_id, k["items"], expected_version=k["expected_version"]),
    )
    _fuzz(
        engine,
        "good practice",
        {"child_id": "C1", "noted_date": D(2026, 6, 2), "text": "Life story work"},
        lambda k: esc.add_good_practice(engine, IRO, k["child_id"], k["noted_date"], k["text"]),
    )


def test_fuzz_record_event(engine) -> None:
    seed(engine)
    base = {
        "child_id": "C1", "event_date": D(2026, 6, 10), "event_type": "missing", "bring_forward": False,
        "notes": "Found next day", "as_of": D(2026, 6, 12), "submission_id": None,
    }  # fmt: skip
    _fuzz(engine, "significant event", base, lambda k: ev.record_event(engine, IRO, **k))


def test_fuzz_recommendations(engine) -> None:
    ids = seed_dates_only(engine)
    rid = ids["review_id"]
    row = {"rec_id": None, "text": "Book the health assessment", "owner": "social_worker", "owner_other": ""}
    row["target_date"] = D(2026, 6, 30)
    base = {
        "text": row["text"], "owner": row["owner"], "owner_other": "", "target_date": row["target_date"],
        "sent_date": D(2026, 6, 18), "tm_response": "agreed", "tm_response_date": D(2026, 6, 19),
        "tm_response_notes": "", "rec_id": None,
    }  # fmt: skip

    def call(k: dict[str, Any]) -> Any:
        rows = [{f: k[f] for f in ("rec_id", "text", "owner", "owner_other", "target_date")}]
        version = rc.review_recommendations(engine, MANAGER, rid).version
        return rc.save_recommendations(
            engine,
            IRO,
            rid,
            rows,
            sent_date=k["sent_date"],
            tm_response=k["tm_response"],
            tm_response_date=k["tm_response_date"],
            tm_response_notes=k["tm_response_notes"],
            as_of=D(2026, 6, 24),
            review_version=version,
        )

    _fuzz(engine, "recommendations", base, call)


def test_fuzz_allocations(engine) -> None:
    seed_dates_only(engine)
    base = {
        "child_id": "W1", "iro_code": "IRO01", "from_date": D(2026, 6, 24), "reason": "Leaving",
        "siblings": (), "exception_reason": None, "as_of": D(2026, 6, 24),
    }  # fmt: skip

    def call(k: dict[str, Any]) -> Any:
        seen = al.allocation_history(engine, MANAGER, "W1").height
        return al.allocate_iro(engine, as_manager("Mona Manager"), **k, seen_allocations=seen)

    _fuzz(engine, "allocation", base, call)


@pytest.mark.parametrize("final", [False, True], ids=["draft", "final"])
def test_fuzz_midway_check(engine, final: bool) -> None:
    ids = seed(engine)
    base = valid_answers(ids)
    base |= {"dispute": "informal", "esc.raise": True, "esc.category": "plan_delay", "esc.concern": "Delay"}
    base |= {"esc.due_date": None, "esc.evidence": "", "esc.actions": ""}

    def call(answers: dict[str, Any]) -> Any:
        ctx = form_context(engine, MANAGER, "C1", AS_OF)
        outcome = answers.get("outcome")
        check_id, version = (ctx.draft.check_id, ctx.draft.version) if ctx.draft else (None, None)
        if final:
            return save.save_check(
                engine,
                IRO,
                "C1",
                ids["review_id"],
                answers,
                "default",
                outcome,
                version,
                check_id=check_id,
                as_of=AS_OF,
                review_version=ctx.review_version,
            )
        return save.save_draft(
            engine,
            IRO,
            "C1",
            ids["review_id"],
            answers,
            "default",
            outcome,
            version,
            check_id=check_id,
            as_of=AS_OF,
        )

    _fuzz(engine, f"midway check {'final' if final else 'draft'}", base, call)


def test_fuzz_policy_values(engine) -> None:
    base = {f.name: getattr(Policy(), f.name) for f in dataclasses.fields(Policy)}

    def call(values: dict[str, Any]) -> Any:
        changed = {k: v for k, v in values.items() if v != base[k]}
        stored = cs.stored_policy(engine)
        return cs.save_policy(engine, as_manager("Admin User"), stored.policy.with_(**changed), based_on=stored.version)

    _fuzz(engine, "policy values", base, call)


def test_dates_outside_the_working_day_span_are_refused_by_field(sqlite_engine) -> None:
    seed(sqlite_engine)
    for when in (dt.date(1900, 1, 1), dt.date(2200, 1, 1)):
        with pytest.raises(esc.EscalationError) as exc:
            esc.raise_escalation(sqlite_engine, IRO, **(RAISE | {"raised_date": when}))
        assert exc.value.errors["raised_date"] == "Enter a date between 1950 and 2100."
    with pytest.raises(ev.EventError) as exc:
        ev.record_event(
            sqlite_engine,
            IRO,
            "C1",
            event_date="31/02/2026",
            event_type="missing",
            bring_forward=True,
            as_of=AS_OF,
        )
    assert exc.value.errors == {"event_date": "Enter a date."}
    with pytest.raises(esc.EscalationError) as exc:
        esc.raise_escalation(sqlite_engine, IRO, **(RAISE | {"concern": "a\x00b"}))
    assert exc.value.errors == {"concern": "Remove the NUL character (an invisible control character) from the text."}
