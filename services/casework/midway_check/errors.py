"""Why a save was refused, as types the page can tell apart without reading the words."""

from __future__ import annotations

import datetime as dt

from services.casework.errors import EditConflict, Refused
from services.casework.midway_check.answers import local_time


class ValidationError(Refused):
    """The answers are incomplete; `errors` maps each field key to the message shown under it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)


class ConcurrentEditError(EditConflict):
    """Someone saved this check after the user opened it: the save is refused, nothing overwritten."""

    def __init__(self, author: str | None, at: dt.datetime | None):
        when = local_time(at).strftime("%H:%M") if at else "an unknown time"
        super().__init__(
            f"This check was saved by {author or 'another user'} at {when} since you opened it; "
            "nothing was overwritten. Reload to see their version."
        )
        self.author = author
        self.at = at
        self.changed_by, self.changed_at = author, at
