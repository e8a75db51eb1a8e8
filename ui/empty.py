"""What a page shows before there is anything to show: an unreachable database, or no children yet.

Every dashboard page calls `require_data()` first; it returns the data version, or draws the
empty state (what to do next: load the demo caseload or import data) and stops the page. Nobody
should ever meet a traceback on a projector.
"""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from services.access import ADMIN, Principal
from services.demo.load import load_demo
from services.errors import UsageError
from services.persistence.database import DatabaseError
from services.settings import SettingsError
from ui import results
from ui.context import auth_configured, data_version, engine

_LOG = logging.getLogger(__name__)

DEMO_ACTOR = "Midway demo loader"


def _loader() -> Principal | None:
    """Who loads the demo: in demo mode the demo itself; signed in, only an administrator."""
    if not auth_configured():
        return Principal(DEMO_ACTOR, ADMIN, demo=True)
    return st.session_state.get("_principal")


def _load_demo() -> None:
    who = _loader()
    if who is None:
        st.session_state["_demo_refused"] = "Sign in as an administrator to load the demo caseload."
        return
    try:
        with st.spinner("Loading the demo caseload…"):
            load_demo(engine(), anchor=dt.date.today(), actor=who.name if who else DEMO_ACTOR, who=who)
    except (UsageError, ValueError) as exc:  # not demo-only, or not an administrator: nothing changed
        st.session_state["_demo_refused"] = str(exc)
        return
    st.session_state["_demo_loaded"] = True


def empty_state() -> None:
    with st.container(border=True):
        st.header(":material/inbox: No children in the database yet", anchor=False)
        st.write(
            "Midway works out review schedules, midway checks and drift flags from your caseload. "
            "To see it working, load the synthetic demo caseload (made-up children, safe to show). "
            "To use your own data, import an SSDA903 return or Midway's spreadsheet template."
        )
        refused = st.session_state.pop("_demo_refused", None)
        if refused:
            st.error(refused, icon=":material/block:")
        left, right = st.columns(2)
        left.button(
            "Load demo caseload",
            icon=":material/play_circle:",
            type="primary",
            on_click=_load_demo,
            help="Adds about a few hundred synthetic children, dated around today.",
        )
        right.page_link("app_pages/import_data.py", label="Import data", icon=":material/upload_file:")
        st.caption("From the command line: `python -m services demo --if-empty` loads the demo too.")


def _keep_typed_input() -> None:
    """Keep what the user typed while the form is not drawn: Streamlit drops the value of a widget
    that a run does not draw, so each value is set again as the session's own (buttons and
    uploaders cannot be set, and hold nothing typed)."""
    for key in list(st.session_state):
        try:
            st.session_state[key] = st.session_state[key]
        except Exception:  # StreamlitAPIException: a button's or uploader's state
            continue


def database_unreachable(exc: BaseException) -> None:
    """The plain message for a database that cannot be reached (or dropped the connection), drawn
    instead of the page (issue 13). What was typed is kept for when it is back: the engine
    reconnects by itself, and "Try again" reruns the page."""
    _LOG.error("database error on a page", exc_info=exc)  # the administrator's details: the server's log
    _keep_typed_input()
    st.error(
        "The database cannot be reached just now, so this page cannot be shown and nothing was saved. "
        "What you typed is kept: try again in a moment. If it persists, check DATABASE_URL (or "
        "`database_url` in .streamlit/secrets.toml) and that the database server is running.",
        icon=":material/cloud_off:",
    )
    st.caption(f"Details for the administrator: {type(exc).__name__}")
    st.button("Try again", icon=":material/refresh:", key="_db_try_again")


def require_data() -> int:
    """The data version, or stop the page with the empty / error state."""
    try:
        version = data_version()
        empty = results.is_empty(version)
    except SettingsError as exc:  # a bad DATABASE_URL / database_url: name it, no traceback
        st.error("A deployment setting is not valid, so Midway cannot start:", icon=":material/settings_alert:")
        st.text(str(exc))
        st.stop()
    except DatabaseError as exc:
        database_unreachable(exc)
        st.stop()
    if empty:
        empty_state()
        st.stop()
    if st.session_state.pop("_demo_loaded", False):
        st.toast("Demo caseload loaded.", icon=":material/check_circle:")
    return version
