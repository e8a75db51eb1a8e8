"""English working days (DOMAIN §2): Monday to Friday, not a bank holiday in England and Wales.

The holiday list comes from the `holidays` package (GB, subdivision ENG: without it Easter Monday
and the August bank holiday are missing). It is computed once for a fixed span of years, because
the package fills years lazily and polars needs the full list up front. The holidays and the
look-up tables below cover one span, FIRST..LAST: outside it a date cannot be told a working day or
not, so every function here raises `DateOutOfSpan` rather than guess (the engine checks its input
dates once with `check_in_span`, see services.engine.compute).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import polars as pl

from services.errors import UsageError

# one span for the bank holidays and the look-up tables (the `holidays` package covers 1872-2100 for
# England; the tables cost memory per day, and no looked-after child's record predates 1950)
FIRST_YEAR = 1950
LAST_YEAR = 2100
FIRST = dt.date(FIRST_YEAR, 1, 1)
LAST = dt.date(LAST_YEAR, 12, 31)


class DateOutOfSpan(UsageError, ValueError):
    """A date outside the span whose bank holidays are known: counting working days across it would
    silently treat Christmas as a working day (or give no date at all)."""

    def __init__(self, day: dt.date, what: str = "date") -> None:
        super().__init__(
            f"{what} {day.isoformat()} is outside the supported span {FIRST.isoformat()} to {LAST.isoformat()}"
        )
        self.day = day


def check_in_span(first: dt.date | None, last: dt.date | None, what: str = "date") -> None:
    """Raise `DateOutOfSpan` when the earliest or the latest of some dates (None: no dates) falls
    outside FIRST..LAST: the vectorised functions give null there, so callers check their input once."""
    if first is not None and first < FIRST:
        raise DateOutOfSpan(first, what)
    if last is not None and last > LAST:
        raise DateOutOfSpan(last, what)


@lru_cache(maxsize=1)
def england_bank_holidays() -> tuple[dt.date, ...]:
    """Sorted bank holidays of England & Wales, observed days included (DOMAIN §2)."""
    cal = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    return tuple(sorted(cal))


def is_working_day(day: dt.date) -> bool:
    check_in_span(day, day)
    return day.weekday() < 5 and day not in _holiday_set()


@lru_cache(maxsize=1)
def _holiday_set() -> frozenset[dt.date]:
    return frozenset(england_bank_holidays())


@lru_cache(maxsize=65536)
def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (start itself not counted; DOMAIN §2 example:
    Mon 2026-11-02 + 20 = Mon 2026-11-30). Scalar twin of `add_working_days_expr`, counted day by
    day from the holiday list rather than read from the tables, so the tests can compare the two.
    Memoised: the demo generator and the oracle ask for the same few thousand."""
    check_in_span(start, start)
    hol = _holiday_set()
    day = start
    counted = 0
    while counted < n:
        day += _ONE_DAY
        if day.weekday() < 5 and day not in hol:
            counted += 1
    check_in_span(day, day)  # past the span the count above did not know the holidays
    return day


_ONE_DAY = dt.timedelta(days=1)


# Vectorised working-day arithmetic by table look-up (O(1) per row): polars' business-day functions
# with a holiday list were too slow for a national caseload (benchmarks/schedule.py). The table spans
# the same FIRST..LAST as the holidays; dates outside it give null, so callers check their input
# first (`services.engine.compute.check_dates`: a min and a max per table, not a guard per row).
TABLE_FIRST = FIRST
TABLE_LAST = LAST
_EPOCH = dt.date(1970, 1, 1)


@lru_cache(maxsize=1)
def table_days() -> pl.Series:
    """Every day of the look-up tables, TABLE_FIRST..TABLE_LAST, in order: position i is the day
    `day_index` gives i for (services.engine.schedule's month table uses the same span)."""
    first = (TABLE_FIRST - _EPOCH).days
    return pl.int_range(first, (TABLE_LAST - _EPOCH).days + 1, dtype=pl.Int32, eager=True).cast(pl.Date)


@lru_cache(maxsize=1)
def _tables() -> tuple[pl.Series, pl.Series]:
    """(count, working): count[i] = working days in [TABLE_FIRST, TABLE_FIRST + i];
    working[k] = day number (days since 1970-01-01) of the (k + 1)-th working day of the table."""
    dates = table_days()
    days = dates.cast(pl.Int32)
    hol = pl.Series(list(england_bank_holidays()), dtype=pl.Date)
    is_wd = (dates.dt.weekday() <= 5) & ~dates.is_in(hol.implode())
    count = is_wd.cast(pl.Int32).cum_sum()
    working = days.filter(is_wd)
    return count, working


@lru_cache(maxsize=1)
def _table_lits() -> tuple[pl.Expr, pl.Expr]:
    """The tables as literal expressions, built once (polars expressions are immutable; building a
    literal from a Series on every call was a measurable part of a small caseload's time)."""
    count, working = _tables()
    return pl.lit(count), pl.lit(working)


def named_like(out: pl.Expr, expr: pl.Expr) -> pl.Expr:
    """Name the result like the input, as polars' own date functions do."""
    name = expr.meta.output_name(raise_if_undetermined=False)
    return out.alias(name) if name else out


def day_index(expr: pl.Expr) -> pl.Expr:
    """Index of each date into the tables, null outside them: a date before the table gives a
    negative number, which the non-strict unsigned cast makes null, and one after it is out of
    bounds, which the gathers below turn into null (`null_on_oob`). Few expression nodes on
    purpose: each costs a fixed time per query, which adds up on small caseloads."""
    return (expr.cast(pl.Int32) - (TABLE_FIRST - _EPOCH).days).cast(pl.UInt32, strict=False)


def add_working_days_expr(expr: pl.Expr, n: int | pl.Expr) -> pl.Expr:
    """Vectorised `add_working_days`: the n-th working day after each date (the date itself not
    counted; a weekend or holiday start counts from the working day before it, exactly like the
    scalar loop). count[d] working days up to d, so the answer is working day number count[d] + n
    (null when that falls outside the table)."""
    if isinstance(n, int) and n == 0:
        return expr
    if isinstance(n, int):
        out = _shift_lit(n).gather(day_index(expr), null_on_oob=True).cast(pl.Date)
        return named_like(out, expr)
    count, working = _table_lits()
    k = (count.gather(day_index(expr), null_on_oob=True) + n - 1).cast(pl.UInt32, strict=False)
    out = working.gather(k, null_on_oob=True).cast(pl.Date)
    return named_like(pl.when(n == 0).then(expr).otherwise(out), expr)


@lru_cache(maxsize=16)
def _shift_lit(n: int) -> pl.Expr:
    """For a fixed n (every policy timescale is one): the n-th working day after each day of the
    table, as a literal built once per n, so a row costs one look-up rather than two (null where
    the answer falls past the table)."""
    count, working = _tables()
    k = (count + n - 1).cast(pl.UInt32, strict=False)
    return pl.lit(pl.select(pl.lit(working).gather(k, null_on_oob=True)).to_series())


def working_days_between(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """Working days in (start, end]: how many working days `end` is after `start`
    (e.g. how many working days overdue a deadline is on `as_of`); negative when end < start."""
    table, _ = _table_lits()
    i = table.gather(day_index(start), null_on_oob=True)
    j = table.gather(day_index(end), null_on_oob=True)
    return named_like((j - i).cast(pl.Int64), start)
