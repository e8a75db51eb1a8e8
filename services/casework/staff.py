"""Who can sign in by name when the app has no OIDC login (the embedded demo, a pilot).

The names come from the staff table, so an IRO imported today can sign in today: the page
caches this list by the data version, never for the life of the process.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.persistence import models as m

SIGN_IN_ROLES = ("iro", "service_manager")  # the people who record casework


def sign_in_names(engine: Engine) -> list[str]:
    """Display names of the IROs and service managers, sorted."""
    with Session(engine) as s:
        rows = s.scalars(
            select(m.Staff.display_name).where(m.Staff.role.in_(SIGN_IN_ROLES)).order_by(m.Staff.display_name)
        ).all()
    return list(rows)
