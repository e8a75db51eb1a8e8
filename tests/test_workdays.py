"""English working days and calendar months (DOMAIN §2), dates worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from services.engine.policy import Policy
from services.engine.schedule import add_months_expr, months_after
from services.engine.workdays import (
    add_working_days,
    add_working_days_expr,
    england_bank_holidays,
    is_working_day,
    working_days_between,
)

D = dt.date

CASES = [
    # (start, n, expected, why)
    (D(2026, 11, 2), 20, D(2026, 11, 30), "DOMAIN §2 example"),
    (D(2026, 12, 24), 1, D(2026, 12, 29), "Christmas Fri 25th, Boxing Day Sat 26th observed Mon 28th"),
    (D(2026, 12, 11), 20, D(2027, 1, 13), "over Christmas, observed Boxing Day and New Year's Day"),
    (D(2026, 4, 2), 1, D(2026, 4, 7), "Good Friday 3 Apr and Easter Monday 6 Apr 2026"),
    (D(2026, 5, 1), 1, D(2026, 5, 5), "Early May bank holiday Mon 4 May 2026"),
    (D(2026, 5, 22), 1, D(2026, 5, 26), "Spring bank holiday Mon 25 May 2026"),
    (D(2026, 8, 28), 1, D(2026, 9, 1), "Summer bank holiday Mon 31 Aug 2026"),
    (D(2026, 8, 28), 20, D(2026, 9, 28), "20 working days over the August bank holiday"),
    (D(2026, 11, 7), 1, D(2026, 11, 9), "a Saturday start counts from the Monday"),
    (D(2027, 3, 1), 20, D(2027, 3, 31), "Easter 2027: Good Friday 26 Mar, Easter Monday 29 Mar"),
    (D(2024, 2, 28), 1, D(2024, 2, 29), "leap day is a working day"),
]


@pytest.mark.parametrize(("start", "n", "expected", "why"), CASES)
def test_add_working_days_by_hand(start: dt.date, n: int, expected: dt.date, why: str) -> None:
    assert add_working_days(start, n) == expected, why
    got = pl.DataFrame({"d": [start]}).select(add_working_days_expr(pl.col("d"), n))
    assert got.columns == ["d"]
    assert got.item() == expected, why


def test_boxing_day_2026_is_observed_on_monday() -> None:
    hol = set(england_bank_holidays())
    assert {D(2026, 12, 25), D(2026, 12, 28), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25), D(2026, 8, 31)} <= hol
    assert not is_working_day(D(2026, 12, 28))


def test_working_days_between_counts_after_start_up_to_end() -> None:
    df = pl.DataFrame(
        {
            "due": [D(2026, 11, 30), D(2026, 12, 23), D(2026, 11, 30)],
            "on": [D(2026, 12, 16), D(2026, 12, 29), D(2026, 11, 30)],
        }
    )
    assert df.select(working_days_between(pl.col("due"), pl.col("on")))["due"].to_list() == [12, 2, 0]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 5, 31), 3, D(2026, 8, 31)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
    ],
)
def test_month_ends_clamp_like_relativedelta(start: dt.date, months: int, expected: dt.date) -> None:
    assert start + relativedelta(months=months) == expected
    df = pl.DataFrame({"d": [start]})
    assert df.select(add_months_expr(pl.col("d"), months)).item() == expected
    assert df.select(pl.col("d").dt.offset_by(f"{months}mo")).item() == expected


def test_months_as_days_uses_91_and_183() -> None:
    p = Policy().with_(months_as_days=True)
    df = pl.DataFrame({"d": [D(2026, 1, 5)]})
    assert df.select(months_after(pl.col("d"), 3, p)).item() == D(2026, 4, 6)
    assert df.select(months_after(pl.col("d"), 6, p)).item() == D(2026, 7, 7)


dates = st.dates(min_value=D(1995, 1, 1), max_value=D(2055, 12, 31))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(dates, st.integers(1, 60)), min_size=1, max_size=40))
def test_vectorised_working_days_equal_scalar_and_land_on_working_days(pairs: list[tuple[dt.date, int]]) -> None:
    df = pl.DataFrame({"d": [d for d, _ in pairs], "n": [n for _, n in pairs]})
    got = df.select(add_working_days_expr(pl.col("d"), pl.col("n")))["d"].to_list()
    hol = set(england_bank_holidays())
    for (d, n), g in zip(pairs, got, strict=True):
        assert g == add_working_days(d, n)
        assert g.weekday() < 5 and g not in hol
        assert g > d
        # exactly n working days in (d, g]
        assert df.head(1).select(working_days_between(pl.lit(d), pl.lit(g))).item() == n


@settings(max_examples=60, deadline=None)
@given(st.lists(dates, min_size=1, max_size=40), st.sampled_from([1, 3, 6, 12]))
def test_month_arithmetic_equals_dateutil(ds: list[dt.date], months: int) -> None:
    df = pl.DataFrame({"d": ds})
    expected = [d + relativedelta(months=months) for d in ds]
    assert df.select(add_months_expr(pl.col("d"), months))["d"].to_list() == expected
    assert df.select(pl.col("d").dt.offset_by(f"{months}mo"))["d"].to_list() == expected
