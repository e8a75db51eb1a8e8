"""The one way Midway writes a date for people to read: "13 Nov 2026" (with a time, "13 Nov 2026
14:05"), the GOV.UK style, unambiguous in England and short enough for a card or a chart label.

Every text a service builds (flag reasons, case notes, messages, captions) and every table the pages
show use these, so a page never mixes 2026-11-13, 13/11/2026 and 13 Nov 2026. Downloads keep real
dates (CSV/Excel cells), not these strings. Imports nothing of Midway's, so the engine may use it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

# chrono (polars) and strftime (Python, glibc) both read "%-d" as the day without a leading zero
DATE = "%-d %b %Y"
DATE_TIME = "%-d %b %Y %H:%M"
# the same for st.column_config.DateColumn / DatetimeColumn, which take momentJS formats
COLUMN_DATE = "D MMM YYYY"
COLUMN_DATE_TIME = "D MMM YYYY HH:mm"


def day(value: dt.date | None) -> str:
    """ "13 Nov 2026"; "" for no date (a datetime shows its date only)."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def day_time(value: dt.datetime | None) -> str:
    """ "13 Nov 2026 14:05"; "" for no time."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y %H:%M}"


def day_expr(e: pl.Expr) -> pl.Expr:
    """`day` over a Date (or Datetime) column, null stays null."""
    return e.dt.to_string(DATE)
