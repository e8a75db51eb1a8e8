"""Significant events (DOMAIN §7) and the IRO's decision to bring the next review forward (§3).

The event only records the decision; the schedule engine turns `bring_forward=True` into the
brought-forward due date (20 working days after the event, or the normal due date if earlier), so
there is one rule in one place. `next_review` reads it back from the engine for the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.access import Principal, read_child, require_child
from services.access.demo import writes
from services.casework.errors import Refused
from services.casework.fields import ID_MAX, SUBMISSION_MAX, chosen, problems
from services.casework.one_child import child_result
from services.dates import day
from services.engine.policy import DEFAULT_POLICY, Policy
from services.persistence import models as m
from services.vocabulary import SIGNIFICANT_EVENT_TYPES


class EventError(Refused):
    """A refused event; `errors` maps field keys to the message under each field."""


def validate_event(
    *,
    child_id: str | None,
    event_date: dt.date | None,
    event_type: str | None,
    bring_forward: bool | None,
    as_of: dt.date,
) -> dict[str, str]:
    errors = problems(dates={"event_date": event_date, "as_of": as_of}, limited={"child_id": (child_id, ID_MAX)})
    errors |= problems(bools={"bring_forward": bring_forward})
    if as_of is None:
        errors["as_of"] = "The date today is missing: reload the page."
    if errors:
        return errors  # the rules below need each value in its shape
    if not child_id:
        errors["child_id"] = "Choose the child."
    if event_date is None:
        errors["event_date"] = "Enter the date of the event."
    elif event_date > as_of:
        errors["event_date"] = "The event cannot be in the future."
    if not chosen(event_type, SIGNIFICANT_EVENT_TYPES):
        errors["event_type"] = "Choose the type of event."
    if bring_forward is None:
        errors["bring_forward"] = "Decide whether to bring the next review forward."
    return errors


def record_event(
    engine: Engine,
    who: Principal,
    child_id: str,
    *,
    event_date: dt.date,
    event_type: str,
    bring_forward: bool,
    notes: str | None = None,
    as_of: dt.date,
    submission_id: str | None = None,
) -> int:
    """Record the event and the IRO's decision (attributed to `who`). Returns the event id.

    `submission_id` identifies the rendered form (a uuid the page derives from the session and the
    answers): the same submission twice (a double click) records one event and returns its id.
    `who` must hold the child."""
    require_child(engine, who, child_id, write=True)
    errors = validate_event(
        child_id=child_id, event_date=event_date, event_type=event_type, bring_forward=bring_forward, as_of=as_of
    )
    errors |= problems(texts={"notes": notes}, limited={"submission_id": (submission_id, SUBMISSION_MAX)})
    if errors:
        raise EventError("The event is incomplete.", errors)
    if submission_id is not None and (existing := _by_submission(engine, submission_id)) is not None:
        return existing
    try:
        with writes(engine, who) as s:
            if s.get(m.Child, child_id) is None:
                raise EventError(f"No child with id {child_id!r}.", {"child_id": "Unknown child."})
            ev = m.SignificantEvent(
                child_id=child_id,
                event_date=event_date,
                event_type=event_type,
                bring_forward=bring_forward,
                decided_by=who.name,
                notes=(notes or "").strip() or None,
                submission_id=submission_id,
            )
            s.add(ev)
            s.flush()
            return ev.id
    except IntegrityError:
        if submission_id is not None and (existing := _by_submission(engine, submission_id)) is not None:
            return existing  # the same submission landed meanwhile (unique submission_id)
        label = SIGNIFICANT_EVENT_TYPES[event_type]
        raise EventError(
            f"{label} on {day(event_date)} is already recorded for this child.",
            {"event_type": "Already recorded for this date."},
        ) from None


def _by_submission(engine: Engine, submission_id: str) -> int | None:
    with Session(engine) as s:
        return s.scalar(select(m.SignificantEvent.id).where(m.SignificantEvent.submission_id == submission_id))


def events_for(engine: Engine, who: Principal, child_id: str) -> pl.DataFrame:
    """The child's events, newest first (a view of the child's record: checked and audited)."""
    read_child(engine, who, child_id, "events")
    with Session(engine) as s:
        rows = s.execute(
            select(
                m.SignificantEvent.event_date,
                m.SignificantEvent.event_type,
                m.SignificantEvent.bring_forward,
                m.SignificantEvent.decided_by,
                m.SignificantEvent.notes,
            )
            .where(m.SignificantEvent.child_id == child_id)
            .order_by(m.SignificantEvent.event_date.desc())
        ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "event_date": pl.Date,
            "event_type": pl.String,
            "bring_forward": pl.Boolean,
            "decided_by": pl.String,
            "notes": pl.String,
        },
        orient="row",
    ).with_columns(event=pl.col("event_type").replace_strict(SIGNIFICANT_EVENT_TYPES, default=pl.col("event_type")))


def next_review(
    engine: Engine, who: Principal, child_id: str, as_of: dt.date, policy: Policy = DEFAULT_POLICY
) -> dict[str, Any] | None:
    """The child's next review due date and type from the engine (e.g. type `brought_forward` after
    a decision to bring it forward). None when the child is not looked after on `as_of`."""
    require_child(engine, who, child_id)
    rows = child_result(engine, child_id, as_of, policy).children.filter(pl.col("child_id") == child_id)
    if rows.is_empty():
        return None
    row = rows.row(0, named=True)
    return {"next_review_due": row["next_review_due"], "next_review_type": row["next_review_type"]}
