"""Every download the app offers, audited when it is clicked: the button's data is a callable
(Streamlit 1.67 runs it on the click, on its own thread), which builds the file and writes the
'export' audit row (services.views.export.audited). Drawing the button records nothing.

The acting user is the page's `services.access.Principal` (ui.context.current_user).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from services.access import Principal
from services.views.export import audited
from ui.context import engine


def download(
    label: str,
    build: Callable[[], bytes | str],
    *,
    actor: Principal,
    what: str,
    file_name: str,
    mime: str,
    rows: int | None,
    child_id: str | None = None,
    **button: Any,
) -> None:
    """`st.download_button` whose click builds the file and records who downloaded `what`
    (a code of services.vocabulary.AUDIT_ENTITY_LABELS), how many rows, and the child of a
    one-child file. No rerun on click (nothing on the page changes)."""
    st.download_button(
        label,
        audited(engine(), actor, what, build, rows=rows, file_name=file_name, child_id=child_id),
        file_name=file_name,
        mime=mime,
        on_click="ignore",
        disabled=not actor.name,
        **button,
    )
