"""Midway's charts in the browser: plotly figures drawn by a small custom component.

`st.plotly_chart` brings Streamlit's plotly bundle (the full plotly.js, 4.7 MB): evaluating it was
one 1.1 s main-thread task, during which no click, key or server message was handled, so a page
opened in that second waited for it whatever it held (benchmarks/long_tasks.py). Midway draws only
scatter and bar traces, so it ships plotly.js's basic build (static/vendor/, MIT, the version the
installed plotly for Python writes figures for; evaluated in 0.13 s) and draws with it through
`st.components.v2` (static/chart.js). The figure goes to the browser as plotly's JSON, as
st.plotly_chart sends it; text from the data is escaped by ui.charts.literal before it gets here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st

STATIC = Path(__file__).resolve().parent.parent / "static"
PLOTLY_FILE = "plotly-basic-4.1.1.min.js"  # in static/vendor/, with its licence
DEFAULT_CONFIG = {"displayModeBar": False}


@cache
def loader() -> str:
    """The script that loads plotly.js once per tab (static/plotly_loader.js), for preload.js too."""
    return f"const MIDWAY_PLOTLY_FILE = {json.dumps(PLOTLY_FILE)};" + (STATIC / "plotly_loader.js").read_text("utf-8")


@cache
def _component():
    return st.components.v2.component(
        "midway_chart",
        html='<div class="midway-chart"></div>',
        css=".midway-chart { width: 100%; }",
        js=loader() + (STATIC / "chart.js").read_text("utf-8"),
        isolate_styles=False,  # plotly.js puts its styles in the page's <head>
    )


def show(
    figure: go.Figure | str,
    *,
    key: str,
    config: dict[str, Any] | None = None,
    on_click: Callable[[], None] | None = None,
) -> None:
    """Draw `figure` (a figure, or its JSON) full width. With `on_click`, a click on a point calls
    it; `clicked(key)` then gives the point."""
    spec = figure if isinstance(figure, str) else figure.to_json()
    data = {"figure": spec, "config": config or DEFAULT_CONFIG, "clickable": on_click is not None}
    callbacks = {"on_point_change": on_click} if on_click else {}
    _component()(key=key, data=data, **callbacks)


def clicked(key: str) -> dict[str, Any] | None:
    """The point ({"x", "y"}) clicked in the chart drawn with `key`, during the rerun the click made."""
    state = st.session_state.get(key)
    point = state.get("point") if state is not None else None
    return point if isinstance(point, dict) else None
