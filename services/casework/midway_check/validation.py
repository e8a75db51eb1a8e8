"""Every problem with a set of answers, keyed by field, so each message is drawn under its field.

Pure (no database): the final save calls it inside its transaction, and tests call it directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from services.casework.midway_check.answers import as_date, uk_date
from services.casework.midway_check.templates import DISPUTE_CHOICES, Question, Template, get_template
from services.engine.policy import DEFAULT_POLICY, Policy
from services.vocabulary import (
    CONTACT_MODES,
    ESCALATION_CATEGORIES,
    MIDWAY_OUTCOME_LABELS,
    RECOMMENDATION_STATUS_LABELS,
)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate(
    answers: Mapping[str, Any],
    template: str | Template,
    child_age: int | None,
    *,
    rec_ids: Sequence[int] = (),
    review_date: dt.date | None = None,
    as_of: dt.date | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> dict[str, str]:
    """Every problem with the answers, as {field key: message for that field}. Empty = valid.

    The outcome is `answers["outcome"]`. `rec_ids` are the last review's recommendations, each of
    which needs a status. `review_date` and `as_of` bound the check date when given."""
    tpl = get_template(template) if isinstance(template, str) else template
    errors: dict[str, str] = {}

    check_date = as_date(answers.get("check_date"))
    if check_date is None:
        errors["check_date"] = "Enter the date of this midway check."
    elif review_date and check_date < review_date:
        errors["check_date"] = f"The check cannot be before the last review ({uk_date(review_date)})."
    elif as_of and check_date > as_of:
        errors["check_date"] = f"The check date cannot be in the future (today is {uk_date(as_of)})."

    for rec_id in rec_ids:
        status = answers.get(f"rec.{rec_id}.status")
        if status not in RECOMMENDATION_STATUS_LABELS:
            errors[f"rec.{rec_id}.status"] = "Choose done, on track, delayed or not started."
        elif status in ("delayed", "not_started") and _blank(answers.get(f"rec.{rec_id}.update")):
            errors[f"rec.{rec_id}.update"] = "Say what is holding this recommendation up and what will be done."

    contacts = tpl.section("contacts")
    for q in contacts.questions if contacts else ():
        _validate_contact(answers, q, check_date, errors)
    asked = contacts is not None and child_age is not None and child_age >= policy.midway_child_view_min_age
    if asked and _blank(answers.get("child_view")) and _blank(answers.get("child_view_reason")):
        errors["child_view"] = (
            f"The child is {child_age}: children aged {policy.midway_child_view_min_age} and over are asked "
            "for their own view. Record it, or say why it was not sought."
        )

    for q in tpl.questions():
        if q.kind == "text" and q.required and _blank(answers.get(q.key)):
            errors[q.key] = q.missing or f"Enter: {q.label}."
        elif q.kind == "yesno_row":
            answer = answers.get(f"{q.key}.answer")
            if answer not in ("Yes", "No"):
                errors[f"{q.key}.answer"] = "Answer Yes or No."
            elif answer == q.needs_action_if and _blank(answers.get(f"{q.key}.action")):
                errors[f"{q.key}.action"] = f"The answer is {answer}: say what action is needed."

    outcome = answers.get("outcome")
    if outcome not in MIDWAY_OUTCOME_LABELS:
        errors["outcome"] = "Choose the outcome: (a), (b) or (c)."
    elif outcome == "escalated":
        if answers.get("dispute") not in DISPUTE_CHOICES:
            errors["dispute"] = "Outcome (c): choose the informal or the formal dispute process."
        if answers.get("esc.raise"):
            if answers.get("esc.category") not in ESCALATION_CATEGORIES:
                errors["esc.category"] = "Choose what the escalation is about."
            if _blank(answers.get("esc.concern")):
                errors["esc.concern"] = "Describe the concern the escalation raises."
            due = as_date(answers.get("esc.due_date"))
            if due is not None and check_date is not None and due < check_date:
                errors["esc.due_date"] = "The resolution date cannot be before the check date."
    elif (
        outcome == "actions_sent"
        and "concerns" in {q.key for q in tpl.questions()}
        and str(answers.get("concerns") or "").strip().lower() in {"none", "no", "n/a"}
    ):
        errors["concerns"] = "Outcome (b) sends actions to the SW and TM: write the actions required."
    return errors


def _validate_contact(
    answers: Mapping[str, Any], q: Question, check_date: dt.date | None, errors: dict[str, str]
) -> None:
    date = as_date(answers.get(f"{q.key}.date"))
    mode = answers.get(f"{q.key}.mode")
    notes = answers.get(f"{q.key}.notes")
    anything = date is not None or not _blank(mode) or not _blank(notes)
    if not q.required and not anything:
        return
    if mode not in CONTACT_MODES:
        errors[f"{q.key}.mode"] = (
            "Choose how you were in contact (or No contact)."
            if q.key != "contact_sw"
            else "Choose how you spoke to the social worker."
        )
        return
    if mode == "No contact":
        if q.key == "contact_sw":
            errors[f"{q.key}.mode"] = "A midway check is a conversation with the social worker: record when and how."
        elif _blank(notes):
            errors[f"{q.key}.notes"] = "Say why there was no contact."
        return
    if date is None:
        errors[f"{q.key}.date"] = "Enter the date of the contact."
    elif check_date is not None and date > check_date:
        errors[f"{q.key}.date"] = "The contact cannot be after the check date."
