"""Midway check: the IRO's form between reviews (DOMAIN §4-5), then the case note to paste.

Every widget is keyed `mc:<field key>`, so what was typed survives a refused save and the
validation message for a field is drawn right under it. Saves run in the submit buttons'
callbacks (before the page redraws), so the messages are known when the widgets are drawn.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from services.access import NotAllowed, Principal
from services.casework.casenote import case_note_data, case_note_docx, message_draft, render_case_note
from services.casework.events import next_review
from services.casework.midway_check import answers, read_model, save, templates
from services.casework.midway_check.errors import ValidationError
from services.dates import day, day_time
from services.vocabulary import (
    CONTACT_MODES,
    ESCALATION_CATEGORIES,
    MIDWAY_OUTCOME_LABELS,
    RECOMMENDATION_STATUS_LABELS,
)
from ui import provenance, results, tables
from ui.child_picker import pick_child
from ui.context import current_user, engine, refuse
from ui.downloads import download
from ui.empty import require_data
from ui.feedback import Feedback, guarded
from ui.text import md

P = "mc:"  # widget key prefix
feedback = Feedback("mc")

st.title("Midway check", anchor=False)
version = require_data()
user = current_user()
policy = results.base_policy()
as_of = dt.date.today()
provenance.casework_note(version, as_of)
choices = results.visible_choices(version, user)

child_id = pick_child(choices, "mc_child_select", "record their midway check")
if child_id is None:
    st.stop()

try:
    ctx = read_model.form_context(engine(), user, child_id, as_of)
except NotAllowed as exc:
    refuse(exc)
st.caption(
    f"{md(ctx.display_name)} ({md(ctx.child_id)}), aged {ctx.age}. IRO: {md(ctx.iro) or 'none allocated'}; "
    f"social worker: {md(ctx.social_worker) or 'none allocated'}; team: {md(ctx.team) or 'none'}"
    + (f"; team manager: {md(ctx.team_manager)}" if ctx.team_manager else "")
    + "."
)
if ctx.review_id is None:
    st.info(
        "No review has been held for this child yet: a midway check follows a review.", icon=":material/event_busy:"
    )
    st.stop()
rec_ids = [r["rec_id"] for r in ctx.recommendations]


def _clear_form() -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and (k.startswith(P) or k.startswith("mc_state"))]:
        del st.session_state[key]
    feedback.clear()
    st.session_state.pop("mc_saved", None)
    st.session_state.pop("mc_scope", None)  # the next run reloads the check (or draft) from the database


# one form state per child and review: switching child starts afresh, a draft is resumed
scope = (child_id, ctx.review_id)
if st.session_state.get("mc_scope") != scope:
    _clear_form()
    st.session_state["mc_scope"] = scope
    if ctx.draft is not None:
        for key, value in answers.from_json(ctx.draft.answers).items():
            st.session_state[P + key] = value
        st.session_state["mc_template"] = ctx.draft.template
        st.session_state["mc_state_check"] = (ctx.draft.check_id, ctx.draft.version)
        when = day_time(answers.local_time(ctx.draft.updated_at)) if ctx.draft.updated_at else ""
        feedback.record("info", f"Resumed the draft saved by {ctx.draft.author} {when}.")
    else:
        st.session_state["mc_state_check"] = (None, None)
        st.session_state.setdefault("mc_template", policy.midway_template)

template = st.selectbox(
    "Form template",
    list(templates.TEMPLATES),
    format_func=lambda t: templates.TEMPLATES[t].label,
    key="mc_template",
)
tpl = templates.get_template(template)
keys = templates.field_keys(tpl, rec_ids)
defaults: dict[str, Any] = {"check_date": as_of, "esc.raise": False}
for key in keys:
    st.session_state.setdefault(P + key, defaults.get(key))


def _answers() -> dict[str, Any]:
    out = {k: st.session_state.get(P + k) for k in keys}
    if out.get("esc.raise") and not out.get("esc.concern"):
        out["esc.concern"] = out.get("concerns") or ""
    return out


@guarded  # a database cut: app.py's plain message, the typed answers kept
def _save(final: bool, actor: Principal) -> None:
    """Submit callback: save, keep the typed answers, and leave the outcome for the redraw."""
    answers = _answers()
    check_id, expected = st.session_state.get("mc_state_check", (None, None))
    feedback.clear()
    try:
        args = (engine(), actor, child_id, ctx.review_id, answers, template, answers.get("outcome"), expected)
        if final:
            saved = save.save_check(
                *args, check_id=check_id, as_of=as_of, policy=policy, review_version=ctx.review_version
            )
            st.session_state["mc_saved"] = saved
        else:
            saved = save.save_draft(*args, check_id=check_id, as_of=as_of)
            feedback.record("success", "Draft saved. You can come back to it later.")
        st.session_state["mc_state_check"] = (saved.check_id, saved.version)
    except ValidationError as exc:
        n = len(exc.errors)
        feedback.refused(
            exc,
            f"Nothing was saved: {n} answer{'s' if n != 1 else ''} need{'s' if n == 1 else ''} attention "
            "(marked below each field). Everything you typed is kept.",
        )
    except (LookupError, ValueError) as exc:  # includes ConcurrentEditError: the notice offers a reload
        feedback.refused(exc)


feedback.show(keep=True, on_reload=_clear_form, key="mc_reload")

saved: save.SavedCheck | None = st.session_state.get("mc_saved")
if saved is not None:
    nxt = next_review(engine(), user, child_id, as_of, policy)
    due = f"; next review due {day(nxt['next_review_due'])}" if nxt and nxt["next_review_due"] else ""
    st.success(
        f"Midway check {saved.check_id} saved on {answers.uk_date(saved.check_date)}{due}.",
        icon=":material/check_circle:",
    )
    data = case_note_data(engine(), user, saved.check_id)
    note = render_case_note(data, policy)
    st.header("Case note", anchor=False)
    st.caption("Paste into the child's record (Mosaic / LCS / CCM). The copy button is at the top right of the box.")
    st.code(note, language=None, wrap_lines=True)
    left, right = st.columns(2)
    stem, actor = f"midway_check_{child_id}_{saved.check_date:%Y%m%d}", user
    with left:
        download(
            "Download .txt",
            lambda: note,
            actor=actor,
            what="case_note",
            rows=1,
            child_id=child_id,
            file_name=f"{stem}.txt",
            mime="text/plain",
            icon=":material/description:",
            key="mc_note_txt",
        )
    with right:
        download(
            "Download .docx",
            lambda: case_note_docx(note),
            actor=actor,
            what="case_note",
            rows=1,
            child_id=child_id,
            file_name=f"{stem}.docx",
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            icon=":material/article:",
            key="mc_note_docx",
        )
    draft = message_draft(data, policy)
    if draft:
        st.header("Message to the social worker and team manager", anchor=False)
        st.text_input("Subject", draft[0], key="mc_msg_subject")
        st.code(draft[1], language=None, wrap_lines=True)
    if saved.escalation_id:
        st.info(f"Escalation {saved.escalation_id} raised.", icon=":material/campaign:")
        st.page_link("app_pages/escalations.py", label="Open the escalations tracker", icon=":material/campaign:")
    flags = read_model.child_flags(engine(), user, child_id, as_of, policy)
    if flags is not None:
        st.header("The child's flags now", anchor=False)
        if flags.is_empty():
            st.write("No drift flags are raised for this child.")
        else:
            tables.show(flags.select("code", "reason"), hide_index=True)
    st.button("Record another check", on_click=_clear_form, key="mc_another", icon=":material/add:")
    st.stop()

if ctx.final_checks:
    st.caption(
        "Already saved for this review: "
        + "; ".join(f"{answers.uk_date(c.check_date)} by {md(c.author)}" for c in ctx.final_checks)
        + ". Concerns may call for another check."
    )

with st.form("midway_form", clear_on_submit=False, enter_to_submit=False):
    feedback.summary()
    st.header(f"Last review: {answers.uk_date(ctx.review_date)}", anchor=False)
    st.date_input("Date of this midway check", key=P + "check_date", format="DD/MM/YYYY", value=None)
    feedback.field("check_date")

    for section in tpl.sections:
        if section.key == "review":
            continue
        st.header(section.title, anchor=False)
        if section.key == "recommendations":
            if not ctx.recommendations:
                st.write("The review recorded no recommendations.")
            for rec in ctx.recommendations:
                rid = rec["rec_id"]
                target = f"; target date {answers.uk_date(rec['target_date'])}" if rec["target_date"] else ""
                st.markdown(
                    f"**{rec['seq']}. {md(rec['text'])}**  \nOwner: {md(rec['owner']) or 'not recorded'}{target}"
                )
                st.selectbox(
                    f"Recommendation {rec['seq']}: status",
                    list(RECOMMENDATION_STATUS_LABELS),
                    format_func=RECOMMENDATION_STATUS_LABELS.get,
                    index=None,
                    key=f"{P}rec.{rid}.status",
                    placeholder="Choose done, on track, delayed or not started",
                )
                feedback.field(f"rec.{rid}.status")
                st.text_area(f"Recommendation {rec['seq']}: update", key=f"{P}rec.{rid}.update", height=68)
                feedback.field(f"rec.{rid}.update")
        for q in section.questions:
            if q.kind == "contact":
                st.markdown(f"**{q.label}**" + ("" if q.required else " (if any)"))
                if q.help:  # a caption, not a help icon: one Tab stop fewer, and always on screen
                    st.caption(q.help)
                c1, c2 = st.columns(2)
                with c1:
                    st.date_input(f"{q.label}: date", key=f"{P}{q.key}.date", format="DD/MM/YYYY", value=None)
                    feedback.field(f"{q.key}.date")
                with c2:
                    st.selectbox(
                        f"{q.label}: how", CONTACT_MODES, index=None, key=f"{P}{q.key}.mode", placeholder="Choose"
                    )
                    feedback.field(f"{q.key}.mode")
                st.text_input(f"{q.label}: notes", key=f"{P}{q.key}.notes")
                feedback.field(f"{q.key}.notes")
                if q.key == "contact_child" and ctx.age >= policy.midway_child_view_min_age:
                    st.caption(
                        f"Children aged {policy.midway_child_view_min_age} and over are asked directly "
                        "(in person, phone or letter)."
                    )
                    st.text_area("The child's own view of how their plan is progressing", key=P + "child_view")
                    feedback.field("child_view")
                    st.text_input("Or: why the child's view was not sought", key=P + "child_view_reason")
            elif q.kind == "yesno_row":
                st.radio(q.label, ["Yes", "No"], index=None, horizontal=True, key=f"{P}{q.key}.answer")
                feedback.field(f"{q.key}.answer")
                c1, c2 = st.columns(2)
                c1.text_input("Comment", key=f"{P}{q.key}.comment")  # the question is the radio's label above
                with c2:
                    st.text_input("Action needed", key=f"{P}{q.key}.action")
                    feedback.field(f"{q.key}.action")
            elif q.kind == "text":
                if q.help:
                    st.caption(q.help)
                st.text_area(q.label, key=P + q.key)
                feedback.field(q.key)
        if section.key == "outcome":
            st.radio(
                "Outcome of the check",
                list(MIDWAY_OUTCOME_LABELS),
                format_func=MIDWAY_OUTCOME_LABELS.get,
                index=None,
                key=P + "outcome",
            )
            feedback.field("outcome")
            st.radio(
                "For outcome (c): which dispute process",
                list(templates.DISPUTE_CHOICES),
                format_func=templates.DISPUTE_CHOICES.get,
                index=None,
                horizontal=True,
                key=P + "dispute",
            )
            feedback.field("dispute")
            with st.expander(
                "For outcome (c): raise the escalation now",
                expanded=bool(feedback.errors.keys() & {"esc.category", "esc.concern", "esc.due_date"}),
            ):
                st.checkbox("Raise an escalation with this check", key=P + "esc.raise")
                st.selectbox(
                    "Category",
                    list(ESCALATION_CATEGORIES),
                    format_func=ESCALATION_CATEGORIES.get,
                    index=None,
                    key=P + "esc.category",
                    placeholder="Choose what it is about",
                )
                feedback.field("esc.category")
                st.text_area("Concern (blank: the concerns above)", key=P + "esc.concern")
                feedback.field("esc.concern")
                st.text_area("Evidence", key=P + "esc.evidence")
                st.text_area("Actions asked for", key=P + "esc.actions")
                st.date_input(
                    "Resolution date for this stage (blank: the policy's default)",
                    key=P + "esc.due_date",
                    format="DD/MM/YYYY",
                    value=None,
                )
                feedback.field("esc.due_date")

    left, right = st.columns(2)
    left.form_submit_button(
        "Save check", type="primary", on_click=_save, args=(True, user), key="mc_submit", icon=":material/save:"
    )
    right.form_submit_button("Save draft", on_click=_save, args=(False, user), key="mc_draft", icon=":material/draft:")
