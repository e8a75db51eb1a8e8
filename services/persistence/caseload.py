"""The caseload read from the database into the engine's frames (the repository side of `Caseload`).

Core selects rather than ORM objects: typed dates on SQLite too, and no per-row object cost.
A page about one child reads that child's rows only (`child_ids`), so its cost does not grow with
the council; `with_siblings` widens the ids to the sibling groups, because SIBLINGS_SPLIT compares
the siblings' IROs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import polars as pl
from sqlalchemy import ColumnElement, Engine, Select, select
from sqlalchemy.orm import Session

from services.engine.caseload import SCHEMAS, Caseload, D, I, S, conform, formal_started, known_facts
from services.persistence import models as m


def _read(session: Session, stmt, name: str) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    rows = session.execute(stmt).all()
    schema = SCHEMAS[name]
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def with_siblings(engine: Engine, child_ids: Collection[str]) -> list[str]:
    """`child_ids` and every member of their sibling groups, sorted."""
    ids = set(child_ids)
    with Session(engine) as s:
        groups = select(m.Child.sibling_group).where(m.Child.id.in_(ids), m.Child.sibling_group.is_not(None))
        ids |= set(s.scalars(select(m.Child.id).where(m.Child.sibling_group.in_(groups))).all())
    return sorted(ids)


def load_caseload(engine: Engine, child_ids: Collection[str] | None = None) -> Caseload:
    """Read the caseload from the database: every child, or only the children in `child_ids`
    (each table filtered in SQL by child id)."""
    ids = None if child_ids is None else sorted(set(child_ids))

    def only(stmt: Select, column: ColumnElement[str]) -> Select:
        return stmt if ids is None else stmt.where(column.in_(ids))

    with Session(engine) as s:
        children = _read(
            s,
            only(
                select(
                    m.Child.id,
                    m.Child.display_name,
                    m.Child.date_of_birth,
                    m.Child.sex,
                    m.Child.legal_status,
                    m.Child.placement_type,
                    m.Child.sibling_group,
                    m.Child.sibling_iro_exception,
                    m.Child.permanence_plan,
                    m.Child.permanence_plan_date,
                    m.Child.annual_reviews_from,
                    m.Child.midway_policy,
                    m.Child.short_breaks,
                ).order_by(m.Child.id),
                m.Child.id,
            ),
            "children",
        )
        periods = _read(
            s,
            only(
                select(
                    m.PeriodOfCare.child_id,
                    m.PeriodOfCare.id,
                    m.PeriodOfCare.start_date,
                    m.PeriodOfCare.observed_from,
                    m.PeriodOfCare.end_date,
                    m.PeriodOfCare.placement_order_date,
                    m.PeriodOfCare.placed_for_adoption_date,
                ).order_by(m.PeriodOfCare.child_id, m.PeriodOfCare.observed_from),
                m.PeriodOfCare.child_id,
            ),
            "periods",
        )
        placements = _read(
            s,
            only(
                select(
                    m.Placement.child_id,
                    m.Placement.start_date,
                    m.Placement.end_date,
                    m.Placement.legal_status,
                    m.Placement.placement_type,
                ).order_by(m.Placement.child_id, m.Placement.start_date),
                m.Placement.child_id,
            ),
            "placements",
        )
        staff_alloc = _read(
            s,
            only(
                select(
                    m.Allocation.child_id,
                    m.Allocation.role,
                    m.Staff.code,
                    m.Staff.display_name,
                    m.Allocation.from_date,
                    m.Allocation.to_date,
                ).join(m.Staff, m.Staff.id == m.Allocation.staff_id),
                m.Allocation.child_id,
            ),
            "allocations",
        )
        team_alloc = _read(
            s,
            only(
                select(
                    m.Allocation.child_id,
                    m.Allocation.role,
                    None,
                    m.Team.name,
                    m.Allocation.from_date,
                    m.Allocation.to_date,
                ).join(m.Team, m.Team.id == m.Allocation.team_id),
                m.Allocation.child_id,
            ),
            "allocations",
        )
        allocations = pl.concat([staff_alloc, team_alloc]).sort("child_id", "role", "from_date")
        reviews = _read(
            s,
            only(
                select(
                    m.Review.child_id,
                    m.Review.id,
                    m.Review.held_date,
                    m.Review.scheduled_date,
                    m.Review.participation_code,
                    m.Review.recommendations_sent_date,
                    m.Review.record_completed_date,
                    m.Review.care_plan_updated_date,
                ).order_by(m.Review.child_id, m.Review.held_date),
                m.Review.child_id,
            ),
            "reviews",
        )
        recommendations = _read(
            s,
            only(
                select(
                    m.Review.child_id,
                    m.Recommendation.review_id,
                    m.Recommendation.id,
                    m.Recommendation.text,
                    m.Recommendation.owner,
                    m.Recommendation.target_date,
                    m.Recommendation.completed_date,
                ).join(m.Review, m.Review.id == m.Recommendation.review_id),
                m.Review.child_id,
            ),
            "recommendations",
        )
        checks = _read(
            s,
            only(
                select(m.MidwayCheck.child_id, m.MidwayCheck.id, m.MidwayCheck.check_date, m.MidwayCheck.outcome)
                .where(m.MidwayCheck.status == "final")
                .order_by(m.MidwayCheck.child_id, m.MidwayCheck.check_date),
                m.MidwayCheck.child_id,
            ),
            "midway_checks",
        )
        events = _read(
            s,
            only(
                select(
                    m.SignificantEvent.child_id,
                    m.SignificantEvent.event_date,
                    m.SignificantEvent.event_type,
                    m.SignificantEvent.bring_forward,
                ),
                m.SignificantEvent.child_id,
            ),
            "events",
        )
        missing = _read(
            s,
            only(
                select(m.MissingEpisode.child_id, m.MissingEpisode.start_date, m.MissingEpisode.end_date),
                m.MissingEpisode.child_id,
            ),
            "missing",
        )
        escalations = _load_escalations(s, only)
        unknown = known_facts(
            pl.DataFrame(
                [tuple(r) for r in s.execute(only(select(m.Child.id, m.Child.source), m.Child.id)).all()],
                schema={"child_id": S, "source": S},
                orient="row",
            ),
            pl.DataFrame(
                [
                    tuple(r)
                    for r in s.execute(only(select(m.ChildFact.child_id, m.ChildFact.fact), m.ChildFact.child_id))
                ],
                schema={"child_id": S, "fact": S},
                orient="row",
            ),
        )
    return Caseload(
        children=children,
        periods=periods,
        placements=placements,
        allocations=allocations,
        reviews=reviews,
        recommendations=recommendations,
        midway_checks=checks,
        events=events,
        missing=missing,
        escalations=escalations,
        unknown=unknown,
    )


def _load_escalations(s: Session, only: Callable[[Select, ColumnElement[str]], Select]) -> pl.DataFrame:
    """One row per escalation with its current (latest-started) stage, picked in polars so the
    query is the same on SQLite and PostgreSQL."""
    esc = pl.DataFrame(
        [
            tuple(r)
            for r in s.execute(
                only(
                    select(
                        m.Escalation.child_id,
                        m.Escalation.id,
                        m.Escalation.raised_date,
                        m.Escalation.resolved_date,
                        m.Escalation.outcome,
                        m.Escalation.category,
                    ),
                    m.Escalation.child_id,
                )
            ).all()
        ],
        schema={"child_id": S, "escalation_id": I, "raised_date": D, "resolved_date": D, "outcome": S, "category": S},
        orient="row",
    )
    st = pl.DataFrame(
        [
            tuple(r)
            for r in s.execute(
                only(
                    select(
                        m.EscalationStage.escalation_id,
                        m.EscalationStage.id,
                        m.EscalationStage.stage,
                        m.EscalationStage.stage_name,
                        m.EscalationStage.started_date,
                        m.EscalationStage.due_date,
                    ).join(m.Escalation, m.Escalation.id == m.EscalationStage.escalation_id),
                    m.Escalation.child_id,
                )
            ).all()
        ],
        schema={"escalation_id": I, "sid": I, "stage": I, "stage_name": S, "stage_started": D, "stage_due_date": D},
        orient="row",
    )
    current = st.sort("escalation_id", "stage_started", "sid").group_by("escalation_id", maintain_order=True).last()
    formal = formal_started(st, "escalation_id", "stage_started")
    esc = esc.join(current.drop("sid"), on="escalation_id", how="left").join(formal, on="escalation_id", how="left")
    return conform("escalations", esc)
