"""What every page needs from the session: the database engine and the acting user.

Identity comes one of two ways, decided by secrets.toml:

- `[auth]` configured: Streamlit's OpenID Connect sign-in (`st.login`). The provider's email is
  matched to `staff.email` (case-insensitively); an unknown email gets a plain "not set up in
  Midway" page and nothing else.
- no `[auth]`: demo mode. A banner on every page says so, the sidebar's "Act as" has no default
  (nothing is shown or saved until someone is chosen), and Midway refuses to start on a database
  holding anything but the demo caseload unless the deployment setting `demo_mode_on_real_data`
  says so (services.settings).

`gate()` runs in app.py before the navigation, so every page is behind it; pages then call
`current_user()` for the `Principal` every service call takes.
"""

from __future__ import annotations

import streamlit as st

from services.access import NotAllowed, Principal, require_role
from services.access.demo import demo_only
from services.access.identity import demo_principals, principal_for_email
from services.persistence import database as db
from services.settings import admin_emails, demo_mode_on_real_data

ACT_AS = "act_as"  # the demo-mode selectbox's key (tests set it through AppTest's session state)
_USER = "_principal"
_GATE_ERROR = "_gate_database_error"  # the gate met a database cut: current_user raises it for app.py


def engine() -> db.Engine:
    """The engine of the database configured now (services.settings), read on every call. The cache
    is keyed by that URL rather than holding one engine for the process: a value worked out while the
    setting said one database can then never be handed out once it says another (each AppTest page
    test points DATABASE_URL at its own database; a thread still running from the previous test
    used to fill an unkeyed cache with that test's engine, or with the default data/midway.db)."""
    return _engine(db.database_url())


@st.cache_resource(show_spinner=False, max_entries=4)
def _engine(url: str) -> db.Engine:
    return db.get_engine(url)


def data_version() -> int:
    return db.data_version(engine())


def auth_configured() -> bool:
    """Whether secrets.toml has an `[auth]` table (Streamlit's OIDC sign-in)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all: Streamlit raises rather than return empty
        return False


@st.cache_data(show_spinner=False, max_entries=4)
def _people(version: int) -> dict[str, Principal]:
    """Demo mode's choices, read again whenever data has been written (a new IRO appears at once)."""
    return demo_principals(engine())


def people() -> dict[str, Principal]:
    """Whom demo mode offers to act as (by staff code), read again after every write."""
    return _people(data_version())


@st.cache_data(show_spinner=False, max_entries=4)
def _demo_only(version: int) -> bool:
    return demo_only(engine())


def _sign_in_page() -> None:
    st.title("Midway")
    st.write("Sign in with your council account to use Midway.")
    st.button("Sign in", type="primary", on_click=st.login, key="sign_in")
    st.stop()


def _not_set_up(email: str | None) -> None:
    st.title("Not set up in Midway")
    st.write("You are signed in, but your account is not set up in Midway, so there is nothing to show.")
    st.text(f"Account: {email or 'no email address was given by the sign-in'}")
    st.write("Ask your Midway administrator to add your work email address to your staff record.")
    st.button("Sign out", on_click=st.logout, key="sign_out")
    st.stop()


def _signed_in() -> Principal:
    if not st.user.is_logged_in:
        _sign_in_page()
    email, name = st.user.get("email"), st.user.get("name")
    who = principal_for_email(engine(), str(email) if email else None, admin_emails(), str(name) if name else None)
    if who is None:
        _not_set_up(str(email) if email else None)
    assert who is not None
    st.sidebar.text(f"Signed in as {who.name}")
    st.sidebar.button("Sign out", on_click=st.logout, key="sign_out")
    return who


def _demo_user(version: int) -> Principal | None:
    if not _demo_only(version) and not demo_mode_on_real_data():
        st.error(
            "Midway is in demo mode (no sign-in is configured), and this database holds data that is not the "
            "demo caseload. Demo mode would let anyone act as anyone, so Midway will not start on it. Configure "
            "sign-in ([auth] in .streamlit/secrets.toml), or point Midway at a demo database.",
            icon=":material/lock:",
        )
        st.stop()
    st.warning(
        "Demo mode: no sign-in is configured, so you choose whom you act as. Use it only with the synthetic "
        "demo caseload.",
        icon=":material/science:",
    )
    people = _people(version)
    linked = st.query_params.get(ACT_AS)  # demo mode only: a link may say whom it acts as (a choice, not a default)
    if linked in people and ACT_AS not in st.session_state:
        st.session_state[ACT_AS] = linked
    chosen = st.sidebar.selectbox(
        "Act as",
        list(people),
        index=None,
        format_func=lambda k: f"{people[k].name} ({people[k].role.replace('_', ' ')})",
        key=ACT_AS,
        placeholder="Choose whom you act as",
        help="Demo mode: every save is recorded under this name, and you see what their role may see.",
    )
    return people.get(chosen) if chosen is not None else None


def gate() -> None:
    """Before any page: the sign-in (or demo mode's banner and choice). Stops the run when nobody
    may see anything yet; otherwise keeps the acting user for `current_user()`."""
    st.session_state.pop(_USER, None)
    st.session_state.pop(_GATE_ERROR, None)
    if auth_configured():
        try:
            st.session_state[_USER] = _signed_in()
        except db.DatabaseError as exc:  # the staff list unreachable: the page's require_data says so
            st.session_state[_GATE_ERROR] = exc
        return
    try:
        version = data_version()
    except db.DatabaseError as exc:  # unreachable: the page's require_data, or current_user, says so
        st.session_state[_GATE_ERROR] = exc
        return
    except Exception:  # a bad setting: the page's require_data says which
        return
    who = _demo_user(version)
    if who is not None:
        st.session_state[_USER] = who


def current_user() -> Principal:
    """The acting user, or stop the page with "choose whom you act as" (demo mode, nobody chosen)."""
    who = st.session_state.get(_USER)
    if who is None and (cut := st.session_state.get(_GATE_ERROR)) is not None:
        raise cut  # app.py shows the plain database message (a page without require_data: Import data)
    if who is None:
        st.info(
            "Choose whom you act as in the sidebar: nothing is shown or saved until you do.", icon=":material/person:"
        )
        st.stop()
    return who


def refuse(exc: Exception) -> None:
    """Show a service's refusal (services.access.NotAllowed) as a plain message and stop the page:
    nothing of the record is drawn."""
    st.error(str(exc), icon=":material/block:")
    st.stop()


def user_with_role(roles: tuple[str, ...], doing: str) -> Principal:
    """`current_user()`, refused with a plain message unless their role is one of `roles` (pages that
    are a manager's or an administrator's; the services check again)."""
    who = current_user()
    try:
        require_role(who, roles, doing)
    except NotAllowed as exc:
        refuse(exc)
    return who
