"""What every page needs from the session: the database engine and the signed-in user.

Identity: with Streamlit's OIDC login configured (`[auth]` in secrets.toml) the user is
`st.user`; otherwise (the embedded demo) the user picks who they are in the sidebar, so every
write is still attributed to a named person.
"""

from __future__ import annotations

import streamlit as st

from services.casework.staff import sign_in_names
from services.persistence import database as db


@st.cache_resource(show_spinner=False)
def engine() -> db.Engine:
    return db.get_engine()


def data_version() -> int:
    return db.data_version(engine())


@st.cache_data(show_spinner=False, max_entries=4)
def _staff_names(version: int) -> list[str]:
    return sign_in_names(engine())


def staff_names() -> list[str]:
    """The names to sign in as, read again whenever data has been written (a newly imported IRO
    appears without a restart)."""
    return _staff_names(data_version())


def current_user() -> str | None:
    """The signed-in user's name, or None when nobody is chosen yet."""
    user = getattr(st, "user", None)
    try:
        if user is not None and user.is_logged_in:
            return str(user.get("name") or user.get("email"))
    except Exception:  # auth not configured: fall back to the sidebar choice
        pass
    names = staff_names()
    if not names:
        return "Midway administrator"
    return st.sidebar.selectbox(
        "Signed in as", names, key="signed_in_as", help="Every save is recorded under this name."
    )
