"""The dashboard's shared sidebar filters, kept in session state AND the URL.

The URL always names the view: a link pasted into a supervision-meeting invite opens the same
date, team, IRO, legal status and midway policy, and the view carries across pages. A value at its
default is left out of the URL. The sync is written here rather than with `bind="query-params"`:
bound widgets are per page, a page switch drops the previous page's parameters, and the bound
widget then falls back to its default, so the filters were lost on every page change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from services.access import ALL as EVERY_CHILD
from services.access import Scope
from services.dates import day
from services.engine.policy import MIDWAY_POLICIES, MIDWAY_POLICY_LABELS
from services.views.dashboard import ALL, filter_options
from ui import present, provenance, results
from ui.context import current_user
from ui.text import md

POLICY_LABELS: dict[str, str] = dict(MIDWAY_POLICY_LABELS)


@dataclass(frozen=True)
class DashboardFilters:
    as_of: dt.date
    policy_name: str
    team: str | None
    iro: str | None
    legal_status: str | None
    visible: Scope = EVERY_CHILD  # the children the acting user may see (services.access)

    def key(self) -> tuple:
        """The positional arguments of ui.results.filtered_result after the version."""
        return (self.as_of, self.policy_name, self.team, self.iro, self.legal_status, self.visible)

    def describe(self) -> str:
        parts = [f"as of {day(self.as_of)}"]
        parts += [v for v in (self.team, self.iro, self.legal_status and f"legal status {self.legal_status}") if v]
        return ", ".join(parts)

    def statement(self) -> str:
        """The whole view in words, for a page whose sidebar is hidden (presentation mode)."""
        return f"{self.describe()}; midway policy: {POLICY_LABELS.get(self.policy_name, self.policy_name)}"


def _none_if_all(value: str | None) -> str | None:
    return None if value in (None, ALL) else value


_STORE = "_dashboard_filters"  # the view chosen in this session: {url key: value}
_WRITTEN = "_dashboard_filters_url"  # what this module last wrote to the URL
_PAGE = "_dashboard_filters_page"  # the page that drew the filters last
FILTER_KEYS = ("as_of", "policy", "team", "iro", "legal_status")


def _parse(key: str, raw: str) -> object | None:
    """A URL value as the widget's value, or None when it is not valid for that filter."""
    if key == "as_of":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return None
    if key == "policy":
        return raw if raw in MIDWAY_POLICIES else None
    return raw or None


def _from_url() -> list[str]:
    """Take into the session the filters the URL sets and this module did not write itself (a
    link just opened, or an edited URL). A page switch drops query parameters: absent keys keep
    the session's values, so the view carries across pages. Returns the keys it could not use."""
    store = st.session_state.setdefault(_STORE, {})
    written = st.session_state.get(_WRITTEN, {})
    bad = []
    for key in FILTER_KEYS:
        raw = st.query_params.get(key)
        if raw is None or raw == written.get(key):
            continue
        value = _parse(key, raw)
        if value is None:
            bad.append(f"{key}={raw}")
            continue
        store[key] = value
        st.session_state[key] = value
    return bad


def _page_switched() -> bool:
    """True on the first run of a page in this session since another page ran. The widgets of the
    new page are new widgets, even with the same keys, so they must be given the session's values."""
    ctx = get_script_run_ctx()
    page = ctx.page_script_hash if ctx else ""
    switched = st.session_state.get(_PAGE) != page
    st.session_state[_PAGE] = page
    return switched


def _seed(key: str, switched: bool, options: list | tuple | None = None) -> None:
    """Before a widget is drawn: on a page just opened, give it the session's value (if that value
    is still one of its options); on a rerun of the same page, leave the user's choice alone."""
    store = st.session_state.get(_STORE, {})
    if key in store and (switched or key not in st.session_state) and (options is None or store[key] in options):
        st.session_state[key] = store[key]
    if options is not None and key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]  # e.g. a team with no children on the new as-of date


def _to_url(values: dict[str, object], defaults: dict[str, object]) -> None:
    """Write the view into the URL (defaults left out), and remember it for the next page."""
    st.session_state.setdefault(_STORE, {}).update(values)
    written = st.session_state.setdefault(_WRITTEN, {})
    for key, value in values.items():
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        if value == defaults.get(key):
            if key in st.query_params:
                del st.query_params[key]
            written.pop(key, None)
        else:
            if st.query_params.get(key) != text:
                st.query_params[key] = text
            written[key] = text


def _set_as_of(day: dt.date) -> None:
    """The "use the data's end date" button: the sidebar's date, for this page and the next."""
    st.session_state["as_of"] = day
    st.session_state.setdefault(_STORE, {})["as_of"] = day


def sidebar_filters(version: int, *, people: bool = True) -> DashboardFilters:
    """Draw the filters and return the chosen view. `people=False` hides team / IRO / legal status
    (the child timeline is about one child)."""
    visible = results.scope(version, current_user(), dt.date.today())
    switched = _page_switched()
    bad = _from_url()
    sb = st.sidebar
    sb.header("Filters", anchor=False)
    today = dt.date.today()
    # a 903 return ends on 31 March of its year: the pages open on that date, not years later
    opening = provenance.default_as_of(version, today)
    default_policy = results.base_policy().midway_policy
    _seed("as_of", switched)
    as_of = sb.date_input(
        "As of date",
        value=opening,
        key="as_of",
        format="DD/MM/YYYY",
        help="Everything is worked out as it stood on this date; later records are ignored.",
    )
    _seed("policy", switched, MIDWAY_POLICIES)
    policy_name = sb.selectbox(
        "Midway policy",
        MIDWAY_POLICIES,
        index=MIDWAY_POLICIES.index(default_policy),
        format_func=lambda p: POLICY_LABELS.get(p, p) + (" (ours)" if p == default_policy else ""),
        key="policy",
        help="When a midway check falls due. 'Ours' is this council's setting; the others show what "
        "the picture would be under another council's rule.",
    )
    values: dict[str, object] = {"as_of": as_of, "policy": policy_name}
    team = iro = legal = None
    if people:
        opts = filter_options(results.filtered_result(version, as_of, policy_name, None, None, None, visible))
        choices = {k: [ALL, *opts[k]] for k in ("team", "iro", "legal_status")}
        for key in choices:
            _seed(key, switched, choices[key])
        team = sb.selectbox("Team", choices["team"], key="team")
        iro = sb.selectbox("IRO", choices["iro"], key="iro")
        legal = sb.selectbox(
            "Legal status",
            choices["legal_status"],
            key="legal_status",
            help="SSDA903 legal status codes, e.g. C2 full care order, V2 section 20, E1 placement order.",
        )
        values.update(team=team, iro=iro, legal_status=legal)
    _to_url(values, {"as_of": opening, "policy": default_policy, "team": ALL, "iro": ALL, "legal_status": ALL})
    if bad:
        sb.warning("Not used from the link: " + md(", ".join(bad)), icon=":material/link_off:")
    provenance.notes(version, as_of, _set_as_of)
    chosen = DashboardFilters(as_of, policy_name, _none_if_all(team), _none_if_all(iro), _none_if_all(legal), visible)
    present.controls(chosen.statement())
    return chosen


def timeline_url(child_ids: pl.Series, f: DashboardFilters) -> pl.Series:
    """Relative links to each child's timeline at the same date and policy (for LinkColumn:
    relative, so the app still works behind a path prefix). A child id is data: the characters
    that would end or change a query value are percent-encoded (all at once, so "%" is not encoded
    twice)."""
    safe = child_ids.str.replace_many(list(_QUERY_UNSAFE), list(_QUERY_UNSAFE.values()))
    return "timeline?child=" + safe + f"&as_of={f.as_of.isoformat()}&policy={f.policy_name}"


_QUERY_UNSAFE = {"%": "%25", "&": "%26", "#": "%23", "+": "%2B", "=": "%3D", "?": "%3F", " ": "%20"}
