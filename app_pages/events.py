"""Significant events (DOMAIN §7): record what the social worker reported and the IRO's decision
whether to bring the next review forward; the schedule engine then shows the new due date."""

from __future__ import annotations

import datetime as dt
import uuid

import streamlit as st

from services.access import NotAllowed, Principal
from services.casework import events as ev
from services.dates import COLUMN_DATE, day
from services.vocabulary import SIGNIFICANT_EVENT_TYPES
from ui import provenance, results, tables
from ui.child_picker import not_visible
from ui.context import current_user, engine, refuse
from ui.empty import require_data
from ui.feedback import Feedback, guarded

st.title("Significant events", anchor=False)
version = require_data()
user = current_user()
policy = results.base_policy()
as_of = dt.date.today()
provenance.casework_note(version, as_of)
choices = results.visible_choices(version, user)

wanted = st.query_params.get("child")
if wanted is not None and wanted not in choices:
    not_visible()
if wanted in choices and st.session_state.get("_ev_qp") != wanted:
    st.session_state["ev_child"] = wanted
    st.session_state["_ev_qp"] = wanted
child_id = st.selectbox(
    "Child",
    list(choices),
    format_func=choices.get,
    index=None,
    key="ev_child",
    placeholder="Choose a child (type an id or name to search)",
)
if child_id is None:
    st.info("Choose a child to record an event.", icon=":material/person_search:")
    st.stop()
st.query_params["child"] = child_id
feedback = Feedback("ev")
# a form belongs to one child: its widgets are keyed by the child, so choosing another shows an
# empty form (in the browser too, where a widget with the same key would keep what was typed)
K = f"ev:{child_id}:"
if st.session_state.get("ev_scope") != child_id:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith("ev:")]:
        del st.session_state[key]
    st.session_state["ev_scope"] = child_id


@guarded  # a database cut: app.py's plain message, the typed event kept
def _save(cid: str, actor: Principal) -> None:
    s = st.session_state
    k = f"ev:{cid}:"
    decision = {"Yes": True, "No": False}.get(s.get(k + "bring_forward") or "")
    # the same submission (this session, the same answers: a second click) records once
    salt = uuid.UUID(s.setdefault("ev_salt", uuid.uuid4().hex))
    fields = [cid, s.get(k + "date"), s.get(k + "type"), decision, s.get(k + "notes")]
    try:
        event_id = ev.record_event(
            engine(),
            actor,
            cid,
            event_date=s.get(k + "date"),
            event_type=s.get(k + "type"),
            bring_forward=decision,
            notes=s.get(k + "notes"),
            as_of=as_of,
            submission_id=str(uuid.uuid5(salt, repr(fields))),
        )
        nxt = ev.next_review(engine(), actor, cid, as_of, policy)
        due = f"; next review due {day(nxt['next_review_due'])}" if nxt and nxt["next_review_due"] else ""
        feedback.record("success", f"Event {event_id} recorded{due}.")
        s["ev_saved"] = True
    except (ev.EventError, NotAllowed) as exc:
        feedback.refused(exc)


feedback.show()

with st.form("event_form"):
    feedback.summary()
    st.date_input("Date of the event", value=None, key=K + "date", format="DD/MM/YYYY")
    feedback.field("event_date")
    st.selectbox(
        "Type of event",
        list(SIGNIFICANT_EVENT_TYPES),
        format_func=SIGNIFICANT_EVENT_TYPES.get,
        index=None,
        key=K + "type",
        placeholder="Choose the event",
    )
    feedback.field("event_type")
    st.radio(
        "Bring the next review forward?",
        ["Yes", "No"],
        index=None,
        horizontal=True,
        key=K + "bring_forward",
        help=f"A brought-forward review is due within {policy.brought_forward_working_days} working days of the event "
        "(DOMAIN §3).",
    )
    feedback.field("bring_forward")
    st.text_area("Notes", key=K + "notes")
    st.form_submit_button("Record event", type="primary", on_click=_save, args=(child_id, user), key="ev_submit")

try:
    nxt = ev.next_review(engine(), user, child_id, as_of, policy)
    events = ev.events_for(engine(), user, child_id)
except NotAllowed as exc:
    refuse(exc)
if nxt and nxt["next_review_due"]:
    kind = (nxt["next_review_type"] or "").replace("_", " ")
    st.info(
        f"Next review due {day(nxt['next_review_due'])} ({kind}).",
        icon=":material/event_upcoming:",
    )
st.header("Events recorded for this child", anchor=False)
if events.is_empty():
    st.write("None recorded.")
else:
    tables.show(
        events.select("event_date", "event", "bring_forward", "decided_by", "notes"),
        hide_index=True,
        column_config={"event_date": st.column_config.DateColumn("Date", format=COLUMN_DATE)},
    )
