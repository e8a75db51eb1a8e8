"""The IRO's dispute resolution ladder (DOMAIN §6; seed 004 §11-12, seed 003 §14).

An escalation is a row plus its stage history (`escalation_stages`): moving on closes the current
stage row (ended date, response) and appends the next, so the history is never rewritten. Stage
names and each stage's default resolution time come from `Policy`, because councils name their
ladders differently (seed 003: TM, Head of Service, Director of Practice, CAFCASS). The IRO may
bypass stages and refer to CAFCASS at any point, so any later stage may be chosen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from services.access import Principal, read_child, require_child, restrict, visible_children
from services.access.demo import writes
from services.casework.conflicts import conflict
from services.casework.errors import EditConflict, Refused
from services.casework.fields import ID_MAX, SUBMISSION_MAX, chosen, problems
from services.casework.one_child import child_result
from services.dates import day_expr
from services.engine.policy import DEFAULT_POLICY, Policy
from services.engine.workdays import add_working_days, working_days_between
from services.persistence import models as m
from services.vocabulary import (
    CAFCASS_DOCUMENTS,
    ESCALATION_CATEGORIES,
    ESCALATION_OUTCOMES,
    FLAG_ESCALATION_CATEGORY,
)


class EscalationError(Refused):
    """A refused escalation action; `errors` maps field keys to messages when it is about input."""


class EscalationChanged(EscalationError, EditConflict):
    """The escalation was changed by someone else since the user opened it."""


def require_escalation(engine: Engine, who: Principal, escalation_id: int, *, write: bool = False) -> None:
    """Refuse unless `who` may see (or change) the escalation's child. An unknown id passes here
    and is refused by the caller as "does not exist"."""
    with Session(engine) as s:
        child_id = s.scalar(select(m.Escalation.child_id).where(m.Escalation.id == escalation_id))
    if child_id is not None:
        require_child(engine, who, child_id, write=write)


def stage_name(stage: int, policy: Policy = DEFAULT_POLICY) -> str:
    names = policy.escalation_stage_names
    if not 0 <= stage < len(names):
        raise EscalationError(f"Stage {stage} is not on the ladder (0 to {len(names) - 1}).")
    return names[stage]


def cafcass_stage(policy: Policy = DEFAULT_POLICY) -> int:
    """The CAFCASS referral is the ladder's last stage (DOMAIN §6)."""
    return len(policy.escalation_stage_names) - 1


def default_due(started: dt.date, stage: int, policy: Policy = DEFAULT_POLICY) -> dt.date:
    """The stage's default resolution date: its setting in working days after it started. The IRO
    sets the real date per stage (seed 004 §11); this is only the suggestion."""
    return add_working_days(started, policy.escalation_stage_working_days[stage])


def _stage(stage: int, started: dt.date, due_date: dt.date | None, policy: Policy) -> m.EscalationStage:
    """A new stage row; without a resolution date set by the IRO, the stage's default applies."""
    return m.EscalationStage(
        stage=stage,
        stage_name=stage_name(stage, policy),
        started_date=started,
        due_date=due_date or default_due(started, stage, policy),
    )


def validate_escalation(
    *,
    category: str | None,
    concern: str | None,
    stage: int | None,
    raised_date: dt.date | None,
    due_date: dt.date | None,
    policy: Policy = DEFAULT_POLICY,
) -> dict[str, str]:
    errors = problems(dates={"raised_date": raised_date, "due_date": due_date}, texts={"concern": concern})
    errors |= problems(ints={"stage": stage})
    if not chosen(category, ESCALATION_CATEGORIES):
        errors["category"] = "Choose what the escalation is about."
    if set(errors) - {"category"}:
        return errors  # the rules below need each value in its shape
    if not concern or not concern.strip():
        errors["concern"] = "Describe the concern."
    if stage is None or not 0 <= stage < len(policy.escalation_stage_names):
        errors["stage"] = "Choose the stage to start at."
    if raised_date is None:
        errors["raised_date"] = "Enter the date the concern was raised."
    elif due_date is not None and due_date < raised_date:
        errors["due_date"] = "The resolution date cannot be before the date raised."
    return errors


def add_escalation(
    s: Session,
    actor: str,
    child_id: str,
    *,
    raised_date: dt.date,
    category: str,
    concern: str,
    evidence: str | None = None,
    actions_requested: str | None = None,
    stage: int = 0,
    due_date: dt.date | None = None,
    midway_check_id: int | None = None,
    policy: Policy = DEFAULT_POLICY,
    submission_id: str | None = None,
) -> m.Escalation:
    """Create an escalation inside an open unit of work (the midway save uses it, so the check and
    its escalation are one transaction)."""
    errors = validate_escalation(
        category=category, concern=concern, stage=stage, raised_date=raised_date, due_date=due_date, policy=policy
    )
    errors |= problems(texts={"evidence": evidence, "actions_requested": actions_requested})
    errors |= problems(limited={"child_id": (child_id, ID_MAX), "submission_id": (submission_id, SUBMISSION_MAX)})
    if errors:
        raise EscalationError("The escalation is incomplete.", errors)
    esc = m.Escalation(
        child_id=child_id,
        midway_check_id=midway_check_id,
        raised_date=raised_date,
        raised_by=actor,
        category=category,
        concern=concern.strip(),
        evidence=(evidence or "").strip() or None,
        actions_requested=(actions_requested or "").strip() or None,
        submission_id=submission_id,
    )
    esc.stages.append(_stage(stage, raised_date, due_date, policy))
    s.add(esc)
    s.flush()
    return esc


def _by_submission(engine: Engine, submission_id: str) -> int | None:
    with Session(engine) as s:
        return s.scalar(select(m.Escalation.id).where(m.Escalation.submission_id == submission_id))


def raise_escalation(
    engine: Engine, who: Principal, child_id: str, *, submission_id: str | None = None, **fields: Any
) -> int:
    """Raise an escalation directly (not from a check). Returns its id.

    `submission_id` identifies the rendered form (a uuid the page keeps until the form is saved):
    the same submission twice (a double click) raises one escalation and returns its id again."""
    if bad := problems(limited={"child_id": (child_id, ID_MAX), "submission_id": (submission_id, SUBMISSION_MAX)}):
        raise EscalationError("The escalation is incomplete.", bad)
    require_child(engine, who, child_id, write=True)
    if submission_id is not None and (existing := _by_submission(engine, submission_id)) is not None:
        return existing
    try:
        with writes(engine, who) as s:
            if s.get(m.Child, child_id) is None:
                raise EscalationError(f"No child with id {child_id!r}.")
            return add_escalation(s, who.name, child_id, submission_id=submission_id, **fields).id
    except IntegrityError:  # the same submission landed meanwhile (unique submission_id)
        existing = _by_submission(engine, submission_id) if submission_id is not None else None
        if existing is None:
            raise EscalationError("The escalation could not be saved; nothing was written.") from None
        return existing


@contextmanager
def _conflicts_refused(engine: Engine, escalation_id: int) -> Iterator[None]:
    """A save that raced another (stale version at flush, or a duplicate stage row) is refused
    as an EscalationChanged naming who saved first, never a raw database error."""
    try:
        yield
    except (StaleDataError, IntegrityError):
        raise conflict(engine, "This escalation", "escalations", escalation_id, EscalationChanged) from None


def _open_for_write(engine: Engine, s: Session, escalation_id: int, expected_version: int) -> m.Escalation:
    """The escalation to change, refused when it moved on since the form was rendered. Every change
    bumps the escalation's version (flag_modified: a stage move touches only stage rows otherwise),
    so two saves based on the same version cannot both land: the second's UPDATE ... WHERE
    version = seen matches no row and is refused."""
    esc = s.get(m.Escalation, escalation_id)
    if esc is None:
        raise EscalationError(f"Escalation {escalation_id} does not exist.")
    if esc.version != expected_version:
        raise conflict(s, "This escalation", "escalations", escalation_id, EscalationChanged)
    if esc.resolved_date is not None:
        raise EscalationError(f"Escalation {escalation_id} is already closed ({esc.outcome}).")
    _ = esc.stages  # loaded first: the lazy load's autoflush must not flush the bump on its own
    flag_modified(esc, "raised_date")
    return esc


def move_to_next_stage(
    engine: Engine,
    who: Principal,
    escalation_id: int,
    *,
    on_date: dt.date,
    response: str | None = None,
    to_stage: int | None = None,
    due_date: dt.date | None = None,
    expected_version: int,
    policy: Policy = DEFAULT_POLICY,
) -> int:
    """Close the current stage (ended `on_date`, with the response received) and start the next
    one, or `to_stage` when the IRO bypasses stages. Returns the new stage number.

    `expected_version` (the escalation's version the form was rendered with) is required: a move
    must never land on an escalation the IRO has not seen."""
    bad = problems(dates={"on_date": on_date, "due_date": due_date}, texts={"response": response})
    bad |= problems(ints={"to_stage": to_stage, "expected_version": expected_version})
    if on_date is None:
        bad["on_date"] = "Enter the date of the move."
    if bad:
        raise EscalationError("The move is incomplete.", bad)
    require_escalation(engine, who, escalation_id, write=True)
    with _conflicts_refused(engine, escalation_id), writes(engine, who) as s:
        esc = _open_for_write(engine, s, escalation_id, expected_version)
        current = esc.stages[-1]
        target = current.stage + 1 if to_stage is None else to_stage
        if target <= current.stage:
            raise EscalationError(f"Stage {target} is not after the current stage ({current.stage_name}).")
        if target >= len(policy.escalation_stage_names):
            raise EscalationError(f"{current.stage_name} is the last stage: close the escalation with its outcome.")
        if on_date < current.started_date:
            raise EscalationError(
                "The move cannot be before the current stage started.", {"on_date": "Date before the stage start."}
            )
        if due_date is not None and due_date < on_date:
            raise EscalationError("The resolution date is before the stage starts.", {"due_date": "Too early."})
        current.ended_date = on_date
        current.response = (response or "").strip() or None
        esc.stages.append(_stage(target, on_date, due_date, policy))
        s.flush()
        return target


def close_escalation(
    engine: Engine,
    who: Principal,
    escalation_id: int,
    *,
    on_date: dt.date,
    outcome: str,
    notes: str | None = None,
    expected_version: int,
) -> None:
    """Record how the escalation ended (resolved at the current stage / referred to CAFCASS /
    withdrawn); the current stage row is closed on the same date."""
    if not chosen(outcome, ESCALATION_OUTCOMES):
        raise EscalationError(f"Outcome must be one of {', '.join(ESCALATION_OUTCOMES)}.", {"outcome": "Choose one."})
    bad = problems(dates={"on_date": on_date}, texts={"notes": notes}, ints={"expected_version": expected_version})
    if on_date is None:
        bad["on_date"] = "Enter the date the escalation closed."
    if bad:
        raise EscalationError("The close is incomplete.", bad)
    require_escalation(engine, who, escalation_id, write=True)
    with _conflicts_refused(engine, escalation_id), writes(engine, who) as s:
        esc = _open_for_write(engine, s, escalation_id, expected_version)
        current = esc.stages[-1]
        if on_date < current.started_date:
            raise EscalationError("The close date is before the current stage started.", {"on_date": "Too early."})
        current.ended_date = on_date
        current.response = (notes or "").strip() or current.response
        esc.resolved_date = on_date
        esc.outcome = outcome
        esc.outcome_notes = (notes or "").strip() or None


def set_cafcass_checklist(
    engine: Engine, who: Principal, escalation_id: int, items: Mapping[str, bool], *, expected_version: int
) -> None:
    """Tick the documents a CAFCASS referral needs (seed 004 §12), refused when the escalation
    changed since `expected_version` (the version the page rendered)."""
    if not isinstance(items, Mapping) or problems(ints={"expected_version": expected_version}):
        raise EscalationError("Tick the documents on the checklist.", {"items": "Tick the documents."})
    unknown = {str(k) for k in items} - set(CAFCASS_DOCUMENTS)
    if unknown:
        raise EscalationError(f"Unknown CAFCASS documents: {', '.join(sorted(unknown))}.")
    require_escalation(engine, who, escalation_id, write=True)
    with _conflicts_refused(engine, escalation_id), writes(engine, who) as s:
        esc = s.get(m.Escalation, escalation_id)
        if esc is None:
            raise EscalationError(f"Escalation {escalation_id} does not exist.")
        if esc.version != expected_version:
            raise conflict(s, "This escalation", "escalations", escalation_id, EscalationChanged)
        flag_modified(esc, "raised_date")
        esc.cafcass_checklist = {key: bool(items.get(key, False)) for key in CAFCASS_DOCUMENTS}


def cafcass_checklist(engine: Engine, who: Principal, escalation_id: int) -> dict[str, bool]:
    """The documents ticked so far for a CAFCASS referral (empty when none are)."""
    require_escalation(engine, who, escalation_id)
    with Session(engine) as s:
        esc = s.get(m.Escalation, escalation_id)
        if esc is None:
            raise EscalationError(f"Escalation {escalation_id} does not exist.")
        return {key: bool(value) for key, value in (esc.cafcass_checklist or {}).items()}


def cafcass_missing(checklist: Mapping[str, bool] | None) -> list[str]:
    """Labels of the CAFCASS documents not yet ticked."""
    done = checklist or {}
    return [label for key, label in CAFCASS_DOCUMENTS.items() if not done.get(key)]


def history(engine: Engine, who: Principal, escalation_id: int) -> pl.DataFrame:
    """Every stage of one escalation, oldest first."""
    require_escalation(engine, who, escalation_id)
    with Session(engine) as s:
        rows = s.execute(
            select(
                m.EscalationStage.stage,
                m.EscalationStage.stage_name,
                m.EscalationStage.started_date,
                m.EscalationStage.due_date,
                m.EscalationStage.ended_date,
                m.EscalationStage.response,
            )
            .where(m.EscalationStage.escalation_id == escalation_id)
            .order_by(m.EscalationStage.started_date, m.EscalationStage.id)
        ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "stage": pl.Int64,
            "stage_name": pl.String,
            "started_date": pl.Date,
            "due_date": pl.Date,
            "ended_date": pl.Date,
            "response": pl.String,
        },
        orient="row",
    )


_STAGE_SCHEMA = {
    "escalation_id": pl.Int64,
    "sid": pl.Int64,
    "stage": pl.Int64,
    "stage_name": pl.String,
    "stage_started": pl.Date,
    "stage_due_date": pl.Date,
}
_ESC_SCHEMA = {
    "escalation_id": pl.Int64,
    "child_id": pl.String,
    "child_name": pl.String,
    "raised_date": pl.Date,
    "raised_by": pl.String,
    "category": pl.String,
    "concern": pl.String,
    "resolved_date": pl.Date,
    "cafcass_documents_ready": pl.Int64,
    "version": pl.Int64,
}


def open_escalations(engine: Engine, who: Principal, as_of: dt.date, policy: Policy = DEFAULT_POLICY) -> pl.DataFrame:
    """Escalations open on `as_of` about the children `who` may see, one row each with its current
    stage, its age in working days, whether the stage is past its resolution date (overdue, with
    working days over) and the next stage to propose. Sorted by stage, then oldest first (the
    tracker's order)."""
    scope = visible_children(engine, who)
    with Session(engine) as s:
        esc_rows = s.execute(
            select(
                m.Escalation.id,
                m.Escalation.child_id,
                m.Child.display_name,
                m.Escalation.raised_date,
                m.Escalation.raised_by,
                m.Escalation.category,
                m.Escalation.concern,
                m.Escalation.resolved_date,
                m.Escalation.cafcass_checklist,
                m.Escalation.version,
            ).join(m.Child, m.Child.id == m.Escalation.child_id)
        ).all()
        stage_rows = s.execute(
            select(
                m.EscalationStage.escalation_id,
                m.EscalationStage.id,
                m.EscalationStage.stage,
                m.EscalationStage.stage_name,
                m.EscalationStage.started_date,
                m.EscalationStage.due_date,
            )
        ).all()
    # the JSON checklist becomes a count of documents ready (a handful of rows: open escalations)
    esc = restrict(
        pl.DataFrame(
            [(*r[:8], sum(bool(v) for v in (r[8] or {}).values()), r[9]) for r in esc_rows],
            schema=_ESC_SCHEMA,
            orient="row",
        ),
        scope,
    )
    stages = pl.DataFrame([tuple(r) for r in stage_rows], schema=_STAGE_SCHEMA, orient="row").filter(
        pl.col("stage_started") <= as_of
    )
    names = policy.escalation_stage_names
    last = len(names) - 1
    current = stages.sort("escalation_id", "stage_started", "sid").group_by("escalation_id", maintain_order=True).last()
    formal_start = (
        stages.filter(pl.col("stage") >= 1).group_by("escalation_id").agg(pl.col("stage_started").min().alias("fs"))
    )
    today = pl.lit(as_of, dtype=pl.Date)
    overdue = pl.col("stage_due_date").is_not_null() & (pl.col("stage_due_date") < today)
    out = (
        esc.filter(
            (pl.col("raised_date") <= as_of) & (pl.col("resolved_date").is_null() | (pl.col("resolved_date") > as_of))
        )
        .join(current.drop("sid"), on="escalation_id", how="inner")
        .join(formal_start, on="escalation_id", how="left")
        .with_columns(
            age_working_days=working_days_between(pl.col("raised_date"), today),
            stage_working_days=working_days_between(pl.col("stage_started"), today),
            overdue=overdue,
            working_days_overdue=pl.when(overdue).then(working_days_between(pl.col("stage_due_date"), today)),
            formal_working_days=pl.when(pl.col("fs").is_not_null()).then(working_days_between(pl.col("fs"), today)),
            next_stage=pl.when(pl.col("stage") < last).then(pl.col("stage") + 1),
            category_label=pl.col("category").replace_strict(
                ESCALATION_CATEGORIES, default=pl.col("category"), return_dtype=pl.String
            ),
        )
        .with_columns(
            next_stage_name=pl.col("next_stage").replace_strict(
                dict(enumerate(names)), default=None, return_dtype=pl.String
            ),
            formal_over_limit=pl.col("formal_working_days") > policy.formal_process_total_working_days,
        )
        .with_columns(
            status=pl.when(pl.col("overdue") & pl.col("next_stage_name").is_not_null())
            .then(
                pl.format(
                    "OVERDUE by {} working days: propose {}",
                    pl.col("working_days_overdue"),
                    pl.col("next_stage_name"),
                )
            )
            .when(pl.col("overdue"))
            .then(pl.format("OVERDUE by {} working days (last stage)", pl.col("working_days_overdue")))
            .when(pl.col("stage_due_date").is_null())
            .then(pl.lit("Open: no resolution date set"))
            .otherwise(pl.format("Open: resolution due {}", day_expr(pl.col("stage_due_date"))))
        )
        .drop("fs", "resolved_date")
        .sort("stage", "raised_date", "escalation_id")
    )
    return out


def closed_escalations(engine: Engine, who: Principal) -> pl.DataFrame:
    """Closed escalations about the children `who` may see, with outcome and the stage reached (for
    the tracker's history view)."""
    scope = visible_children(engine, who)
    with Session(engine) as s:
        rows = s.execute(
            select(
                m.Escalation.id,
                m.Escalation.child_id,
                m.Escalation.category,
                m.Escalation.raised_date,
                m.Escalation.resolved_date,
                m.Escalation.outcome,
                m.Escalation.outcome_notes,
            ).where(m.Escalation.resolved_date.is_not(None))
        ).all()
    frame = pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "escalation_id": pl.Int64,
            "child_id": pl.String,
            "category": pl.String,
            "raised_date": pl.Date,
            "resolved_date": pl.Date,
            "outcome": pl.String,
            "notes": pl.String,
        },
        orient="row",
    )
    return restrict(frame, scope).sort("resolved_date", descending=True)


def add_good_practice(engine: Engine, who: Principal, child_id: str, noted_date: dt.date, text: str) -> int:
    """Good practice the IRO noticed, to share with managers (seed 003 §14)."""
    bad = problems(dates={"noted_date": noted_date}, texts={"text": text}, limited={"child_id": (child_id, ID_MAX)})
    if bad:
        raise EscalationError("The note is incomplete.", bad)
    if not child_id:
        raise EscalationError("Choose the child the note is about.", {"child_id": "Choose a child."})
    require_child(engine, who, child_id, write=True)
    if not text or not text.strip() or noted_date is None:
        raise EscalationError("Describe the good practice.", {"text": "Describe the good practice."})
    with writes(engine, who) as s:
        if s.get(m.Child, child_id) is None:
            raise EscalationError(f"No child with id {child_id!r}.")
        note = m.GoodPractice(child_id=child_id, noted_date=noted_date, author=who.name, text=text.strip())
        s.add(note)
        s.flush()
        return note.id


def good_practice(engine: Engine, who: Principal) -> pl.DataFrame:
    """Good practice noted about the children `who` may see, newest first."""
    scope = visible_children(engine, who)
    with Session(engine) as s:
        rows = s.execute(
            select(m.GoodPractice.noted_date, m.GoodPractice.child_id, m.GoodPractice.author, m.GoodPractice.text)
        ).all()
    frame = pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"noted_date": pl.Date, "child_id": pl.String, "author": pl.String, "text": pl.String},
        orient="row",
    )
    return restrict(frame, scope).sort("noted_date", descending=True)


def prefill_from_flag(
    engine: Engine, who: Principal, child_id: str, code: str, as_of: dt.date, policy: Policy = DEFAULT_POLICY
) -> dict[str, str] | None:
    """What an escalation raised from the flag `code` on the child starts with: the flag's category
    and, as the concern, the flag's own sentence (e.g. "2 recommendations are past their target
    date ..."). None when the child does not have that flag on `as_of`. Reading the child's flags
    is a view of their record: checked and audited."""
    read_child(engine, who, child_id, "escalations")
    flags = child_result(engine, child_id, as_of, policy).flags
    rows = flags.filter((pl.col("child_id") == child_id) & (pl.col("code") == code))
    if rows.is_empty():
        return None
    return {
        "category": FLAG_ESCALATION_CATEGORY.get(code, "plan_delay"),
        "concern": f"{code}: {rows.get_column('reason')[0]}.",
    }


def current_stage(engine: Engine, who: Principal, escalation_id: int) -> tuple[str, dt.date | None]:
    """(stage name, resolution date) of the escalation's current stage, for the after-save message."""
    require_escalation(engine, who, escalation_id)
    with Session(engine) as s:
        esc = s.get(m.Escalation, escalation_id)
        if esc is None or not esc.stages:
            raise EscalationError(f"Escalation {escalation_id} does not exist.")
        stage = esc.stages[-1]
        return stage.stage_name, stage.due_date
