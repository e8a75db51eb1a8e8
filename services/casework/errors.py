"""Why a casework action was refused, as types and attributes a page can act on without reading
the message's words: `errors` puts a message under each field, `EditConflict` offers a reload."""

from __future__ import annotations


class Refused(ValueError):
    """Nothing was written. `errors` maps field keys to the message drawn under that field."""

    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.errors: dict[str, str] = dict(errors or {})


class EditConflict(Refused):
    """Someone else saved the record after the user opened it: nothing was overwritten, and
    reloading shows their version. `changed_by` / `changed_at` name who saved first and when."""

    changed_by: str | None = None
    changed_at: object = None
