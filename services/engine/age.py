"""A child's age in whole years: one rule for the engine's frames, the midway check form and the demo.

Age counts completed years: a child born on 29 Feb turns one year older on 1 Mar in other years
(the birthday has not been reached on 28 Feb), the usual legal reading in England.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import polars as pl


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


@lru_cache(maxsize=64)
def age_expr(as_of: dt.date, column: str = "date_of_birth") -> pl.Expr:
    """`age_on` over a date column (month*100+day compared as integers: vectorised, same answer)."""
    dob = pl.col(column)
    before_birthday = (dob.dt.month().cast(pl.Int32) * 100 + dob.dt.day().cast(pl.Int32)) > (
        as_of.month * 100 + as_of.day
    )
    return (pl.lit(as_of.year) - dob.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)).cast(pl.Int64)
