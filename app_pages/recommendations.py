"""Recommendations after a review (for IROs, DOMAIN §3 "After a review"): each recommendation with
its owner and target date, the date they were sent to the team manager (within 5 working days),
the manager's response (agreed, or disagreed within 10 working days), and a message draft to the
team manager listing them. They then appear in the midway check form and drive REC_OVERDUE.

Form widgets are keyed by the review they edit, so typed input is never carried to another child.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from services.access import NotAllowed, Principal
from services.casework import recommendations as rc
from services.dates import day
from services.vocabulary import RECOMMENDATION_OWNERS, TM_RESPONSES
from ui import results
from ui.child_picker import pick_child
from ui.context import current_user, engine, refuse
from ui.empty import require_data
from ui.feedback import Feedback, guarded

st.title("Recommendations after a review", anchor=False)
version = require_data()
user = current_user()
policy = results.base_policy()
as_of = dt.date.today()
choices = results.visible_choices(version, user)
feedback = Feedback("rec")
EXTRA_ROWS = 3  # blank rows offered for new recommendations
NO_RESPONSE = "pending"
RESPONSES = {NO_RESPONSE: "No response yet", **TM_RESPONSES}

child = pick_child(choices, "rec_child", "record the recommendations of one of their reviews")
if child is None:
    st.stop()

try:
    reviews = rc.held_reviews(engine(), user, child, as_of)
except NotAllowed as exc:
    refuse(exc)
if not reviews:
    st.info("No review has been held for this child yet: recommendations are recorded after a review.")
    st.stop()
review_label = {
    r["review_id"]: f"Review held {day(r['held_date'])} ({r['recommendations']} recommendation"
    f"{'s' if r['recommendations'] != 1 else ''})"
    for r in reviews
}
review_id = st.selectbox("Review", list(review_label), format_func=review_label.get, key=f"rec_review:{child}")
data = rc.review_recommendations(engine(), user, review_id, policy)
assert data is not None
P = f"rec:{review_id}:"  # every form widget keyed by the review it edits
existing = data.recommendations
EXTRA_ROWS = 1 if existing else EXTRA_ROWS
n_rows = len(existing) + st.session_state.get(P + "extra", EXTRA_ROWS)

# seed the form from the saved record (once: what the user types is kept across reruns)
for i, rec in enumerate(existing):
    for field in ("text", "owner", "owner_other", "target_date"):
        st.session_state.setdefault(f"{P}{i}.{field}", rec[field])
st.session_state.setdefault(P + "sent_date", data.sent_date)
st.session_state.setdefault(P + "version", data.version)  # the version the form was seeded from
st.session_state.setdefault(P + "tm_response", data.tm_response or NO_RESPONSE)
st.session_state.setdefault(P + "tm_response_date", data.tm_response_date)
st.session_state.setdefault(P + "tm_response_notes", data.tm_response_notes or "")


def _clear() -> None:
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(P)]:
        del st.session_state[key]


@guarded  # a database cut: app.py's plain message, the typed rows kept
def _save(rid: int, actor: Principal) -> None:
    s = st.session_state
    rows = [
        {
            "rec_id": existing[i]["rec_id"] if i < len(existing) else None,
            **{f: s.get(f"{P}{i}.{f}") for f in ("text", "owner", "owner_other", "target_date")},
        }
        for i in range(n_rows)
    ]
    response = s.get(P + "tm_response")
    try:
        saved = rc.save_recommendations(
            engine(),
            actor,
            rid,
            rows,
            sent_date=s.get(P + "sent_date"),
            tm_response=None if response in (None, NO_RESPONSE) else response,
            tm_response_date=s.get(P + "tm_response_date"),
            tm_response_notes=s.get(P + "tm_response_notes"),
            as_of=as_of,
            policy=policy,
            review_version=s[P + "version"],
        )
    except rc.RecommendationsChanged as exc:
        feedback.refused(exc, f"{exc} Everything you typed is kept.")
        return
    except (rc.RecommendationError, NotAllowed) as exc:
        feedback.refused(exc, f"Nothing was saved: {exc} Everything you typed is kept.")
        return
    n = len(saved.rec_ids)
    numbers = f"{saved.seqs[0]}-{saved.seqs[-1]}" if n > 1 else (str(saved.seqs[0]) if n else "none")
    feedback.record(
        "success",
        f"{n} recommendation{'s' if n != 1 else ''} saved for the review of {day(saved.held_date)} "
        f"(numbers {numbers}, {saved.added} new); {saved.next_label}.",
    )
    _clear()


def _more_rows() -> None:
    st.session_state[P + "extra"] = st.session_state.get(P + "extra", EXTRA_ROWS) + 3


feedback.show(on_reload=_clear)
sent = f"sent {day(data.sent_date)}" if data.sent_date else "not sent yet"
st.caption(
    f"Review held {day(data.held_date)}. The IRO sends the recommendations to the team manager within "
    f"{policy.recommendations_to_tm_working_days} working days (by {day(data.sent_due)}): {sent}. "
    f"The team manager may disagree within {policy.tm_disagree_working_days} working days of receiving them; "
    "otherwise they stand as agreed."
)

with st.form(f"rec_form_{review_id}", enter_to_submit=False):
    feedback.summary()
    for i in range(n_rows):
        saved_rec = i < len(existing)
        title = f"Recommendation {existing[i]['seq']}" if saved_rec else f"New recommendation ({i - len(existing) + 1})"
        if saved_rec and existing[i]["completed_date"]:
            title += f" (done {day(existing[i]['completed_date'])})"
        st.markdown(f"**{title}**")
        st.text_area(
            "What is to be done",
            key=f"{P}{i}.text",
            height=68,
            label_visibility="collapsed",
            placeholder="What is to be done",
        )
        feedback.field(f"row{i}.text")
        c1, c2, c3 = st.columns(3)
        with c1:
            st.selectbox(
                "Owner",
                list(RECOMMENDATION_OWNERS),
                format_func=RECOMMENDATION_OWNERS.get,
                index=None,
                key=f"{P}{i}.owner",
                placeholder="Who carries it out",
            )
            feedback.field(f"row{i}.owner")
        with c2:
            st.text_input("Owner if other", key=f"{P}{i}.owner_other")
            feedback.field(f"row{i}.owner_other")
        with c3:
            st.date_input("Target date", value=None, key=f"{P}{i}.target_date", format="DD/MM/YYYY")
            feedback.field(f"row{i}.target_date")
    st.divider()
    c1, c2, c3 = st.columns(3)
    with c1:
        st.date_input("Sent to the team manager on", value=None, key=P + "sent_date", format="DD/MM/YYYY")
        feedback.field("sent_date")
    with c2:
        st.selectbox("Team manager's response", list(RESPONSES), format_func=RESPONSES.get, key=P + "tm_response")
        feedback.field("tm_response")
    with c3:
        st.date_input("Date of the response", value=None, key=P + "tm_response_date", format="DD/MM/YYYY")
        feedback.field("tm_response_date")
    st.text_area("The team manager's response (e.g. what they disagreed with)", key=P + "tm_response_notes", height=68)
    st.form_submit_button(
        "Save recommendations",
        type="primary",
        on_click=_save,
        args=(review_id, user),
        key="rec_submit",
        icon=":material/save:",
    )
st.button("More rows", on_click=_more_rows, key="rec_more", icon=":material/add:")

draft = rc.message_draft(engine(), user, review_id, as_of, policy)
if draft:
    st.header("Message to the team manager", anchor=False)
    st.text_input("Subject", draft[0], key=f"rec_msg_subject:{review_id}")
    st.code(draft[1], language=None, wrap_lines=True)
st.page_link(
    "app_pages/midway_check.py",
    label="Record a midway check for this child",
    icon=":material/fact_check:",
    query_params={"child": child},
)
