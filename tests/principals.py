"""The acting users tests pass to services (services.access.Principal), in one place."""

from __future__ import annotations

from services.access import IRO, SERVICE_MANAGER, TEAM_MANAGER, Principal


def as_manager(name: str = "Sue Manager") -> Principal:
    """A service manager by `name`: sees and changes every child, so a test about what a service
    does is not about roles (tests of the role rules use `as_iro` / `as_team_manager`)."""
    return Principal(name, SERVICE_MANAGER)


def as_iro(name: str, staff_id: int) -> Principal:
    return Principal(name, IRO, staff_id=staff_id)


def as_team_manager(name: str, team_id: int) -> Principal:
    return Principal(name, TEAM_MANAGER, team_id=team_id)


MANAGER = as_manager()
