"""The caseload read from the database into the engine's frames (the repository side of `Caseload`).

Core selects rather than ORM objects: no per-row object cost. The whole caseload (what the
dashboard caches per data version) is read from PostgreSQL as Arrow
(services.persistence.arrow_read); a page about one child
reads that child's rows only (`child_ids`), so its cost does not grow with the council;
`with_siblings` widens the ids to the sibling groups, because SIBLINGS_SPLIT compares the
siblings' IROs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import polars as pl
from sqlalchemy import ColumnElement, Engine, Select, select
from sqlalchemy.orm import Session

from services.engine.caseload import SCHEMAS, Caseload, D, I, S, conform, formal_started, known_facts
from services.persistence import arrow_read
from services.persistence import models as m


def with_siblings(engine: Engine, child_ids: Collection[str]) -> list[str]:
    """`child_ids` and every member of their sibling groups, sorted."""
    ids = set(child_ids)
    with Session(engine) as s:
        groups = select(m.Child.sibling_group).where(m.Child.id.in_(ids), m.Child.sibling_group.is_not(None))
        ids |= set(s.scalars(select(m.Child.id).where(m.Child.sibling_group.in_(groups))).all())
    return sorted(ids)


# The tables as (select, schema) in the engine's column order; an auxiliary frame has its own schema.
ESCALATION_ROWS = {"child_id": S, "escalation_id": I, "raised_date": D, "resolved_date": D, "outcome": S, "category": S}
STAGE_ROWS = {"escalation_id": I, "sid": I, "stage": I, "stage_name": S, "stage_started": D, "stage_due_date": D}
SOURCE_ROWS = {"child_id": S, "source": S}
FACT_ROWS = {"child_id": S, "fact": S}
Only = Callable[[Select, ColumnElement[str]], Select]


def _statements(only: Only) -> dict[str, tuple[Select, dict[str, pl.DataType]]]:
    """Every select the caseload is read with, named, each with the schema of its columns."""
    a, r, e = m.Allocation, m.Review, m.Escalation
    return {
        "children": (
            only(
                select(
                    m.Child.id, m.Child.display_name, m.Child.date_of_birth, m.Child.sex, m.Child.legal_status,
                    m.Child.placement_type, m.Child.sibling_group, m.Child.sibling_iro_exception,
                    m.Child.permanence_plan, m.Child.permanence_plan_date, m.Child.annual_reviews_from,
                    m.Child.midway_policy, m.Child.short_breaks,
                ).order_by(m.Child.id),
                m.Child.id,
            ),
            SCHEMAS["children"],
        ),
        "periods": (
            only(
                select(
                    m.PeriodOfCare.child_id, m.PeriodOfCare.id, m.PeriodOfCare.start_date,
                    m.PeriodOfCare.observed_from, m.PeriodOfCare.end_date, m.PeriodOfCare.placement_order_date,
                    m.PeriodOfCare.placed_for_adoption_date,
                ).order_by(m.PeriodOfCare.child_id, m.PeriodOfCare.observed_from),
                m.PeriodOfCare.child_id,
            ),
            SCHEMAS["periods"],
        ),
        "placements": (
            only(
                select(
                    m.Placement.child_id, m.Placement.start_date, m.Placement.end_date, m.Placement.legal_status,
                    m.Placement.placement_type,
                ).order_by(m.Placement.child_id, m.Placement.start_date),
                m.Placement.child_id,
            ),
            SCHEMAS["placements"],
        ),
        "staff_allocations": (
            only(
                select(a.child_id, a.role, m.Staff.code, m.Staff.display_name, a.from_date, a.to_date).join(
                    m.Staff, m.Staff.id == a.staff_id
                ),
                a.child_id,
            ),
            SCHEMAS["allocations"],
        ),
        "team_allocations": (
            only(
                select(a.child_id, a.role, None, m.Team.name, a.from_date, a.to_date).join(
                    m.Team, m.Team.id == a.team_id
                ),
                a.child_id,
            ),
            SCHEMAS["allocations"],
        ),
        "reviews": (
            only(
                select(
                    r.child_id, r.id, r.held_date, r.scheduled_date, r.participation_code,
                    r.recommendations_sent_date, r.record_completed_date, r.care_plan_updated_date,
                ).order_by(r.child_id, r.held_date),
                r.child_id,
            ),
            SCHEMAS["reviews"],
        ),
        "recommendations": (
            only(
                select(
                    r.child_id, m.Recommendation.review_id, m.Recommendation.id, m.Recommendation.text,
                    m.Recommendation.owner, m.Recommendation.target_date, m.Recommendation.completed_date,
                ).join(r, r.id == m.Recommendation.review_id),
                r.child_id,
            ),
            SCHEMAS["recommendations"],
        ),
        "midway_checks": (
            only(
                select(m.MidwayCheck.child_id, m.MidwayCheck.id, m.MidwayCheck.check_date, m.MidwayCheck.outcome)
                .where(m.MidwayCheck.status == "final")
                .order_by(m.MidwayCheck.child_id, m.MidwayCheck.check_date),
                m.MidwayCheck.child_id,
            ),
            SCHEMAS["midway_checks"],
        ),
        "events": (
            only(
                select(
                    m.SignificantEvent.child_id, m.SignificantEvent.event_date, m.SignificantEvent.event_type,
                    m.SignificantEvent.bring_forward,
                ),
                m.SignificantEvent.child_id,
            ),
            SCHEMAS["events"],
        ),
        "missing": (
            only(
                select(m.MissingEpisode.child_id, m.MissingEpisode.start_date, m.MissingEpisode.end_date),
                m.MissingEpisode.child_id,
            ),
            SCHEMAS["missing"],
        ),
        "escalation_rows": (
            only(select(e.child_id, e.id, e.raised_date, e.resolved_date, e.outcome, e.category), e.child_id),
            ESCALATION_ROWS,
        ),
        "stages": (
            only(
                select(
                    m.EscalationStage.escalation_id, m.EscalationStage.id, m.EscalationStage.stage,
                    m.EscalationStage.stage_name, m.EscalationStage.started_date, m.EscalationStage.due_date,
                ).join(e, e.id == m.EscalationStage.escalation_id),
                e.child_id,
            ),
            STAGE_ROWS,
        ),
        "sources": (only(select(m.Child.id, m.Child.source), m.Child.id), SOURCE_ROWS),
        "facts": (only(select(m.ChildFact.child_id, m.ChildFact.fact), m.ChildFact.child_id), FACT_ROWS),
    }  # fmt: skip


def _read_rows(engine: Engine, statements: dict[str, tuple[Select, dict[str, pl.DataType]]]) -> dict[str, pl.DataFrame]:
    """Each select through SQLAlchemy Core on one connection (one transaction: a consistent read)."""
    with engine.connect() as conn:
        return {
            name: pl.DataFrame([tuple(row) for row in conn.execute(stmt)], schema=schema, orient="row")
            for name, (stmt, schema) in statements.items()
        }


def read_frames(
    engine: Engine, statements: dict[str, tuple[Select, dict[str, pl.DataType]]], *, arrow: bool = True
) -> dict[str, pl.DataFrame]:
    """The frames of `statements`: as Arrow (services.persistence.arrow_read) when `arrow` and the
    database is PostgreSQL, else through SQLAlchemy rows."""
    reader = arrow_read.reader(engine) if arrow else None
    if reader is None:
        return _read_rows(engine, statements)
    sqls = {name: compiled_sql(engine, stmt) for name, (stmt, _) in statements.items()}
    tables = reader(list(sqls.values()))
    return {
        name: arrow_read.typed(table, schema)
        for (name, (_, schema)), table in zip(statements.items(), tables, strict=True)
    }


def compiled_sql(engine: Engine, stmt: Select) -> str:
    """`stmt` as SQL text for the Arrow reader. Only the whole-caseload selects come here: their
    literals are constants of this module (e.g. status 'final'), never a value from a user."""
    return str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def load_caseload(engine: Engine, child_ids: Collection[str] | None = None, *, arrow: bool = True) -> Caseload:
    """Read the caseload from the database: every child, or only the children in `child_ids`
    (each table filtered in SQL by child id, with bound parameters, through SQLAlchemy rows: a
    handful of rows, where an Arrow connection would cost more than it saves). `arrow=False`
    reads the whole caseload through SQLAlchemy too (benchmarks/caseload_read.py compares)."""
    ids = None if child_ids is None else sorted(set(child_ids))

    def only(stmt: Select, column: ColumnElement[str]) -> Select:
        return stmt if ids is None else stmt.where(column.in_(ids))

    f = read_frames(engine, _statements(only), arrow=arrow and ids is None)
    return Caseload(
        children=f["children"],
        periods=f["periods"],
        placements=f["placements"],
        allocations=pl.concat([f["staff_allocations"], f["team_allocations"]]).sort("child_id", "role", "from_date"),
        reviews=f["reviews"],
        recommendations=f["recommendations"],
        midway_checks=f["midway_checks"],
        events=f["events"],
        missing=f["missing"],
        escalations=_escalations(f["escalation_rows"], f["stages"]),
        unknown=known_facts(f["sources"], f["facts"]),
    )


def _escalations(esc: pl.DataFrame, stages: pl.DataFrame) -> pl.DataFrame:
    """One row per escalation with its current (latest-started) stage, picked in polars so the
    query is the same on SQLite and PostgreSQL."""
    current = stages.sort("escalation_id", "stage_started", "sid").group_by("escalation_id", maintain_order=True).last()
    formal = formal_started(stages, "escalation_id", "stage_started")
    esc = esc.join(current.drop("sid"), on="escalation_id", how="left").join(formal, on="escalation_id", how="left")
    return conform("escalations", esc)
