"""The heatmap's colour bar shows only colours its squares have: zero squares are grey with their own
legend entry, the bar starts at the smallest count above zero, and when every coloured square has
the same value there is no bar at all, only a legend entry naming that value (issue 16: the bar ran
to yellow for zero while zero squares were grey)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from ui import charts


def _cells(counts: list[int], required: list[int]) -> pl.DataFrame:
    n = len(counts)
    return pl.DataFrame(
        {
            "row": [f"Team {i}" for i in range(n)],
            "bucket": [dt.date(2026, 11, 2)] * n,
            "label": ["2 Nov"] * n,
            "required": required,
            "overdue": counts,
            "missed": [0] * n,
            "count": counts,
        }
    ).with_columns(rate=pl.col("count") / pl.col("required"))


def _hot(fig):
    zero, hot = fig.data
    assert zero.marker.color == charts.EMPTY_CELL and zero.showlegend
    return hot


def test_several_values_get_a_bar_from_the_smallest_above_zero() -> None:
    hot = _hot(charts.heatmap_figure(_cells([0, 2, 3, 5], [4, 4, 4, 5]), "count", "Team"))
    assert hot.marker.showscale is True and hot.showlegend is False
    assert (hot.marker.cmin, hot.marker.cmax) == (2.0, 5.0)
    assert list(hot.text) == ["2", "3", "5"]


def test_one_value_gets_no_bar_and_is_named_in_the_legend() -> None:
    hot = _hot(charts.heatmap_figure(_cells([0, 1, 1], [2, 3, 1]), "count", "Team"))
    assert hot.marker.showscale is False and hot.showlegend is True
    assert hot.name == "1: overdue or missed"


def test_one_rate_is_named_as_a_percentage() -> None:
    hot = _hot(charts.heatmap_figure(_cells([0, 1, 2], [2, 2, 4]), "rate", "Team"))
    assert hot.marker.showscale is False and hot.name == "50%: overdue or missed"
    hot = _hot(charts.heatmap_figure(_cells([0, 1, 3], [2, 2, 4]), "rate", "Team"))
    assert hot.marker.showscale is True and hot.showlegend is False
