"""Who is acting, as the service layer sees them (issue 12).

Every service read and write takes a `Principal`: the signed-in user matched to the staff table
(OIDC), or the person chosen in demo mode. The rules of what each role may see and change live
beside it, so hiding a widget is never the only guard.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """The acting user. `role` is a code of `services.vocabulary.STAFF_ROLE_LABELS`; `staff_id`
    and `team_id` tie an IRO or team manager to their children."""

    name: str
    role: str
    staff_id: int | None = None
    team_id: int | None = None
    email: str | None = None
