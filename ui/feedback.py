"""The casework pages' feedback: one notice at the top of the page (saved / refused / edited by
someone else) and a message under each field that needs attention.

Saves run in submit callbacks, before the page redraws, so the callback records the outcome in
session state and the redraw shows it: `Feedback.record`/`refused` in the callback, `show` and
`field` while drawing. What to show is decided from the exception's type and attributes
(`services.casework.errors`: `errors` per field, `EditConflict` offers a reload), never from
its words. Every notice is shown as plain text (`ui.text.md`): callers pass the words, never
Markdown (an exception's words may quote a name or what was typed).

Every form callback that writes is wrapped in `guarded`: a callback runs before the page, outside
app.py's catch, so a database cut met there is kept for app.py (`callback_cut`), which draws the
same plain message a page's own read would (ui.empty.database_unreachable), with what was typed kept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, ParamSpec

import streamlit as st

from services.casework.errors import EditConflict, Refused
from services.errors import DatabaseUnavailable
from services.persistence.database import DatabaseError
from ui.text import md

P = ParamSpec("P")
_CALLBACK_CUT = "_callback_database_error"  # a guarded callback met a cut: app.py shows it once


def guarded(callback: Callable[P, None]) -> Callable[P, None]:
    """`callback` (a form's on_click / on_change that writes), with a database cut turned into the
    page's plain message: Streamlit runs callbacks before the script, so an error there escapes
    app.py's catch and would be an exception box. The error is kept for `callback_cut` (app.py
    draws ui.empty.database_unreachable from it on this run, and only this run); the widgets'
    values are not touched, so what was typed is there for "Try again"."""

    @functools.wraps(callback)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            callback(*args, **kwargs)
        except (DatabaseError, DatabaseUnavailable) as exc:
            st.session_state[_CALLBACK_CUT] = exc

    return run


def callback_cut() -> BaseException | None:
    """The database error a guarded callback met before this run, once (then forgotten: after
    "Try again" the page is drawn again, not the old error)."""
    return st.session_state.pop(_CALLBACK_CUT, None)


Kind = Literal["success", "info", "error"]

# The GOV.UK error summary's behaviour (static: no data in it). On each refusal it moves focus to
# the summary at the top of the form (scrolled into view, so a refused form never leaves the user
# 3,000 px down with the summary out of sight); each link in it moves focus to its field, the
# focusable element just before the field's message (Feedback.field draws it right under the field).
_FOCUS_SCRIPT = """
<script>
(() => {
  const summaries = document.querySelectorAll('[class*="st-key-error_summary_"]');
  const box = summaries[summaries.length - 1];
  if (!box) return;
  // controls in the order a field's own control is preferred (a select box also holds buttons)
  const FIELDS = [
    'input:not([type=hidden]), textarea, select',
    '[role="combobox"], [role="radio"], [role="spinbutton"]',
  ];
  const FIELD = FIELDS.join(', ');
  box.setAttribute('tabindex', '-1');
  box.setAttribute('role', 'alert');
  box.querySelectorAll('a[href^="#fe_"]').forEach((a) => {
    if (a.dataset.midway) return;
    a.dataset.midway = '1';
    a.removeAttribute('target');
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      const msg = document.querySelector('.st-key-' + a.getAttribute('href').slice(1));
      if (!msg) return;
      // the field is the message's nearest earlier sibling holding a control (the message's
      // container may sit in a wrapper of its own: climb a few levels)
      let node = msg, target = null;
      for (let depth = 0; node && !target && depth < 4; depth++, node = node.parentElement) {
        for (let el = node.previousElementSibling; el && !target; el = el.previousElementSibling) {
          target = el.matches(FIELD) ? el : FIELDS.map((f) => el.querySelector(f)).find((x) => x) || null;
        }
      }
      (target || msg).scrollIntoView({ block: 'center' });
      (target || msg).focus();
    });
  });
  setTimeout(() => { box.scrollIntoView({ block: 'start' }); box.focus(); }, 60);
})();
</script>
"""
_SLUG = re.compile(r"[^A-Za-z0-9_-]")


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

    def _anchor(self, key: str) -> str:
        """The field message's container key (also its CSS class, st-key-<this>: letters, digits,
        _ and - only, as Streamlit writes it)."""
        return _SLUG.sub("-", f"fe_{self._errors_key}_{key}")

    def summary(self) -> None:
        """The GOV.UK error summary, first thing in the form after a refused save: "There is a
        problem" and each field's message as a link to that field; focus moves here."""
        errors = self.errors
        if not errors:
            return
        with st.container(border=True, key=_SLUG.sub("-", f"error_summary_{self._errors_key}")):
            st.markdown("**There is a problem**")
            st.markdown("\n".join(f"- [{md(message)}](#{self._anchor(key)})" for key, message in errors.items()))
            # a new refusal stores a new dict: its id changes the element, so the script runs again
            # (and moves focus) once per refusal, not on every rerun
            st.html(_FOCUS_SCRIPT + f"<!-- {id(errors)} -->", unsafe_allow_javascript=True)

    def field(self, key: str) -> None:
        """The message for field `key`, drawn right under it (the summary's link lands here)."""
        message = self.errors.get(key)
        if message:
            with st.container(key=self._anchor(key)):
                st.error(md(message), icon=":material/error:")
