"""What a page shows before there is anything to show: an unreachable database, or no children yet.

Every dashboard page calls `require_data()` first; it returns the data version, or draws the
empty state (what to do next: load the demo caseload or import data) and stops the page. Nobody
should ever meet a traceback on a projector.
"""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st
from streamlit.errors import StreamlitAPIException

from services.access import ADMIN, Principal
from services.demo.load import load_demo
from services.errors import UsageError
from services.persistence.database import DatabaseError
from services.settings import SettingsError
from ui import results
from ui.context import auth_configured, data_version, engine
from ui.feedback import guarded

_LOG = logging.getLogger(__name__)

DEMO_ACTOR = "Midway demo loader"


def _loader() -> Principal | None:
    """Who loads the demo: in demo mode the demo itself; signed in, only an administrator."""
    if not auth_configured():
        return Principal(DEMO_ACTOR, ADMIN, demo=True)
    return st.session_state.get("_principal")


@guarded  # a database cut: app.py's plain message
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


# Widgets whose value is an event or a file, not typed text, and that Streamlit refuses to be set
# through session state (a button, a form's submit, a download, an upload, a chat input): setting one
# raises StreamlitValueAssignmentNotAllowedError where it is drawn ("Try again" itself, issue 13) and
# could replay a click on the next run.
_NOT_TYPED = frozenset(
    {"trigger_value", "string_trigger_value", "json_trigger_value", "chat_input_value", "file_uploader_state_value"}
)


def _typed_widget_keys() -> list[str]:
    """The keys of the widgets holding what someone typed or chose: text, dates, numbers, choices,
    ticks. Not the session's own values (kept anyway), not buttons or uploads (_NOT_TYPED), not a
    data editor's or a chart's selection (a dict Streamlit refuses to be set). Streamlit says which
    widget a key is only in its session state's internals (1.67: the key-to-id mapping and each
    widget's metadata), read here and nowhere else; tests/test_browser_servers.py and
    tests/test_casework_pages.py break if they change."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    try:
        state = get_session_state()._state
        state._key_id_mapper.get_id_from_key, state._new_widget_state.widget_metadata  # noqa: B018
    except AttributeError:  # another Streamlit: the message still shows, what was typed is not kept
        _LOG.warning("cannot keep typed input: Streamlit's session state internals changed")
        return []
    keys = []
    for key in list(st.session_state):
        widget_id = state._key_id_mapper.get_id_from_key(str(key))
        meta = state._new_widget_state.widget_metadata.get(widget_id) if widget_id else None
        if meta is None or meta.value_type in _NOT_TYPED:
            continue
        try:
            value = st.session_state[key]
        except KeyError:
            continue
        if not isinstance(value, dict):
            keys.append(str(key))
    return keys


_KEPT = "_kept_typed_input"  # what a run that could not draw the form kept, for the next run to set


def _keep_typed_input() -> None:
    """Keep what the user typed while the form is not drawn. Streamlit drops the value of a widget
    that a run does not draw, so each typed value is set again as the session's own (it outlives
    this run), and remembered for `restore_typed_input`: a value Python holds is not enough, the
    browser draws a widget mounted afresh from its default unless that run itself sets the value."""
    kept = {key: st.session_state[key] for key in _typed_widget_keys()}
    for key, value in kept.items():
        try:
            st.session_state[key] = value
        except StreamlitAPIException:  # drawn already in this run: its value is kept anyway
            continue
    st.session_state[_KEPT] = kept


def restore_typed_input() -> None:
    """At the start of a run (app.py, before any widget): set again what the run before kept while
    the database was unreachable, so the widgets drawn now show it in the browser ("Try again"
    brings back the form with what was typed). Once: the next run draws from the widgets' own state."""
    for key, value in (st.session_state.pop(_KEPT, None) or {}).items():
        try:
            st.session_state[key] = value
        except StreamlitAPIException:
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
