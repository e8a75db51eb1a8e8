"""English working days and calendar months (DOMAIN §2), dates worked out by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from services.engine.caseload import Caseload, conform
from services.engine.compute import compute
from services.engine.policy import Policy
from services.engine.schedule import add_months, add_months_expr, months_after, months_after_date
from services.engine.workdays import (
    FIRST,
    DateOutOfSpan,
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
    assert add_months(start, months) == expected
    assert df.select(pl.col("d").dt.offset_by(f"{months}mo")).item() == expected


def test_months_as_days_uses_91_and_183() -> None:
    p = Policy().with_(months_as_days=True)
    df = pl.DataFrame({"d": [D(2026, 1, 5)]})
    assert df.select(months_after(pl.col("d"), 3, p)).item() == D(2026, 4, 6)
    assert df.select(months_after(pl.col("d"), 6, p)).item() == D(2026, 7, 7)
    assert months_after_date(D(2026, 1, 5), 3, p) == D(2026, 4, 6)
    assert months_after_date(D(2026, 1, 5), 6, p) == D(2026, 7, 7)


dates = st.dates(min_value=FIRST, max_value=D(2100, 9, 30))  # the span, less the furthest answer


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
    assert [add_months(d, months) for d in ds] == expected
    assert df.select(pl.col("d").dt.offset_by(f"{months}mo"))["d"].to_list() == expected


def test_christmas_is_a_holiday_to_the_end_of_the_span() -> None:
    """The holidays once stopped at 2060 while the tables ran to 2100: 25 Dec 2062 counted as working."""
    for christmas in (D(2062, 12, 25), D(2099, 12, 25)):
        assert not is_working_day(christmas)
        assert christmas in set(england_bank_holidays())
    # Fri 22 Dec 2062: Mon 25th and Tue 26th are bank holidays
    assert add_working_days(D(2062, 12, 22), 1) == D(2062, 12, 27)
    got = pl.DataFrame({"d": [D(2062, 12, 22)]}).select(add_working_days_expr(pl.col("d"), 1)).item()
    assert got == D(2062, 12, 27)


@pytest.mark.parametrize("day", [D(1949, 12, 31), D(2101, 1, 1)])
def test_scalar_functions_refuse_dates_outside_the_span(day: dt.date) -> None:
    for call in (lambda: is_working_day(day), lambda: add_working_days(day, 1), lambda: add_months(day, 3)):
        with pytest.raises(
            DateOutOfSpan, match=f"{day.isoformat()} is outside the supported span 1950-01-01 to 2100-12-31"
        ):
            call()
    assert issubclass(DateOutOfSpan, ValueError)


def test_a_count_running_past_the_span_is_refused() -> None:
    with pytest.raises(DateOutOfSpan, match="2101-01-0"):
        add_working_days(D(2100, 12, 29), 5)


def _one_child(start: dt.date, held: list[dt.date]) -> Caseload:
    c = Caseload.empty()
    return Caseload(
        **{
            **c.tables(),
            "children": conform("children", pl.DataFrame({"child_id": ["C1"], "date_of_birth": [D(1940, 1, 1)]})),
            "periods": conform("periods", pl.DataFrame({"child_id": ["C1"], "period_id": [1], "start_date": [start]})),
            "reviews": conform(
                "reviews",
                pl.DataFrame({"child_id": ["C1"] * len(held), "review_id": range(len(held)), "held_date": held}),
            ),
        }
    )


def test_engine_refuses_input_dates_outside_the_span() -> None:
    """The vectorised look-ups would give null there (no due date: "nothing due"), so compute refuses."""
    with pytest.raises(DateOutOfSpan, match="a date in periods 1949-06-01 is outside the supported span"):
        compute(_one_child(D(1949, 6, 1), [D(1949, 6, 20)]), D(1950, 3, 1))
    with pytest.raises(DateOutOfSpan, match="as_of 2101-01-02"):
        compute(_one_child(D(2100, 6, 1), []), D(2101, 1, 2))
    # inside the span (and a date of birth before it: ages only) it computes as usual
    res = compute(_one_child(D(1950, 1, 2), [D(1950, 1, 25)]), D(1950, 3, 1))
    assert res.children["next_review_due"].to_list() == [D(1950, 4, 25)]
