"""Who is acting, and what they may see and change (issue 12).

Every service read and write takes a `Principal`: the signed-in user matched to the staff table
(OIDC), or the person chosen in demo mode. The rules live here, once, and the services call them,
so hiding a widget is never the only guard:

- IRO: sees and edits the children allocated to them today, plus the cover a manager granted them
  (another IRO's children, or one child) until its end date;
- team manager: reads (never edits) the children their team holds today;
- service manager: everything;
- admin: imports, settings and demo data, no child's record;
- social worker: nothing in Midway yet (social workers report events to the IRO).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl
from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.orm import Session

from services.casework.errors import Refused
from services.persistence import models as m
from services.persistence.audit import audit_view
from services.vocabulary import STAFF_ROLE_LABELS

IRO, SOCIAL_WORKER, TEAM_MANAGER, SERVICE_MANAGER, ADMIN = (
    "iro",
    "social_worker",
    "team_manager",
    "service_manager",
    "admin",
)
ALL: Literal["all"] = "all"
Scope = frozenset[str] | Literal["all"]

MANAGERS = (SERVICE_MANAGER,)  # the Allocations page, cover grants, heatmap, caseloads, reports
DASHBOARD_ROLES = (IRO, TEAM_MANAGER, SERVICE_MANAGER)  # who sees children (their own, their team's, all)


@dataclass(frozen=True)
class Principal:
    """The acting user. `role` is a code of `services.vocabulary.STAFF_ROLE_LABELS`; `staff_id`
    and `team_id` tie an IRO or team manager to their children. `demo` is True for the person
    chosen in demo mode: their writes keep the database's demo mark (services.access.demo)."""

    name: str
    role: str
    staff_id: int | None = None
    team_id: int | None = None
    email: str | None = None
    demo: bool = False


class NotAllowed(Refused):
    """The acting user's role does not allow this; nothing was read or written."""


def _today(on: dt.date | None) -> dt.date:
    return on or dt.date.today()


def _held(on: dt.date):  # an allocation or grant in force on `on`
    return and_(m.Allocation.from_date <= on, or_(m.Allocation.to_date.is_(None), m.Allocation.to_date >= on))


def iro_children(s: Session, staff_ids: list[int], on: dt.date) -> set[str]:
    """Children allocated to any of `staff_ids` as their IRO on `on`."""
    if not staff_ids:
        return set()
    q = select(m.Allocation.child_id).where(m.Allocation.role == IRO, m.Allocation.staff_id.in_(staff_ids), _held(on))
    return set(s.scalars(q))


def covered(s: Session, staff_id: int, on: dt.date) -> tuple[list[int], set[str]]:
    """(the IROs whose children `staff_id` covers on `on`, the single children they cover)."""
    rows = s.execute(
        select(m.CoverGrant.of_staff_id, m.CoverGrant.child_id).where(
            m.CoverGrant.staff_id == staff_id, m.CoverGrant.from_date <= on, m.CoverGrant.to_date >= on
        )
    ).all()
    return [r[0] for r in rows if r[0] is not None], {r[1] for r in rows if r[1] is not None}


def visible_children(engine: Engine, who: Principal, on: dt.date | None = None) -> Scope:
    """The ids of the children `who` may see on `on` (default today), or ALL."""
    day = _today(on)
    if who.role == SERVICE_MANAGER:
        return ALL
    with Session(engine) as s:
        if who.role == IRO and who.staff_id is not None:
            others, single = covered(s, who.staff_id, day)
            return frozenset(iro_children(s, [who.staff_id, *others], day) | single)
        if who.role == TEAM_MANAGER and who.team_id is not None:
            q = select(m.Allocation.child_id).where(
                m.Allocation.role == "team", m.Allocation.team_id == who.team_id, _held(day)
            )
            return frozenset(s.scalars(q))
    return frozenset()


def may_edit(who: Principal) -> bool:
    """Whether `who`'s role records casework at all (team managers read only)."""
    return who.role in (IRO, SERVICE_MANAGER)


def sees(scope: Scope, child_id: str) -> bool:
    return scope == ALL or child_id in scope


def require_child(
    engine: Engine, who: Principal, child_id: str, *, write: bool = False, on: dt.date | None = None
) -> None:
    """Refuse (`NotAllowed`, a plain message) unless `who` may see, or with `write` change, the
    child's record. The message never says whether the child exists: an unknown id and another
    IRO's child read the same."""
    if write and not may_edit(who):
        raise NotAllowed(f"{_role_label(who)}s can read this record but not change it.")
    if not sees(visible_children(engine, who, on), child_id):
        raise NotAllowed(
            f"Child {child_id} is not one of yours, so Midway does not show or change their record. "
            "If you are covering for a colleague, ask your manager to grant you cover."
        )


def require_role(who: Principal, roles: tuple[str, ...], doing: str) -> None:
    """Refuse unless `who` has one of `roles`; `doing` completes "Only ... can ..."."""
    if who.role not in roles:
        names = " and ".join(_label(r).lower() + "s" for r in roles)
        raise NotAllowed(f"Only {names} can {doing}.")


def restrict(frame: pl.DataFrame, scope: Scope, column: str = "child_id") -> pl.DataFrame:
    """The rows of `frame` about children in `scope`."""
    if scope == ALL:
        return frame
    return frame.filter(pl.col(column).is_in(sorted(scope)))


def _label(role: str) -> str:
    return STAFF_ROLE_LABELS.get(role, role)


def _role_label(who: Principal) -> str:
    return _label(who.role)


def read_child(engine: Engine, who: Principal, child_id: str, page: str) -> None:
    """`require_child` for reading one child's record on `page`, then the view's audit row
    (services.persistence.audit.audit_view: once per actor, child and page in ten minutes)."""
    require_child(engine, who, child_id)
    audit_view(engine, who.name, child_id, page)
