"""Plotly figures for the Reports page (issue 15). Nothing here computes a number: each builder
draws a frame from services.views.reports as it is.

Accessibility (WCAG 2.2 AA): colours are Okabe-Ito (ui.charts), and no meaning rests on colour
alone: every series of a line chart has its own marker symbol and dash and its name written at its
last point, every part of a stacked bar its own fill pattern and legend entry, and grids write
their number in each cell. Each chart has a caption on the page and its table one click away.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from ui.charts import FONT, OKABE_ITO, literal, literal_list

# Okabe-Ito without its yellow, too faint on white for a line (WCAG 1.4.11): dark grey instead
SERIES_COLOURS = [
    *(OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "black")),
    "#595959",
]
# lists of different lengths, so colour, symbol and dash together stay distinct for 90 series
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down", "hexagon", "pentagon"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "5px,2px,1px,2px", "8px,3px", "2px,4px"]
PATTERNS = ["", "/", ".", "x", "\\", "+", "-", "|"]


def _layout(fig: go.Figure, height: int, **kw) -> go.Figure:
    base = dict(
        font=FONT,
        plot_bgcolor="white",
        paper_bgcolor="white",
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        hoverlabel=dict(font_size=15, bgcolor="white"),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, font=dict(size=13), traceorder="normal"),
    )
    fig.update_layout(**{**base, **kw})
    return fig


def _month_labels(frame: pl.DataFrame, col: str) -> list[str]:
    """Two-line month labels ("Nov" over "2026"): a dozen of them fit a laptop screen unrotated."""
    return [f"{d:%b}<br>{d:%Y}" for d in frame.get_column(col).to_list()]


def trend_lines(frame: pl.DataFrame, x: str, y: str, series: str | None, y_title: str) -> go.Figure:
    """A line per value of `series` (or one line), x a month column, y a percentage (0-100). A month
    with nothing to measure is a gap in the line, not a zero."""
    fig = go.Figure()
    groups = frame.get_column(series).unique(maintain_order=True).to_list() if series else [None]
    for i, name in enumerate(groups):
        part = frame.filter(pl.col(series) == name) if series else frame
        values = part.get_column(y).to_list()
        last = max((k for k, v in enumerate(values) if v is not None), default=None)
        fig.add_trace(
            go.Scatter(
                x=_month_labels(part, x),
                y=values,
                mode="lines+markers+text",
                name=name or y_title,
                line=dict(color=SERIES_COLOURS[i % 8], dash=DASHES[i % len(DASHES)], width=2.5),
                marker=dict(symbol=SYMBOLS[i % len(SYMBOLS)], size=10, color=SERIES_COLOURS[i % 8]),
                text=[f"{v:g}%" if k == last else "" for k, v in enumerate(values)],
                textposition="middle right",
                textfont=dict(size=12, color=SERIES_COLOURS[i % 8]),
                connectgaps=False,
                hovertemplate=f"{name or y_title}<br>%{{x}}: %{{y:.1f}}%<extra></extra>",
            )
        )
    return _layout(
        fig,
        380,
        xaxis=dict(type="category", showgrid=False, title=None, tickangle=0, automargin=True),
        yaxis=dict(title=y_title, range=[0, 105], ticksuffix="%", gridcolor="#EEF1F5", automargin=True),
    )


def stacked_bars(
    frame: pl.DataFrame, category: str, parts: list[str], *, horizontal: bool = False, months: bool = False
) -> go.Figure:
    """One stacked bar per value of `category`, a segment per column in `parts` (counts), each with
    its own colour, fill pattern and legend entry; segments' counts written inside when they fit."""
    cats = _month_labels(frame, category) if months else literal_list(frame.get_column(category))
    fig = go.Figure()
    for i, col in enumerate(parts):
        values = frame.get_column(col).to_list()
        bar = dict(
            name=col,
            marker=dict(
                color=SERIES_COLOURS[i % 8],
                pattern=dict(shape=PATTERNS[i % 8], fillmode="overlay", fgcolor="white", size=8, solidity=0.25),
                line=dict(width=0.5, color="white"),
            ),
            text=[str(v) if v else "" for v in values],
            textposition="inside",
            insidetextanchor="middle",
            textfont=dict(color="white" if i % 8 in (0, 3, 4, 6) else "#1F2937", size=12),
        )
        if horizontal:
            fig.add_trace(
                go.Bar(
                    y=cats, x=values, orientation="h", hovertemplate=f"%{{y}}<br>{col}: %{{x}}<extra></extra>", **bar
                )
            )
        else:
            fig.add_trace(go.Bar(x=cats, y=values, hovertemplate=f"%{{x}}<br>{col}: %{{y}}<extra></extra>", **bar))
    height = 140 + 34 * max(len(cats), 1) if horizontal else 400
    axis_cat = dict(
        type="category", categoryorder="array", categoryarray=cats[::-1] if horizontal else cats, automargin=True
    )
    axis_val = dict(gridcolor="#EEF1F5", title=None, automargin=True)
    return _layout(
        fig,
        height,
        barmode="stack",
        xaxis=axis_val if horizontal else {**axis_cat, "title": None, "tickangle": 0},
        yaxis={**axis_cat, "title": None, "ticksuffix": "  "} if horizontal else axis_val,
    )


def labelled_bars(
    frame: pl.DataFrame, label: str, value: str, share: str | None = None, group: str | None = None
) -> go.Figure:
    """Horizontal bars, one per row, the count (and share) written at the end of each bar; with
    `group`, the group's name is put before each label so the bars read as sections."""
    labels = literal_list(frame.get_column(label))
    if group:
        labels = [f"{g}: {v}" for g, v in zip(literal_list(frame.get_column(group)), labels, strict=True)]
    values = frame.get_column(value).to_list()
    shares = frame.get_column(share).to_list() if share else [None] * len(values)
    text = [f"{v:,}" + (f" ({s:g}%)" if s is not None else "") for v, s in zip(values, shares, strict=True)]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=values,
            orientation="h",
            marker=dict(color=OKABE_ITO["blue"]),
            text=text,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x}<extra></extra>",
            showlegend=False,
        )
    )
    xmax = max([v for v in values if v is not None] or [1]) * 1.25
    return _layout(
        fig,
        120 + 32 * max(len(labels), 1),
        xaxis=dict(range=[0, xmax], gridcolor="#EEF1F5", title=None, automargin=True),
        yaxis=dict(
            type="category", categoryorder="array", categoryarray=labels[::-1], automargin=True, ticksuffix="  "
        ),
    )


def gap_grid(frame: pl.DataFrame, x: str, y: str, value: str, count: str, months: bool = False) -> go.Figure:
    """A grid of squares, one per (x, y), its percentage written in it (a dash where nothing was
    answered); darker = a larger share answered with a gap. Hover gives the counts."""
    xs = _month_labels(frame, x) if months else literal_list(frame.get_column(x))
    ys = literal_list(frame.get_column(y))
    vals = frame.get_column(value).to_list()
    counts = frame.get_column(count).to_list()
    gaps = frame.get_column("Gaps").to_list()
    text = ["–" if v is None else f"{v:.0f}%" for v in vals]
    hover = [f"{b}<br>{a}<br>{g} of {n} answers a gap" for a, b, g, n in zip(xs, ys, gaps, counts, strict=True)]
    x_order = list(dict.fromkeys(xs))
    y_order = list(dict.fromkeys(ys))
    fig = go.Figure(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers+text",
            text=text,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            marker=dict(
                symbol="square",
                size=42,
                color=[-1 if v is None else v for v in vals],
                colorscale=[[0, "#EEF1F5"], [0.0099, "#EEF1F5"], [0.01, "#FFEA46"], [1, "#00204D"]],
                cmin=-1,
                cmax=100,
                line=dict(width=1, color="#9AA3AF"),
                colorbar=dict(
                    title=dict(text="gaps", side="right"), ticksuffix="%", tickvals=[0, 25, 50, 75, 100], thickness=14
                ),
            ),
            textfont=dict(color=["white" if (v or 0) > 50 else "#1F2937" for v in vals], size=13),
            showlegend=False,
        )
    )
    return _layout(
        fig,
        130 + 48 * max(len(y_order), 1),
        dragmode=False,
        xaxis=dict(
            type="category",
            categoryorder="array",
            categoryarray=x_order,
            side="top",
            showgrid=False,
            fixedrange=True,
            title=None,
        ),
        yaxis=dict(
            type="category",
            categoryorder="array",
            categoryarray=y_order[::-1],
            showgrid=False,
            fixedrange=True,
            automargin=True,
            ticksuffix="  ",
            title=None,
        ),
    )


def caseload_lines(frame: pl.DataFrame, lo: int, hi: int) -> go.Figure:
    """Children per FTE for each IRO at each month end, the Handbook's range as a shaded band; each
    line's IRO is written at its last point, and the legend repeats them with their symbols."""
    frame = frame.with_columns(literal(pl.col("IRO")))
    fig = go.Figure()
    months = list(dict.fromkeys(_month_labels(frame, "Month end")))
    fig.add_hrect(y0=lo, y1=hi, fillcolor=OKABE_ITO["green"], opacity=0.12, line_width=0)
    fig.add_annotation(
        x=0,
        xref="paper",
        y=hi,
        yanchor="bottom",
        xanchor="left",
        showarrow=False,
        text=f"IRO Handbook range {lo}-{hi}",
        font=dict(size=13, color="#374151"),
    )
    for i, (name,) in enumerate(frame.select("IRO").unique(maintain_order=True).iter_rows()):
        part = frame.filter(pl.col("IRO") == name)
        values = part.get_column("Per FTE").to_list()
        fig.add_trace(
            go.Scatter(
                x=_month_labels(part, "Month end"),
                y=values,
                mode="lines+markers+text",
                name=name,
                line=dict(color=SERIES_COLOURS[i % 8], dash=DASHES[i % len(DASHES)], width=2),
                marker=dict(symbol=SYMBOLS[i % len(SYMBOLS)], size=8, color=SERIES_COLOURS[i % 8]),
                text=["" for _ in values[:-1]] + [name],
                textposition="middle right",
                cliponaxis=False,
                textfont=dict(size=11, color="#374151"),
                # the name by reference: a "%{...}" in an IRO's name is then text, not a template field
                hovertemplate="%{fullData.name}<br>%{x}: %{y} children per FTE<extra></extra>",
            )
        )
    top = max(float(frame.get_column("Per FTE").max() or 0), hi) * 1.1
    return _layout(
        fig,
        460,
        margin=dict(l=10, r=150, t=90, b=10),
        xaxis=dict(
            type="category",
            categoryorder="array",
            categoryarray=months,
            showgrid=False,
            title=None,
            tickangle=0,
            automargin=True,
        ),
        yaxis=dict(title="children per full-time IRO", range=[0, top], gridcolor="#EEF1F5", automargin=True),
    )
