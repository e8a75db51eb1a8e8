# ruff: noqa: E501  (the expected case notes are verbatim: their long lines are the format)
"""The case note is exactly the seed 000 Appendix 1 format; the message draft and .docx follow it."""

from __future__ import annotations

import io

from docx import Document

from services.casework.casenote import case_note_data, case_note_docx, message_draft, render_case_note
from services.casework.midway_check.read_model import form_context
from services.casework.midway_check.save import save_check
from services.engine.policy import Policy
from tests.casework_seed import AS_OF, seed, valid_answers
from tests.principals import MANAGER, as_manager

EXPECTED_DEFAULT = """CISRO Midway CLA Review Check

Date of last CLA Review : 5 May 2026

Recs from review & Update:
1. Hold a PEP meeting (Owner: Sam Worker; target date: 1 Jun 2026)
   Update: Done. PEP held on 28/05/2026.
2. Complete the health assessment (Owner: Health; target date: 15 Jun 2026)
   Update: Delayed. No appointment offered yet.
3. Start life story work (Owner: Sam Worker; target date: 31 Jul 2026)
   Update: On track.

Contact with child: 19 Jun 2026, Phone. Spoke to Alex after school.
Child's own view: Alex is happy at placement and wants more time with his brother.

Contact with carer: 19 Jun 2026, Phone.

Contact with parents: Not recorded.

Contact with the SW/other professionals
Social worker: 22 Jun 2026, In person. Discussed progress of the plan.

Any concerns about delays in implementation of any aspect of the child's plan? (specify actions required to address this)
Health assessment delayed: SW to chase the health team by 30/06/2026.

Is the Informal Dispute process required? NO

Is Formal Dispute process required? NO

Midway review checklist
1. Have statutory requirements been completed: statutory visits undertaken and child(ren) seen, PEP undertaken, permanency planning meetings, health assessment? No
   Comment: Health assessment outstanding.
   Action needed: SW to chase the health team.
2. Permanency plan in place / has permanency been achieved? Yes
3. Has the Care Plan been updated with the recommendations from the last Looked After Children Review? Yes
4. Is the SW engaging with the child via direct work using child friendly tools? (views of child) Yes
5. Are parents/foster carers kept informed/involved in decision making? (views of parent) Yes
6. Is there any evidence of drift and delay that require escalation with managers? No
7. Is there a contingency plan in the event the Care Plan is not progressing? (say what it is) Yes
8. Is there evidence of management oversight and decision making? Yes
IRO summary and recommendations: Plan progressing apart from the health assessment.

Monitoring the case on an on-going basis
Significant developments or incidents since the review: None

Outcome: (b) Actions or concerns sent to the social worker and team manager

Completed by Iris Reviewer on 23 Jun 2026
"""

EXPECTED_000_FORMAL = """IRO Midway CLA Review Check

Date of last CLA Review : 5 May 2026

Recs from review & Update:
1. Hold a PEP meeting (Owner: Sam Worker; target date: 1 Jun 2026)
   Update: Done. PEP held on 28/05/2026.
2. Complete the health assessment (Owner: Health; target date: 15 Jun 2026)
   Update: Delayed. No appointment offered yet.
3. Start life story work (Owner: Sam Worker; target date: 31 Jul 2026)
   Update: On track.

Contact with child: No contact. Alex was on a school trip.
Child's own view not sought because: Away all week; letter sent.

Contact with carer: 19 Jun 2026, Phone.

Contact with the SW/other professionals
Social worker: 22 Jun 2026, In person. Discussed progress of the plan.
Other professionals: 20 Jun 2026, Email. School confirmed PEP targets.

Any concerns about delays in implementation of any aspect of the child's plan? (specify actions required to address this)
Health assessment delayed: SW to chase the health team by 30/06/2026.

Is the Informal Dispute process required? NO

Is Formal Dispute process required? YES

Outcome: (c) Drift significant - start the informal or formal dispute process

Completed by Iris Reviewer on 23 Jun 2026
"""


def _save(engine, ids, template="default", outcome="actions_sent", **changes):
    answers = {**valid_answers(ids), **changes}
    rv = form_context(engine, MANAGER, "C1", AS_OF).review_version
    saved = save_check(
        engine,
        as_manager("Iris Reviewer"),
        "C1",
        ids["review_id"],
        answers,
        template,
        outcome,
        as_of=AS_OF,
        review_version=rv,
    )
    return case_note_data(engine, MANAGER, saved.check_id)


def test_case_note_for_a_known_check_matches_the_template_exactly(engine) -> None:
    ids = seed(engine)
    assert render_case_note(_save(engine, ids)) == EXPECTED_DEFAULT


def test_000_template_formal_dispute_and_council_title(sqlite_engine) -> None:
    ids = seed(sqlite_engine)
    data = _save(
        sqlite_engine,
        ids,
        "east_riding_000",
        "escalated",
        **{
            "contact_child.mode": "No contact",
            "contact_child.date": None,
            "contact_child.notes": "Alex was on a school trip.",
            "child_view": "",
            "child_view_reason": "Away all week; letter sent.",
            "contact_others.mode": "Email",
            "contact_others.date": AS_OF.replace(day=20),
            "contact_others.notes": "School confirmed PEP targets.",
            "dispute": "formal",
            "esc.raise": True,
            "esc.category": "plan_delay",
            "esc.concern": "Health delay",
        },
    )
    assert render_case_note(data, Policy().with_(casenote_title="IRO Midway CLA Review Check")) == EXPECTED_000_FORMAL


def test_message_draft_only_for_outcomes_b_and_c(sqlite_engine) -> None:
    ids = seed(sqlite_engine)
    data = _save(sqlite_engine, ids)
    subject, body = message_draft(data)
    assert subject == "Midway CLA Review check for Alex Test (C1): actions required"
    assert body.startswith("Dear Sam Worker and Tara Manager,\n\nI completed the midway check for Alex Test (C1) on ")
    assert "- Complete the health assessment (target date 15 Jun 2026): Delayed. No appointment offered yet." in body
    assert "Hold a PEP meeting" not in body  # done: nothing to chase
    assert body.endswith("Regards,\nIris Reviewer\n")
    seed_a = _save(sqlite_engine, ids, outcome="progressing", check_date=AS_OF)
    assert message_draft(seed_a) is None


def test_message_for_outcome_c_names_the_stage_and_resolution_date(sqlite_engine) -> None:
    ids = seed(sqlite_engine)
    data = _save(
        sqlite_engine,
        ids,
        outcome="escalated",
        **{
            "dispute": "informal",
            "esc.raise": True,
            "esc.category": "plan_delay",
            "esc.concern": "Health delay",
            "esc.due_date": AS_OF.replace(day=30),
        },
    )
    subject, body = message_draft(data)
    assert subject.endswith(": informal dispute resolution")
    assert (
        "raising this under the informal dispute resolution process (stage: Informal (Team Manager)). "
        "Please respond in writing by 30 Jun 2026" in body
    )


def test_docx_holds_the_same_text(sqlite_engine) -> None:
    ids = seed(sqlite_engine)
    text = render_case_note(_save(sqlite_engine, ids))
    doc = Document(io.BytesIO(case_note_docx(text)))
    paras = [p.text for p in doc.paragraphs]
    assert paras[0] == "CISRO Midway CLA Review Check"
    assert "\n\n".join(paras) + "\n" == text
