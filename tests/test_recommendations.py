"""Recommendations after a review (issue 14): saved rows and audit, refusals per field, the TM's
response within 10 working days, the message draft, and the engine picking them up at once
(REC_OVERDUE, the five-working-day deadline, the midway check form)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.casework.midway_check.read_model import form_context
from services.casework.recommendations import (
    RecommendationError,
    RecommendationsChanged,
    held_reviews,
    message_draft,
    review_recommendations,
    save_recommendations,
)
from services.engine.compute import compute
from services.engine.policy import Policy
from services.persistence import models as m
from services.persistence.caseload import load_caseload
from tests.alloc_seed import AS_OF, W1_REVIEW, seed_dates_only
from tests.principals import MANAGER, as_manager

D = dt.date
IRO = "Iris Reviewer"


def _rv(engine, review_id: int) -> int:
    """The review's version as the page renders it (a save needs it)."""
    return review_recommendations(engine, MANAGER, review_id).version


ROWS = [
    {"text": "Book the health assessment", "owner": "social_worker", "target_date": D(2026, 6, 20)},
    {
        "text": "Refer to the virtual school",
        "owner": "other",
        "owner_other": "Designated teacher",
        "target_date": D(2026, 7, 31),
    },
    {"text": "", "owner": None, "owner_other": "", "target_date": None},  # a blank row of the form: skipped
]


def _w1(engine, as_of=AS_OF):
    result = compute(load_caseload(engine), as_of, Policy())
    flags = result.flags.filter(pl.col("child_id") == "W1").get_column("code").to_list()
    to_tm = result.deadlines.filter((pl.col("child_id") == "W1") & (pl.col("kind") == "recommendations_to_tm"))
    return flags, to_tm.sort("due_date").select("due_date", "done_date", pl.col("status").cast(pl.String)).rows()[-1]


def test_recorded_recommendations_drive_rec_overdue_and_the_five_day_deadline(engine) -> None:
    ids = seed_dates_only(engine)
    flags, to_tm = _w1(engine)
    assert "REC_OVERDUE" not in flags
    assert to_tm == (D(2026, 6, 23), None, "overdue")  # Tue 16/06 + 5 working days
    saved = save_recommendations(
        engine,
        as_manager(IRO),
        ids["review_id"],
        ROWS,
        sent_date=D(2026, 6, 22),
        as_of=AS_OF,
        review_version=_rv(engine, ids["review_id"]),
    )
    assert (saved.seqs, saved.added, saved.next_label) == ((1, 2), 2, "the team manager may disagree until 6 Jul 2026")
    with Session(engine) as s:
        recs = s.scalars(select(m.Recommendation).order_by(m.Recommendation.seq)).all()
        assert [(r.review_id, r.seq, r.text, r.owner, r.target_date) for r in recs] == [
            (ids["review_id"], 1, "Book the health assessment", "Social worker", D(2026, 6, 20)),
            (ids["review_id"], 2, "Refer to the virtual school", "Designated teacher", D(2026, 7, 31)),
        ]
        assert s.get(m.Review, ids["review_id"]).recommendations_sent_date == D(2026, 6, 22)
        audit = s.scalars(select(m.AuditEntry).where(m.AuditEntry.actor == IRO)).all()
        assert sorted((a.action, a.entity) for a in audit) == [
            ("insert", "recommendations"),
            ("insert", "recommendations"),
            ("update", "reviews"),
        ]
    flags, to_tm = _w1(engine)
    assert "REC_OVERDUE" in flags
    assert to_tm == (D(2026, 6, 23), D(2026, 6, 22), "met")
    # they appear in the midway check form
    ctx = form_context(engine, MANAGER, "W1", AS_OF)
    assert [(r["seq"], r["text"], r["owner"]) for r in ctx.recommendations] == [
        (1, "Book the health assessment", "Social worker"),
        (2, "Refer to the virtual school", "Designated teacher"),
    ]
    assert held_reviews(engine, MANAGER, "W1", AS_OF)[0] == {
        "review_id": ids["review_id"],
        "held_date": W1_REVIEW,
        "sent_date": D(2026, 6, 22),
        "recommendations": 2,
    }


def test_editing_keeps_numbers_and_records_the_tm_response(engine) -> None:
    ids = seed_dates_only(engine)
    save_recommendations(
        engine,
        as_manager(IRO),
        ids["review_id"],
        ROWS[:1],
        sent_date=None,
        as_of=AS_OF,
        review_version=_rv(engine, ids["review_id"]),
    )
    data = review_recommendations(engine, MANAGER, ids["review_id"])
    row = dict(data.recommendations[0], text="Book the health assessment this week")
    saved = save_recommendations(
        engine,
        as_manager(IRO),
        ids["review_id"],
        [row, ROWS[1]],
        sent_date=D(2026, 6, 17),
        tm_response="agreed",
        tm_response_date=D(2026, 6, 19),
        as_of=AS_OF,
        review_version=data.version,
    )
    assert saved.next_label == "next target date 20 Jun 2026"
    data = review_recommendations(engine, MANAGER, ids["review_id"])
    assert [(r["seq"], r["text"], r["owner"], r["owner_other"]) for r in data.recommendations] == [
        (1, "Book the health assessment this week", "social_worker", ""),
        (2, "Refer to the virtual school", "other", "Designated teacher"),
    ]
    assert (data.tm_response, data.tm_response_date, data.sent_due) == ("agreed", D(2026, 6, 19), D(2026, 6, 23))


def test_refusals_name_each_field_and_write_nothing(engine) -> None:
    ids = seed_dates_only(engine)
    bad = [{"text": "Book it", "owner": None, "target_date": D(2026, 6, 1)}, {"text": "", "owner": "iro"}]
    with pytest.raises(RecommendationError) as exc:
        save_recommendations(
            engine,
            as_manager(IRO),
            ids["review_id"],
            bad,
            sent_date=D(2026, 6, 17),
            tm_response="disagreed",
            tm_response_date=D(2026, 7, 2),
            as_of=D(2026, 7, 3),
            review_version=_rv(engine, ids["review_id"]),
        )
    assert str(exc.value) == "5 fields need attention (marked below each field)."
    assert exc.value.errors == {
        "row0.owner": "Choose who owns it.",
        "row0.target_date": "The target date cannot be before the review (16 Jun 2026).",
        "row1.text": "Write the recommendation.",
        "row1.target_date": "Enter the target date.",
        "tm_response_date": "A disagreement must come within 10 working days of receiving them (by 1 Jul 2026); "
        "after that the recommendations stand as agreed.",
    }
    with Session(engine) as s:
        assert s.scalars(select(m.Recommendation)).all() == []
        assert s.get(m.Review, ids["review_id"]).recommendations_sent_date is None


def test_message_draft_lists_them_for_the_team_manager(engine) -> None:
    ids = seed_dates_only(engine)
    assert message_draft(engine, as_manager(IRO), ids["review_id"], AS_OF) is None
    save_recommendations(
        engine,
        as_manager(IRO),
        ids["review_id"],
        ROWS,
        sent_date=D(2026, 6, 22),
        as_of=AS_OF,
        review_version=_rv(engine, ids["review_id"]),
    )
    subject, body = message_draft(engine, as_manager(IRO), ids["review_id"], AS_OF)
    assert subject == "Recommendations of the CLA review of Wren Test (W1) on 16 Jun 2026"
    assert body == (
        "Dear Tara Manager,\n\n"
        "These are the recommendations of Wren Test's (W1) CLA review held on 16 Jun 2026:\n\n"
        "1. Book the health assessment (owner: Social worker, by 20 Jun 2026)\n"
        "2. Refer to the virtual school (owner: Designated teacher, by 31 Jul 2026)\n\n"
        "If you disagree with any of them, please tell me in writing within 10 working days of receiving them "
        "(by 6 Jul 2026); otherwise they stand as agreed.\n"
        "Please share them with Sam Worker so that the care plan can be updated.\n\n"
        "Regards,\nIris Reviewer\n"
    )


def test_a_save_over_a_version_the_form_did_not_show_is_refused(engine) -> None:
    ids = seed_dates_only(engine)
    opened = _rv(engine, ids["review_id"])  # two IROs open the review's form
    save_recommendations(
        engine, as_manager("Other Iro"), ids["review_id"], ROWS[:1], sent_date=None, as_of=AS_OF, review_version=opened
    )
    with pytest.raises(RecommendationsChanged) as exc:
        save_recommendations(
            engine, as_manager(IRO), ids["review_id"], ROWS, sent_date=None, as_of=AS_OF, review_version=opened
        )
    assert exc.value.changed_by == "Other Iro"
    assert str(exc.value).startswith("This review was changed by Other Iro at ")
    data = review_recommendations(engine, MANAGER, ids["review_id"])
    assert [r["text"] for r in data.recommendations] == [ROWS[0]["text"]]  # only the first save's row
