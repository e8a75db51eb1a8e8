"""Midway check form service: context, validation, drafts, the one-transaction save, version check."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.casework.midway_check.errors import ConcurrentEditError, ValidationError
from services.casework.midway_check.read_model import form_context
from services.casework.midway_check.save import save_check, save_draft
from services.casework.midway_check.templates import TEMPLATES
from services.casework.midway_check.validation import validate
from services.engine.workdays import add_working_days
from services.persistence import models as m
from services.persistence.caseload import load_caseload
from tests.casework_seed import AS_OF, CHECK_DATE, REVIEW_DATE, D, seed, valid_answers
from tests.principals import MANAGER, as_manager

ACTOR = "Iris Reviewer"


def _rv(engine) -> int | None:
    """The review version the form renders (a final save needs it)."""
    return form_context(engine, MANAGER, "C1", AS_OF).review_version


def _count(engine, model) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def _recs(engine, review_id):
    with Session(engine) as s:
        rows = s.scalars(select(m.Recommendation).where(m.Recommendation.review_id == review_id).order_by("seq"))
        return [(r.status, r.last_update, r.completed_date) for r in rows]


def test_form_context_knows_child_allocation_and_last_review(engine) -> None:
    ids = seed(engine)
    ctx = form_context(engine, MANAGER, "C1", AS_OF)
    assert (ctx.display_name, ctx.age) == ("Alex Test", 12)
    assert (ctx.iro, ctx.social_worker, ctx.team, ctx.team_manager) == (
        "Iris Reviewer",
        "Sam Worker",
        "North Team",
        "Tara Manager",
    )
    assert (ctx.review_id, ctx.review_date) == (ids["review_id"], REVIEW_DATE)
    assert [(r["seq"], r["owner"], r["target_date"]) for r in ctx.recommendations] == [
        (1, "Sam Worker", D(2026, 6, 1)),
        (2, "Health", D(2026, 6, 15)),
        (3, "Sam Worker", D(2026, 7, 31)),
    ]
    assert ctx.draft is None and ctx.final_checks == []
    # before the second review, the first is the last review
    assert form_context(engine, MANAGER, "C1", D(2026, 3, 1)).review_date == D(2026, 2, 2)


def test_full_valid_save_writes_exactly_the_expected_rows(engine) -> None:
    ids = seed(engine)
    rv = _rv(engine)  # reading the form is audited (a view): before the audit baseline
    with Session(engine) as s:
        audit_before = s.scalar(select(func.max(m.AuditEntry.id)))
    saved = save_check(
        engine,
        as_manager(ACTOR),
        "C1",
        ids["review_id"],
        valid_answers(ids),
        "default",
        "actions_sent",
        as_of=AS_OF,
        review_version=rv,
    )
    assert (saved.status, saved.check_date, saved.escalation_id) == ("final", CHECK_DATE, None)
    with Session(engine) as s:
        checks = s.scalars(select(m.MidwayCheck)).all()
        assert len(checks) == 1
        c = checks[0]
        assert (c.child_id, c.review_id, c.check_date, c.status, c.outcome, c.template, c.author) == (
            "C1",
            ids["review_id"],
            CHECK_DATE,
            "final",
            "actions_sent",
            "default",
            ACTOR,
        )
        assert c.author_id == s.scalar(select(m.Staff.id).where(m.Staff.code == "IRO01"))
        assert c.answers["contact_sw.date"] == "2026-06-22"
        new_audit = s.scalars(select(m.AuditEntry).where(m.AuditEntry.id > audit_before).order_by(m.AuditEntry.id))
        assert sorted((a.action, a.entity, a.actor) for a in new_audit) == [
            ("insert", "midway_checks", ACTOR),
            ("update", "recommendations", ACTOR),
            ("update", "recommendations", ACTOR),
            ("update", "recommendations", ACTOR),
        ]
    assert _recs(engine, ids["review_id"]) == [
        ("done", "PEP held on 28/05/2026.", CHECK_DATE),
        ("delayed", "No appointment offered yet.", None),
        ("on_track", None, None),
    ]
    assert _count(engine, m.Escalation) == 0
    assert load_caseload(engine).midway_checks["check_date"].to_list() == [CHECK_DATE]


REQUIRED = {
    "check_date": "Enter the date of this midway check.",
    "rec.{r1}.status": "Choose done, on track, delayed or not started.",
    "rec.{r2}.update": "Say what is holding this recommendation up and what will be done.",
    "contact_child.mode": "Choose how you were in contact (or No contact).",
    "contact_child.date": "Enter the date of the contact.",
    "contact_carer.mode": "Choose how you were in contact (or No contact).",
    "contact_sw.mode": "Choose how you spoke to the social worker.",
    "contact_sw.date": "Enter the date of the contact.",
    "concerns": 'Record any concerns about delay and the actions required, or write "None".',
    "developments": 'Record significant developments or incidents since the review, or write "None".',
    "iro_summary": "Enter the IRO summary and recommendations.",
    "chk_permanence.answer": "Answer Yes or No.",
    "chk_statutory.action": "The answer is No: say what action is needed.",
    "outcome": "Choose the outcome: (a), (b) or (c).",
}


@pytest.mark.parametrize("field", list(REQUIRED))
def test_each_missing_required_field_has_its_message_and_writes_nothing(engine, field) -> None:
    ids = seed(engine)
    r1, r2, _ = ids["rec_ids"]
    key = field.format(r1=r1, r2=r2)
    answers = valid_answers(ids)
    answers[key] = None
    outcome = None if key == "outcome" else "actions_sent"
    rv = _rv(engine)  # reading the form is audited (a view): before the count
    audit_count = _count(engine, m.AuditEntry)
    with pytest.raises(ValidationError) as err:
        save_check(
            engine,
            as_manager(ACTOR),
            "C1",
            ids["review_id"],
            answers,
            "default",
            outcome,
            as_of=AS_OF,
            review_version=rv,
        )
    assert err.value.errors == {key: REQUIRED[field]}
    assert _count(engine, m.MidwayCheck) == 0
    assert _count(engine, m.AuditEntry) == audit_count
    assert _recs(engine, ids["review_id"]) == [(None, None, None)] * 3


def test_child_view_is_asked_from_age_ten_only(sqlite_engine) -> None:
    ids = seed(sqlite_engine)
    answers = valid_answers(ids)
    answers["child_view"] = ""
    errors = validate(answers, "default", 12, rec_ids=ids["rec_ids"])
    assert errors == {
        "child_view": "The child is 12: children aged 10 and over are asked for their own view. "
        "Record it, or say why it was not sought."
    }
    assert (
        validate({**answers, "child_view_reason": "Alex declined to talk."}, "default", 12, rec_ids=ids["rec_ids"])
        == {}
    )
    assert validate(answers, "default", 9, rec_ids=ids["rec_ids"]) == {}


def test_dates_and_rules_between_fields(sqlite_engine) -> None:
    ids = seed(sqlite_engine)
    answers = valid_answers(ids)
    bad = {
        **answers,
        "check_date": D(2026, 5, 1),
        "contact_carer.mode": "No contact",
        "contact_carer.notes": "",
        "chk_drift.answer": "Yes",
        "outcome": "escalated",
    }
    assert validate(bad, "default", 12, rec_ids=ids["rec_ids"], review_date=REVIEW_DATE) == {
        "check_date": "The check cannot be before the last review (5 May 2026).",
        "contact_child.date": "The contact cannot be after the check date.",
        "contact_sw.date": "The contact cannot be after the check date.",
        "contact_carer.notes": "Say why there was no contact.",
        "chk_drift.action": "The answer is Yes: say what action is needed.",
        "dispute": "Outcome (c): choose the informal or the formal dispute process.",
    }
    future = {**answers, "check_date": D(2026, 6, 25), "contact_sw.date": D(2026, 6, 26)}
    assert validate(future, "default", 12, rec_ids=ids["rec_ids"], as_of=AS_OF) == {
        "check_date": "The check date cannot be in the future (today is 24 Jun 2026).",
        "contact_sw.date": "The contact cannot be after the check date.",
    }


def test_templates_ask_only_their_sections(sqlite_engine) -> None:
    ids = seed(sqlite_engine)
    answers = valid_answers(ids)
    for key in ("concerns", "iro_summary", "chk_permanence.answer"):
        answers.pop(key)
    assert set(validate(answers, "monitoring_001", 12, rec_ids=ids["rec_ids"])) == set()
    assert set(validate(answers, "east_riding_000", 12, rec_ids=ids["rec_ids"])) == {"concerns"}
    assert set(validate(answers, "checklist_002", 12, rec_ids=ids["rec_ids"])) == {
        "iro_summary",
        "chk_permanence.answer",
    }
    assert set(TEMPLATES) == {"default", "east_riding_000", "monitoring_001", "checklist_002"}


def test_draft_is_saved_resumed_and_not_counted_as_done(engine) -> None:
    ids = seed(engine)
    half = {"check_date": CHECK_DATE, "contact_sw.mode": "Phone", "concerns": "Still typing"}
    saved = save_draft(engine, as_manager(ACTOR), "C1", ids["review_id"], half, "east_riding_000", None, as_of=AS_OF)
    assert saved.status == "draft"
    ctx = form_context(engine, MANAGER, "C1", AS_OF)
    assert ctx.draft is not None and ctx.draft.check_id == saved.check_id
    assert (ctx.draft.template, ctx.draft.answers["concerns"], ctx.draft.answers["check_date"]) == (
        "east_riding_000",
        "Still typing",
        "2026-06-23",
    )
    assert load_caseload(engine).midway_checks.height == 0
    assert _recs(engine, ids["review_id"]) == [(None, None, None)] * 3
    # the draft becomes the final check (same row)
    final = save_check(
        engine,
        as_manager(ACTOR),
        "C1",
        ids["review_id"],
        valid_answers(ids),
        "default",
        "progressing",
        saved.version,
        check_id=saved.check_id,
        as_of=AS_OF,
        review_version=_rv(engine),
    )
    assert final.check_id == saved.check_id and final.version == saved.version + 1
    assert _count(engine, m.MidwayCheck) == 1
    assert form_context(engine, MANAGER, "C1", AS_OF).draft is None


def test_second_save_of_the_same_check_is_refused_and_nothing_overwritten(engine) -> None:
    ids = seed(engine)
    draft = save_draft(
        engine, as_manager(ACTOR), "C1", ids["review_id"], {"check_date": CHECK_DATE}, "default", None, as_of=AS_OF
    )
    # both IROs open the draft at the same version
    opened, rv = form_context(engine, MANAGER, "C1", AS_OF).draft.version, _rv(engine)
    first = valid_answers(ids)
    save_check(
        engine,
        as_manager(ACTOR),
        "C1",
        ids["review_id"],
        first,
        "default",
        "actions_sent",
        opened,
        check_id=draft.check_id,
        as_of=AS_OF,
        review_version=rv,
    )
    second = valid_answers(ids)
    second["concerns"] = "Second IRO's text"
    second[f"rec.{ids['rec_ids'][1]}.update"] = "Overwritten?"
    with pytest.raises(ConcurrentEditError) as err:
        save_check(
            engine,
            as_manager("Other Iro"),
            "C1",
            ids["review_id"],
            second,
            "default",
            "actions_sent",
            opened,
            check_id=draft.check_id,
            as_of=AS_OF,
            review_version=rv,
        )
    assert re.fullmatch(
        r"This check was saved by Iris Reviewer at \d\d:\d\d since you opened it; nothing was overwritten\. "
        r"Reload to see their version\.",
        str(err.value),
    )
    with Session(engine) as s:
        c = s.get(m.MidwayCheck, draft.check_id)
        assert (c.author, c.answers["concerns"]) == (ACTOR, first["concerns"])
        assert not s.scalars(select(m.AuditEntry).where(m.AuditEntry.actor == "Other Iro")).all()
    assert _recs(engine, ids["review_id"])[1][1] == "No appointment offered yet."


def test_outcome_c_creates_the_escalation_in_the_same_transaction(engine) -> None:
    ids = seed(engine)
    answers = valid_answers(ids)
    answers.update(
        {"dispute": "informal", "esc.raise": True, "esc.category": "plan_delay", "esc.concern": "Health delay"}
    )
    saved = save_check(
        engine,
        as_manager(ACTOR),
        "C1",
        ids["review_id"],
        answers,
        "default",
        "escalated",
        as_of=AS_OF,
        review_version=_rv(engine),
    )
    with Session(engine) as s:
        esc = s.get(m.Escalation, saved.escalation_id)
        assert (esc.midway_check_id, esc.raised_date, esc.category, esc.raised_by) == (
            saved.check_id,
            CHECK_DATE,
            "plan_delay",
            ACTOR,
        )
        assert [(st.stage, st.stage_name, st.due_date) for st in esc.stages] == [
            (0, "Informal (Team Manager)", add_working_days(CHECK_DATE, 10))
        ]
    # an incomplete escalation refuses the whole save
    answers["esc.category"] = None
    with pytest.raises(ValidationError) as err:
        save_check(
            engine,
            as_manager(ACTOR),
            "C1",
            ids["review_id"],
            answers,
            "default",
            "escalated",
            as_of=AS_OF,
            review_version=_rv(engine),
        )
    assert err.value.errors == {"esc.category": "Choose what the escalation is about."}
    assert (_count(engine, m.MidwayCheck), _count(engine, m.Escalation)) == (1, 1)
