"""The Reports page's figures, cached like ui.results: keyed by the data version (it changes with
every write), the period, the midway policy and the selection, so a rerun that changes nothing
costs a dictionary look-up (`cache_resource`: the figures are shared read-only, not unpickled on
every rerun as `cache_data` would). The facts the Caseload does not carry (checklist answers, FTEs) are read
once per data version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import streamlit as st

from services.persistence.report_facts import checklist_answers
from services.views import dashboard
from services.views.reports import Figure, Period, ReportInput, Selection, report_figures
from services.views.reports.pack import build_pack
from ui import results
from ui.context import engine


@st.cache_resource(show_spinner=False, max_entries=2)
def _facts(version: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    eng = engine()
    return checklist_answers(eng), dashboard.staff_fte(eng)


def _input(version: int, end: dt.date, policy_name: str) -> ReportInput:
    answers, fte = _facts(version)
    return ReportInput(results.engine_result(version, end, policy_name), results.caseload(version), answers, fte)


def _selection(
    version: int, end: dt.date, policy_name: str, team: str | None, iro: str | None, legal: str | None
) -> Selection:
    ids = None
    if legal:
        ch = results.engine_result(version, end, policy_name).children
        ids = tuple(ch.filter(pl.col("legal_status") == legal).get_column("child_id").to_list())
    return Selection(team=team, iro=iro, child_ids=ids)


@st.cache_resource(show_spinner="Working out the report's figures…", max_entries=16)
def figures(
    version: int, start: dt.date, end: dt.date, policy_name: str, team: str | None, iro: str | None, legal: str | None
) -> dict[str, Figure]:
    sel = _selection(version, end, policy_name, team, iro, legal)
    return report_figures(_input(version, end, policy_name), Period(start, end), sel)


@st.cache_data(show_spinner=False, max_entries=16)
def pack(version: int, start: dt.date, end: dt.date, policy_name: str, team: str | None, iro: str | None) -> Any:
    """The supervision pack's content for one team or IRO (not cached: built from cached parts)."""
    figs = figures(version, start, end, policy_name, team, iro, None)
    inp = _input(version, end, policy_name)
    return build_pack(figs, inp.result, inp.caseload, Period(start, end), Selection(team=team, iro=iro))


@st.cache_data(show_spinner=False, max_entries=16)
def pack_choices(version: int, end: dt.date, policy_name: str) -> dict[str, list[str]]:
    """The IROs and teams holding children on the period end (the supervision pack's choices), so a
    rerun does not copy the whole engine result out of the cache again just for these names."""
    return dashboard.filter_options(results.engine_result(version, end, policy_name))
