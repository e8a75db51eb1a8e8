"""What every page needs from the session: the database engine and the signed-in user.

Identity: with Streamlit's OIDC login configured (`[auth]` in secrets.toml) the user is
`st.user`; otherwise (the embedded demo) the user picks who they are in the sidebar, so every
write is still attributed to a named person.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.persistence import database as db
from services.persistence.models import Staff


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    return db.get_engine()


def data_version() -> int:
    return db.data_version(engine())


@st.cache_data(show_spinner=False)
def _staff_names(_version: int) -> list[str]:
    with Session(engine()) as s:
        rows = s.scalars(
            select(Staff.display_name).where(Staff.role.in_(("iro", "service_manager"))).order_by(Staff.display_name)
        ).all()
    return list(rows)


def current_user() -> str | None:
    """The signed-in user's name, or None when nobody is chosen yet."""
    user = getattr(st, "user", None)
    try:
        if user is not None and user.is_logged_in:
            return str(user.get("name") or user.get("email"))
    except Exception:  # auth not configured: fall back to the sidebar choice
        pass
    names = _staff_names(0)
    if not names:
        return "Midway administrator"
    return st.sidebar.selectbox(
        "Signed in as", names, key="signed_in_as", help="Every save is recorded under this name."
    )
