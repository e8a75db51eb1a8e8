"""The midway check form (DOMAIN §4-5): templates as data, validation, drafts and the final save.

Why data, not code, for the templates: the three councils' layouts (seed 000 Appendix 1, seed 001
monitoring form, seed 002 checklist) differ only in which questions they ask, so a template is a
list of sections and the page, the validation and the case note all walk the same list.

Answers are one flat dict keyed by field key (e.g. ``contact_sw.date``, ``rec.12.status``,
``chk_pep.answer``): the same keys are the widget keys on the page and the keys of the validation
messages, so a message lands next to its field and nothing typed is lost. Stored as JSON with
dates as ISO strings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from services.casework.vocabulary import (
    CONTACT_MODES,
    ESCALATION_CATEGORIES,
    MIDWAY_OUTCOME_LABELS,
    RECOMMENDATION_STATUS_LABELS,
)
from services.engine.age import age_on
from services.engine.allocation import allocations_on
from services.engine.caseload import Caseload, conform
from services.engine.policy import Policy
from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work

DEFAULT_POLICY = Policy()  # frozen: safe as a shared default

UK_TZ = ZoneInfo("Europe/London")
Kind = Literal["date", "text", "contact", "yesno_row"]


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: Kind
    required: bool = True
    help: str = ""
    # yes/no rows: the answer that calls for an "action needed" (e.g. "No" to "PEP undertaken?")
    needs_action_if: str | None = None
    missing: str = ""  # the message when a required text is empty


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Template:
    name: str
    label: str
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)


# --- the questions -------------------------------------------------------------------------------

CHECK_DATE = Question("check_date", "Date of this midway check", "date")

CONTACT_CHILD = Question("contact_child", "Contact with child", "contact", help="Date, how, and what was said.")
CONTACT_CARER = Question("contact_carer", "Contact with carer", "contact")
CONTACT_PARENTS = Question("contact_parents", "Contact with parents", "contact", required=False)
CONTACT_SW = Question(
    "contact_sw", "Contact with the social worker", "contact", help="The midway check is a dialogue with the SW."
)
CONTACT_OTHERS = Question("contact_others", "Contact with other professionals", "contact", required=False)

CONCERNS = Question(
    "concerns",
    "Any concerns about delays in implementation of any aspect of the child's plan? "
    "(specify actions required to address this)",
    "text",
    help='Write "None" if there are none.',
    missing='Record any concerns about delay and the actions required, or write "None".',
)
DEVELOPMENTS = Question(
    "developments",
    "Significant developments or incidents involving the child or the plans since the review",
    "text",
    help='Write "None" if there are none.',
    missing='Record significant developments or incidents since the review, or write "None".',
)

# seed 002 table, row by row (DOMAIN §5).
CHECKLIST_ROWS: tuple[Question, ...] = (
    Question(
        "chk_statutory",
        "Have statutory requirements been completed: statutory visits undertaken and child(ren) seen, PEP "
        "undertaken, permanency planning meetings, health assessment?",
        "yesno_row",
        needs_action_if="No",
    ),
    Question(
        "chk_permanence",
        "Permanency plan in place / has permanency been achieved?",
        "yesno_row",
        needs_action_if="No",
    ),
    Question(
        "chk_care_plan_updated",
        "Has the Care Plan been updated with the recommendations from the last Looked After Children Review?",
        "yesno_row",
        needs_action_if="No",
    ),
    Question(
        "chk_direct_work",
        "Is the SW engaging with the child via direct work using child friendly tools? (views of child)",
        "yesno_row",
        needs_action_if="No",
    ),
    Question(
        "chk_parents_involved",
        "Are parents/foster carers kept informed/involved in decision making? (views of parent)",
        "yesno_row",
        needs_action_if="No",
    ),
    Question(
        "chk_drift",
        "Is there any evidence of drift and delay that require escalation with managers?",
        "yesno_row",
        needs_action_if="Yes",
    ),
    Question(
        "chk_contingency",
        "Is there a contingency plan in the event the Care Plan is not progressing? (say what it is)",
        "yesno_row",
        needs_action_if="No",
    ),
    Question(
        "chk_management_oversight",
        "Is there evidence of management oversight and decision making?",
        "yesno_row",
        needs_action_if="No",
    ),
)
IRO_SUMMARY = Question(
    "iro_summary", "IRO summary and recommendations", "text", missing="Enter the IRO summary and recommendations."
)

_REVIEW = Section("review", "Last review", (CHECK_DATE,))
_RECS = Section("recommendations", "Recommendations from the review and update")
_OUTCOME = Section("outcome", "Outcome")
_CONCERNS = Section("concerns", "Concerns about delay", (CONCERNS,))
_CHECKLIST = Section("checklist", "Midway review checklist", (*CHECKLIST_ROWS, IRO_SUMMARY))
_MONITORING = Section("monitoring", "Monitoring the case on an on-going basis", (DEVELOPMENTS,))


def _contacts(*qs: Question) -> Section:
    return Section("contacts", "Contacts", qs)


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "default",
            "Midway check (all questions: 000 appendix, 002 checklist, 001 monitoring)",
            (
                _REVIEW,
                _RECS,
                _contacts(CONTACT_CHILD, CONTACT_CARER, CONTACT_PARENTS, CONTACT_SW, CONTACT_OTHERS),
                _CONCERNS,
                _CHECKLIST,
                _MONITORING,
                _OUTCOME,
            ),
        ),
        Template(
            "east_riding_000",
            "CISRO Midway CLA Review Check (000 Appendix 1)",
            (_REVIEW, _RECS, _contacts(CONTACT_CHILD, CONTACT_CARER, CONTACT_SW, CONTACT_OTHERS), _CONCERNS, _OUTCOME),
        ),
        Template(
            "monitoring_001",
            "Monitoring the case on an on-going basis (001, 6 weeks after each review)",
            (
                _REVIEW,
                _RECS,
                _contacts(CONTACT_CHILD, CONTACT_CARER, CONTACT_PARENTS, CONTACT_SW, CONTACT_OTHERS),
                _MONITORING,
                _OUTCOME,
            ),
        ),
        Template(
            "checklist_002",
            "Midway review checklist (002, 12 weeks after the second review)",
            (_REVIEW, _RECS, _contacts(CONTACT_CHILD, CONTACT_CARER, CONTACT_SW, CONTACT_OTHERS), _CHECKLIST, _OUTCOME),
        ),
    )
}

DISPUTE_CHOICES: dict[str, str] = {"informal": "Informal dispute process", "formal": "Formal dispute process"}


def get_template(name: str) -> Template:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ValueError(f"Unknown midway template {name!r}: use one of {', '.join(TEMPLATES)}") from None


ESCALATION_KEYS = ("esc.raise", "esc.category", "esc.concern", "esc.evidence", "esc.actions", "esc.due_date")


def field_keys(template: str | Template, rec_ids: Sequence[int]) -> list[str]:
    """Every answer key the template asks, in form order (the page's widget keys)."""
    tpl = get_template(template) if isinstance(template, str) else template
    keys: list[str] = []
    for section in tpl.sections:
        if section.key == "recommendations":
            for rid in rec_ids:
                keys += [f"rec.{rid}.status", f"rec.{rid}.update"]
        for q in section.questions:
            if q.kind == "contact":
                keys += [f"{q.key}.date", f"{q.key}.mode", f"{q.key}.notes"]
            elif q.kind == "yesno_row":
                keys += [f"{q.key}.answer", f"{q.key}.comment", f"{q.key}.action"]
            else:
                keys.append(q.key)
        if section.key == "contacts":
            keys += ["child_view", "child_view_reason"]
        if section.key == "outcome":
            keys += ["outcome", "dispute", *ESCALATION_KEYS]
    return keys


# --- errors --------------------------------------------------------------------------------------


class ValidationError(ValueError):
    """The answers are incomplete; `errors` maps each field key to the message shown under it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class ConcurrentEditError(RuntimeError):
    """Someone saved this check after the user opened it: the save is refused, nothing overwritten."""

    def __init__(self, author: str | None, at: dt.datetime | None):
        when = local_time(at).strftime("%H:%M") if at else "an unknown time"
        super().__init__(
            f"This check was saved by {author or 'another user'} at {when} since you opened it; "
            "nothing was overwritten. Reload to see their version."
        )
        self.author = author
        self.at = at


def local_time(at: dt.datetime) -> dt.datetime:
    """UK wall-clock time of a stored timestamp (SQLite gives naive UTC, PostgreSQL aware)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(UK_TZ)


# --- answers helpers -----------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_date(value: Any) -> dt.date | None:
    """A date from a widget (date) or from stored JSON (ISO string); None when empty or unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def is_date_key(key: str) -> bool:
    return key == "check_date" or key.endswith(".date") or key == "esc.due_date"


def to_json(answers: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe copy: dates as ISO strings, other values as they are."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in answers.items()}


def from_json(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers back into widget values (ISO strings to dates), for resuming a draft."""
    return {k: (as_date(v) if is_date_key(k) else v) for k, v in answers.items()}


# --- validation ----------------------------------------------------------------------------------


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


def uk_date(day: dt.date | None) -> str:
    """UK format (23/11/2026): case notes are pasted into UK case systems."""
    return day.strftime("%d/%m/%Y") if day else ""


# --- context -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckSnapshot:
    check_id: int
    version: int
    status: str
    template: str
    outcome: str | None
    answers: dict[str, Any]
    author: str | None
    updated_at: dt.datetime | None
    check_date: dt.date


@dataclass(frozen=True)
class FormContext:
    child_id: str
    display_name: str
    date_of_birth: dt.date
    age: int
    team: str | None
    iro: str | None
    social_worker: str | None
    team_manager: str | None
    review_id: int | None
    review_date: dt.date | None
    recommendations: list[dict[str, Any]]
    draft: CheckSnapshot | None
    final_checks: list[CheckSnapshot]


def _snapshot(c: m.MidwayCheck) -> CheckSnapshot:
    return CheckSnapshot(
        check_id=c.id, version=c.version, status=c.status, template=c.template, outcome=c.outcome,
        answers=dict(c.answers or {}), author=c.author, updated_at=c.updated_at, check_date=c.check_date,
    )  # fmt: skip


def _allocation(s: Session, child_id: str, as_of: dt.date) -> dict[str, Any]:
    """Team / IRO / SW on `as_of` through services.engine.allocation, on a one-child caseload (cheap)."""
    rows = s.execute(
        select(m.Allocation.role, m.Staff.code, m.Staff.display_name, m.Team.name, m.Allocation.from_date,
               m.Allocation.to_date)
        .outerjoin(m.Staff, m.Staff.id == m.Allocation.staff_id)
        .outerjoin(m.Team, m.Team.id == m.Allocation.team_id)
        .where(m.Allocation.child_id == child_id)
    ).all()  # fmt: skip
    frame = pl.DataFrame(
        [(child_id, r[0], r[1], r[2] or r[3], r[4], r[5]) for r in rows],
        schema=["child_id", "role", "staff_code", "name", "from_date", "to_date"],
        orient="row",
    )
    cl = dataclasses.replace(
        Caseload.empty(),
        children=conform("children", pl.DataFrame({"child_id": [child_id]})),
        allocations=conform("allocations", frame),
    )
    return allocations_on(cl, as_of).row(0, named=True)


def form_context(engine: Engine, child_id: str, as_of: dt.date) -> FormContext:
    """What the form needs for a child on `as_of`: who they are, their age, who is allocated, the
    last review held on or before `as_of` with its recommendations, and any draft or saved check
    for that review (a draft is resumed; saved checks are listed)."""
    with Session(engine) as s:
        child = s.get(m.Child, child_id)
        if child is None:
            raise LookupError(f"No child with id {child_id!r}.")
        alloc = _allocation(s, child_id, as_of)
        tm = None
        if alloc.get("team"):
            tm = s.scalar(
                select(m.Staff.display_name)
                .join(m.Team, m.Team.id == m.Staff.team_id)
                .where(m.Team.name == alloc["team"], m.Staff.role == "team_manager", m.Staff.active.is_(True))
                .order_by(m.Staff.display_name)
                .limit(1)
            )
        review = s.scalars(
            select(m.Review)
            .where(m.Review.child_id == child_id, m.Review.held_date <= as_of)
            .order_by(m.Review.held_date.desc())
            .limit(1)
        ).first()
        recs: list[dict[str, Any]] = []
        draft = None
        finals: list[CheckSnapshot] = []
        if review is not None:
            recs = [
                {
                    "rec_id": r.id, "seq": r.seq, "text": r.text, "owner": r.owner, "target_date": r.target_date,
                    "status": r.status, "last_update": r.last_update, "completed_date": r.completed_date,
                }
                for r in review.recommendations
            ]  # fmt: skip
            checks = s.scalars(
                select(m.MidwayCheck)
                .where(m.MidwayCheck.child_id == child_id, m.MidwayCheck.review_id == review.id)
                .order_by(m.MidwayCheck.id)
            ).all()
            drafts = [c for c in checks if c.status == "draft"]
            draft = _snapshot(drafts[-1]) if drafts else None
            finals = [_snapshot(c) for c in checks if c.status == "final"]
        return FormContext(
            child_id=child.id, display_name=child.display_name or child.id, date_of_birth=child.date_of_birth,
            age=age_on(child.date_of_birth, as_of), team=alloc.get("team"), iro=alloc.get("iro"),
            social_worker=alloc.get("social_worker"), team_manager=tm,
            review_id=review.id if review else None, review_date=review.held_date if review else None,
            recommendations=recs, draft=draft, final_checks=finals,
        )  # fmt: skip


# --- saving --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedCheck:
    check_id: int
    version: int
    status: str
    check_date: dt.date
    escalation_id: int | None = None


def _staff_id(s: Session, name: str) -> int | None:
    return s.scalar(select(m.Staff.id).where(m.Staff.display_name == name).limit(1))


def _load_for_write(
    s: Session, check_id: int | None, expected_version: int | None, child_id: str, review_id: int | None
) -> m.MidwayCheck | None:
    """The check being edited, refusing a stale version (the optimistic lock's first line; the
    version column catches a save racing between this read and the write)."""
    if check_id is None:
        return None
    check = s.get(m.MidwayCheck, check_id)
    if check is None or check.child_id != child_id:
        raise LookupError(f"Midway check {check_id} does not exist for child {child_id}.")
    if expected_version is not None and check.version != expected_version:
        raise ConcurrentEditError(check.author, check.updated_at)
    if check.review_id != review_id:
        raise ValueError("This check belongs to a different review: reload the form.")
    return check


def _flush(s: Session, check: m.MidwayCheck) -> None:
    try:
        s.flush()
    except StaleDataError:
        s.rollback()
        with Session(s.get_bind()) as fresh:
            now = fresh.get(m.MidwayCheck, check.id)
            raise ConcurrentEditError(now.author if now else None, now.updated_at if now else None) from None


def save_draft(
    engine: Engine,
    actor: str,
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
    get_template(template)
    with unit_of_work(engine, actor) as s:
        if s.get(m.Child, child_id) is None:
            raise LookupError(f"No child with id {child_id!r}.")
        check = _load_for_write(s, check_id, expected_version, child_id, review_id)
        if check is not None and check.status == "final":
            raise ValueError("This check has been saved as final; it cannot go back to a draft.")
        author_id = _staff_id(s, actor)  # before adding: the query's autoflush must not insert a half-filled row
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
    actor: str,
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
) -> SavedCheck:
    """Save a final midway check in ONE transaction: the check, each recommendation's status /
    update / completed date, the audit entries (automatic), and for outcome (c) with "raise an
    escalation" ticked, the escalation at the informal or first formal stage.

    Raises ValidationError (nothing written) or ConcurrentEditError (someone saved this check after
    `expected_version` was read; nothing overwritten)."""
    from services.casework.escalations import add_escalation

    tpl = get_template(template)
    answers = {**answers, "outcome": outcome}
    with unit_of_work(engine, actor) as s:
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
            answers, tpl, age, rec_ids=[r.id for r in review.recommendations], review_date=review.held_date,
            as_of=as_of, policy=policy,
        )  # fmt: skip
        if errors:
            raise ValidationError(errors)
        assert check_date is not None
        author_id = _staff_id(s, actor)  # before adding: the query's autoflush must not insert a half-filled row
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


def child_flags(engine: Engine, child_id: str, as_of: dt.date, policy: Policy = DEFAULT_POLICY) -> pl.DataFrame | None:
    """The child's drift flags now (services.engine.compute), computed on the child and their siblings only
    (SIBLINGS_SPLIT needs the siblings). None while the engine module is not available."""
    try:
        from services.engine.compute import compute
    except ImportError:
        return None
    from services.persistence.caseload import load_caseload

    cl = load_caseload(engine)
    group = cl.children.filter(pl.col("child_id") == child_id)["sibling_group"].to_list()
    ids = pl.col("child_id") == child_id
    if group and group[0]:
        ids = ids | pl.col("child_id").is_in(
            cl.children.filter(pl.col("sibling_group") == group[0])["child_id"].implode()
        )
    keep = set(cl.children.filter(ids)["child_id"].to_list())
    small = dataclasses.replace(
        cl, **{name: frame.filter(pl.col("child_id").is_in(list(keep))) for name, frame in cl.tables().items()}
    )
    result = compute(small, as_of, policy)
    return result.flags.filter(pl.col("child_id") == child_id)
