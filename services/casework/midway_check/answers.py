"""Answer values between the widgets, the stored JSON and the printed note.

Widgets give dates, JSON stores ISO strings, and case notes are pasted into UK case systems, so
the conversions live in one place and every reader agrees on them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from services import dates

UK_TZ = ZoneInfo("Europe/London")


def local_time(at: dt.datetime) -> dt.datetime:
    """UK wall-clock time of a stored timestamp (SQLite gives naive UTC, PostgreSQL aware)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(UK_TZ)


def as_date(value: Any) -> dt.date | None:
    """A date from a widget (date) or from stored JSON (ISO string); None when empty or unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def is_date_key(key: str) -> bool:
    return key == "check_date" or key.endswith(".date") or key == "esc.due_date"


def to_json(answers: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-safe copy: dates as ISO strings, other values as they are."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in answers.items()}


def from_json(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers back into widget values (ISO strings to dates), for resuming a draft."""
    return {k: (as_date(v) if is_date_key(k) else v) for k, v in answers.items()}


def uk_date(day: dt.date | None) -> str:
    """The one date format (services.dates: "23 Nov 2026"), unambiguous when pasted into a case system."""
    return dates.day(day)
