"""No chart meaning rests on colour alone (WCAG 2.2 1.4.1): every legend entry of a chart differs
from the others by its marker symbol, line dash or fill pattern, not only by its colour."""

from __future__ import annotations

import datetime as dt

import polars as pl

from ui import charts, report_charts


def _looks(fig) -> dict[str, tuple]:
    """Each trace's legend name -> what tells it apart without colour."""
    out = {}
    for t in fig.data:
        marker = t.marker.to_plotly_json() if t.marker is not None else {}
        line = t.line.to_plotly_json() if getattr(t, "line", None) is not None else {}
        out[t.name] = (marker.get("symbol"), line.get("dash"), (marker.get("pattern") or {}).get("shape"))
    return out


def test_timeline_statuses_each_have_their_own_symbol() -> None:
    legend_symbol = {legend: symbol for legend, _, symbol in charts.STATUS_STYLE.values()}
    assert len(set(legend_symbol.values())) == len(legend_symbol), legend_symbol
    # "Unknown" and "Superseded / not needed" share a grey: their symbols must differ
    assert legend_symbol["Unknown"] != legend_symbol["Superseded / not needed"]


def test_caseload_bars_below_within_above_have_different_patterns() -> None:
    frame = pl.DataFrame(
        {
            "iro": ["A", "B", "C"],
            "per_fte": [30.0, 60.0, 80.0],
            "range_status": ["below range", "within range", "above range"],
        }
    )
    looks = _looks(charts.caseload_figure(frame, 50, 70))
    assert [v[2] for v in looks.values()] == [".", "", "/"]
    assert set(looks) == {"Below range", "Within range", "Above range"}


def test_report_lines_differ_by_symbol_and_dash_for_eight_series() -> None:
    months = [dt.date(2026, m, 1) for m in (9, 10, 11)]
    names = [f"Series {i}" for i in range(8)]
    frame = pl.DataFrame(
        {
            "Month": months * len(names),
            "Review": [n for n in names for _ in months],
            "In timescale (%)": [50.0 + i for i in range(len(names) * len(months))],
        }
    )
    looks = _looks(report_charts.trend_lines(frame, "Month", "In timescale (%)", "Review", "% held"))
    assert len(looks) == 8
    assert len({v[0] for v in looks.values()}) == 8  # symbols
    assert len({v[1] for v in looks.values()}) == 8  # dashes


def test_report_stacked_parts_differ_by_pattern() -> None:
    parts = ["On time", "Late", "Missed", "Superseded", "Not yet due"]
    frame = pl.DataFrame({"Team": ["North", "South"], **{p: [1, 2] for p in parts}})
    looks = _looks(report_charts.stacked_bars(frame, "Team", parts, horizontal=True))
    assert list(looks) == parts
    assert len({v[2] for v in looks.values()}) == len(parts)
