"""The engine's results and the dashboard's numbers, cached so a page rerun costs milliseconds.

Keys: the data version (the newest audit id: it changes with every write, so a saved midway check
shows at once), as_of, the midway policy name and the filters. The caseload and the engine's
results (whole and filtered) are `cache_resource`: one shared, read-only copy per key, handed out
without a copy, because `cache_data` pickles on every hit and an engine result is megabytes (7 MB
for 2,000 children: 50-100 ms per hit, benchmarks/caseload_read.py). Nothing mutates them (polars
frames, frozen dataclasses). The small frames derived from them stay `cache_data`. All entries are
bounded, so a long projector session does not grow memory. ui.warmup fills the same caches in the
background when the server's first session starts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import streamlit as st

from services.access import Principal, Scope, read_child, restrict, visible_children
from services.casework.council_settings import stored_policy
from services.engine.caseload import Caseload
from services.engine.compute import EngineResult, compute
from services.engine.policy import Policy
from services.persistence.caseload import load_caseload
from services.views import dashboard, provenance
from services.views.report import report_frame
from services.views.timeline import child_profile, child_timeline
from ui.context import data_version, engine


@st.cache_data(show_spinner=False, max_entries=4)
def _stored_policy(version: int) -> Policy:
    """The council's stored policy, read once per data version (a save is audited, so it moves
    the version and every page sees the new policy on its next run, without a restart)."""
    return stored_policy(engine()).policy


def base_policy() -> Policy:
    """The council's policy (Settings page); the sidebar only swaps the midway policy per view."""
    return _stored_policy(data_version())


def policy_for(policy_name: str) -> Policy:
    return base_policy().with_(midway_policy=policy_name)


@st.cache_resource(show_spinner=False, max_entries=2)
def caseload(version: int) -> Caseload:
    """The whole caseload, read once per data version (frames are never mutated by readers)."""
    return load_caseload(engine())


@st.cache_data(show_spinner=False, max_entries=4)
def data_end(version: int) -> dt.date | None:
    """The last day the imported data covers (services.views.provenance.data_end)."""
    return provenance.data_end(engine())


@st.cache_data(show_spinner=False, max_entries=4)
def midway_checks_recorded(version: int) -> int:
    return provenance.midway_checks_recorded(engine())


@st.cache_data(show_spinner=False, max_entries=4)
def is_empty(version: int) -> bool:
    return caseload(version).children.is_empty()


@st.cache_resource(show_spinner="Working out schedules and flags…", max_entries=12)
def engine_result(version: int, as_of: dt.date, policy_name: str) -> EngineResult:
    return compute(caseload(version), as_of, policy_for(policy_name))


@st.cache_data(show_spinner=False, max_entries=16)
def scope(version: int, who: Principal, today: dt.date) -> Scope:
    """The children `who` may see today (services.access.visible_children), per data version."""
    return visible_children(engine(), who, today)


@st.cache_resource(show_spinner=False, max_entries=32)
def filtered_result(
    version: int,
    as_of: dt.date,
    policy_name: str,
    team: str | None,
    iro: str | None,
    legal_status: str | None,
    visible: Scope,
) -> EngineResult:
    return dashboard.filter_result(
        engine_result(version, as_of, policy_name), team=team, iro=iro, legal_status=legal_status, scope=visible
    )


@st.cache_data(show_spinner=False, max_entries=64)
def overview_data(
    version: int,
    as_of: dt.date,
    policy_name: str,
    team: str | None,
    iro: str | None,
    legal_status: str | None,
    visible: Scope,
) -> dict[str, Any]:
    """Cards now and 4 weeks earlier (policy.dashboard_compare_days), and the attention list."""
    pol = policy_for(policy_name)
    earlier = as_of - dt.timedelta(days=pol.dashboard_compare_days)
    esc = caseload(version).escalations
    now = filtered_result(version, as_of, policy_name, team, iro, legal_status, visible)
    then = filtered_result(version, earlier, policy_name, team, iro, legal_status, visible)
    return {
        "now": dashboard.card_counts(now, esc),
        "then": dashboard.card_counts(then, esc),
        "earlier": earlier,
        "attention": dashboard.attention(now),
        "undecidable": tuple(now.undecidable),
        "coverage": provenance.coverage_rows(now),  # per check, the children the data supports
    }


HEATMAP_BUCKETS = 12  # the weeks (or months) the team heatmap shows


@st.cache_data(show_spinner=False, max_entries=64)
def heatmap_data(version: int, filters: tuple, by: str, granularity: str, n: int) -> pl.DataFrame:
    return dashboard.heatmap_cells(filtered_result(version, *filters), by, granularity, n)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=64)
def heatmap_children(
    version: int, filters: tuple, by: str, granularity: str, n: int, row: str, bucket: dt.date
) -> pl.DataFrame:
    return dashboard.cell_children(filtered_result(version, *filters), by, granularity, row, bucket, n)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=4)
def _fte(version: int) -> pl.DataFrame:
    return dashboard.staff_fte(engine())


@st.cache_data(show_spinner=False, max_entries=64)
def caseload_data(version: int, filters: tuple) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(children per IRO against the range, work list of the next 4 weeks)."""
    result = filtered_result(version, *filters)
    pol = policy_for(filters[1])
    return dashboard.iro_caseloads(result, pol, _fte(version)), dashboard.work_list(result, caseload(version), pol)


def timeline_data(
    version: int, as_of: dt.date, policy_name: str, child_id: str, who: Principal
) -> tuple[pl.DataFrame, Any]:
    """(timeline events, side-panel profile or None when the child id is unknown). Refused
    (`NotAllowed`) unless `who` may see the child; each view is audited (services.access.read_child,
    outside the cache so a cached timeline is still checked and recorded)."""
    read_child(engine(), who, child_id, "timeline")
    return _timeline_data(version, as_of, policy_name, child_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _timeline_data(version: int, as_of: dt.date, policy_name: str, child_id: str) -> tuple[pl.DataFrame, Any]:
    cl = caseload(version)
    result = engine_result(version, as_of, policy_name)
    profile = child_profile(cl, result, child_id)
    if profile is None:
        return child_timeline(cl, result, "\x00none"), None
    return child_timeline(cl, result, child_id), profile


@st.cache_data(show_spinner=False, max_entries=16)
def child_choices(version: int, visible: Scope) -> dict[str, str]:
    """child id -> "id - name", for the timeline's picker (the children the user may see)."""
    ch = restrict(caseload(version).children.select("child_id", "display_name"), visible).sort("child_id")
    return {r[0]: f"{r[0]} - {r[1]}" if r[1] else r[0] for r in ch.iter_rows()}


@st.cache_data(show_spinner=False, max_entries=16)
def report_data(version: int, filters: tuple) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the CLI report's frame for the filtered children, per check the children the data supports:
    services.views.provenance.coverage_rows)."""
    result = filtered_result(version, *filters)
    return report_frame(result), provenance.coverage_rows(result)


def visible_choices(version: int, who: Principal) -> dict[str, str]:
    """`child_choices` for the children `who` may see today (services.access)."""
    return child_choices(version, scope(version, who, dt.date.today()))
