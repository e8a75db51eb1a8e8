"""What every Reports figure shares: the period, the figure wrapper, and who held the child then.

Why attribute to the holder *at the time*: an annual report or a supervision meeting asks what a
team or an IRO did over the year, and children move between IROs; counting a March review
against the IRO who has the child in November would credit the wrong person. So each dated
fact (a review, a midway check falling due, a recommendation, an escalation) is given the team and
the IRO allocated on its own date, from the allocation history (DOMAIN §10: Midway's template and
forms carry it; an SSDA903 return does not, and its rows then read "No team recorded").
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

NO_TEAM = "No team recorded"
NO_IRO = "No IRO allocated"


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` + N calendar months, clamped to the month end (DOMAIN §2, like relativedelta)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Period:
    """A reporting period, both ends included."""

    start: dt.date
    end: dt.date

    @classmethod
    def twelve_months_to(cls, end: dt.date) -> Period:
        """The default: the 12 months ending on `end` (1 Dec 2025 to 30 Nov 2026 for 30 Nov 2026)."""
        return cls(add_months(end, -12) + dt.timedelta(days=1), end)

    def months(self) -> list[dt.date]:
        """First day of every calendar month the period touches, oldest first."""
        out, day = [], self.start.replace(day=1)
        while day <= self.end:
            out.append(day)
            day = add_months(day, 1)
        return out

    def month_ends(self) -> list[dt.date]:
        """The snapshot dates for "over time" figures: each month's last day, the last one cut to
        the period end (a month not yet over is shown as it stands on the end date)."""
        return [min(add_months(m, 1) - dt.timedelta(days=1), self.end) for m in self.months()]

    def contains(self, col: str) -> pl.Expr:
        return pl.col(col).is_between(self.start, self.end)

    def describe(self) -> str:
        return f"{uk_date(self.start)} to {uk_date(self.end)}"


def uk_date(day: dt.date | None) -> str:
    """Dates as people read them on screen and on paper: "13 Nov 2026"."""
    return "" if day is None else f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Figure:
    """One figure of the Reports page: its table (human column names: the same headers on screen, in
    the CSV, the workbook and the PDF), whether the data can support it and, if not, why (DOMAIN
    §10: a figure the data cannot support says so rather than showing zero), and its headline
    numbers (`summary`) for the captions and the supervision pack."""

    key: str
    title: str
    data: pl.DataFrame
    supported: bool = True
    why_not: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


def unsupported(key: str, title: str, why: str, schema: dict[str, pl.DataType] | None = None) -> Figure:
    return Figure(key, title, pl.DataFrame(schema=schema or {}), supported=False, why_not=why)


@dataclass(frozen=True)
class Selection:
    """Which children's facts count: those held by `team` / `iro` on the fact's date (None = all),
    and, when `child_ids` is given, only those children (e.g. a legal status filter on as_of)."""

    team: str | None = None
    iro: str | None = None
    child_ids: tuple[str, ...] | None = None

    def describe(self) -> str:
        parts = [p for p in (self.team, self.iro) if p]
        return ", ".join(parts) if parts else "all teams and IROs"


def holders(frame: pl.DataFrame, date_col: str, allocations: pl.DataFrame) -> pl.DataFrame:
    """`frame` (with child_id and a date column) plus "Team" and "IRO": who was allocated to the child
    on that date (the latest allocation started on or before it and not ended before it)."""
    out = frame.sort("child_id", date_col)
    for role, name, missing in (("team", "Team", NO_TEAM), ("iro", "IRO", NO_IRO)):
        alloc = (
            allocations.filter(pl.col("role") == role)
            .select(
                "child_id",
                pl.col("from_date").alias("_from"),
                pl.col("to_date").alias("_to"),
                pl.col("name").alias("_name"),
            )
            .sort("child_id", "_from")
        )
        out = (
            out.join_asof(
                alloc, left_on=date_col, right_on="_from", by="child_id", strategy="backward", check_sortedness=False
            )
            .with_columns(
                pl.when(pl.col("_to").is_null() | (pl.col("_to") >= pl.col(date_col)))
                .then(pl.col("_name"))
                .otherwise(None)
                .fill_null(missing)
                .alias(name)
            )
            .drop("_from", "_to", "_name")
        )
    return out


def select_rows(frame: pl.DataFrame, sel: Selection) -> pl.DataFrame:
    """The rows of an attributed frame (`holders`) that the selection keeps."""
    conds = []
    if sel.team:
        conds.append(pl.col("Team") == sel.team)
    if sel.iro:
        conds.append(pl.col("IRO") == sel.iro)
    if sel.child_ids is not None:
        conds.append(pl.col("child_id").is_in(list(sel.child_ids)))
    return frame.filter(*conds) if conds else frame


def attributed(frame: pl.DataFrame, date_col: str, allocations: pl.DataFrame, sel: Selection) -> pl.DataFrame:
    return select_rows(holders(frame, date_col, allocations), sel)


def pct(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    """A percentage to one decimal, null (not 0) when there is nothing to divide by."""
    return pl.when(whole > 0).then((part * 100 / whole).round(1)).otherwise(None)


def month_col(col: str) -> pl.Expr:
    return pl.col(col).dt.truncate("1mo").alias("Month")


def month_grid(period: Period, groups: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every month of the period (crossed with `groups` when given), so a month with nothing is a row of
    zeros rather than a gap that a line chart would silently bridge."""
    months = pl.DataFrame({"Month": period.months()}, schema={"Month": pl.Date})
    return months if groups is None else months.join(groups, how="cross")
