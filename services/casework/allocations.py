"""IRO allocations made in Midway (DOMAIN §3 "Appointment", issue 14).

A council that feeds Midway from a 903 return or a case-system extract has no allocations; the
service manager records them here. The history is kept: a change of IRO closes the current
allocation the day before the new one starts (`to_date`) and opens a new row, with the reason for
the change. Siblings share one IRO unless an exception is recorded on the child
(`Child.sibling_iro_exception` with its reason): the allocation is refused when it would leave a
sibling with another IRO and no exception, so SIBLINGS_SPLIT is only ever raised by data that came
from elsewhere. The engine reads the rows at once (IRO_NOT_ALLOCATED, SIBLINGS_SPLIT).

A save names the rendered form (`submission_id`, a uuid the page derives from the session and the
answers): the same submission twice (a double click) allocates once, enforced by a unique
(submission, child) index, and the repeat returns what the first one saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.access import MANAGERS, SERVICE_MANAGER, Principal, read_child, require_role
from services.access.demo import writes
from services.casework.conflicts import conflict
from services.casework.errors import EditConflict, Refused
from services.casework.fields import ID_MAX, SUBMISSION_MAX, problems
from services.dates import day
from services.engine.allocation import allocations_on, looked_after_on
from services.engine.caseload import Caseload
from services.engine.policy import Policy
from services.engine.workdays import add_working_days_expr, working_days_between
from services.persistence import models as m

DEFAULT_POLICY = Policy()  # frozen: safe as a shared default
ONE_DAY = dt.timedelta(days=1)


class AllocationError(Refused):
    """A refused allocation; `errors` maps field keys to the message under each field."""


class AllocationChanged(AllocationError, EditConflict):
    """The child's IRO allocations changed since the form was rendered (someone allocated first)."""


@dataclass(frozen=True)
class Allocated:
    """What was saved: one allocation row per child allocated (a sibling who already had this IRO
    is left as it was), ids in the order of `child_ids`. `repeated`: this submission had been saved
    already (a double click) and nothing more was written; then `exception_recorded` is False."""

    allocation_ids: tuple[int, ...]
    child_ids: tuple[str, ...]
    iro: str
    from_date: dt.date
    exception_recorded: bool
    repeated: bool = False


# --- reading -------------------------------------------------------------------------------------


def waiting_for_iro(caseload: Caseload, as_of: dt.date, policy: Policy = DEFAULT_POLICY) -> pl.DataFrame:
    """Children looked after on `as_of` with no IRO allocated then, oldest first (the period of care
    that started longest ago), with the date an IRO is due by (period start + 5 working days) and the
    working days left (0: due today; negative: that many working days overdue)."""
    la = looked_after_on(caseload, as_of).select("child_id", pl.col("observed_from").alias("period_from"))
    current = allocations_on(caseload, as_of).select("child_id", "iro", "iro_code")
    children = caseload.children.select("child_id", "display_name", "sibling_group", "sibling_iro_exception")
    due = add_working_days_expr(pl.col("period_from"), policy.iro_allocation_working_days)
    return (
        la.join(current, on="child_id", how="left")
        .filter(pl.col("iro_code").is_null() & pl.col("iro").is_null())
        .join(children, on="child_id", how="left")
        .with_columns(due.alias("iro_due"))
        .with_columns(working_days_left=working_days_between(pl.lit(as_of), pl.col("iro_due")))
        .select(
            "child_id",
            "display_name",
            "period_from",
            "iro_due",
            "working_days_left",
            "sibling_group",
            pl.col("sibling_iro_exception").fill_null(False),
        )
        .sort("period_from", "child_id")
    )


def iros(engine: Engine, who: Principal) -> pl.DataFrame:
    """The active IROs: code, name, FTE (the Allocations page is a manager's: refused otherwise)."""
    require_role(who, MANAGERS, "see allocations")
    with Session(engine) as s:
        rows = s.execute(
            select(m.Staff.code, m.Staff.display_name, m.Staff.fte)
            .where(m.Staff.role == "iro", m.Staff.active.is_not(False))
            .order_by(m.Staff.display_name)
        ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows], schema={"iro_code": pl.String, "iro": pl.String, "fte": pl.Float64}, orient="row"
    )


def iro_loads(caseload: Caseload, staff: pl.DataFrame, as_of: dt.date, policy: Policy = DEFAULT_POLICY) -> pl.DataFrame:
    """Each active IRO (`staff` from `iros`) with the children looked after and allocated to them on
    `as_of`, per FTE, against the IRO Handbook's range (DOMAIN §9): below / within / above range."""
    la = looked_after_on(caseload, as_of).select("child_id")
    current = allocations_on(caseload, as_of).join(la, on="child_id", how="semi")
    counts = current.filter(pl.col("iro_code").is_not_null()).group_by("iro_code").agg(children=pl.len())
    lo, hi = policy.iro_caseload_min, policy.iro_caseload_max
    per_fte = (pl.col("children") / pl.col("fte").fill_null(1.0).clip(lower_bound=0.1)).round(1)
    return (
        staff.join(counts, on="iro_code", how="left")
        .with_columns(pl.col("children").fill_null(0).cast(pl.Int64))
        .with_columns(per_fte=per_fte)
        .with_columns(
            range_status=pl.when(pl.col("per_fte") < lo)
            .then(pl.lit("below range"))
            .when(pl.col("per_fte") > hi)
            .then(pl.lit("above range"))
            .otherwise(pl.lit("within range"))
        )
        .sort("per_fte", "iro")
    )


def siblings_of(caseload: Caseload, child_id: str, as_of: dt.date) -> pl.DataFrame:
    """The child's siblings looked after on `as_of` (same sibling group), with their current IRO."""
    ch = caseload.children
    group = ch.filter(pl.col("child_id") == child_id).get_column("sibling_group")
    if group.is_empty() or group[0] is None:
        return pl.DataFrame(
            schema={"child_id": pl.String, "display_name": pl.String, "iro": pl.String, "iro_code": pl.String}
        )
    la = looked_after_on(caseload, as_of).select("child_id")
    return (
        ch.filter((pl.col("sibling_group") == group[0]) & (pl.col("child_id") != child_id))
        .join(la, on="child_id", how="semi")
        .join(allocations_on(caseload, as_of).select("child_id", "iro", "iro_code"), on="child_id", how="left")
        .select("child_id", "display_name", "iro", "iro_code")
        .sort("child_id")
    )


def allocation_history(engine: Engine, who: Principal, child_id: str) -> pl.DataFrame:
    """The child's IRO allocations, newest first: IRO, from, to (null = current) and reason (a
    view of the child's record: checked and audited)."""
    read_child(engine, who, child_id, "allocations")
    with Session(engine) as s:
        rows = s.execute(
            select(m.Staff.display_name, m.Allocation.from_date, m.Allocation.to_date, m.Allocation.reason)
            .join(m.Staff, m.Staff.id == m.Allocation.staff_id)
            .where(m.Allocation.child_id == child_id, m.Allocation.role == "iro")
            .order_by(m.Allocation.from_date.desc())
        ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"iro": pl.String, "from_date": pl.Date, "to_date": pl.Date, "reason": pl.String},
        orient="row",
    )


# --- writing -------------------------------------------------------------------------------------


def _current_iro(s: Session, child_id: str, on: dt.date) -> m.Allocation | None:
    """The child's IRO allocation open on `on` or starting after it (the latest)."""
    rows = s.scalars(
        select(m.Allocation)
        .where(m.Allocation.child_id == child_id, m.Allocation.role == "iro")
        .where((m.Allocation.to_date.is_(None)) | (m.Allocation.to_date >= on))
        .order_by(m.Allocation.from_date)
    ).all()
    return rows[-1] if rows else None


def _by_submission(db: Session | Engine, submission_id: str | None) -> Allocated | None:
    """What the submission saved, when it has been saved (read on the open session when given)."""
    if submission_id is None:
        return None
    query = (
        select(m.Allocation.id, m.Allocation.child_id, m.Allocation.from_date, m.Staff.display_name)
        .join(m.Staff, m.Staff.id == m.Allocation.staff_id)
        .where(m.Allocation.submission_id == submission_id)
        .order_by(m.Allocation.id)
    )
    if isinstance(db, Session):
        rows = db.execute(query).all()
    else:
        with Session(db) as s:
            rows = s.execute(query).all()
    if not rows:
        return None
    return Allocated(tuple(r[0] for r in rows), tuple(r[1] for r in rows), rows[0][3], rows[0][2], False, True)


def _check_seen(s: Session, child_id: str, seen: int, submission_id: str | None) -> Allocated | None:
    """Refuse when the child's IRO allocations are no longer the `seen` ones, unless this very
    submission made them (then what it saved). Allocations are only ever added (a change closes the
    old row and adds one), so their number is the version. The child's row is locked first (a no-op
    UPDATE: PostgreSQL holds the row lock, SQLite the write lock, to the commit), so two allocations
    racing on one form are counted one after the other, and a repeat finds the first one's rows."""
    children = m.Child.__table__
    s.execute(update(children).where(children.c.id == child_id).values(display_name=children.c.display_name))
    if (landed := _by_submission(s, submission_id)) is not None:
        return landed
    where = (m.Allocation.child_id == child_id, m.Allocation.role == "iro")
    if s.scalar(select(func.count()).select_from(m.Allocation).where(*where)) == seen:
        return None
    newest = s.scalar(select(m.Allocation.id).where(*where).order_by(m.Allocation.id.desc()).limit(1))
    raise conflict(s, f"{child_id}'s IRO allocation", "allocations", newest, AllocationChanged)


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def allocate_iro(
    engine: Engine,
    who: Principal,
    child_id: str,
    *,
    iro_code: str | None,
    from_date: dt.date | None,
    reason: str | None = None,
    siblings: Sequence[str] = (),
    exception_reason: str | None = None,
    as_of: dt.date,
    seen_allocations: int,
    submission_id: str | None = None,
) -> Allocated:
    """Allocate the IRO `iro_code` to the child from `from_date`, and to each of `siblings` (the
    siblings offered together). A child who already has another IRO is reassigned: the current
    allocation ends the day before, and `reason` is required. A looked-after sibling left with a
    different IRO needs `exception_reason`, recorded on the child as the sibling exception.
    All or nothing; attributed to `who`, a service manager.

    `seen_allocations` is how many IRO allocations the form showed in the child's history (its
    version: every allocation adds a row): when another allocation landed meanwhile, the save is
    refused as `AllocationChanged` naming who allocated, instead of reassigning over it.

    `submission_id` identifies the rendered form: when it has been saved already (a double click),
    nothing more is written and what it saved is returned with `repeated=True`."""
    require_role(who, (SERVICE_MANAGER,), "allocate IROs")
    errors = problems(
        dates={"from_date": from_date, "as_of": as_of},
        texts={"reason": reason, "exception_reason": exception_reason},
        limited={
            "iro": (iro_code, ID_MAX),
            "child_id": (child_id, ID_MAX),
            "submission_id": (submission_id, SUBMISSION_MAX),
        },
        ints={"seen_allocations": seen_allocations},
    )
    if not isinstance(siblings, list | tuple) or problems(
        limited={str(i): (c, ID_MAX) for i, c in enumerate(siblings)}
    ):
        errors["siblings"] = "Choose the siblings from the list."
    if as_of is None:
        errors["as_of"] = "The date today is missing: reload the page."
    if errors:
        raise AllocationError("The allocation is incomplete.", errors)
    if not iro_code:
        errors["iro"] = "Choose the IRO."
    if from_date is None:
        errors["from_date"] = "Enter the date the IRO is allocated from."
    elif from_date > as_of + dt.timedelta(days=31):
        errors["from_date"] = "The allocation cannot start more than a month ahead."
    if errors:
        raise AllocationError("The allocation is incomplete.", errors)
    assert from_date is not None and iro_code is not None
    if (landed := _by_submission(engine, submission_id)) is not None:
        return landed  # a repeat of a saved submission: nothing more to do
    ids = [child_id, *[c for c in dict.fromkeys(siblings) if c != child_id]]
    try:
        return _allocate(
            engine,
            who,
            child_id,
            ids,
            iro_code,
            from_date,
            reason,
            exception_reason,
            as_of,
            seen_allocations,
            submission_id,
        )
    except IntegrityError:  # a sibling's allocation raced this one (unique child, role, from date)
        if (landed := _by_submission(engine, submission_id)) is not None:
            return landed  # the same submission landed meanwhile (unique submission and child)
        raise AllocationError(
            "Another allocation for these children was saved at the same moment; nothing was saved. Reload the page.",
            {"iro": "Reload to see the allocation saved meanwhile."},
        ) from None


def _allocate(
    engine: Engine,
    who: Principal,
    child_id: str,
    ids: list[str],
    iro_code: str,
    from_date: dt.date,
    reason: str | None,
    exception_reason: str | None,
    as_of: dt.date,
    seen_allocations: int,
    submission_id: str | None,
) -> Allocated:
    with writes(engine, who) as s:
        iro = s.scalars(select(m.Staff).where(m.Staff.code == iro_code, m.Staff.role == "iro")).one_or_none()
        if iro is None or iro.active is False:
            raise AllocationError("That IRO is not on the staff list.", {"iro": "Choose an active IRO."})
        child = s.get(m.Child, child_id)
        if child is None:
            raise AllocationError(f"No child with id {child_id!r}.", {"child_id": "Unknown child."})
        if (landed := _check_seen(s, child_id, seen_allocations, submission_id)) is not None:
            return landed
        # the sibling rule first: nothing is written if it refuses
        group = child.sibling_group
        others: list[m.Child] = []
        if group is not None:
            others = list(
                s.scalars(select(m.Child).where(m.Child.sibling_group == group, m.Child.id != child_id)).all()
            )
        unknown = [c for c in ids[1:] if c not in {o.id for o in others}]
        if unknown:
            raise AllocationError(
                f"{', '.join(unknown)} is not a sibling of {child_id}.", {"siblings": "Not a sibling of this child."}
            )
        left_apart = []
        for sib in others:
            if sib.id in ids or sib.sibling_iro_exception or child.sibling_iro_exception:
                continue  # allocated together, or an exception is already recorded for either
            cur = _current_iro(s, sib.id, from_date)
            if cur is not None and cur.staff_id != iro.id and cur.from_date <= max(from_date, as_of):
                left_apart.append(f"{sib.id} ({s.get(m.Staff, cur.staff_id).display_name})")
        exception = bool(left_apart)
        if exception and _blank(exception_reason):
            raise AllocationError(
                "Siblings share one IRO unless an exception is recorded: "
                f"{', '.join(left_apart)} would have a different IRO. Allocate them together, or record why.",
                {"exception_reason": "Record why these siblings have different IROs, or allocate them together."},
            )
        saved: list[int] = []
        changed: list[str] = []
        for cid in ids:
            cur = _current_iro(s, cid, from_date)
            if cur is not None and cur.staff_id == iro.id:
                if cid == child_id:
                    raise AllocationError(
                        f"{iro.display_name} is already the IRO of {cid} (from {day(cur.from_date)}).",
                        {"iro": "Already this child's IRO."},
                    )
                continue  # a sibling who already has this IRO: nothing to change
            if cur is not None:
                if _blank(reason):
                    raise AllocationError(
                        f"{cid} already has an IRO: a change of IRO needs a reason.",
                        {"reason": "Give the reason for the change of IRO."},
                    )
                if cur.from_date >= from_date:
                    raise AllocationError(
                        f"{cid}'s current IRO allocation starts {day(cur.from_date)}: the new one must start after it.",
                        {"from_date": f"Must be after {day(cur.from_date)}."},
                    )
                cur.to_date = from_date - ONE_DAY
            row = m.Allocation(
                child_id=cid,
                role="iro",
                staff_id=iro.id,
                from_date=from_date,
                reason=None if cur is None else (reason or "").strip(),
                submission_id=submission_id,
            )
            s.add(row)
            s.flush()
            saved.append(row.id)
            changed.append(cid)
        if exception:
            child.sibling_iro_exception = True
            child.sibling_iro_exception_reason = (exception_reason or "").strip()
        return Allocated(tuple(saved), tuple(changed), iro.display_name, from_date, exception)
