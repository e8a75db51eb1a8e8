"""Cover: a manager lets an IRO act for another IRO's children, or for one child, until an end date.

The grant is what `services.access.visible_children` reads; it always ends (an open-ended cover
would become a silent reallocation), and only managers grant it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, aliased

from services.access import IRO, MANAGERS, NotAllowed, Principal, require_role
from services.access.demo import writes
from services.casework.errors import Refused
from services.persistence import models as m

MAX_COVER_DAYS = 366  # cover longer than a year is a reallocation: use the Allocations page


def grant_cover(
    engine: Engine,
    who: Principal,
    *,
    iro_code: str | None,
    of_iro_code: str | None = None,
    child_id: str | None = None,
    from_date: dt.date,
    to_date: dt.date | None,
    reason: str | None = None,
) -> int:
    """Record the grant (attributed to `who`, a manager) and return its id."""
    require_role(who, MANAGERS, "grant cover")
    errors: dict[str, str] = {}
    if not iro_code:
        errors["iro"] = "Choose the IRO who covers."
    if (of_iro_code is None) == (child_id is None):
        errors["target"] = "Choose either the IRO whose children are covered or one child."
    if to_date is None:
        errors["to_date"] = "Cover needs an end date."
    elif to_date < from_date:
        errors["to_date"] = "The end date is before the start."
    elif (to_date - from_date).days > MAX_COVER_DAYS:
        errors["to_date"] = "Cover longer than a year is a reallocation: allocate the IRO instead."
    if of_iro_code is not None and of_iro_code == iro_code:
        errors["target"] = "An IRO cannot cover their own children."
    if errors:
        raise Refused("The cover is incomplete.", errors)
    with writes(engine, who) as s:
        iros = {r.code: r for r in s.scalars(select(m.Staff).where(m.Staff.role == IRO, m.Staff.active.is_not(False)))}
        if iro_code not in iros or (of_iro_code is not None and of_iro_code not in iros):
            raise Refused("That IRO is not on the staff list.", {"iro": "Choose an active IRO."})
        if child_id is not None and s.get(m.Child, child_id) is None:
            raise NotAllowed(f"Child {child_id} is not in the data.")
        grant = m.CoverGrant(
            staff_id=iros[iro_code].id,
            of_staff_id=iros[of_iro_code].id if of_iro_code else None,
            child_id=child_id,
            from_date=from_date,
            to_date=to_date,
            granted_by=who.name,
            reason=(reason or "").strip() or None,
        )
        s.add(grant)
        s.flush()
        return grant.id


def cover_grants(engine: Engine, who: Principal, on: dt.date | None = None) -> pl.DataFrame:
    """Grants in force on `on` or later (managers only): who covers whom, from, to, granted by."""
    require_role(who, MANAGERS, "see cover grants")
    day = on or dt.date.today()
    cover, of = aliased(m.Staff), aliased(m.Staff)
    with Session(engine) as s:
        rows = s.execute(
            select(
                cover.display_name, of.display_name, m.CoverGrant.child_id, m.CoverGrant.from_date,
                m.CoverGrant.to_date, m.CoverGrant.granted_by, m.CoverGrant.reason,
            )
            .join(cover, cover.id == m.CoverGrant.staff_id)
            .outerjoin(of, of.id == m.CoverGrant.of_staff_id)
            .where(m.CoverGrant.to_date >= day)
            .order_by(m.CoverGrant.from_date, m.CoverGrant.id)
        ).all()  # fmt: skip
    schema = {
        "covering_iro": pl.String, "for_iro": pl.String, "child_id": pl.String, "from_date": pl.Date,
        "to_date": pl.Date, "granted_by": pl.String, "reason": pl.String,
    }  # fmt: skip
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")
