"""English working days (DOMAIN §2): Monday to Friday, not a bank holiday in England and Wales.

The holiday list comes from the `holidays` package (GB, subdivision ENG: without it Easter Monday
and the August bank holiday are missing). It is computed once for a fixed span of years, because
the package fills years lazily and polars needs the full list up front.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import polars as pl

FIRST_YEAR = 1990
LAST_YEAR = 2060


@lru_cache(maxsize=1)
def england_bank_holidays() -> tuple[dt.date, ...]:
    """Sorted bank holidays of England & Wales, observed days included (DOMAIN §2)."""
    cal = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    return tuple(sorted(cal))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holiday_set()


@lru_cache(maxsize=1)
def _holiday_set() -> frozenset[dt.date]:
    return frozenset(england_bank_holidays())


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start itself not counted; DOMAIN §2 example:
    Mon 2026-11-02 + 20 = Mon 2026-11-30). Scalar twin of `add_working_days_expr`."""
    day = start
    counted = 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def add_working_days_expr(expr: pl.Expr, n: int | pl.Expr) -> pl.Expr:
    """Vectorised `add_working_days`. polars' add_business_days refuses a non-working start day,
    so the start is first rolled back to the previous working day: counting n working days after a
    weekend day equals counting n after the working day before it."""
    hol = list(england_bank_holidays())
    rolled = expr.dt.add_business_days(0, holidays=hol, roll="backward")
    return rolled.dt.add_business_days(n, holidays=hol)


def working_days_between(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Working days in (start, end]: how many working days `end` is after `start`
    (e.g. how many working days overdue a deadline is on `as_of`)."""
    hol = list(england_bank_holidays())
    return pl.business_day_count(start.dt.offset_by("1d"), end.dt.offset_by("1d"), holidays=hol)
