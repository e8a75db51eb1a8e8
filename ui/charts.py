"""Plotly figures for the dashboard: colour-blind-safe, readable on a projector.

Colours are the Okabe-Ito palette, and every status also has its own marker symbol and legend
text, so nothing relies on telling red from green. The heatmap is drawn as square markers on a
category grid rather than a heatmap trace: Streamlit's selection events do not fire on heatmap
traces (streamlit#8933), but they do on scatter points, so a click on a cell can list its children.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from services.dates import day
from services.views.timeline import chart_points

# Plotly reads pseudo-HTML in every label, tick, legend and hover text (<br>, <b>, <i>, <sup>,
# <span style=...>, <a href=...>) and decodes the entities &lt; &gt; &amp;. Text that came from the
# data (team, IRO and placement names, hover texts built from them) goes through `literal`, so it is
# drawn as typed: never bold, coloured or a link.
_PLOTLY_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def literal(text: pl.Expr) -> pl.Expr:
    """`text` escaped for plotly: shown literally, whatever markup it holds."""
    for raw, entity in _PLOTLY_ESCAPES:
        text = text.str.replace_all(raw, entity, literal=True)
    return text


def literal_list(values: pl.Series) -> list[str | None]:
    """A column's values escaped for plotly (`literal`), as the list a trace takes."""
    return values.cast(pl.String).to_frame("v").select(literal(pl.col("v"))).to_series().to_list()


# Okabe-Ito (Okabe & Ito 2008), the usual colour-blind-safe qualitative palette.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#8C8C8C",
}
FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=15, color="#262730")
# Sequential, colour-blind-safe and monotone in lightness: light = few, dark = many.
HEAT_SCALE = "cividis_r"
EMPTY_CELL = "#EEF1F5"

# status -> (legend text, colour, symbol); one legend entry per status, in this order.
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    "on time": ("On time / done", OKABE_ITO["green"], "circle"),
    "done": ("On time / done", OKABE_ITO["green"], "circle"),
    "met": ("On time / done", OKABE_ITO["green"], "circle"),
    "late": ("Late", OKABE_ITO["orange"], "diamond"),
    "due": ("Due (future)", OKABE_ITO["blue"], "circle-open"),
    "pending": ("Due (future)", OKABE_ITO["blue"], "circle-open"),
    "overdue": ("Overdue", OKABE_ITO["vermillion"], "x"),
    "missed": ("Missed", OKABE_ITO["purple"], "square"),
    "superseded": ("Superseded / not needed", OKABE_ITO["grey"], "circle-open-dot"),
    "not_required": ("Superseded / not needed", OKABE_ITO["grey"], "circle-open-dot"),
    "unknown": ("Unknown", OKABE_ITO["grey"], "hexagon-open"),  # not superseded's grey circle
    "event": ("Significant event", OKABE_ITO["black"], "star"),
    "review brought forward": ("Event: review brought forward", OKABE_ITO["purple"], "star-diamond"),
}
BAR_STYLE: dict[str, str] = {
    "period": OKABE_ITO["sky_blue"],
    "placement": OKABE_ITO["blue"],
    "missing": OKABE_ITO["orange"],
    "escalation": OKABE_ITO["vermillion"],
    "allocation": OKABE_ITO["green"],
}
BAR_LEGEND = {
    "period": "Period of care",
    "placement": "Placement",
    "missing": "Missing episode",
    "escalation": "Escalation",
    "allocation": "IRO allocation",
}


def _layout(fig: go.Figure, **kw) -> go.Figure:
    kw.setdefault("hoverlabel", dict(font_size=15, bgcolor="white"))
    fig.update_layout(font=FONT, plot_bgcolor="white", paper_bgcolor="white", **kw)
    return fig


# --- heatmap as a grid of squares -------------------------------------------------------------------


def _colorbar(value: str, vmin: float, vmax: float) -> dict:
    """Whole-number ticks for counts (no "0, 0, 1, 1" on a scale of 0-1), percentages for rates.
    The bar starts at the smallest value above zero: zero cells are grey, with their own legend
    entry, never the scale's lightest colour."""
    bar: dict = dict(
        title=dict(text="share overdue" if value == "rate" else "checks overdue", side="right"),
        thickness=14,
        len=1.0,
        y=0.5,
    )
    if value == "rate":
        bar["tickformat"] = ".0%"
    else:
        step = max(1, int(vmax) // 5)
        bar.update(tickmode="array", tickvals=sorted({int(vmin), *range(step, int(vmax) + 1, step)}))
    return bar


def period_ticks(labels: list[str]) -> list[str]:
    """Two-line tick labels ("14<br>Sep", "Sep<br>2026"), so neighbouring weeks or months never run
    together at 1280 px ("14 Sep21 Sep"), without slanting them."""
    return [label.replace(" ", "<br>", 1) for label in labels]


def heatmap_figure(cells: pl.DataFrame, value: str, row_title: str) -> go.Figure:
    """`cells` from services.views.dashboard.heatmap_cells; value "count" or "rate".

    One selectable square per cell, the number written in it. Cells with nothing to show (zero, or
    no check due for a rate) are pale grey squares so the eye goes to the coloured ones. Rows are
    escaped (`literal`): a click's point names its row escaped (the page unescapes it)."""
    cells = cells.with_columns(literal(pl.col("row")))
    rows = cells.get_column("row").unique(maintain_order=True).to_list()
    cols = cells.sort("bucket").get_column("label").unique(maintain_order=True).to_list()
    v = pl.col(value)
    shown = cells.with_columns(
        text=pl.when(v.is_null())
        .then(pl.lit("–"))
        .when(pl.lit(value == "rate"))
        .then((v * 100).round(0).cast(pl.Int64).cast(pl.String) + "%")
        .otherwise(v.cast(pl.Int64).cast(pl.String)),
        hover=pl.concat_str(
            pl.col("row"),
            pl.lit("<br>"),
            pl.col("label"),
            pl.lit("<br>"),
            pl.col("count").cast(pl.String),
            pl.lit(" overdue or missed ("),
            pl.col("missed").cast(pl.String),
            pl.lit(" missed) of "),
            pl.col("required").cast(pl.String),
            pl.lit(" checks due"),
        ),
    )
    hot = shown.filter(v.is_not_null() & (v > 0))
    cold = shown.filter(v.is_null() | (v == 0))
    vmax = float(hot.get_column(value).max() or 1) if hot.height else 1.0
    vmin = float(hot.get_column(value).min() or 1) if hot.height else 1.0
    if value == "rate":
        vmax = max(vmax, 0.05)
    # one value only: its squares all the darkest half's colour, named in the legend, and no colour bar,
    # whose other end would show a colour no square has (next to grey zero squares)
    single = hot.height > 0 and hot.get_column(value).n_unique() == 1
    if vmin >= vmax:
        vmin = vmax / 2 if value == "rate" else max(vmax - 1, 0)
    n_rows = max(len(rows), 1)
    cell_px = 46
    size = 40
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=cold["label"].to_list(),
            y=cold["row"].to_list(),
            mode="markers+text",
            text=cold["text"].to_list(),
            customdata=cold["hover"].to_list(),
            hovertemplate="%{customdata}<extra></extra>",
            marker=dict(symbol="square", size=size, color=EMPTY_CELL, line=dict(width=1, color="#D5DAE1")),
            textfont=dict(color="#6B7280", size=14),
            name="0: none overdue   –: no check due",
            showlegend=True,
            selected=dict(marker=dict(opacity=1)),
            unselected=dict(marker=dict(opacity=0.45)),
        )
    )
    norm = ((hot.get_column(value) - vmin) / (vmax - vmin or 1)).to_list() if hot.height else []
    fig.add_trace(
        go.Scatter(
            x=hot["label"].to_list(),
            y=hot["row"].to_list(),
            mode="markers+text",
            text=hot["text"].to_list(),
            customdata=hot["hover"].to_list(),
            hovertemplate="%{customdata}<extra></extra>",
            marker=dict(
                symbol="square",
                size=size,
                color=hot.get_column(value).to_list(),
                colorscale=HEAT_SCALE,
                cmin=vmin,
                cmax=vmax,
                line=dict(width=1, color="#9AA3AF"),
                colorbar=_colorbar(value, vmin, vmax),
                showscale=not single,
            ),
            textfont=dict(color=["white" if x > 0.55 else "#1F2937" for x in norm], size=15),
            name=f"{hot['text'][0]}: overdue or missed" if single else "overdue",
            showlegend=single,
            selected=dict(marker=dict(opacity=1)),
            unselected=dict(marker=dict(opacity=0.45)),
        )
    )
    _layout(
        fig,
        height=150 + cell_px * n_rows,
        margin=dict(l=10, r=10, t=60, b=40),
        legend=dict(orientation="h", x=0, y=0, yanchor="top", font=dict(size=14), itemsizing="constant"),
        clickmode="event+select",
        dragmode=False,
        xaxis=dict(
            type="category",
            categoryorder="array",
            categoryarray=cols,
            side="top",
            showgrid=False,
            title=None,
            fixedrange=True,
            tickfont=dict(size=13),
            tickangle=0,
            tickmode="array",
            tickvals=cols,
            ticktext=period_ticks(cols),
        ),
        yaxis=dict(
            type="category",
            categoryorder="array",
            categoryarray=rows[::-1],
            showgrid=False,
            title=None,
            fixedrange=True,
            automargin=True,
            ticksuffix="  ",
        ),
    )
    return fig


# --- child timeline -----------------------------------------------------------------------------------


def merge_span(start: dt.date, end: dt.date) -> str:
    """How long a span one recommendation marker merges on a chart from `start` to `end`: a month
    on a short case, up to two years on a long one, so that the lane holds at most 16 merged
    markers (one per span, whatever their statuses). At 1280 px the timeline's plot is about 360 px
    wide, and the "×12" written above each merged marker needs about 25 px: merged by month, a
    ten-year case's labels ran into each other."""
    months = max((end - start).days / 30.4, 1)
    return next((f"{n}mo" for n in (1, 3, 6, 12) if months / n <= 16), "24mo")


def timeline_figure(events: pl.DataFrame, as_of: dt.date) -> go.Figure:
    """`events` from services.views.timeline.child_timeline: bars for spans, symbols for dated facts.
    Its texts are plain (placement types, IRO names, dates): escaped for plotly (`literal`)."""
    events = events.with_columns(literal(pl.col(c)) for c in ("lane", "label", "hover"))
    lanes = events.get_column("lane").unique(maintain_order=True).to_list()
    fig = go.Figure()
    bars = events.filter(pl.col("end").is_not_null())
    for kind, colour in BAR_STYLE.items():
        part = bars.filter(pl.col("kind") == kind)
        if part.is_empty():
            continue
        starts = part.get_column("start").to_list()
        ms = ((part.get_column("end") - part.get_column("start")).dt.total_days() * 86_400_000).to_list()
        fig.add_trace(
            go.Bar(
                base=[d.isoformat() for d in starts],
                x=ms,
                y=part.get_column("lane").to_list(),
                orientation="h",
                marker=dict(
                    color=colour,
                    opacity=[0.45 if s in ("ended", "resolved", "returned") else 0.9 for s in part["status"]],
                    line=dict(width=1, color="white"),
                ),
                text=part.get_column("label").to_list() if kind in ("placement", "allocation") else None,
                textposition="inside",
                insidetextanchor="middle",
                textfont=dict(color="white", size=13),
                customdata=part.get_column("hover").to_list(),
                hovertemplate="%{customdata}<extra></extra>",
                name=BAR_LEGEND[kind],
                width=0.5,
                legendgroup="bars",
            )
        )
    start = events.get_column("start").min() if events.height else as_of
    end = max(events.get_column("start").max() or as_of, events.get_column("end").max() or as_of, as_of)
    points = chart_points(events, every=merge_span(start or as_of, end)).filter(pl.col("end").is_null())
    seen: set[str] = set()
    for status, (legend, colour, symbol) in STATUS_STYLE.items():
        part = points.filter(pl.col("status") == status)
        if part.is_empty():
            continue
        fig.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in part.get_column("start").to_list()],
                y=part.get_column("lane").to_list(),
                mode="markers+text",
                # merged recommendation markers say how many they hold ("×12"), above the symbol
                text=[f"×{n}" if n > 1 else "" for n in part.get_column("count").to_list()],
                textposition="top center",
                textfont=dict(size=12, color="#374151"),
                marker=dict(
                    symbol=symbol,
                    size=15,
                    color=colour,
                    line=dict(width=2, color=colour if "open" in symbol or symbol == "x" else "white"),
                ),
                customdata=part.get_column("hover").to_list(),
                hovertemplate="%{customdata}<extra></extra>",
                name=legend,
                legendgroup=legend,
                showlegend=legend not in seen,
            )
        )
        seen.add(legend)
    pad = max((end - start).days // 25, 10) if start else 10
    x0 = start - dt.timedelta(days=pad)
    x1 = end + dt.timedelta(days=pad)
    fig.add_shape(
        type="line",
        x0=as_of.isoformat(),
        x1=as_of.isoformat(),
        y0=0,
        y1=1,
        yref="paper",
        line=dict(color="#374151", width=2, dash="dot"),
    )
    # the label sits on the side of the line with room for it, so it is never cut at the chart's edge
    right_half = (as_of - x0).days > (x1 - x0).days / 2
    fig.add_annotation(
        x=as_of.isoformat(),
        y=1,
        yref="paper",
        text=f"as of {day(as_of)}",
        showarrow=False,
        yanchor="bottom",
        xanchor="right" if right_half else "left",
        xshift=-4 if right_half else 4,
        font=dict(size=13, color="#374151"),
    )
    _layout(
        fig,
        height=170 + 52 * max(len(lanes), 1),
        barmode="overlay",
        # room above the top lane for the "as of" label and hover labels of the top lane's points
        margin=dict(l=10, r=24, t=44, b=10),
        hoverlabel=dict(font_size=15, bgcolor="white", align="left", namelength=-1),
        legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0, font=dict(size=13)),
        xaxis=dict(type="date", range=[x0.isoformat(), x1.isoformat()], showgrid=True, gridcolor="#EEF1F5"),
        yaxis=dict(
            type="category",
            categoryorder="array",
            categoryarray=lanes[::-1],
            showgrid=True,
            gridcolor="#F3F4F6",
            automargin=True,
            title=None,
        ),
    )
    return fig


# above the range hatched, below it dotted, within plain: the bars differ by more than their blue
RANGE_PATTERN = {"below range": ".", "within range": "", "above range": "/"}


def caseload_figure(caseloads: pl.DataFrame, lo: int, hi: int) -> go.Figure:
    """Children per FTE for each IRO as horizontal bars, with the Handbook's range as a band."""
    data = caseloads.filter(pl.col("per_fte").is_not_null()).sort("per_fte").with_columns(literal(pl.col("iro")))
    styles = {
        "below range": (OKABE_ITO["sky_blue"], "Below range"),
        "within range": (OKABE_ITO["blue"], "Within range"),
        "above range": (OKABE_ITO["vermillion"], "Above range"),
    }
    fig = go.Figure()
    fig.add_vrect(x0=lo, x1=hi, fillcolor=OKABE_ITO["green"], opacity=0.12, line_width=0)
    for status, (colour, legend) in styles.items():
        part = data.filter(pl.col("range_status") == status)
        if part.is_empty():
            continue
        fig.add_trace(
            go.Bar(
                x=part.get_column("per_fte").to_list(),
                y=part.get_column("iro").to_list(),
                orientation="h",
                marker=dict(color=colour, pattern=dict(shape=RANGE_PATTERN[status])),
                text=[f"{v:g}" for v in part.get_column("per_fte").to_list()],
                textposition="outside",
                name=legend,
                hovertemplate="%{y}: %{x} children per FTE<extra></extra>",
            )
        )
    fig.add_annotation(  # at the plot's right edge, over the band: centred on it, it was cut at 1280 px
        x=1,
        xref="paper",
        xanchor="right",
        y=1,
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        text=f"IRO Handbook range {lo}-{hi}",
        font=dict(size=13, color="#374151"),
    )
    xmax = max(float(data.get_column("per_fte").max() or 0), hi) * 1.12
    _layout(
        fig,
        height=130 + 34 * max(data.height, 1),
        margin=dict(l=10, r=10, t=30, b=10),
        barmode="overlay",
        legend=dict(orientation="h", yanchor="top", y=-0.06, x=0),
        xaxis=dict(title=None, range=[0, xmax], gridcolor="#EEF1F5"),
        yaxis=dict(
            type="category",
            categoryorder="array",
            categoryarray=data.get_column("iro").to_list(),
            automargin=True,
            ticksuffix="  ",
        ),
    )
    return fig


def warm_up_figures() -> list[go.Figure]:
    """Small figures with the parts the pages' charts draw (squares with numbers and a colour bar,
    a legend; patterned bars with a band and an annotation; a timeline's bars, symbols and "as of"
    line). static/preload.js draws them off screen once plotly.js is loaded: a first drawing runs
    code the browser has not compiled yet, 0.1-0.2 s that otherwise fell on the first chart page
    (ui/plot.py)."""
    cells = pl.DataFrame(
        {
            "row": ["A", "A", "B", "B"],
            "label": ["1 Sep", "8 Sep", "1 Sep", "8 Sep"],
            "bucket": [0, 1, 0, 1],
            "count": [0, 2, 1, 3],
            "missed": [0, 1, 0, 1],
            "required": [1, 3, 2, 4],
        }
    ).with_columns(rate=pl.col("count") / pl.col("required"))
    loads = pl.DataFrame(
        {
            "iro": ["A", "B", "C"],
            "per_fte": [30.0, 60.0, 80.0],
            "range_status": ["below range", "within range", "above range"],
        }
    )
    events = pl.DataFrame(
        {
            "lane": ["Placements", "Reviews", "Reviews", "Recommendations"],
            "kind": ["placement", "review_held", "review_due", "recommendation"],
            "label": ["A", "Review", "Review", "Recommendation"],
            "start": [dt.date(2026, 1, 5), dt.date(2026, 3, 2), dt.date(2026, 9, 1), dt.date(2026, 4, 1)],
            "end": [dt.date(2026, 6, 1), None, None, None],
            "status": ["current", "on time", "upcoming", "overdue"],
            "hover": ["Placement", "Review", "Review", "Recommendation"],
        },
        schema_overrides={"end": pl.Date},
    )
    return [
        heatmap_figure(cells, "count", "Team"),
        caseload_figure(loads, 50, 70),
        timeline_figure(events, dt.date(2026, 8, 1)),
    ]
