"""Who a sign-in is: the staff row an OIDC email matches, or the people demo mode offers to act as."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services.access import ADMIN, Principal
from services.persistence import models as m


def _principal(row: m.Staff, *, demo: bool = False) -> Principal:
    return Principal(row.display_name, row.role, row.id, row.team_id, row.email, demo)


def normalise_email(email: str | None) -> str | None:
    """Emails are stored and matched lower-case and trimmed (a provider may send `Jo.Bloggs@...`)."""
    text = (email or "").strip().lower()
    return text or None


def principal_for_email(
    engine: Engine, email: str | None, admins: frozenset[str] = frozenset(), name: str | None = None
) -> Principal | None:
    """The active staff member whose email matches (case-insensitively); else, for an email in
    `admins` (the deployment's bootstrap administrators), an administrator named `name`; else None:
    an unknown email is "not set up in Midway", never a guess."""
    key = normalise_email(email)
    if key is None:
        return None
    with Session(engine) as s:
        row = s.scalars(
            select(m.Staff).where(func.lower(m.Staff.email) == key, m.Staff.active.is_not(False))
        ).one_or_none()
        if row is not None:
            return _principal(row)
    return Principal(name or key, ADMIN, email=key) if key in admins else None


DEMO_ADMIN = "demo-admin"  # demo mode's administrator when the staff list has none (an empty database)


def demo_principals(engine: Engine) -> dict[str, Principal]:
    """Everyone demo mode offers to act as, by staff code: active staff of every role but social
    worker, by role then name (social workers have nothing to do in Midway yet); and, while no
    administrator is on the staff list, a demo administrator (to load the demo or try an import)."""
    with Session(engine) as s:
        rows = s.scalars(
            select(m.Staff)
            .where(m.Staff.active.is_not(False), m.Staff.role != "social_worker")
            .order_by(m.Staff.role, m.Staff.display_name)
        ).all()
        people = {r.code: _principal(r, demo=True) for r in rows}
    if not any(p.role == ADMIN for p in people.values()):
        people[DEMO_ADMIN] = Principal("Midway administrator (demo)", ADMIN, demo=True)
    return people
