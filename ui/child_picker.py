"""The child chooser shared by the timeline and the midway check form: follows `?child=` links,
says plainly when the linked child does not exist, and keeps the URL in step with the choice."""

from __future__ import annotations

import streamlit as st


def pick_child(choices: dict[str, str], key: str, purpose: str) -> str | None:
    """A searchable child selectbox. `choices` maps child id -> label; `purpose` completes
    "Choose a child to ..." when none is chosen. Returns the chosen id, or None."""
    wanted = st.query_params.get("child")
    seen = f"_{key}_qp"
    if wanted is not None and wanted not in choices:
        st.error(  # the same words for an unknown id and another IRO's child: the link's id is not echoed
            "The child in the link is not one you can see: not in the data, or not allocated to you. "
            "Check the link, or choose a child below.",
            icon=":material/person_off:",
        )
    elif wanted is not None and st.session_state.get(seen) != wanted:
        st.session_state[key] = wanted  # a new link: follow it
        st.session_state[seen] = wanted
    child = st.selectbox(
        "Child",
        list(choices),
        index=None,
        format_func=choices.get,
        key=key,
        placeholder="Choose a child (type an id or name to search)",
    )
    if child is None:
        st.info(f"Choose a child to {purpose}.", icon=":material/person_search:")
        return None
    if child != wanted:
        st.query_params["child"] = child
        st.session_state[seen] = child
    return child
