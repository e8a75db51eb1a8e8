"""Every table on screen in the app's one language (issue 16): each column headed by a label, never
its snake_case name; dates as "13 Nov 2026" (services.dates, the momentJS twin of its format) and
times as "13 Nov 2026 14:05", a datetime at midnight as a date; an empty cell blank, not "None".

Pages pass their own labels (and column types) in `config`; a column they leave out gets its name
in words ("social_worker" -> "Social worker") so no code can leak onto the projector. Codes inside
cells are the pages' and services' job: map them with services.vocabulary before showing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import polars as pl
import streamlit as st

from services.dates import COLUMN_DATE, COLUMN_DATE_TIME

# words that keep their capitals when a column name is turned into a label
_ACRONYMS = {"iro": "IRO", "id": "ID", "fte": "FTE", "cla": "CLA", "drp": "DRP", "csv": "CSV", "ssda903": "SSDA903"}
EMPTY = ""  # what an empty cell shows


def words(name: str) -> str:
    """A column name as a heading: "iro_code" -> "IRO code", "days_until" -> "Days until"."""
    parts = [_ACRONYMS.get(p.lower(), p) for p in name.replace("_", " ").split()]
    if not parts:
        return name
    first = parts[0] if parts[0].isupper() else parts[0][:1].upper() + parts[0][1:]
    return " ".join([first, *parts[1:]])


def _date_kind(frame: pl.DataFrame, col: str) -> str | None:
    dtype = frame.schema[col]
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        s = frame.get_column(col).drop_nulls()
        midnight = s.is_empty() or bool((s.dt.time() == dt.time(0, 0)).all())
        return "midnight" if midnight else "datetime"
    return None


def config(frame: Any, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """`given` (column -> label or st.column_config entry) completed for every column of `frame`:
    a label for each, and the one date or date-time format on every date column."""
    out: dict[str, Any] = dict(given or {})
    columns = list(frame.columns) if hasattr(frame, "columns") else []
    for col in columns:
        entry = out.get(col, words(str(col)))
        if entry is None:  # the page hides this column
            continue
        kind = _date_kind(frame, col) if isinstance(frame, pl.DataFrame) else None
        if isinstance(entry, str):
            label = entry
            if kind == "date":
                entry = st.column_config.DateColumn(label, format=COLUMN_DATE)
            elif kind is not None:
                fmt = COLUMN_DATE if kind == "midnight" else COLUMN_DATE_TIME
                entry = st.column_config.DatetimeColumn(label, format=fmt)
        elif isinstance(entry, dict):
            entry = dict(entry)
            if not entry.get("label"):
                entry["label"] = words(str(col))
            if kind is not None:
                tc = dict(entry.get("type_config") or {})
                if kind == "date":
                    tc.update(type="date", format=COLUMN_DATE)
                else:
                    tc.update(type="datetime", format=COLUMN_DATE if kind == "midnight" else COLUMN_DATE_TIME)
                entry["type_config"] = tc
        out[col] = entry
    return out


def show(frame: Any, column_config: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
    """st.dataframe with every column labelled and dated as above, empty cells blank."""
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("placeholder", EMPTY)
    return st.dataframe(frame, column_config=config(frame, column_config), **kwargs)


def edit(frame: Any, column_config: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
    """st.data_editor with the same headings, date formats and blank empty cells."""
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("placeholder", EMPTY)
    return st.data_editor(frame, column_config=config(frame, column_config), **kwargs)
