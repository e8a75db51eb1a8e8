"""The engine's input: a caseload as polars frames, whatever it came from.

The database (`load_caseload`), an SSDA903 folder and Midway's own template (both in
`services.importers`) all produce this one shape, so the schedule and flag engine never knows
where data came from. Column sets and types are fixed by `SCHEMAS`; `validate` enforces them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.persistence import models as m

D = pl.Date
S = pl.String
I = pl.Int64  # noqa: E741
B = pl.Boolean

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    # one row per child; team / iro / social_worker are the *current* allocation (names), for display
    "children": {
        "child_id": S, "display_name": S, "date_of_birth": D, "sex": S, "legal_status": S,
        "placement_type": S, "sibling_group": S, "sibling_iro_exception": B, "permanence_plan": S,
        "permanence_plan_date": D, "annual_reviews_from": D, "midway_policy": S, "short_breaks": B,
    },
    # start_date null = period start unknown (observed_from is then the earliest date in the data)
    "periods": {
        "child_id": S, "period_id": I, "start_date": D, "observed_from": D, "end_date": D,
        "placement_order_date": D, "placed_for_adoption_date": D,
    },
    "placements": {
        "child_id": S, "start_date": D, "end_date": D, "legal_status": S, "placement_type": S,
    },
    # role: iro | social_worker | team; name: staff display name or team name; staff_code for staff
    "allocations": {
        "child_id": S, "role": S, "staff_code": S, "name": S, "from_date": D, "to_date": D,
    },
    "reviews": {
        "child_id": S, "review_id": I, "held_date": D, "scheduled_date": D, "participation_code": S,
        "recommendations_sent_date": D, "record_completed_date": D, "care_plan_updated_date": D,
    },
    "recommendations": {
        "child_id": S, "review_id": I, "rec_id": I, "text": S, "owner": S, "target_date": D,
        "completed_date": D,
    },
    # final checks only: drafts are not done (DOMAIN §4)
    "midway_checks": {"child_id": S, "check_id": I, "check_date": D, "outcome": S},
    "events": {"child_id": S, "event_date": D, "event_type": S, "bring_forward": B},
    "missing": {"child_id": S, "start_date": D, "end_date": D},
    # one row per escalation with its current stage; stage_due_date is that stage's resolution date
    "escalations": {
        "child_id": S, "escalation_id": I, "raised_date": D, "stage": I, "stage_name": S,
        "stage_started": D, "stage_due_date": D, "resolved_date": D, "outcome": S, "category": S,
    },
}  # fmt: skip

# Optional facts a source may lack: the names `Caseload.unsupported` holds. A flag (or deadline)
# that needs a fact the source lacks is not raised / is "unknown" (DOMAIN §8); services.engine.flags maps
# each fact to the flag codes it decides (`FACT_FLAGS`).
FACTS: dict[str, str] = {
    "recommendations_sent_date": "reviews.recommendations_sent_date (deadline: recommendations to the TM)",
    "record_completed_date": "reviews.record_completed_date (RECORD_LATE)",
    "care_plan_updated_date": "reviews.care_plan_updated_date (CARE_PLAN_NOT_UPDATED)",
    "recommendations": "the recommendations table with target dates (REC_OVERDUE)",
    "allocations": "IRO allocations (IRO_NOT_ALLOCATED, SIBLINGS_SPLIT)",
    "sibling_group": "children.sibling_group (SIBLINGS_SPLIT)",
    "permanence_plan": "children.permanence_plan (NO_PERMANENCE_PLAN)",
    "events": "significant events with bring_forward (REVIEW_NOT_BROUGHT_FORWARD)",
    "missing": "missing episodes (FREQUENT_MISSING)",
    "escalations": "escalations (ESCALATION_OVERDUE)",
}


@dataclass(frozen=True)
class Caseload:
    children: pl.DataFrame
    periods: pl.DataFrame
    placements: pl.DataFrame
    allocations: pl.DataFrame
    reviews: pl.DataFrame
    recommendations: pl.DataFrame
    midway_checks: pl.DataFrame
    events: pl.DataFrame
    missing: pl.DataFrame
    escalations: pl.DataFrame
    # which optional facts the source can carry (e.g. SSDA903 has no care-plan dates):
    # flags that need an unsupported fact are not raised, and the UI says so (DOMAIN §8).
    # Names are the keys of `FACTS` below (the engine maps each to the flags it decides).
    unsupported: frozenset[str] = frozenset()

    @classmethod
    def empty(cls) -> Caseload:
        return cls(**{name: empty_frame(name) for name in SCHEMAS})

    def tables(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in SCHEMAS}


def empty_frame(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[name])


def conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Select and cast `frame` to the table's schema; missing optional columns become null."""
    schema = SCHEMAS[name]
    cols = [(pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t)).alias(c) for c, t in schema.items()]
    return frame.select(cols)


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
    return Caseload(
        children=children, periods=periods, placements=placements, allocations=allocations, reviews=reviews,
        recommendations=recommendations, midway_checks=checks, events=events, missing=missing,
        escalations=escalations,
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
