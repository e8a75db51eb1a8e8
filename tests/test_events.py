"""Significant events (DOMAIN §7) with the IRO's bring-forward decision."""

from __future__ import annotations

import pytest

from services.casework.events import EventError, events_for, next_review, record_event
from services.vocabulary import SIGNIFICANT_EVENT_TYPES
from tests.casework_seed import D, seed
from tests.principals import MANAGER, as_manager

IRO = "Iris Reviewer"


def test_event_types_cover_domain_section_7() -> None:
    assert len(SIGNIFICANT_EVENT_TYPES) == 16
    assert SIGNIFICANT_EVENT_TYPES["missing"] == "Missing from placement"


def test_record_event_with_decision(engine) -> None:
    seed(engine)
    record_event(
        engine,
        as_manager(IRO),
        "C1",
        event_date=D(2026, 6, 10),
        event_type="unplanned_placement_change",
        bring_forward=True,
        notes="Placement ended at short notice",
        as_of=D(2026, 6, 12),
    )
    frame = events_for(engine, MANAGER, "C1")
    assert frame.select("event_date", "event", "bring_forward", "decided_by").rows() == [
        (D(2026, 6, 10), "Unplanned placement change", True, IRO)
    ]
    with pytest.raises(EventError, match="already recorded"):
        record_event(
            engine,
            as_manager(IRO),
            "C1",
            event_date=D(2026, 6, 10),
            event_type="unplanned_placement_change",
            bring_forward=False,
            as_of=D(2026, 6, 12),
        )


def test_missing_fields_are_named(sqlite_engine) -> None:
    seed(sqlite_engine)
    with pytest.raises(EventError) as err:
        record_event(
            sqlite_engine,
            as_manager(IRO),
            "C1",
            event_date=D(2026, 7, 1),
            event_type="nope",
            bring_forward=None,
            as_of=D(2026, 6, 12),
        )
    assert err.value.errors == {
        "event_date": "The event cannot be in the future.",
        "event_type": "Choose the type of event.",
        "bring_forward": "Decide whether to bring the next review forward.",
    }
    assert events_for(sqlite_engine, MANAGER, "C1").is_empty()


def test_engine_shows_the_brought_forward_due_date(sqlite_engine) -> None:
    seed(sqlite_engine)
    # C1's review of 05/05/2026 sets the next due 05/11/2026; an event on 10/06 brought forward -> 08/07/2026
    record_event(
        sqlite_engine,
        as_manager(IRO),
        "C1",
        event_date=D(2026, 6, 10),
        event_type="care_plan_change",
        bring_forward=True,
        as_of=D(2026, 6, 12),
    )
    assert next_review(sqlite_engine, MANAGER, "C1", D(2026, 6, 12)) == {
        "next_review_due": D(2026, 7, 8),
        "next_review_type": "brought_forward",
    }
