"""Drawing one Reports figure: title, chart, the caption that says how to read it, its table one
click away (an expander) and its CSV; or, when the data cannot support it, why (DOMAIN §10)."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from services.access import Principal
from services.views.export import to_csv
from services.views.reports import Figure
from ui import plot, tables
from ui.downloads import download

# The Reports page's tabs, in order (the page draws each with its own function); TAB_KEY is also
# the URL parameter that opens one (?report_tab=Supervision pack).
TAB_KEY = "report_tab"
TABS = (
    "Reviews",
    "Midway checks",
    "Recommendations, escalations",
    "Participation, checklist, caseloads",
    "Supervision pack",
    "Drift report",  # short: the six labels fit one line at 1280 px (the section says "Schedule and drift report")
)

# print: no sidebar, header, toolbars or buttons; expanders open; charts kept whole on a page
PRINT_CSS = """
<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDownloadButton"], [data-testid="stBaseButton-secondary"], .stDeployButton {
    display: none !important;
  }
  [data-testid="stMain"] { margin-left: 0 !important; }
  [data-testid="stVerticalBlockBorderWrapper"], .midway-chart { break-inside: avoid; }
  details { display: block; }
}
</style>
"""
# the printable page: the same, on screen
PRINTABLE_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] {
  display: none !important;
}
</style>
"""


def column_config(frame: pl.DataFrame) -> dict:
    """Dates as "13 Nov 2026" (months as "Nov 2026"), whole numbers without separators' noise."""
    config: dict = {}
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            fmt = "MMM YYYY" if name == "Month" else "D MMM YYYY"
            config[name] = st.column_config.DateColumn(name, format=fmt)
        elif name.endswith("(%)"):
            config[name] = st.column_config.NumberColumn(name, format="%.1f")
    return config


def table(frame: pl.DataFrame, height: int | str = "auto") -> None:
    tables.show(frame, hide_index=True, width="stretch", height=height, column_config=column_config(frame))


@st.cache_data(show_spinner=False, max_entries=256)
def _chart_spec(key: tuple, _build: Callable[[], go.Figure]) -> str:
    """The chart as plotly's JSON, built once per figure and view (`key`: data version, period,
    policy, selection, figure): building a figure validates every property, which was most of a
    warm rerun (about 10 ms a chart)."""
    return _build().to_json()


def section(
    fig: Figure,
    chart: Callable[[], go.Figure],
    caption: str,
    file_stub: str,
    key: tuple = (),
    *,
    actor: Principal,
) -> None:
    """One figure in a bordered box. The chart is built only when the figure is supported, and only
    once per `key` (the view: data version, period, policy, selection)."""
    with st.container(border=True):
        st.header(fig.title, anchor=False)
        if not fig.supported:
            st.info("The data cannot support this figure. " + fig.why_not, icon=":material/info:")
            return
        plot.show(_chart_spec((*key, fig.key), chart) if key else chart(), key=f"chart_{fig.key}")
        st.caption(caption)
        with st.expander(f"Table: {fig.title}"):
            table(fig.data)
        data = fig.data
        download(
            "Download this table (CSV)",
            lambda: to_csv(data),
            actor=actor,
            what="report_figure",
            rows=data.height,
            file_name=f"{file_stub}-{fig.key}.csv",
            mime="text/csv",
            icon=":material/download:",
            key=f"csv_{fig.key}",
        )
