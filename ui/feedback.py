"""The casework pages' feedback: one notice at the top of the page (saved / refused / edited by
someone else) and a message under each field that needs attention.

Saves run in submit callbacks, before the page redraws, so the callback records the outcome in
session state and the redraw shows it: `Feedback.record`/`refused` in the callback, `show` and
`field` while drawing. What to show is decided from the exception's type and attributes
(`services.casework.errors`: `errors` per field, `EditConflict` offers a reload), never from
its words. Every notice is shown as plain text (`ui.text.md`): callers pass the words, never
Markdown (an exception's words may quote a name or what was typed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import streamlit as st

from services.casework.errors import EditConflict, Refused
from ui.text import md

Kind = Literal["success", "info", "error"]


@dataclass(frozen=True)
class Notice:
    kind: Kind
    text: str
    reload: bool = False  # someone else saved: offer to reload their version


class Feedback:
    """Notice and field messages of one form on a page (`page` names the notice shared by the
    page's forms; `form` keeps each form's field messages apart)."""

    def __init__(self, page: str, form: str = "") -> None:
        self._notice_key = f"{page}_notice"
        self._errors_key = f"{page}_errors" + (f"_{form}" if form else "")

    # --- in a callback ---------------------------------------------------------------------------

    def record(self, kind: Kind, text: str) -> None:
        """A notice for the next redraw; clears this form's field messages."""
        st.session_state[self._notice_key] = Notice(kind, text)
        st.session_state[self._errors_key] = {}

    def refused(self, exc: Exception, message: str | None = None) -> None:
        """A refused save: its field messages, and a notice (`message`, else "Nothing was saved: ..."
        with the exception's words; a concurrent edit shows its own words and a reload button)."""
        conflict = isinstance(exc, EditConflict)
        text = message or (str(exc) if conflict else f"Nothing was saved: {exc}")
        st.session_state[self._notice_key] = Notice("error", text, reload=conflict)
        st.session_state[self._errors_key] = dict(exc.errors) if isinstance(exc, Refused) else {}

    def field_errors(self, errors: Mapping[str, str], message: str) -> None:
        """Field messages found by the page itself (e.g. no child chosen) with their notice."""
        st.session_state[self._notice_key] = Notice("error", message)
        st.session_state[self._errors_key] = dict(errors)

    def clear(self) -> None:
        st.session_state.pop(self._notice_key, None)
        st.session_state.pop(self._errors_key, None)

    # --- while drawing ---------------------------------------------------------------------------

    @property
    def errors(self) -> dict[str, str]:
        return st.session_state.get(self._errors_key, {})

    def show(self, *, keep: bool = False, on_reload: Callable[[], None] | None = None, key: str = "") -> None:
        """Draw the notice (once, unless `keep`); after a concurrent edit, a reload button that
        calls `on_reload`."""
        notice: Notice | None = (
            st.session_state.get(self._notice_key) if keep else st.session_state.pop(self._notice_key, None)
        )
        if notice is None:
            return
        getattr(st, notice.kind)(md(notice.text))  # the exception's words may quote names or typed text
        if notice.reload and on_reload is not None:
            st.button(
                "Reload the saved version",
                on_click=on_reload,
                key=key or f"{self._notice_key}_reload",
                icon=":material/refresh:",
            )

    def field(self, key: str) -> None:
        """The message for field `key`, drawn right under it."""
        message = self.errors.get(key)
        if message:
            st.error(message, icon=":material/error:")
