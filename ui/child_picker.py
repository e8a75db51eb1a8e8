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
        not_visible()  # the same words for an unknown id and another IRO's child: the id is not echoed
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


def not_visible() -> None:
    """The plain refusal for a `?child=` link to a child the user may not see (or no such child)."""
    st.error(
        "The child in the link is not one you can see: not in the data, or not allocated to you. "
        "Check the link, or choose a child below.",
        icon=":material/person_off:",
    )
