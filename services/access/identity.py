"""Who a sign-in is: the staff row an OIDC email matches, or the people demo mode offers to act as."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services.access import Principal
from services.persistence import models as m


def _principal(row: m.Staff, *, demo: bool = False) -> Principal:
    return Principal(row.display_name, row.role, row.id, row.team_id, row.email, demo)


def normalise_email(email: str | None) -> str | None:
    """Emails are stored and matched lower-case and trimmed (a provider may send `Jo.Bloggs@...`)."""
    text = (email or "").strip().lower()
    return text or None


def principal_for_email(engine: Engine, email: str | None) -> Principal | None:
    """The active staff member whose email matches (case-insensitively), or None: an unknown
    email is "not set up in Midway", never a guess."""
    key = normalise_email(email)
    if key is None:
        return None
    with Session(engine) as s:
        row = s.scalars(
            select(m.Staff).where(func.lower(m.Staff.email) == key, m.Staff.active.is_not(False))
        ).one_or_none()
        return None if row is None else _principal(row)


def demo_principals(engine: Engine) -> dict[str, Principal]:
    """Everyone demo mode offers to act as, by staff code: active staff of every role but social
    worker, by role then name (social workers have nothing to do in Midway yet)."""
    with Session(engine) as s:
        rows = s.scalars(
            select(m.Staff)
            .where(m.Staff.active.is_not(False), m.Staff.role != "social_worker")
            .order_by(m.Staff.role, m.Staff.display_name)
        ).all()
        return {r.code: _principal(r, demo=True) for r in rows}
