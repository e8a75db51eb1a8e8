"""Text from the data is drawn literally in every chart: plotly reads pseudo-HTML (<a href>, <b>,
<span style>, <br>) in labels, ticks, legends and hovers, so a team or IRO named with markup would
be a link, bold or coloured there (ui.charts.literal escapes it; plotly decodes the entities back
to the characters typed)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from ui import charts, report_charts

NAME = '<a href="https://evil.example/x">Team</a> <b>bold</b> <span style="color:red">R&D</span>'
ESCAPED = '&lt;a href="https://evil.example/x"&gt;Team&lt;/a&gt; &lt;b&gt;bold&lt;/b&gt; ' + (
    '&lt;span style="color:red"&gt;R&amp;D&lt;/span&gt;'
)


def _strings(fig) -> list[str]:
    out: list[str] = []

    def walk(v: object) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list | tuple):
            for x in v:
                walk(x)

    walk(json.loads(fig.to_json()))
    return out


def _no_markup_from_data(fig) -> list[str]:
    """Every string of the figure that holds the name, which must be there only escaped."""
    strings = _strings(fig)
    assert not [s for s in strings if "<a " in s or "<b>" in s or "<span" in s or "R&D" in s]
    found = [s for s in strings if ESCAPED in s]
    assert found, "the name is not in the chart at all"
    return found


def test_heatmap_rows_and_hovers_are_escaped() -> None:
    cells = pl.DataFrame(
        {
            "row": [NAME, "North"],
            "bucket": [dt.date(2026, 11, 2)] * 2,
            "label": ["2 Nov"] * 2,
            "required": [4, 2],
            "overdue": [1, 0],
            "missed": [1, 0],
            "count": [2, 0],
            "rate": [0.5, 0.0],
        }
    )
    found = _no_markup_from_data(charts.heatmap_figure(cells, "count", "Team"))
    assert ESCAPED in found and any(s.startswith(ESCAPED + "<br>2 Nov<br>2 overdue") for s in found)  # row, hover


def test_timeline_labels_and_hovers_are_escaped() -> None:
    events = pl.DataFrame(
        {
            "lane": ["IRO", "Recommendations", "Recommendations"],
            "kind": ["allocation", "recommendation", "recommendation"],
            "label": [NAME, "Recommendation", "Recommendation"],
            "start": [dt.date(2026, 1, 5), dt.date(2026, 3, 2), dt.date(2026, 3, 9)],
            "end": [dt.date(2026, 6, 1), None, None],
            "status": ["current", "overdue", "overdue"],
            "hover": [f"IRO {NAME} from 5 Jan 2026", f"Owner {NAME}", "Second"],
        },
        schema_overrides={"end": pl.Date},
    )
    found = _no_markup_from_data(charts.timeline_figure(events, dt.date(2026, 11, 23)))
    assert ESCAPED in found  # the bar's label
    assert any(s.startswith("2 recommendation dates in Mar 2026 (2 overdue):<br>Owner " + ESCAPED) for s in found)


def test_caseload_chart_iro_names_are_escaped() -> None:
    frame = pl.DataFrame({"iro": [NAME, "B"], "per_fte": [60.0, 80.0], "range_status": ["within range", "above range"]})
    _no_markup_from_data(charts.caseload_figure(frame, 50, 70))


def test_report_charts_escape_team_and_iro_names() -> None:
    parts = ["Done on time", "Missed"]
    bars = report_charts.stacked_bars(
        pl.DataFrame({"Team": [NAME, "South"], **{p: [1, 2] for p in parts}}), "Team", parts, horizontal=True
    )
    _no_markup_from_data(bars)
    labelled = report_charts.labelled_bars(
        pl.DataFrame({"Value": [NAME], "Escalations": [3], "Share (%)": [50.0], "Breakdown": ["Category"]}),
        "Value",
        "Escalations",
        "Share (%)",
        group="Breakdown",
    )
    assert f"Category: {ESCAPED}" in _no_markup_from_data(labelled)
    grid = report_charts.gap_grid(
        pl.DataFrame({"Team": [NAME], "Question": ["On track?"], "Gaps (%)": [25.0], "Answered": [4], "Gaps": [1]}),
        "Team",
        "Question",
        "Gaps (%)",
        "Answered",
    )
    _no_markup_from_data(grid)
    lines = report_charts.caseload_lines(
        pl.DataFrame(
            {"IRO": [NAME, NAME], "Month end": [dt.date(2026, 9, 30), dt.date(2026, 10, 31)], "Per FTE": [55.0, 61.0]}
        ),  # fmt: skip
        50,
        70,
    )
    found = _no_markup_from_data(lines)
    assert ESCAPED in found  # the legend name and the label at the line's last point
    hover = [t.hovertemplate for t in lines.data if t.hovertemplate]
    assert hover == ["%{fullData.name}<br>%{x}: %{y} children per FTE<extra></extra>"]  # the name is no template
