"""What the form shows for one child: who they are, the last review and its recommendations, a
draft to resume, the checks already saved, and (after a save) the child's flags now.

Everything is read for the one child, so the form's cost does not grow with the council.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.access import Principal, read_child, require_child
from services.casework.one_child import child_result
from services.engine.age import age_on
from services.engine.allocation import allocations_on
from services.engine.caseload import Caseload, conform
from services.engine.policy import DEFAULT_POLICY, Policy
from services.persistence import models as m


@dataclass(frozen=True)
class CheckSnapshot:
    check_id: int
    version: int
    status: str
    template: str
    outcome: str | None
    answers: dict[str, Any]
    author: str | None
    updated_at: dt.datetime | None
    check_date: dt.date


@dataclass(frozen=True)
class FormContext:
    child_id: str
    display_name: str
    date_of_birth: dt.date
    age: int
    team: str | None
    iro: str | None
    social_worker: str | None
    team_manager: str | None
    review_id: int | None
    review_date: dt.date | None
    recommendations: list[dict[str, Any]]
    draft: CheckSnapshot | None
    final_checks: list[CheckSnapshot]
    # the review's version when the form was rendered: the final save passes it back, so a save
    # based on recommendations someone else has since updated is refused
    review_version: int | None = None


def _snapshot(c: m.MidwayCheck) -> CheckSnapshot:
    return CheckSnapshot(
        check_id=c.id,
        version=c.version,
        status=c.status,
        template=c.template,
        outcome=c.outcome,
        answers=dict(c.answers or {}),
        author=c.author,
        updated_at=c.updated_at,
        check_date=c.check_date,
    )


def _allocation(s: Session, child_id: str, as_of: dt.date) -> dict[str, Any]:
    """Team / IRO / SW on `as_of` through services.engine.allocation, on a one-child caseload (cheap)."""
    rows = s.execute(
        select(
            m.Allocation.role,
            m.Staff.code,
            m.Staff.display_name,
            m.Team.name,
            m.Allocation.from_date,
            m.Allocation.to_date,
        )
        .outerjoin(m.Staff, m.Staff.id == m.Allocation.staff_id)
        .outerjoin(m.Team, m.Team.id == m.Allocation.team_id)
        .where(m.Allocation.child_id == child_id)
    ).all()
    frame = pl.DataFrame(
        [(child_id, r[0], r[1], r[2] or r[3], r[4], r[5]) for r in rows],
        schema=["child_id", "role", "staff_code", "name", "from_date", "to_date"],
        orient="row",
    )
    cl = dataclasses.replace(
        Caseload.empty(),
        children=conform("children", pl.DataFrame({"child_id": [child_id]})),
        allocations=conform("allocations", frame),
    )
    return allocations_on(cl, as_of).row(0, named=True)


def form_context(
    engine: Engine, who: Principal, child_id: str, as_of: dt.date, page: str = "midway_check"
) -> FormContext:
    """What the form needs for a child on `as_of`: who they are, their age, who is allocated, the
    last review held on or before `as_of` with its recommendations, and any draft or saved check
    for that review (a draft is resumed; saved checks are listed). A view of the child's record on
    `page`: checked and audited."""
    read_child(engine, who, child_id, page)
    return _form_context(engine, child_id, as_of)


def _form_context(engine: Engine, child_id: str, as_of: dt.date) -> FormContext:
    with Session(engine) as s:
        child = s.get(m.Child, child_id)
        if child is None:
            raise LookupError(f"No child with id {child_id!r}.")
        alloc = _allocation(s, child_id, as_of)
        tm = None
        if alloc.get("team"):
            tm = s.scalar(
                select(m.Staff.display_name)
                .join(m.Team, m.Team.id == m.Staff.team_id)
                .where(m.Team.name == alloc["team"], m.Staff.role == "team_manager", m.Staff.active.is_(True))
                .order_by(m.Staff.display_name)
                .limit(1)
            )
        review = s.scalars(
            select(m.Review)
            .where(m.Review.child_id == child_id, m.Review.held_date <= as_of)
            .order_by(m.Review.held_date.desc())
            .limit(1)
        ).first()
        recs: list[dict[str, Any]] = []
        draft = None
        finals: list[CheckSnapshot] = []
        if review is not None:
            recs = [
                {
                    "rec_id": r.id,
                    "seq": r.seq,
                    "text": r.text,
                    "owner": r.owner,
                    "target_date": r.target_date,
                    "status": r.status,
                    "last_update": r.last_update,
                    "completed_date": r.completed_date,
                }
                for r in review.recommendations
            ]
            checks = s.scalars(
                select(m.MidwayCheck)
                .where(m.MidwayCheck.child_id == child_id, m.MidwayCheck.review_id == review.id)
                .order_by(m.MidwayCheck.id)
            ).all()
            drafts = [c for c in checks if c.status == "draft"]
            draft = _snapshot(drafts[-1]) if drafts else None
            finals = [_snapshot(c) for c in checks if c.status == "final"]
        return FormContext(
            child_id=child.id,
            display_name=child.display_name or child.id,
            date_of_birth=child.date_of_birth,
            age=age_on(child.date_of_birth, as_of),
            team=alloc.get("team"),
            iro=alloc.get("iro"),
            social_worker=alloc.get("social_worker"),
            team_manager=tm,
            review_id=review.id if review else None,
            review_date=review.held_date if review else None,
            recommendations=recs,
            draft=draft,
            final_checks=finals,
            review_version=review.version if review else None,
        )


def child_flags(
    engine: Engine, who: Principal, child_id: str, as_of: dt.date, policy: Policy = DEFAULT_POLICY
) -> pl.DataFrame:
    """The child's drift flags now, from the engine run on the child and their siblings only
    (SIBLINGS_SPLIT compares the siblings' IROs)."""
    require_child(engine, who, child_id)
    return child_result(engine, child_id, as_of, policy).flags.filter(pl.col("child_id") == child_id)
