"""Allocations (for service managers): children waiting for an IRO, oldest first, with the working
days left of the five (DOMAIN §3 "Appointment"); allocate or reassign an IRO from a date, with a
reason for a change; siblings offered together (a sibling given another IRO needs a recorded
exception); each IRO's caseload against the IRO Handbook's range while choosing (DOMAIN §9).

Form widgets are keyed by the child they edit, so typed input is never carried to another child.
Each submission carries a key made from the session and the answers, so a double click on "Save
allocation" allocates once and the second click says it was saved already.
"""

from __future__ import annotations

import datetime as dt
import uuid

import polars as pl
import streamlit as st

from services.access import MANAGERS, NotAllowed, Principal
from services.casework import allocations as al
from services.casework import events as ev
from services.dates import day, day_expr
from ui import results, tables
from ui.child_picker import pick_child
from ui.context import engine, user_with_role
from ui.cover import cover_section
from ui.empty import require_data
from ui.feedback import Feedback, guarded
from ui.text import md

st.title("Allocations", anchor=False)
version = require_data()
user = user_with_role(MANAGERS, "allocate IROs")
policy = results.base_policy()
as_of = dt.date.today()
caseload = results.caseload(version)
feedback = Feedback("al")


def _left(days: int | None) -> str:
    if days is None:
        return "unknown"
    if days > 0:
        return f"{days} working day{'s' if days != 1 else ''} left"
    if days == 0:
        return "due today"
    return f"OVERDUE by {-days} working day{'s' if days != -1 else ''}"


waiting = al.waiting_for_iro(caseload, as_of, policy)
st.header(f"Children waiting for an IRO ({waiting.height})", anchor=False)
if waiting.is_empty():
    st.success("Every child looked after today has an IRO.", icon=":material/task_alt:")
else:
    st.caption(
        f"Oldest first. An IRO is allocated within {policy.iro_allocation_working_days} working days of the child "
        "becoming looked after (DOMAIN §3); overdue ones are written OVERDUE."
    )
    tables.show(
        waiting.with_columns(
            status=pl.col("working_days_left").map_elements(_left, return_dtype=pl.String),
            sibling_group=pl.col("sibling_group").fill_null(""),
        ).select("child_id", "display_name", "period_from", "iro_due", "status", "sibling_group"),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * waiting.height, 300),
        column_config={
            "child_id": "Child",
            "display_name": "Name",
            "period_from": st.column_config.DateColumn("Looked after from", format="D MMM YYYY"),
            "iro_due": st.column_config.DateColumn("IRO due by", format="D MMM YYYY"),
            "status": "Working days left",
            "sibling_group": "Sibling group",
        },
    )

# the chooser: waiting children first (oldest first), then everyone else
names = results.visible_choices(version, user)
choices = {
    r["child_id"]: f"{names.get(r['child_id'], r['child_id'])} (waiting: {_left(r['working_days_left'])})"
    for r in waiting.iter_rows(named=True)
}
choices.update({k: v for k, v in names.items() if k not in choices})
staff = al.iros(engine(), user)
st.header("Allocate or reassign an IRO", anchor=False)
child = pick_child(choices, "al_child", "allocate or reassign their IRO")
if child is None:
    cover_section(user, staff, names)
    st.stop()

K = f"al:{child}:"  # every form widget keyed by the child it edits
history = al.allocation_history(engine(), user, child)
current = history.filter(pl.col("to_date").is_null() | (pl.col("to_date") >= as_of)).head(1)
current_iro = current.get_column("iro")[0] if current.height else None
siblings = al.siblings_of(caseload, child, as_of)
loads = al.iro_loads(caseload, staff, as_of, policy)


@guarded  # a database cut: app.py's plain message, the typed allocation kept
def _save(cid: str, actor: Principal, seen: int) -> None:
    s = st.session_state
    answers = {
        "iro_code": s.get(K + "iro"),
        "from_date": s.get(K + "from"),
        "reason": s.get(K + "reason"),
        "siblings": list(s.get(K + "siblings") or []),
        "exception_reason": s.get(K + "exception"),
    }
    # the same submission (this session, this child, the same answers: a second click) saves once;
    # not the version seen, which a second click may carry from the page redrawn after the first
    salt = uuid.UUID(s.setdefault("al_salt", uuid.uuid4().hex))
    submission = str(uuid.uuid5(salt, repr([cid, *answers.values()])))
    try:
        saved = al.allocate_iro(
            engine(), actor, cid, **answers, as_of=as_of, seen_allocations=seen, submission_id=submission
        )
    except (al.AllocationError, NotAllowed) as exc:
        feedback.refused(exc, f"Nothing was saved: {exc} Everything you typed is kept.")
        return
    if saved.repeated:
        numbers = ", ".join(str(i) for i in saved.allocation_ids)
        feedback.record(
            "info",
            f"Already saved: this allocation was saved once (allocation{'s' if len(saved.allocation_ids) > 1 else ''} "
            f"{numbers}: {saved.iro} from {day(saved.from_date)}); the repeated click saved nothing more.",
        )
        s[K + "iro"], s[K + "from"], s[K + "reason"], s[K + "exception"] = None, None, "", ""
        return
    nxt = ev.next_review(engine(), actor, cid, as_of, policy)
    numbers = ", ".join(str(i) for i in saved.allocation_ids)
    text = (
        f"Allocation{'s' if len(saved.allocation_ids) > 1 else ''} {numbers} saved: {saved.iro} is the IRO of "
        f"{' and '.join(saved.child_ids)} from {day(saved.from_date)}"
    )
    if saved.exception_recorded:
        text += "; the sibling exception is recorded"
    if nxt and nxt["next_review_due"]:
        text += f". Next review due {day(nxt['next_review_due'])}"
    feedback.record("success", text + ".")
    # an empty form for the next allocation (assigned, not deleted: a form widget keeps the value its
    # browser side holds unless the script sends a new one)
    s[K + "iro"], s[K + "from"], s[K + "reason"], s[K + "exception"] = None, None, "", ""


feedback.show()

left, right = st.columns([4, 3], gap="medium")
with right, st.container(border=True):
    st.markdown("**IRO caseloads today**")
    st.caption(
        f"Children looked after per full-time IRO; the IRO Handbook's range is {policy.iro_caseload_min}-"
        f"{policy.iro_caseload_max} (DOMAIN §9)."
    )
    tables.show(
        loads.select("iro", "children", "per_fte", pl.col("range_status").str.replace(" range", "")),
        hide_index=True,
        width="stretch",
        column_config={
            "iro": "IRO",
            "children": st.column_config.NumberColumn("Children", format="%d", width="small"),
            "per_fte": st.column_config.NumberColumn("Per FTE", format="%.1f", width="small"),
            "range_status": st.column_config.TextColumn(
                "Range", help="Children per FTE against the range", width="small"
            ),
        },
    )

with left:
    st.markdown(f"**Current IRO:** {md(current_iro) if current_iro else 'none allocated'}")
    label = {
        r["iro_code"]: f"{r['iro']} - {r['children']} children ({r['per_fte']:g} per FTE, {r['range_status']})"
        for r in loads.iter_rows(named=True)
    }
    sib_ids = siblings.get_column("child_id").to_list()
    st.session_state.setdefault(K + "siblings", sib_ids)
    with st.form(f"alloc_form_{child}", enter_to_submit=False):
        feedback.summary()
        st.selectbox(
            "IRO",
            list(label),
            format_func=label.get,
            index=None,
            key=K + "iro",
            placeholder="Choose the IRO (caseload shown against the 50-70 range)",
        )
        feedback.field("iro")
        st.date_input("Allocated from", value=None, key=K + "from", format="DD/MM/YYYY")
        feedback.field("from_date")
        st.text_area(
            "Reason for the change of IRO" + ("" if current_iro else " (only when the child already has an IRO)"),
            key=K + "reason",
            height=80,
        )
        feedback.field("reason")
        if sib_ids:
            sib_label = {
                r["child_id"]: f"{r['child_id']} - {r['display_name'] or ''} (IRO: {r['iro'] or 'none'})"
                for r in siblings.iter_rows(named=True)
            }
            st.multiselect(
                "Allocate the same IRO to these siblings",
                sib_ids,
                format_func=sib_label.get,
                key=K + "siblings",
                help="Siblings share one IRO unless an exception is recorded (DOMAIN §3).",
            )
            feedback.field("siblings")
            st.text_area(
                "Sibling exception: why a sibling left out will have a different IRO", key=K + "exception", height=80
            )
            feedback.field("exception_reason")
        st.form_submit_button(
            "Save allocation",
            type="primary",
            on_click=_save,
            args=(child, user, history.height),
            key="al_submit",
            icon=":material/how_to_reg:",
        )

    st.markdown("**IRO allocation history**")
    if history.is_empty():
        st.caption("No IRO has been allocated to this child.")
    else:
        tables.show(
            history.with_columns(
                to_date=day_expr(pl.col("to_date")).fill_null("current"),
                reason=pl.col("reason").fill_null(""),
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "iro": "IRO",
                "from_date": st.column_config.DateColumn("From", format="D MMM YYYY"),
                "to_date": "To",
                "reason": st.column_config.TextColumn("Reason for the change", width="large"),
            },
        )
    st.page_link(
        "app_pages/timeline.py",
        label="Open the child's timeline",
        icon=":material/timeline:",
        query_params={"child": child},
    )
cover_section(user, staff, names)
