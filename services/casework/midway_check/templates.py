"""The form's questions and the councils' templates as data, and the answer keys they ask.

A template is only a choice of sections, so adding a council's layout is a new entry in
TEMPLATES; the page, `validation` and the case note walk the same sections.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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
