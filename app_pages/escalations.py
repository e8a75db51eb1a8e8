"""Escalations: the tracker of open disputes by stage and age, their stage history, moving on,
closing, the CAFCASS document checklist, raising a new one, and good practice (DOMAIN §6).

Overdue stages are marked in words ("OVERDUE by N working days: propose <next stage>") and with
an icon, never by colour alone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import polars as pl
import streamlit as st

from services.access import NotAllowed, Principal
from services.casework import escalations as esc
from services.dates import COLUMN_DATE, day
from services.vocabulary import CAFCASS_DOCUMENTS, ESCALATION_CATEGORIES, ESCALATION_OUTCOMES
from ui import provenance, results, tables
from ui.child_picker import not_visible
from ui.context import current_user, engine
from ui.empty import require_data
from ui.feedback import Feedback, guarded
from ui.text import md

st.title("Escalations", anchor=False)
version = require_data()
user = current_user()
policy = results.base_policy()
as_of = dt.date.today()
provenance.casework_note(version, as_of)
names = policy.escalation_stage_names
choices = results.visible_choices(version, user)


feedback = {form: Feedback("esc", form) for form in ("move", "close", "cafcass", "raise", "good")}


def _run(form: str, action: Callable[[], object], success: str) -> None:
    """Form callback: run a service action; keep field messages for the redraw."""
    try:
        action()
        feedback[form].record("success", success)
    except (esc.EscalationError, NotAllowed) as exc:
        feedback[form].refused(exc)


def _reload() -> None:
    """After a concurrent change: forget what was typed in the move and close forms."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(("esc_move_", "esc_close_"))]:
        del st.session_state[key]


Feedback("esc").show(on_reload=_reload, key="esc_reload")  # the notice is shared by the forms

tracker = esc.open_escalations(engine(), user, as_of, policy)
overdue = tracker.filter(pl.col("overdue"))
c1, c2, c3 = st.columns(3)
c1.metric("Open escalations", tracker.height)
c2.metric("Stages past their resolution date", overdue.height)
c3.metric(
    f"Formal process over {policy.formal_process_total_working_days} working days",
    tracker.filter(pl.col("formal_over_limit").fill_null(False)).height,
)

# `?child=<id>&flag=<code>` (from a timeline or an Overview card): the raise form pre-filled from the flag
wanted_child, wanted_flag = st.query_params.get("child"), st.query_params.get("flag")
prefill = None
if wanted_child is not None and wanted_child not in choices:
    not_visible()
if wanted_child in choices and wanted_flag and st.session_state.get("_esc_qp") != (wanted_child, wanted_flag):
    st.session_state["_esc_qp"] = (wanted_child, wanted_flag)
    prefill = esc.prefill_from_flag(engine(), user, wanted_child, wanted_flag, as_of, policy)
    st.session_state["esc_new_child"] = wanted_child
    if prefill:
        st.session_state["esc_new_category"] = prefill["category"]
        st.session_state["esc_new_concern"] = prefill["concern"]
TABS = ["Open", "Raise an escalation", "Good practice", "Closed"]
tab_open, tab_raise, tab_good, tab_closed = st.tabs(
    TABS, default=TABS[1] if st.session_state.get("_esc_qp") and wanted_flag else None
)

with tab_open:
    if tracker.is_empty():
        st.write("No escalations are open.")
    else:
        by_stage = (
            tracker.group_by("stage", "stage_name")
            .agg(pl.len().alias("open"), pl.col("overdue").sum().alias("overdue"))
            .sort("stage")
        )
        st.caption("Open escalations by stage (overdue = the stage's resolution date has passed).")
        tables.show(
            by_stage.drop("stage"),
            hide_index=True,
            column_config={"stage_name": "Stage", "open": "Open", "overdue": "Past resolution date"},
        )
        view = tracker.select(
            pl.when(pl.col("overdue")).then(pl.lit("⚠ Overdue")).otherwise(pl.lit("Open")).alias("flag"),
            "escalation_id",
            "child_id",
            "child_name",
            pl.col("category_label").alias("category"),
            "stage_name",
            "raised_date",
            pl.col("age_working_days").alias("age (working days)"),
            pl.col("stage_due_date").alias("stage resolution date"),
            "status",
        )
        tables.show(
            view,
            hide_index=True,
            column_config={
                "flag": "Flag",
                "escalation_id": st.column_config.NumberColumn("No.", format="%d"),
                "child_id": "Child",
                "child_name": "Name",
                "category": "Category",
                "stage_name": "Current stage",
                "raised_date": st.column_config.DateColumn("Raised", format=COLUMN_DATE),
                "age (working days)": st.column_config.NumberColumn("Age (working days)"),
                "stage resolution date": st.column_config.DateColumn("Stage resolution date", format=COLUMN_DATE),
                "status": "Status",
            },
        )
        labels = {
            r["escalation_id"]: f"#{r['escalation_id']} {r['child_id']} - {r['stage_name']}"
            for r in tracker.iter_rows(named=True)
        }
        chosen = st.selectbox("Escalation", list(labels), format_func=labels.get, key="esc_pick")
        row = tracker.filter(pl.col("escalation_id") == chosen).row(0, named=True)
        # a form belongs to one escalation as it was rendered: its widgets are keyed by the
        # escalation and its version, so choosing another, or a saved move, starts the move and
        # close forms empty (no response carried over to the next one, in the browser too)
        if st.session_state.get("esc_scope") != (chosen, row["version"]):
            _reload()
            st.session_state["esc_scope"] = (chosen, row["version"])
        mk, ck = f"esc_move_{chosen}_{row['version']}_", f"esc_close_{chosen}_{row['version']}_"
        st.markdown(f"**Concern:** {md(row['concern'])}")
        st.caption(f"Raised {day(row['raised_date'])} by {md(row['raised_by'])}. {md(row['status'])}.")
        hist = esc.history(engine(), user, chosen)
        tables.show(
            hist,
            hide_index=True,
            column_config={
                "stage": st.column_config.NumberColumn("Stage no.", format="%d"),
                "stage_name": "Stage",
                "started_date": st.column_config.DateColumn("Started", format=COLUMN_DATE),
                "due_date": st.column_config.DateColumn("Resolution date", format=COLUMN_DATE),
                "ended_date": st.column_config.DateColumn("Ended", format=COLUMN_DATE),
                "response": "Response",
            },
        )
        left, right = st.columns(2)
        with left, st.form("esc_move"):
            feedback["move"].summary()
            st.markdown("**Move to the next stage**")
            next_options = list(range(row["stage"] + 1, len(names)))
            if next_options:
                st.selectbox(
                    "Next stage (you may bypass stages)",
                    next_options,
                    format_func=lambda i: names[i],
                    key=mk + "stage",
                )
                st.date_input("Date moved", value=as_of, key=mk + "date", format="DD/MM/YYYY")
                feedback["move"].field("on_date")
                st.text_area("Response received at this stage", key=mk + "response")
                st.date_input(
                    "Resolution date for the new stage (blank: the policy's default)",
                    value=None,
                    key=mk + "due",
                    format="DD/MM/YYYY",
                )
                feedback["move"].field("due_date")
            else:
                st.write("This is the last stage: close the escalation with its outcome.")

            @guarded
            def _move(eid: int = chosen, actor: Principal = user, version_: int = row["version"], mk: str = mk) -> None:
                s = st.session_state
                _run(
                    "move",
                    lambda: esc.move_to_next_stage(
                        engine(),
                        actor,
                        eid,
                        on_date=s[mk + "date"],
                        response=s.get(mk + "response"),
                        to_stage=s[mk + "stage"],
                        due_date=s.get(mk + "due"),
                        expected_version=version_,
                        policy=policy,
                    ),
                    f"Escalation {eid} moved to {names[s[mk + 'stage']]}.",
                )

            st.form_submit_button("Move on", on_click=_move, disabled=not next_options, key="esc_move_submit")
        with right, st.form("esc_close"):
            feedback["close"].summary()
            st.markdown("**Close with an outcome**")
            st.selectbox("Outcome", list(ESCALATION_OUTCOMES), format_func=ESCALATION_OUTCOMES.get, key=ck + "outcome")
            st.date_input("Date closed", value=as_of, key=ck + "date", format="DD/MM/YYYY")
            feedback["close"].field("on_date")
            st.text_area("How it was resolved", key=ck + "notes")

            @guarded
            def _close(
                eid: int = chosen, actor: Principal = user, version_: int = row["version"], ck: str = ck
            ) -> None:
                s = st.session_state
                _run(
                    "close",
                    lambda: esc.close_escalation(
                        engine(),
                        actor,
                        eid,
                        on_date=s[ck + "date"],
                        outcome=s[ck + "outcome"],
                        notes=s.get(ck + "notes"),
                        expected_version=version_,
                    ),
                    f"Escalation {eid} closed: {ESCALATION_OUTCOMES[s[ck + 'outcome']]}.",
                )

            st.form_submit_button("Close escalation", on_click=_close, key="esc_close_submit")

        if row["stage"] == esc.cafcass_stage(policy):
            with st.form("esc_cafcass"):
                feedback["cafcass"].summary()  # the GOV.UK error summary, as the other forms have
                st.markdown("**Documents for the CAFCASS referral** (seed 004 §12)")
                current = esc.cafcass_checklist(engine(), user, chosen)
                for key, label in CAFCASS_DOCUMENTS.items():
                    st.checkbox(label, value=bool(current.get(key)), key=f"esc_doc_{chosen}_{key}")

                @guarded
                def _docs(eid: int = chosen, actor: Principal = user, version_: int = row["version"]) -> None:
                    items = {k: bool(st.session_state.get(f"esc_doc_{eid}_{k}")) for k in CAFCASS_DOCUMENTS}
                    _run(
                        "cafcass",
                        lambda: esc.set_cafcass_checklist(engine(), actor, eid, items, expected_version=version_),
                        "Checklist saved.",
                    )

                st.form_submit_button("Save checklist", on_click=_docs, key="esc_cafcass_submit")
            missing = esc.cafcass_missing(current)
            st.caption("Still to gather: " + ("; ".join(missing) if missing else "nothing - all documents ready."))

with tab_raise, st.form("esc_raise"):
    feedback["raise"].summary()
    st.selectbox(
        "Child", list(choices), format_func=choices.get, index=None, key="esc_new_child", placeholder="Choose a child"
    )
    feedback["raise"].field("child_id")
    st.selectbox(
        "Category",
        list(ESCALATION_CATEGORIES),
        format_func=ESCALATION_CATEGORIES.get,
        index=None,
        key="esc_new_category",
        placeholder="Choose what it is about",
    )
    feedback["raise"].field("category")
    st.text_area("Concern", key="esc_new_concern")
    feedback["raise"].field("concern")
    st.text_area("Evidence", key="esc_new_evidence")
    st.text_area("Actions asked for", key="esc_new_actions")
    st.selectbox("Stage to start at", list(range(len(names))), format_func=lambda i: names[i], key="esc_new_stage")
    st.date_input("Date raised", value=as_of, key="esc_new_raised", format="DD/MM/YYYY")
    feedback["raise"].field("raised_date")
    st.date_input(
        "Resolution date for this stage (blank: the policy's default)",
        value=None,
        key="esc_new_due",
        format="DD/MM/YYYY",
    )
    feedback["raise"].field("due_date")

    @guarded
    def _raise(actor: Principal = user) -> None:
        s = st.session_state
        if not s.get("esc_new_child"):
            feedback["raise"].field_errors({"child_id": "Choose the child."}, "Nothing was saved: choose the child.")
            return
        # the same submission (this session, the same answers: a second click) raises once
        salt = uuid.UUID(s.setdefault("esc_raise_salt", uuid.uuid4().hex))
        fields = [
            s.get(k)
            for k in (
                "esc_new_child",
                "esc_new_category",
                "esc_new_concern",
                "esc_new_evidence",
                "esc_new_actions",
                "esc_new_stage",
                "esc_new_raised",
                "esc_new_due",
            )
        ]
        submission = str(uuid.uuid5(salt, repr(fields)))
        try:
            esc_id = esc.raise_escalation(
                engine(),
                actor,
                s["esc_new_child"],
                raised_date=s["esc_new_raised"],
                category=s["esc_new_category"],
                concern=s.get("esc_new_concern") or "",
                evidence=s.get("esc_new_evidence"),
                actions_requested=s.get("esc_new_actions"),
                stage=s["esc_new_stage"],
                due_date=s.get("esc_new_due"),
                policy=policy,
                submission_id=submission,
            )
        except (esc.EscalationError, NotAllowed) as exc:
            feedback["raise"].refused(exc)
            return
        stage, due = esc.current_stage(engine(), actor, esc_id)
        when = f"; {stage} stage due {day(due)}" if due else f"; stage {stage}"
        feedback["raise"].record("success", f"Escalation {esc_id} raised{when}.")
        for key in ("esc_new_child", "esc_new_category", "esc_new_concern", "esc_new_evidence", "esc_new_actions"):
            s.pop(key, None)

    st.form_submit_button("Raise escalation", type="primary", on_click=_raise, key="esc_raise_submit")

with tab_good:
    with st.form("good_practice"):
        feedback["good"].summary()
        st.selectbox(
            "Child", list(choices), format_func=choices.get, index=None, key="gp_child", placeholder="Choose a child"
        )
        feedback["good"].field("child_id")
        st.date_input("Date noticed", value=as_of, key="gp_date", format="DD/MM/YYYY")
        st.text_area("Good practice noticed", key="gp_text")
        feedback["good"].field("text")

        @guarded
        def _good(actor: Principal = user) -> None:
            s = st.session_state
            if not s.get("gp_child"):
                feedback["good"].field_errors({"child_id": "Choose the child."}, "Nothing was saved: choose the child.")
                return
            _run(
                "good",
                lambda: esc.add_good_practice(engine(), actor, s["gp_child"], s["gp_date"], s.get("gp_text") or ""),
                "Good practice recorded.",
            )

        st.form_submit_button("Record good practice", on_click=_good, key="gp_submit")
    tables.show(esc.good_practice(engine(), user), hide_index=True)

with tab_closed:
    tables.show(esc.closed_escalations(engine(), user), hide_index=True)
