"""The shape every casework field must have before any rule reads it (issue 13, hostile input).

The pages' widgets give dates, texts and choices of the right type, but a service is also called
by the command line, tests and future pages: a value of the wrong type, a date outside the span
the working-day tables cover (services.engine.workdays: 1950-2100), a NUL character (PostgreSQL
text cannot hold one) or a text longer than its column used to end in a TypeError or a driver
error instead of a field message. `problems` checks them all at once and returns the same
{field: message} mapping the services' own validation does, so the page draws each under its
field and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from services.engine.workdays import FIRST_YEAR, LAST_YEAR

NUL = "Remove the NUL character (an invisible control character) from the text."
DATE_SPAN = f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}."
BIGGEST_INT = 2**63 - 1  # the database's BIGINT
ID_MAX = 40  # children.id, staff.code
SUBMISSION_MAX = 36  # a uuid


def date_problem(value: Any) -> str | None:
    """None for a missing date (the service says whether one is required) or a date in the span."""
    if value is None:
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return "Enter a date."
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return DATE_SPAN
    return None


def text_problem(value: Any, limit: int | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return "Enter text."
    if "\x00" in value:
        return NUL
    if limit is not None and len(value) > limit:
        return f"At most {limit} characters ({len(value)} given)."
    return None


def int_problem(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return "Enter a whole number."
    if abs(value) > BIGGEST_INT:
        return "The number is too large."
    return None


def bool_problem(value: Any) -> str | None:
    return None if value is None or isinstance(value, bool) else "Choose yes or no."


def answer_problem(value: Any) -> str | None:
    """A free-form answer (the midway check's JSON): text, a number, a date, yes/no, or a list of texts."""
    if isinstance(value, list | tuple):
        return next((p for p in map(text_problem, value) if p), None)
    if isinstance(value, dt.date):
        return date_problem(value)
    if isinstance(value, float):
        return None if math.isfinite(value) else "Enter a number."
    if isinstance(value, int) and not isinstance(value, bool):
        return int_problem(value)
    return bool_problem(value) if isinstance(value, bool) or value is None else text_problem(value)


def chosen(value: Any, vocabulary: Mapping[str, Any]) -> bool:
    """Whether `value` is one of the vocabulary's codes (False for any non-text, even unhashable)."""
    return isinstance(value, str) and value in vocabulary


def problems(
    *,
    dates: Mapping[str, Any] | None = None,
    texts: Mapping[str, Any] | None = None,
    limited: Mapping[str, tuple[Any, int]] | None = None,
    ints: Mapping[str, Any] | None = None,
    bools: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """{field: message} for every value of the wrong shape; empty when all are fine."""
    found = {k: date_problem(v) for k, v in (dates or {}).items()}
    found |= {k: text_problem(v) for k, v in (texts or {}).items()}
    found |= {k: text_problem(v, limit) for k, (v, limit) in (limited or {}).items()}
    found |= {k: int_problem(v) for k, v in (ints or {}).items()}
    found |= {k: bool_problem(v) for k, v in (bools or {}).items()}
    return {k: v for k, v in found.items() if v}
