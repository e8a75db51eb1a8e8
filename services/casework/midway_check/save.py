"""Saving the form: drafts (unvalidated, never counted as done) and the final save.

The final save is one transaction (check, recommendations, escalation, audit), refused whole on
a validation error or a concurrent edit, so a half-saved check never exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from services.access import Principal, require_child
from services.access.demo import writes
from services.casework.escalations import add_escalation
from services.casework.fields import answer_problem, date_problem, problems
from services.casework.midway_check.answers import as_date, is_date_key, to_json
from services.casework.midway_check.errors import ConcurrentEditError, ValidationError
from services.casework.midway_check.templates import get_template
from services.casework.midway_check.validation import validate
from services.engine.age import age_on
from services.engine.policy import DEFAULT_POLICY, Policy
from services.persistence import models as m


@dataclass(frozen=True)
class SavedCheck:
    check_id: int
    version: int
    status: str
    check_date: dt.date
    escalation_id: int | None = None


def _refuse_shape(answers: Any, outcome: Any, template: Any, as_of: Any) -> None:
    """A ValidationError for every answer of a shape no widget gives (services.casework.fields):
    checked before the template's rules, which compare dates and read texts."""
    if not isinstance(answers, Mapping) or not all(isinstance(k, str) for k in answers):
        raise ValidationError({"answers": "Reload the page: the form's answers are not readable."})
    errors = {k: p for k, v in answers.items() if (p := answer_problem(v))}
    errors |= {
        k: p for k, v in answers.items() if is_date_key(k) and k not in errors and (p := date_problem(as_date(v)))
    }
    errors |= problems(limited={"outcome": (outcome, 40), "template": (template, 60)}, dates={"as_of": as_of})
    if errors:
        raise ValidationError(errors)


def _staff_id(s: Session, name: str) -> int | None:
    return s.scalar(select(m.Staff.id).where(m.Staff.display_name == name).limit(1))


def _load_for_write(
    s: Session, check_id: int | None, expected_version: int | None, child_id: str, review_id: int | None
) -> m.MidwayCheck | None:
    """The check being edited, refusing a stale version (the optimistic lock's first line; the
    version column catches a save racing between this read and the write)."""
    if check_id is None:
        return None
    if expected_version is None:  # no bypass: an existing check is only changed from the version seen
        raise TypeError("Editing a saved check needs the version the form was rendered with (expected_version).")
    check = s.get(m.MidwayCheck, check_id)
    if check is None or check.child_id != child_id:
        raise LookupError(f"Midway check {check_id} does not exist for child {child_id}.")
    if check.version != expected_version:
        raise ConcurrentEditError(check.author, check.updated_at)
    if check.review_id != review_id:
        raise ValueError("This check belongs to a different review: reload the form.")
    return check


def _flush(s: Session, check: m.MidwayCheck) -> None:
    """Flush the check, always bumping its version (flag_modified: an unchanged form is still a
    save), so a second save based on the same version matches no row and is refused."""
    check_id, child_id, review_id = check.id, check.child_id, check.review_id
    if check_id is not None:
        flag_modified(check, "answers")
    try:
        s.flush()
    except StaleDataError:
        s.rollback()  # then read who saved first on the same session (one connection per save)
        now = s.get(m.MidwayCheck, check_id, populate_existing=True)
        raise ConcurrentEditError(now.author if now else None, now.updated_at if now else None) from None
    except IntegrityError:  # the one-draft index: someone started this review's draft meanwhile
        s.rollback()
        raise _draft_exists(s, child_id, review_id) from None


def _draft_exists(s: Session, child_id: str, review_id: int | None) -> ConcurrentEditError:
    other = s.scalars(
        select(m.MidwayCheck).where(
            m.MidwayCheck.child_id == child_id, m.MidwayCheck.review_id == review_id, m.MidwayCheck.status == "draft"
        )
    ).first()
    return ConcurrentEditError(other.author if other else None, other.updated_at if other else None)


def _claim_review(s: Session, review: m.Review, expected: int) -> None:
    """Bump the review's version, refusing when it is no longer `expected` (the version the form
    was rendered with). One conditional UPDATE, so of
    two saves based on the same version exactly one matches a row: the other is refused instead
    of silently overwriting the recommendation statuses the first saved."""
    seen = expected
    done = s.execute(
        update(m.Review).where(m.Review.id == review.id, m.Review.version == seen).values(version=seen + 1)
    )
    if done.rowcount != 1:
        review_id = review.id
        s.rollback()  # then read who saved first on the same session (one connection per save)
        last = s.scalars(
            select(m.MidwayCheck)
            .where(m.MidwayCheck.review_id == review_id, m.MidwayCheck.status == "final")
            .order_by(m.MidwayCheck.updated_at.desc(), m.MidwayCheck.id.desc())
            .limit(1)
        ).first()
        raise ConcurrentEditError(last.author if last else None, last.updated_at if last else None)


def save_draft(
    engine: Engine,
    who: Principal,
    child_id: str,
    review_id: int | None,
    answers: Mapping[str, Any],
    template: str,
    outcome: str | None,
    expected_version: int | None = None,
    *,
    check_id: int | None = None,
    as_of: dt.date,
) -> SavedCheck:
    """Save unfinished answers as a draft (no validation: a draft may be half done). Drafts do not
    count as done (the engine loads final checks only) and do not touch recommendations."""
    _refuse_shape(answers, outcome, template, as_of)
    get_template(template)
    require_child(engine, who, child_id, write=True)
    actor = who.name
    with writes(engine, who) as s:
        if s.get(m.Child, child_id) is None:
            raise LookupError(f"No child with id {child_id!r}.")
        check = _load_for_write(s, check_id, expected_version, child_id, review_id)
        if check is not None and check.status == "final":
            raise ValueError("This check has been saved as final; it cannot go back to a draft.")
        author_id = who.staff_id or _staff_id(
            s, actor
        )  # before adding: the query's autoflush must not insert a half-filled row
        if check is None:
            check = m.MidwayCheck(child_id=child_id, review_id=review_id)
            s.add(check)
        check.check_date = as_date(answers.get("check_date")) or as_of
        check.author, check.author_id = actor, author_id
        check.template, check.outcome, check.status = template, outcome, "draft"
        check.answers = to_json({**answers, "outcome": outcome})
        _flush(s, check)
        return SavedCheck(check.id, check.version, "draft", check.check_date)


def save_check(
    engine: Engine,
    who: Principal,
    child_id: str,
    review_id: int,
    answers: Mapping[str, Any],
    template: str,
    outcome: str | None,
    expected_version: int | None = None,
    *,
    check_id: int | None = None,
    as_of: dt.date | None = None,
    policy: Policy = DEFAULT_POLICY,
    review_version: int,
) -> SavedCheck:
    """Save a final midway check in ONE transaction: the check, each recommendation's status /
    update / completed date, the audit entries (automatic), and for outcome (c) with "raise an
    escalation" ticked, the escalation at the informal or first formal stage.

    Raises ValidationError (nothing written) or ConcurrentEditError (someone saved this check after
    `expected_version` was read, or the review's recommendations were updated by another save
    after `review_version` (the form's `FormContext.review_version`) was read; nothing overwritten)."""
    _refuse_shape(answers, outcome, template, as_of)
    tpl = get_template(template)
    answers = {**answers, "outcome": outcome}
    require_child(engine, who, child_id, write=True)
    actor = who.name
    with writes(engine, who) as s:
        child = s.get(m.Child, child_id)
        if child is None:
            raise LookupError(f"No child with id {child_id!r}.")
        review = s.get(m.Review, review_id)
        if review is None or review.child_id != child_id:
            raise LookupError(f"Review {review_id} is not a review of child {child_id}.")
        check = _load_for_write(s, check_id, expected_version, child_id, review_id)
        check_date = as_date(answers.get("check_date"))
        age = age_on(child.date_of_birth, check_date or as_of or review.held_date)
        errors = validate(
            answers,
            tpl,
            age,
            rec_ids=[r.id for r in review.recommendations],
            review_date=review.held_date,
            as_of=as_of,
            policy=policy,
        )
        if errors:
            raise ValidationError(errors)
        assert check_date is not None
        _claim_review(s, review, review_version)
        author_id = who.staff_id or _staff_id(
            s, actor
        )  # before adding: the query's autoflush must not insert a half-filled row
        if check is None:
            check = m.MidwayCheck(child_id=child_id, review_id=review_id)
            s.add(check)
        check.check_date = check_date
        check.author, check.author_id = actor, author_id
        check.template, check.outcome, check.status = template, outcome, "final"
        check.answers = to_json(answers)
        for rec in review.recommendations:
            status = answers[f"rec.{rec.id}.status"]
            rec.status = status
            update = answers.get(f"rec.{rec.id}.update")
            rec.last_update = update.strip() if isinstance(update, str) and update.strip() else rec.last_update
            if status == "done" and rec.completed_date is None:
                rec.completed_date = check_date
        _flush(s, check)
        escalation_id = None
        if outcome == "escalated" and answers.get("esc.raise"):
            esc = add_escalation(
                s,
                actor,
                child_id,
                raised_date=check_date,
                category=answers["esc.category"],
                concern=answers["esc.concern"],
                evidence=answers.get("esc.evidence"),
                actions_requested=answers.get("esc.actions"),
                stage=0 if answers.get("dispute") == "informal" else 1,
                due_date=as_date(answers.get("esc.due_date")),
                midway_check_id=check.id,
                policy=policy,
            )
            escalation_id = esc.id
        return SavedCheck(check.id, check.version, "final", check_date, escalation_id)
