"""Recommendations after a review (DOMAIN §3 "After a review", issue 14).

For a held review the IRO records each recommendation (text, owner, target date), the date they
were sent to the team manager (due within 5 working days of the review), and the manager's
response: agreed, or disagreed within 10 working days of receiving them (after that they stand as
agreed). They then appear in the midway check form and the engine reads them at once: REC_OVERDUE
from the target dates, the five-working-day deadline from the sent date.

Owners are stored as their label (the column is free text, as imports fill it with names); an
"other" owner is stored as the text typed for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from services.access import Principal, read_child, require_child
from services.access.demo import writes
from services.casework.conflicts import conflict
from services.casework.errors import EditConflict, Refused
from services.casework.fields import chosen, problems
from services.casework.midway_check.read_model import form_context
from services.dates import day
from services.engine.policy import Policy
from services.engine.workdays import add_working_days
from services.persistence import models as m
from services.vocabulary import RECOMMENDATION_OWNERS, TM_RESPONSES

DEFAULT_POLICY = Policy()  # frozen: safe as a shared default
_OWNER_BY_LABEL = {label: code for code, label in RECOMMENDATION_OWNERS.items() if code != "other"}


class RecommendationError(Refused):
    """A refused save; `errors` maps field keys (`row{i}.text`, `sent_date` ...) to messages."""


class RecommendationsChanged(RecommendationError, EditConflict):
    """The review's recommendations were saved by someone else since the form was rendered."""


@dataclass(frozen=True)
class ReviewRecommendations:
    review_id: int
    child_id: str
    child_name: str
    held_date: dt.date
    sent_date: dt.date | None
    sent_due: dt.date  # within 5 working days of the review
    tm_response: str | None
    tm_response_date: dt.date | None
    tm_response_notes: str | None
    recommendations: list[dict[str, Any]]  # rec_id, seq, text, owner, owner_other, target_date, completed_date
    version: int  # the review's version: a save based on an older one is refused


@dataclass(frozen=True)
class SavedRecommendations:
    review_id: int
    held_date: dt.date
    rec_ids: tuple[int, ...]
    seqs: tuple[int, ...]
    added: int
    sent_date: dt.date | None
    next_label: str  # what falls due next, e.g. "send them to the team manager by 23 Jun 2026"


def owner_fields(owner: str | None) -> tuple[str | None, str]:
    """(owner code, text for "other") of a stored owner."""
    if not owner:
        return None, ""
    code = _OWNER_BY_LABEL.get(owner)
    return (code, "") if code else ("other", owner)


def held_reviews(engine: Engine, who: Principal, child_id: str, as_of: dt.date) -> list[dict[str, Any]]:
    """The child's reviews held on or before `as_of`, newest first, with how many recommendations
    (a view of the child's record: checked and audited)."""
    read_child(engine, who, child_id, "recommendations")
    with Session(engine) as s:
        n = (
            select(func.count(m.Recommendation.id))
            .where(m.Recommendation.review_id == m.Review.id)
            .correlate(m.Review)
            .scalar_subquery()
        )
        rows = s.execute(
            select(m.Review.id, m.Review.held_date, m.Review.recommendations_sent_date, n)
            .where(m.Review.child_id == child_id, m.Review.held_date <= as_of)
            .order_by(m.Review.held_date.desc())
        ).all()
    return [{"review_id": r[0], "held_date": r[1], "sent_date": r[2], "recommendations": r[3]} for r in rows]


def review_child(engine: Engine, review_id: int) -> str | None:
    with Session(engine) as s:
        return s.scalar(select(m.Review.child_id).where(m.Review.id == review_id))


def review_recommendations(
    engine: Engine, who: Principal, review_id: int, policy: Policy = DEFAULT_POLICY
) -> ReviewRecommendations | None:
    """The review's recommendations, refused unless `who` may see the review's child."""
    child_id = review_child(engine, review_id)
    if child_id is None:
        return None
    require_child(engine, who, child_id)
    with Session(engine) as s:
        review = s.get(m.Review, review_id)
        if review is None:
            return None
        child = s.get(m.Child, review.child_id)
        recs = []
        for r in review.recommendations:
            code, other = owner_fields(r.owner)
            recs.append(
                {
                    "rec_id": r.id,
                    "seq": r.seq,
                    "text": r.text,
                    "owner": code,
                    "owner_other": other,
                    "target_date": r.target_date,
                    "completed_date": r.completed_date,
                }
            )
        return ReviewRecommendations(
            review_id=review.id,
            child_id=review.child_id,
            child_name=(child.display_name if child else None) or review.child_id,
            held_date=review.held_date,
            sent_date=review.recommendations_sent_date,
            sent_due=add_working_days(review.held_date, policy.recommendations_to_tm_working_days),
            tm_response=review.tm_response,
            tm_response_date=review.tm_response_date,
            tm_response_notes=review.tm_response_notes,
            recommendations=recs,
            version=review.version,
        )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _empty(row: Mapping[str, Any]) -> bool:
    """A new row with nothing typed in it (left blank on the form): skipped."""
    return row.get("rec_id") is None and all(
        _blank(row.get(k)) for k in ("text", "owner", "owner_other", "target_date")
    )


def _shape(
    rows: Sequence[Mapping[str, Any]],
    sent_date: Any,
    tm_response: Any,
    tm_response_date: Any,
    as_of: Any,
) -> dict[str, str]:
    """Each field of the wrong type or out of the date span, by its field key (services.casework.fields)."""
    if not isinstance(rows, Sequence) or not all(isinstance(r, Mapping) for r in rows):
        return {"review": "Reload the page: the form's rows are not readable."}
    errors = problems(dates={"sent_date": sent_date, "tm_response_date": tm_response_date, "as_of": as_of})
    if tm_response is not None and not chosen(tm_response, TM_RESPONSES):
        errors["tm_response"] = "Choose agreed or disagreed."
    for i, row in enumerate(rows):
        found = problems(
            dates={"target_date": row.get("target_date")},
            texts={"text": row.get("text"), "owner_other": row.get("owner_other")},
            ints={"rec_id": row.get("rec_id")},
        )
        if row.get("owner") is not None and not chosen(row.get("owner"), RECOMMENDATION_OWNERS):
            found["owner"] = "Choose who owns it."
        errors |= {f"row{i}.{k}": v for k, v in found.items()}
    return errors


def validate(
    held_date: dt.date,
    rows: Sequence[Mapping[str, Any]],
    *,
    sent_date: dt.date | None,
    tm_response: str | None,
    tm_response_date: dt.date | None,
    as_of: dt.date,
    policy: Policy = DEFAULT_POLICY,
) -> dict[str, str]:
    """Field messages (empty: valid). A row with nothing typed (and no saved recommendation) is skipped."""
    errors = _shape(rows, sent_date, tm_response, tm_response_date, as_of)
    if errors:
        return errors  # the rules below need each value in its shape
    if held_date > as_of:
        errors["review"] = "This review has not been held yet."
    for i, row in enumerate(rows):
        if _empty(row):
            continue
        if _blank(row.get("text")):
            errors[f"row{i}.text"] = "Write the recommendation."
        if row.get("owner") not in RECOMMENDATION_OWNERS:
            errors[f"row{i}.owner"] = "Choose who owns it."
        elif row.get("owner") == "other" and _blank(row.get("owner_other")):
            errors[f"row{i}.owner_other"] = "Name the owner."
        target = row.get("target_date")
        if target is None:
            errors[f"row{i}.target_date"] = "Enter the target date."
        elif target < held_date:
            errors[f"row{i}.target_date"] = f"The target date cannot be before the review ({day(held_date)})."
    if sent_date is not None:
        if sent_date < held_date:
            errors["sent_date"] = f"They cannot be sent before the review ({day(held_date)})."
        elif sent_date > as_of:
            errors["sent_date"] = "The date sent cannot be in the future."
    if tm_response is not None and tm_response not in TM_RESPONSES:
        errors["tm_response"] = "Choose agreed or disagreed."
    if tm_response is not None:
        if sent_date is None:
            errors["sent_date"] = "Enter the date they were sent to the team manager before their response."
        if tm_response_date is None:
            errors["tm_response_date"] = "Enter the date of the team manager's response."
        elif tm_response_date > as_of:
            errors["tm_response_date"] = "The response date cannot be in the future."
        elif sent_date is not None and tm_response_date < sent_date:
            errors["tm_response_date"] = "The response cannot be before they were sent."
        elif tm_response == "disagreed" and sent_date is not None:
            limit = add_working_days(sent_date, policy.tm_disagree_working_days)
            if tm_response_date > limit:
                errors["tm_response_date"] = (
                    f"A disagreement must come within {policy.tm_disagree_working_days} working days of receiving "
                    f"them (by {day(limit)}); after that the recommendations stand as agreed."
                )
    elif tm_response_date is not None:
        errors["tm_response"] = "Choose the team manager's response for this date."
    return errors


def save_recommendations(
    engine: Engine,
    who: Principal,
    review_id: int,
    rows: Sequence[Mapping[str, Any]],
    *,
    sent_date: dt.date | None,
    tm_response: str | None = None,
    tm_response_date: dt.date | None = None,
    tm_response_notes: str | None = None,
    as_of: dt.date,
    policy: Policy = DEFAULT_POLICY,
    review_version: int,
) -> SavedRecommendations:
    """Save the review's recommendations (rows with a `rec_id` update that recommendation; new rows
    are appended in order), the date sent and the TM's response. All or nothing.

    `review_version` is the review's version the form was rendered with (`ReviewRecommendations.
    version`): a save based on an older one (another IRO's save, or a midway check's status
    updates, landed meanwhile) is refused as `RecommendationsChanged`, never overwriting theirs."""
    bad = problems(texts={"tm_response_notes": tm_response_notes})
    bad |= problems(ints={"review": review_id, "review_version": review_version})
    if bad:
        raise RecommendationError("Some fields need attention (marked below each field).", bad)
    child_id = review_child(engine, review_id)
    if child_id is not None:
        require_child(engine, who, child_id, write=True)
    with writes(engine, who) as s:
        review = s.get(m.Review, review_id)
        if review is None:
            raise RecommendationError(f"Review {review_id} does not exist.", {"review": "Unknown review."})
        errors = validate(
            review.held_date,
            rows,
            sent_date=sent_date,
            tm_response=tm_response,
            tm_response_date=tm_response_date,
            as_of=as_of,
            policy=policy,
        )
        if errors:
            n = len(errors)
            raise RecommendationError(
                f"{n} field{'s' if n != 1 else ''} need{'s' if n == 1 else ''} attention (marked below each field).",
                errors,
            )
        _claim(s, review, review_version)
        existing = {r.id: r for r in review.recommendations}
        seq = max((r.seq for r in review.recommendations), default=0)
        added = 0
        for row in rows:
            if _empty(row):
                continue
            owner = row["owner"]
            owner_text = (row.get("owner_other") or "").strip() if owner == "other" else RECOMMENDATION_OWNERS[owner]
            rec_id = row.get("rec_id")
            if rec_id is not None:
                rec = existing.get(rec_id)
                if rec is None:
                    raise RecommendationError("A recommendation is not of this review.", {"review": "Reload the page."})
                rec.text, rec.owner, rec.target_date = row["text"].strip(), owner_text, row["target_date"]
            else:
                seq += 1
                added += 1
                review.recommendations.append(
                    m.Recommendation(
                        seq=seq, text=row["text"].strip(), owner=owner_text, target_date=row["target_date"]
                    )
                )
        review.recommendations_sent_date = sent_date
        review.tm_response = tm_response
        review.tm_response_date = tm_response_date if tm_response else None
        review.tm_response_notes = (tm_response_notes or "").strip() or None
        flag_modified(review, "version")  # audited even when only recommendation rows changed
        s.flush()
        recs = list(review.recommendations)
        pending = sorted(r.target_date for r in recs if r.completed_date is None and r.target_date is not None)
        if sent_date is None:
            due = add_working_days(review.held_date, policy.recommendations_to_tm_working_days)
            next_label = f"send them to the team manager by {day(due)}"
        elif tm_response is None:
            limit = add_working_days(sent_date, policy.tm_disagree_working_days)
            next_label = f"the team manager may disagree until {day(limit)}"
        elif pending:
            next_label = f"next target date {day(pending[0])}"
        else:
            next_label = "no target date pending"
        return SavedRecommendations(
            review_id=review.id,
            held_date=review.held_date,
            rec_ids=tuple(r.id for r in recs),
            seqs=tuple(r.seq for r in recs),
            added=added,
            sent_date=sent_date,
            next_label=next_label,
        )


def _claim(s: Session, review: m.Review, seen: int) -> None:
    """Bump the review's version from `seen` in one conditional UPDATE (of two saves based on the
    same version exactly one matches the row). The save marks the row changed at its end, so the
    bump is audited with the rest: the refusal names who saved first from the audit log."""
    review_id = review.id
    done = s.execute(
        update(m.Review).where(m.Review.id == review_id, m.Review.version == seen).values(version=seen + 1)
    )
    if done.rowcount != 1:
        s.rollback()
        raise conflict(s, "This review", "reviews", review_id, RecommendationsChanged)


def message_draft(
    engine: Engine, who: Principal, review_id: int, as_of: dt.date, policy: Policy = DEFAULT_POLICY
) -> tuple[str, str] | None:
    """(subject, body) of the email to the team manager listing the review's recommendations, like
    the midway check's draft. None when the review has no recommendations."""
    data = review_recommendations(engine, who, review_id, policy)
    if data is None or not data.recommendations:
        return None
    ctx = form_context(engine, who, data.child_id, as_of, page="recommendations")
    tm = ctx.team_manager or "team manager"
    subject = f"Recommendations of the CLA review of {data.child_name} ({data.child_id}) on {day(data.held_date)}"
    lines = [
        f"Dear {tm},",
        "",
        f"These are the recommendations of {data.child_name}'s ({data.child_id}) CLA review held on "
        f"{day(data.held_date)}:",
        "",
    ]
    for rec in data.recommendations:
        owner = rec["owner_other"] if rec["owner"] == "other" else RECOMMENDATION_OWNERS.get(rec["owner"] or "", "")
        target = f", by {day(rec['target_date'])}" if rec["target_date"] else ""
        lines.append(f"{rec['seq']}. {rec['text']} (owner: {owner or 'not recorded'}{target})")
    received = data.sent_date or as_of
    limit = add_working_days(received, policy.tm_disagree_working_days)
    lines += [
        "",
        f"If you disagree with any of them, please tell me in writing within {policy.tm_disagree_working_days} "
        f"working days of receiving them (by {day(limit)}); otherwise they stand as agreed.",
    ]
    if ctx.social_worker:
        lines.append(f"Please share them with {ctx.social_worker} so that the care plan can be updated.")
    lines += ["", "Regards,", who.name]
    return subject, "\n".join(lines) + "\n"
