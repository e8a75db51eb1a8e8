"""The saved midway check as a case note, in the council's set format (seed 000 Appendix 1), and a
message draft to the social worker and team manager for outcomes (b) and (c) (DOMAIN §5).

Decisions, so a council can check them against its own wording:
- The title is `Policy.casenote_title`, default the Appendix's own words "CISRO Midway CLA Review
  Check" (changed on the Settings page, e.g. "IRO Midway CLA Review Check", where IROs are not CISROs).
- The layout is `Policy.casenote_format`: `appendix` (default) keeps a blank line between blocks;
  `compact` drops them, for case systems whose note field collapses blank lines.
- The Appendix headings are reproduced exactly, colons and spacing included ("Date of last CLA
  Review :", "Contact with the SW/other professionals" without a colon), and "YES/NO" becomes the
  answer. The 002 checklist and 001 items follow for templates that ask them, then the outcome and
  who completed the check (case systems record the author too, but a pasted note should stand alone).
- Dates are UK format (23/11/2026): the note is pasted into Mosaic / LCS / CCM.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.access import Principal, require_child
from services.casework.midway_check.answers import as_date, uk_date
from services.casework.midway_check.read_model import _form_context
from services.casework.midway_check.templates import CHECKLIST_ROWS, IRO_SUMMARY, get_template
from services.engine.policy import DEFAULT_POLICY, Policy
from services.persistence import models as m
from services.vocabulary import MIDWAY_OUTCOME_LABELS, RECOMMENDATION_STATUS_LABELS


@dataclass(frozen=True)
class CaseNoteData:
    """Everything the note and the message say, gathered once (pure input to the renderers)."""

    child_id: str
    child_name: str
    template: str
    review_date: dt.date | None
    check_date: dt.date
    author: str | None
    outcome: str | None
    answers: dict[str, Any]
    recommendations: list[dict[str, Any]] = field(default_factory=list)
    social_worker: str | None = None
    team_manager: str | None = None
    escalation_due: dt.date | None = None
    escalation_stage: str | None = None


def case_note_data(engine: Engine, who: Principal, check_id: int) -> CaseNoteData:
    """Read a saved check with its review's recommendations and the people to write to (refused
    unless `who` may see the check's child)."""
    with Session(engine) as s:
        check = s.get(m.MidwayCheck, check_id)
        if check is None:
            raise LookupError(f"Midway check {check_id} does not exist.")
        require_child(engine, who, check.child_id)
        review = s.get(m.Review, check.review_id) if check.review_id else None
        recs = [
            {"rec_id": r.id, "seq": r.seq, "text": r.text, "owner": r.owner, "target_date": r.target_date}
            for r in (review.recommendations if review else [])
        ]
        esc = s.scalars(select(m.Escalation).where(m.Escalation.midway_check_id == check.id)).first()
        esc_due = esc.stages[-1].due_date if esc and esc.stages else None
        esc_stage = esc.stages[-1].stage_name if esc and esc.stages else None
        child = s.get(m.Child, check.child_id)
        ctx = _form_context(engine, check.child_id, check.check_date)
        return CaseNoteData(
            child_id=check.child_id,
            child_name=(child.display_name if child else None) or check.child_id,
            template=check.template,
            review_date=review.held_date if review else None,
            check_date=check.check_date,
            author=check.author,
            outcome=check.outcome,
            answers=dict(check.answers or {}),
            recommendations=recs,
            social_worker=ctx.social_worker,
            team_manager=ctx.team_manager,
            escalation_due=esc_due,
            escalation_stage=esc_stage,
        )


def _text(answers: dict[str, Any], key: str) -> str:
    value = answers.get(key)
    return value.strip() if isinstance(value, str) else ""


def _rec_lines(data: CaseNoteData) -> list[str]:
    if not data.recommendations:
        return ["No recommendations recorded for this review."]
    lines = []
    for n, rec in enumerate(data.recommendations, start=1):
        bits = [f"Owner: {rec['owner']}"] if rec.get("owner") else []
        if rec.get("target_date"):
            bits.append(f"target date: {uk_date(rec['target_date'])}")
        lines.append(f"{n}. {rec['text']}" + (f" ({'; '.join(bits)})" if bits else ""))
        status = RECOMMENDATION_STATUS_LABELS.get(data.answers.get(f"rec.{rec['rec_id']}.status") or "", "Not recorded")
        update = _text(data.answers, f"rec.{rec['rec_id']}.update")
        lines.append(f"   Update: {status}." + (f" {update}" if update else ""))
    return lines


def _contact(answers: dict[str, Any], key: str) -> str:
    mode = answers.get(f"{key}.mode")
    notes = _text(answers, f"{key}.notes")
    if not mode:
        return "Not recorded."
    if mode == "No contact":
        return "No contact." + (f" {notes}" if notes else "")
    when = uk_date(as_date(answers.get(f"{key}.date")))
    return f"{when}, {mode}." + (f" {notes}" if notes else "")


def render_case_note(data: CaseNoteData, policy: Policy = DEFAULT_POLICY) -> str:
    """The case note text, exactly in the Appendix 1 layout (see the module docstring)."""
    tpl = get_template(data.template)
    keys = {q.key for q in tpl.questions()}
    a = data.answers
    blocks: list[list[str]] = [
        [policy.casenote_title],
        [f"Date of last CLA Review : {uk_date(data.review_date)}"],
        ["Recs from review & Update:", *_rec_lines(data)],
    ]
    child = [f"Contact with child: {_contact(a, 'contact_child')}"]
    if _text(a, "child_view"):
        child.append(f"Child's own view: {_text(a, 'child_view')}")
    elif _text(a, "child_view_reason"):
        child.append(f"Child's own view not sought because: {_text(a, 'child_view_reason')}")
    blocks.append(child)
    blocks.append([f"Contact with carer: {_contact(a, 'contact_carer')}"])
    if "contact_parents" in keys:
        blocks.append([f"Contact with parents: {_contact(a, 'contact_parents')}"])
    professionals = ["Contact with the SW/other professionals", f"Social worker: {_contact(a, 'contact_sw')}"]
    if a.get("contact_others.mode"):
        professionals.append(f"Other professionals: {_contact(a, 'contact_others')}")
    blocks.append(professionals)
    if "concerns" in keys:
        blocks.append(
            [
                "Any concerns about delays in implementation of any aspect of the child's plan? "
                "(specify actions required to address this)",
                _text(a, "concerns") or "None recorded.",
            ]
        )
    dispute = a.get("dispute") if data.outcome == "escalated" else None
    blocks.append([f"Is the Informal Dispute process required? {'YES' if dispute == 'informal' else 'NO'}"])
    blocks.append([f"Is Formal Dispute process required? {'YES' if dispute == 'formal' else 'NO'}"])
    if tpl.section("checklist"):
        rows = ["Midway review checklist"]
        for n, q in enumerate(CHECKLIST_ROWS, start=1):
            rows.append(f"{n}. {q.label} {a.get(f'{q.key}.answer') or 'Not answered'}")
            if _text(a, f"{q.key}.comment"):
                rows.append(f"   Comment: {_text(a, f'{q.key}.comment')}")
            if _text(a, f"{q.key}.action"):
                rows.append(f"   Action needed: {_text(a, f'{q.key}.action')}")
        rows.append(f"{IRO_SUMMARY.label}: {_text(a, IRO_SUMMARY.key)}")
        blocks.append(rows)
    if tpl.section("monitoring"):
        blocks.append(
            [
                "Monitoring the case on an on-going basis",
                f"Significant developments or incidents since the review: {_text(a, 'developments')}",
            ]
        )
    blocks.append([f"Outcome: {MIDWAY_OUTCOME_LABELS.get(data.outcome or '', 'Not recorded')}"])
    blocks.append([f"Completed by {data.author or 'unknown'} on {uk_date(data.check_date)}"])
    between = "\n" if policy.casenote_format == "compact" else "\n\n"
    return between.join("\n".join(b) for b in blocks) + "\n"


def message_draft(data: CaseNoteData, policy: Policy = DEFAULT_POLICY) -> tuple[str, str] | None:
    """(subject, body) of the email to the SW and TM for outcomes (b) and (c) (seed 000: "email to
    SW/TM referring them to 'Midway CLA Review check' case note"). None for outcome (a)."""
    if data.outcome not in ("actions_sent", "escalated"):
        return None
    a = data.answers
    sw = data.social_worker or "social worker"
    tm = data.team_manager or "team manager"
    dispute = a.get("dispute")
    purpose = {
        "actions_sent": "actions required",
        "escalated": "informal dispute resolution" if dispute == "informal" else "formal dispute resolution",
    }[data.outcome]
    subject = f"Midway CLA Review check for {data.child_name} ({data.child_id}): {purpose}"
    lines = [
        f"Dear {sw} and {tm},",
        "",
        f"I completed the midway check for {data.child_name} ({data.child_id}) on {uk_date(data.check_date)}, "
        f"following the CLA review of {uk_date(data.review_date)}. Please see the "
        f"'{policy.casenote_title}' case note on the child's record.",
    ]
    pending = [
        rec for rec in data.recommendations if a.get(f"rec.{rec['rec_id']}.status") in ("delayed", "not_started")
    ]
    if pending:
        lines += ["", "Recommendations not progressing:"]
        for rec in pending:
            status = RECOMMENDATION_STATUS_LABELS[a[f"rec.{rec['rec_id']}.status"]]
            update = _text(a, f"rec.{rec['rec_id']}.update")
            target = f" (target date {uk_date(rec['target_date'])})" if rec.get("target_date") else ""
            lines.append(f"- {rec['text']}{target}: {status}." + (f" {update}" if update else ""))
    concerns = _text(a, "concerns") or _text(a, "esc.concern") or _text(a, "iro_summary")
    if concerns:
        lines += ["", "Concerns and actions required:", concerns]
    if data.outcome == "escalated":
        stage = data.escalation_stage or ("informal" if dispute == "informal" else "formal")
        when = f" by {uk_date(data.escalation_due)}" if data.escalation_due else ""
        process = "informal" if dispute == "informal" else "formal"
        lines += [
            "",
            f"Because the delay is significant I am raising this under the {process} dispute resolution "
            f"process (stage: {stage}). Please respond in writing{when} with how it will be resolved.",
        ]
    else:
        lines += ["", "Please let me know when these actions are completed."]
    lines += ["", "Regards,", data.author or ""]
    return subject, "\n".join(lines) + "\n"


def case_note_docx(text: str) -> bytes:
    """The case note as a .docx (python-docx): the first line as the heading, then one paragraph
    per block, line breaks kept."""
    from docx import Document

    doc = Document()
    blocks = text.strip("\n").split("\n\n")
    doc.add_heading(blocks[0], level=1)
    for block in blocks[1:]:
        para = doc.add_paragraph()
        for i, line in enumerate(block.split("\n")):
            run = para.add_run(line)
            if i < block.count("\n"):
                run.add_break()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
