"""The caseload read from the database into the engine's frames (the repository side of `Caseload`).

Core selects rather than ORM objects: typed dates on SQLite too, and no per-row object cost.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.engine.caseload import SCHEMAS, Caseload, D, I, S, conform, known_facts
from services.persistence import models as m


def _read(session: Session, stmt, name: str) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    rows = session.execute(stmt).all()
    schema = SCHEMAS[name]
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def load_caseload(engine: Engine) -> Caseload:
    """Read the whole caseload from the database (Core selects: typed dates on SQLite too)."""
    with Session(engine) as s:
        children = _read(
            s,
            select(
                m.Child.id, m.Child.display_name, m.Child.date_of_birth, m.Child.sex, m.Child.legal_status,
                m.Child.placement_type, m.Child.sibling_group, m.Child.sibling_iro_exception,
                m.Child.permanence_plan, m.Child.permanence_plan_date, m.Child.annual_reviews_from,
                m.Child.midway_policy, m.Child.short_breaks,
            ).order_by(m.Child.id),
            "children",
        )  # fmt: skip
        periods = _read(
            s,
            select(
                m.PeriodOfCare.child_id, m.PeriodOfCare.id, m.PeriodOfCare.start_date,
                m.PeriodOfCare.observed_from, m.PeriodOfCare.end_date, m.PeriodOfCare.placement_order_date,
                m.PeriodOfCare.placed_for_adoption_date,
            ).order_by(m.PeriodOfCare.child_id, m.PeriodOfCare.observed_from),
            "periods",
        )  # fmt: skip
        placements = _read(
            s,
            select(
                m.Placement.child_id, m.Placement.start_date, m.Placement.end_date, m.Placement.legal_status,
                m.Placement.placement_type,
            ).order_by(m.Placement.child_id, m.Placement.start_date),
            "placements",
        )  # fmt: skip
        staff_alloc = _read(
            s,
            select(
                m.Allocation.child_id, m.Allocation.role, m.Staff.code, m.Staff.display_name,
                m.Allocation.from_date, m.Allocation.to_date,
            ).join(m.Staff, m.Staff.id == m.Allocation.staff_id),
            "allocations",
        )  # fmt: skip
        team_alloc = _read(
            s,
            select(
                m.Allocation.child_id, m.Allocation.role, None, m.Team.name, m.Allocation.from_date,
                m.Allocation.to_date,
            ).join(m.Team, m.Team.id == m.Allocation.team_id),
            "allocations",
        )  # fmt: skip
        allocations = pl.concat([staff_alloc, team_alloc]).sort("child_id", "role", "from_date")
        reviews = _read(
            s,
            select(
                m.Review.child_id, m.Review.id, m.Review.held_date, m.Review.scheduled_date,
                m.Review.participation_code, m.Review.recommendations_sent_date, m.Review.record_completed_date,
                m.Review.care_plan_updated_date,
            ).order_by(m.Review.child_id, m.Review.held_date),
            "reviews",
        )  # fmt: skip
        recommendations = _read(
            s,
            select(
                m.Review.child_id, m.Recommendation.review_id, m.Recommendation.id, m.Recommendation.text,
                m.Recommendation.owner, m.Recommendation.target_date, m.Recommendation.completed_date,
            ).join(m.Review, m.Review.id == m.Recommendation.review_id),
            "recommendations",
        )  # fmt: skip
        checks = _read(
            s,
            select(m.MidwayCheck.child_id, m.MidwayCheck.id, m.MidwayCheck.check_date, m.MidwayCheck.outcome)
            .where(m.MidwayCheck.status == "final")
            .order_by(m.MidwayCheck.child_id, m.MidwayCheck.check_date),
            "midway_checks",
        )
        events = _read(
            s,
            select(
                m.SignificantEvent.child_id, m.SignificantEvent.event_date, m.SignificantEvent.event_type,
                m.SignificantEvent.bring_forward,
            ),
            "events",
        )  # fmt: skip
        missing = _read(
            s, select(m.MissingEpisode.child_id, m.MissingEpisode.start_date, m.MissingEpisode.end_date), "missing"
        )
        escalations = _load_escalations(s)
        unknown = known_facts(
            pl.DataFrame(
                [tuple(r) for r in s.execute(select(m.Child.id, m.Child.source)).all()],
                schema={"child_id": S, "source": S},
                orient="row",
            ),
            pl.DataFrame(
                [tuple(r) for r in s.execute(select(m.ChildFact.child_id, m.ChildFact.fact)).all()],
                schema={"child_id": S, "fact": S},
                orient="row",
            ),
        )
    return Caseload(
        children=children, periods=periods, placements=placements, allocations=allocations, reviews=reviews,
        recommendations=recommendations, midway_checks=checks, events=events, missing=missing,
        escalations=escalations, unknown=unknown,
    )  # fmt: skip


def _load_escalations(s: Session) -> pl.DataFrame:
    """One row per escalation with its current (latest-started) stage, picked in polars so the
    query is the same on SQLite and PostgreSQL."""
    esc = pl.DataFrame(
        [
            tuple(r)
            for r in s.execute(
                select(
                    m.Escalation.child_id, m.Escalation.id, m.Escalation.raised_date, m.Escalation.resolved_date,
                    m.Escalation.outcome, m.Escalation.category,
                )
            ).all()
        ],
        schema={"child_id": S, "escalation_id": I, "raised_date": D, "resolved_date": D, "outcome": S, "category": S},
        orient="row",
    )  # fmt: skip
    st = pl.DataFrame(
        [
            tuple(r)
            for r in s.execute(
                select(
                    m.EscalationStage.escalation_id, m.EscalationStage.id, m.EscalationStage.stage,
                    m.EscalationStage.stage_name, m.EscalationStage.started_date, m.EscalationStage.due_date,
                )
            ).all()
        ],
        schema={"escalation_id": I, "sid": I, "stage": I, "stage_name": S, "stage_started": D, "stage_due_date": D},
        orient="row",
    )  # fmt: skip
    current = st.sort("escalation_id", "stage_started", "sid").group_by("escalation_id", maintain_order=True).last()
    return conform("escalations", esc.join(current.drop("sid"), on="escalation_id", how="left"))
