"""Midway's data model (SQLAlchemy 2 typed ORM). Alembic migrations in `migrations/` mirror it.

Natural keys (child id, staff code, team name, a child's review date ...) carry unique
constraints, because imports upsert on them: re-importing the same files must change nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.vocabulary import (
    ALLOCATION_ROLE_LABELS,
    MIDWAY_OUTCOME_LABELS,
    RECOMMENDATION_STATUS_LABELS,
    REVIEW_KIND_LABELS,
    SOURCE_LABELS,
    STAFF_ROLE_LABELS,
)


class Base(DeclarativeBase):
    pass


# The stored codes, from the one code -> label declaration of each vocabulary.
STAFF_ROLES: tuple[str, ...] = tuple(STAFF_ROLE_LABELS)
ALLOCATION_ROLES: tuple[str, ...] = tuple(ALLOCATION_ROLE_LABELS)
MIDWAY_OUTCOMES: tuple[str, ...] = tuple(MIDWAY_OUTCOME_LABELS)
RECOMMENDATION_STATUSES: tuple[str, ...] = tuple(RECOMMENDATION_STATUS_LABELS)
# where a row was first recorded (DOMAIN §10): an import fills `source` only where it is empty, so a
# later import never relabels a row; rows made by Midway's own forms take the model default
SOURCES: tuple[str, ...] = tuple(SOURCE_LABELS)
REVIEW_KINDS: tuple[str, ...] = tuple(REVIEW_KIND_LABELS)


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Staff(Base):
    """IROs, social workers, team and service managers. `code` is the natural key (SW_ID in 903)."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    fte: Mapped[float] = mapped_column(Float, default=1.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # bumped by every FTE change on the Settings page: a save based on an FTE someone else changed
    # since the page read it is refused (services.casework.council_settings.set_iro_fte)
    fte_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default=text("1"))
    # the sign-in (OIDC) email, stored lower-case so matching ignores case (services.access)
    email: Mapped[str | None] = mapped_column(String(254), unique=True, index=True)
    team: Mapped[Team | None] = relationship()


class Child(Base):
    __tablename__ = "children"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(120))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(10))
    legal_status: Mapped[str | None] = mapped_column(String(10))
    placement_type: Mapped[str | None] = mapped_column(String(10))
    sibling_group: Mapped[str | None] = mapped_column(String(40), index=True)
    # DOMAIN §3: siblings share one IRO unless an exception is recorded.
    sibling_iro_exception: Mapped[bool] = mapped_column(Boolean, default=False)
    # why the exception was made (recorded with it on the Allocations page)
    sibling_iro_exception_reason: Mapped[str | None] = mapped_column(Text)
    permanence_plan: Mapped[str | None] = mapped_column(String(60))
    permanence_plan_date: Mapped[dt.date | None] = mapped_column(Date)
    # DOMAIN §3 (seed 003 §10): the recorded decision for 12-monthly reviews in long-term fostering.
    annual_reviews_from: Mapped[dt.date | None] = mapped_column(Date)
    # DOMAIN §4: per-child override of the deployment's midway policy.
    midway_policy: Mapped[str | None] = mapped_column(String(40))
    # bumped by every change of that override: a save based on an override someone else changed
    # since the page read it is refused (services.casework.council_settings.set_child_overrides)
    midway_policy_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default=text("1"))
    # SSDA903 V3/V4 only: short breaks, kept but off the statutory schedule.
    short_breaks: Mapped[bool] = mapped_column(Boolean, default=False)
    # where the child was first recorded (SOURCES); with `ChildFact`, what the child's data can tell
    source: Mapped[str | None] = mapped_column(String(20), default="midway")


class ChildFact(Base):
    """A fact a child first recorded from an import is known to have, and the source that supplied
    it (e.g. 'allocations' from the template's allocations table). A child from a 903 return lacks
    the facts of `services.engine.caseload.SSDA903_LACKS` until a row here says otherwise; rows are
    only ever added (a later 903 return never takes a fact away). See `known_facts` there."""

    __tablename__ = "child_facts"
    __table_args__ = (UniqueConstraint("child_id", "fact"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    fact: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))


class PeriodOfCare(Base):
    """A period of being looked after. `start_date` is null when the data does not reach back to
    the episode that opened it (SSDA903 single-year files); `observed_from` is then the earliest
    date seen, and the schedule says "period start unknown" rather than inventing one."""

    __tablename__ = "periods_of_care"
    __table_args__ = (UniqueConstraint("child_id", "observed_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    observed_from: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    # DOMAIN §3: first episode of the period with LS = E1, and first with PLACE A3-A6.
    placement_order_date: Mapped[dt.date | None] = mapped_column(Date)
    placed_for_adoption_date: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str | None] = mapped_column(String(20), default="midway")


class Placement(Base):
    """One SSDA903 episode: a spell with one legal status and placement (timeline bars)."""

    __tablename__ = "placements"
    __table_args__ = (UniqueConstraint("child_id", "start_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    legal_status: Mapped[str | None] = mapped_column(String(10))
    placement_type: Mapped[str | None] = mapped_column(String(10))
    reason_new_episode: Mapped[str | None] = mapped_column(String(4))
    reason_ceased: Mapped[str | None] = mapped_column(String(10))


class Allocation(Base):
    """Child to IRO / social worker (staff_id) or to a team (team_id), from..to (to null = current)."""

    __tablename__ = "allocations"
    __table_args__ = (
        UniqueConstraint("child_id", "role", "from_date"),
        # the rendered form's id (a uuid) per child: the same submission twice (a double click)
        # allocates once; one submission may allocate several siblings, one row each (migration 0009)
        Index("uq_allocations_submission_child", "submission_id", "child_id", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(20), default="midway")
    # why the child moved to this IRO (a change of IRO needs one; a first allocation does not)
    reason: Mapped[str | None] = mapped_column(Text)
    submission_id: Mapped[str | None] = mapped_column(String(36))


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("child_id", "held_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    held_date: Mapped[dt.date] = mapped_column(Date)
    scheduled_date: Mapped[dt.date | None] = mapped_column(Date)
    participation_code: Mapped[str | None] = mapped_column(String(4))
    recommendations_sent_date: Mapped[dt.date | None] = mapped_column(Date)
    record_completed_date: Mapped[dt.date | None] = mapped_column(Date)
    care_plan_updated_date: Mapped[dt.date | None] = mapped_column(Date)
    # DOMAIN §3: the TM agrees, or disagrees within 10 working days of receiving the recommendations
    tm_response: Mapped[str | None] = mapped_column(String(20))
    tm_response_date: Mapped[dt.date | None] = mapped_column(Date)
    tm_response_notes: Mapped[str | None] = mapped_column(Text)
    iro_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # REVIEW_KINDS: a review meeting, or (long-term fostering, 12-monthly meetings) an IRO consultation
    review_kind: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(20), default="midway")
    # bumped by every midway check save that updates this review's recommendations: a save based
    # on recommendations someone else has updated since the form was rendered is refused
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default=text("1"))
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="review", order_by="Recommendation.seq", cascade="all, delete-orphan"
    )


class Recommendation(Base):
    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("review_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(120))
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    completed_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(20))
    last_update: Mapped[str | None] = mapped_column(Text)
    review: Mapped[Review] = relationship(back_populates="recommendations")


class MidwayCheck(Base):
    """A midway check (DOMAIN §4-5). Drafts have status 'draft' and do not count as done.
    `version` is SQLAlchemy's optimistic lock: a second stale save raises StaleDataError."""

    __tablename__ = "midway_checks"
    # at most one draft per child and review (migration 0003_one_draft): a second blank draft
    # started at the same time is refused, not a second row
    __table_args__ = (
        Index(
            "uq_midway_checks_one_draft",
            "child_id",
            "review_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="SET NULL"))
    check_date: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    author: Mapped[str | None] = mapped_column(String(120))
    template: Mapped[str] = mapped_column(String(40), default="default")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="final")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    __mapper_args__ = {"version_id_col": version}


class Escalation(Base):
    """An IRO dispute (DOMAIN §6). The current stage is the last row of `stages`."""

    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    midway_check_id: Mapped[int | None] = mapped_column(ForeignKey("midway_checks.id", ondelete="SET NULL"))
    raised_date: Mapped[dt.date] = mapped_column(Date)
    raised_by: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(60))
    concern: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    actions_requested: Mapped[str | None] = mapped_column(Text)
    resolved_date: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(40))
    outcome_notes: Mapped[str | None] = mapped_column(Text)
    cafcass_checklist: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the rendered form's id (a uuid): the same submission twice (a double click) raises once
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    stages: Mapped[list[EscalationStage]] = relationship(
        back_populates="escalation",
        order_by="EscalationStage.started_date, EscalationStage.id",
        cascade="all, delete-orphan",
    )
    __mapper_args__ = {"version_id_col": version}


class EscalationStage(Base):
    __tablename__ = "escalation_stages"
    __table_args__ = (UniqueConstraint("escalation_id", "stage", "started_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    stage_name: Mapped[str] = mapped_column(String(80))
    started_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    ended_date: Mapped[dt.date | None] = mapped_column(Date)
    response: Mapped[str | None] = mapped_column(Text)
    escalation: Mapped[Escalation] = relationship(back_populates="stages")


class GoodPractice(Base):
    """Good practice an IRO noticed (DOMAIN §6, seed 003 §14)."""

    __tablename__ = "good_practice"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    noted_date: Mapped[dt.date] = mapped_column(Date)
    author: Mapped[str | None] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)


class SignificantEvent(Base):
    """DOMAIN §7 events; `bring_forward` is the IRO's decision to bring the next review forward."""

    __tablename__ = "significant_events"
    __table_args__ = (UniqueConstraint("child_id", "event_date", "event_type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    event_date: Mapped[dt.date] = mapped_column(Date)
    event_type: Mapped[str] = mapped_column(String(60))
    bring_forward: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    # the rendered form's id (a uuid): the same submission twice (a double click) records once
    submission_id: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)


class MissingEpisode(Base):
    __tablename__ = "missing_episodes"
    __table_args__ = (UniqueConstraint("child_id", "start_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    missing_type: Mapped[str | None] = mapped_column(String(2))


class CoverGrant(Base):
    """A manager lets IRO `staff_id` act for another IRO's children (`of_staff_id`) or for one
    child (`child_id`), from..to inclusive; the end date is required, so cover always runs out."""

    __tablename__ = "cover_grants"
    __table_args__ = (
        CheckConstraint("(of_staff_id IS NULL) <> (child_id IS NULL)", name="ck_cover_grants_one_target"),
        CheckConstraint("to_date >= from_date", name="ck_cover_grants_dates"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    of_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    child_id: Mapped[str | None] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date] = mapped_column(Date)
    granted_by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(Text)


class DemoMark(Base):
    """Present while the database holds only the synthetic demo caseload: `load_demo` writes it,
    an import or a signed-in (non-demo) user's write deletes it (services.access.demo_only)."""

    __tablename__ = "demo_mark"
    id: Mapped[int] = mapped_column(primary_key=True)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    anchor: Mapped[dt.date] = mapped_column(Date)


class ImportRun(Base):
    """Import history: who, when, which files (names and SHA-256), what was added/updated."""

    __tablename__ = "import_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the last day the imported data covers (an SSDA903 return: 31 March of its collection year)
    data_end: Mapped[dt.date | None] = mapped_column(Date)


class AuditEntry(Base):
    """Append-only audit log (who, when, what, before and after). The database itself refuses UPDATE,
    DELETE (and on PostgreSQL TRUNCATE) of these rows with triggers (migration 0006), and
    `services.persistence.audit` refuses them at flush time. `child_id` names the child a row is
    about (a write to a child's record, a view, a one-child export) so the Audit page can filter by
    child; it has no foreign key, because an audit row outlives the record and must never be updated."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(80))
    child_id: Mapped[str | None] = mapped_column(String(40), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CouncilSettings(Base):
    """The council's policy (services.engine.policy.Policy) as versioned rows: each save is a new
    row, so the table is its own history (who changed what, when). The newest version is the
    policy in force; with no rows, the code defaults. `version` is unique: two saves based on the
    same version cannot both become the next one (the second is refused, never silently lost)."""

    __tablename__ = "council_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(120))
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    note: Mapped[str | None] = mapped_column(Text)
