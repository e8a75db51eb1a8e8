"""The dashboard's shared sidebar filters, kept in session state AND the URL.

Every widget is keyed and `bind="query-params"` (Streamlit 1.55+), so the URL always names the
view: a link pasted into a supervision-meeting invite opens the same date, team, IRO, legal status
and midway policy. A value at its default is left out of the URL; an unknown value in a URL is
dropped by Streamlit (the filter then shows "All").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from services.dashboard import ALL, filter_options
from services.policy import MIDWAY_POLICIES
from ui import results

POLICY_LABELS = {
    "midpoint_after_second": "Halfway between reviews, from the 2nd review",
    "six_weeks_after_each": "6 weeks after every review",
    "twelve_weeks_after_second": "12 weeks after each review, from the 2nd",
}


@dataclass(frozen=True)
class DashboardFilters:
    as_of: dt.date
    policy_name: str
    team: str | None
    iro: str | None
    legal_status: str | None

    def key(self) -> tuple:
        """The positional arguments of ui.results.filtered_result after the version."""
        return (self.as_of, self.policy_name, self.team, self.iro, self.legal_status)

    def describe(self) -> str:
        parts = [f"as of {self.as_of:%a %d %b %Y}"]
        parts += [v for v in (self.team, self.iro, self.legal_status and f"legal status {self.legal_status}") if v]
        return ", ".join(parts)


def _none_if_all(value: str | None) -> str | None:
    return None if value in (None, ALL) else value


def sidebar_filters(version: int, *, people: bool = True) -> DashboardFilters:
    """Draw the filters and return the chosen view. `people=False` hides team / IRO / legal status
    (the child timeline is about one child)."""
    sb = st.sidebar
    sb.header("Filters")
    as_of = sb.date_input(
        "As of date",
        value=dt.date.today(),
        key="as_of",
        bind="query-params",
        format="DD/MM/YYYY",
        help="Everything is worked out as it stood on this date; later records are ignored.",
    )
    default_policy = results.base_policy().midway_policy
    policy_name = sb.selectbox(
        "Midway policy",
        MIDWAY_POLICIES,
        index=MIDWAY_POLICIES.index(default_policy),
        format_func=lambda p: POLICY_LABELS.get(p, p) + (" (ours)" if p == default_policy else ""),
        key="policy",
        bind="query-params",
        help="When a midway check falls due. 'Ours' is this council's setting; the others show what "
        "the picture would be under another council's rule.",
    )
    team = iro = legal = None
    if people:
        opts = filter_options(results.engine_result(version, as_of, policy_name))
        team = sb.selectbox("Team", [ALL, *opts["team"]], key="team", bind="query-params")
        iro = sb.selectbox("IRO", [ALL, *opts["iro"]], key="iro", bind="query-params")
        legal = sb.selectbox(
            "Legal status",
            [ALL, *opts["legal_status"]],
            key="legal_status",
            bind="query-params",
            help="SSDA903 legal status codes, e.g. C2 full care order, V2 section 20, E1 placement order.",
        )
    return DashboardFilters(as_of, policy_name, _none_if_all(team), _none_if_all(iro), _none_if_all(legal))


def timeline_url(child_ids: pl.Series, f: DashboardFilters) -> pl.Series:
    """Relative links to each child's timeline at the same date and policy (for LinkColumn:
    relative, so the app still works behind a path prefix)."""
    return "timeline?child=" + child_ids + f"&as_of={f.as_of.isoformat()}&policy={f.policy_name}"
