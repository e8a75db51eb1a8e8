"""Act where the problem is shown (issue 14): links from a child's timeline and the Overview's
cards to the casework pages, carrying the child (and the flag that prompted an escalation, which
the escalation form is pre-filled from)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from services.vocabulary import FLAG_LABELS

ESCALATIONS = "app_pages/escalations.py"
EVENTS = "app_pages/events.py"
MIDWAY = "app_pages/midway_check.py"
RECOMMENDATIONS = "app_pages/recommendations.py"
ALLOCATIONS = "app_pages/allocations.py"

# the page that puts a flag right, when it is not an escalation
FLAG_PAGE: dict[str, tuple[str, str, str]] = {
    "IRO_NOT_ALLOCATED": (ALLOCATIONS, "Allocate an IRO", ":material/how_to_reg:"),
    "SIBLINGS_SPLIT": (ALLOCATIONS, "Allocate the siblings' IRO", ":material/how_to_reg:"),
    "REC_OVERDUE": (RECOMMENDATIONS, "Update the recommendations", ":material/checklist:"),
    "MIDWAY_OVERDUE": (MIDWAY, "Record the midway check", ":material/fact_check:"),
    "MIDWAY_DUE_SOON": (MIDWAY, "Record the midway check", ":material/fact_check:"),
}


def action_links(child_id: str, flags: Sequence[str], *, escalate_each: bool = True, midway: bool = True) -> None:
    """Links to act on the child: put each flag right, or escalate it (the form pre-filled with the
    flag); record an event, a midway check (unless `midway` is False: the page has its own button)
    or a review's recommendations."""
    q = {"child": child_id}
    shown: set[str] = set()
    for code in flags:
        target = FLAG_PAGE.get(code)
        if target and target[0] + target[1] not in shown and (midway or target[0] != MIDWAY):
            shown.add(target[0] + target[1])
            st.page_link(target[0], label=target[1], icon=target[2], query_params=q)
        if escalate_each:
            st.page_link(
                ESCALATIONS,
                label=f"Escalate: {FLAG_LABELS.get(code, code)}",
                icon=":material/campaign:",
                query_params={**q, "flag": code},
                width="stretch",
            )
    if flags and not escalate_each:
        st.page_link(
            ESCALATIONS,
            label="Raise an escalation",
            icon=":material/campaign:",
            query_params={**q, "flag": flags[0]},
            width="stretch",
        )
    st.page_link(EVENTS, label="Record a significant event", icon=":material/event_note:", query_params=q)
    if midway and MIDWAY + "Record the midway check" not in shown:
        st.page_link(MIDWAY, label="Record a midway check", icon=":material/fact_check:", query_params=q)
    if RECOMMENDATIONS + "Update the recommendations" not in shown:
        st.page_link(
            RECOMMENDATIONS, label="Record a review's recommendations", icon=":material/checklist:", query_params=q
        )
