"""What the data can tell, said on every dashboard page (DOMAIN §4, §8, §10): the data's end date
offered as the as-of date, no midway checks recorded yet, and per check how many children the data
supports. Thin: the numbers come from services.views.provenance; text from data is shown as text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from services.dates import day
from services.views import provenance
from ui import results, tables


def default_as_of(version: int, today: dt.date) -> dt.date:
    """The as-of date a page opens on: the data's end when the data ends before today, else today."""
    end = results.data_end(version)
    return end if end is not None and end < today else today


def notes(version: int, as_of: dt.date, set_as_of: Any) -> None:
    """The page-top notes: the data ends before the as-of date (with a button to use its end), and
    no midway checks recorded for this data yet. `set_as_of(date)` changes the sidebar's date."""
    end = results.data_end(version)
    note = provenance.past_data_note(end, as_of)
    if note and end is not None:
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.warning(note, icon=":material/history:")
        right.button(f"Use {day(end)}", on_click=set_as_of, args=(end,), key="use_data_end", type="primary")
    elif end is not None:
        st.caption(f"Data from an SSDA903 return ending {day(end)}: shown as it stood on {day(as_of)}.")
    if results.midway_checks_recorded(version) == 0:
        st.info(
            "No midway checks have been recorded for this data yet, so every check that was due counts as not "
            "done. SSDA903 returns do not carry them: IROs record them in Midway's midway check form (or a "
            "council imports them with the template's midway_checks table).",
            icon=":material/info:",
        )


def allocation_note(coverage: Any) -> None:
    """Rows by team or IRO need allocations: say so when the data holds none for any child."""
    row = coverage.filter(coverage["code"] == "IRO_NOT_ALLOCATED")
    if row.height and row["children"].item() and row["supported"].item() == 0:
        st.caption(
            "Teams and IROs are not in the data (an SSDA903 return carries neither), so every child is in one "
            "row. Import allocations with Midway's template to see the picture by team and IRO."
        )


def coverage_table(rows: Any, key: str) -> None:
    """Per check that some children's data cannot decide (`provenance.coverage_rows`): for how many
    of the children looked after the data supports it, and why not for the others."""
    partial = rows.filter(rows["cannot_tell"] > 0)
    if partial.is_empty():
        st.caption("The data supports every drift check for every child in this view.")
        return
    tables.show(
        rows.drop("code"),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "check": st.column_config.TextColumn("Check", width="large"),
            "supported": st.column_config.NumberColumn("Supported", format="%d", help="Children the data supports"),
            "children": st.column_config.NumberColumn("Looked after", format="%d"),
            "cannot_tell": st.column_config.NumberColumn("Cannot tell", format="%d"),
            "why": st.column_config.TextColumn("Why not", width="large"),
        },
    )
    st.caption(
        "Reviews and midway checks are always checked: the review dates are in the data, and midway checks are "
        "Midway's own records. "
        "A check the data cannot decide for a child is not raised for that child, which does not mean the work "
        "was done: add the facts with Midway's template (allocations, review record and care-plan dates, "
        "recommendations, permanence plans) and the check is made for the children they cover."
    )


def casework_note(version: int, today: dt.date) -> None:
    """On the casework pages (which record what happens today): say when the data ends before
    today, so an IRO knows the next review and flags shown come from a past return (DOMAIN §10)."""
    end = results.data_end(version)
    if end is not None and end < today:
        st.warning(
            f"The data ends on {day(end)} (an SSDA903 return). What you record here is dated today, "
            "but the next review and the flags shown are worked out from that past data: check them against "
            "the case record.",
            icon=":material/history:",
        )
