"""Readable on a projector (issue 16): the app's name and purpose on screen, a presentation mode
(larger type, the sidebar hidden, the chosen filters stated on the page) and a print layout (A4
landscape, no sidebar or toolbar).

The CSS is static text in this module, never built from data: which of the fixed style sheets
applies is the only choice made at run time.
"""

from __future__ import annotations

import streamlit as st

from ui.text import md

NAME = "Midway"
PURPOSE = "midway checks and drift between looked-after children's reviews"
TAGLINE = f"{NAME} — {PURPOSE}"
_STATE = "_present"  # presentation mode for this session, seeded once from ?present=1

# Always: card labels wrap instead of being cut ("Children look…"), and the print layout.
BASE_CSS = """
<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: normal !important; word-break: normal !important; hyphens: manual;
}
[data-testid="stMetricLabel"] { min-height: 2.6em; }
/* a page's sections are h2 under its h1 title (axe-core heading-order), drawn at the h3 size the
   pages had: the look is unchanged, the outline is right */
[data-testid="stMain"] h2 { font-size: 1.75rem; }
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], .st-key-present_leave, [data-testid="stDownloadButton"] { display: none !important; }
  [data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stApp"] {
    overflow: visible !important; height: auto !important; position: static !important;
  }
  [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0 !important; }
  .midway-chart, [data-testid="stDataFrame"], [data-testid="stVerticalBlockBorderWrapper"] {
    break-inside: avoid; max-width: 100% !important;
  }
  .js-plotly-plot, .js-plotly-plot .main-svg { max-width: 100% !important; }
}
</style>
"""

# Presentation mode: larger type for the back of the room, the sidebar out of the way.
PRESENT_CSS = """
<style>
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p, [data-testid="stMain"] li,
[data-testid="stMain"] [data-testid="stCaptionContainer"], [data-testid="stMain"] label p {
  font-size: 1.3rem !important; line-height: 1.45;
}
[data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 3rem !important; }
[data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.15rem !important; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"] {
  display: none !important;
}
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding-left: 2rem; padding-right: 2rem; }
</style>
"""


def presenting() -> bool:
    """Presentation mode: on from `?present=1` (a link for the meeting), then kept in the session."""
    if _STATE not in st.session_state:
        st.session_state[_STATE] = st.query_params.get("present") == "1"
    return bool(st.session_state[_STATE])


def _set(on: bool) -> None:
    st.session_state[_STATE] = on
    if on:
        st.query_params["present"] = "1"
    else:
        st.query_params.pop("present", None)


def style() -> None:
    """Every page: the app's name in the sidebar, the wrapping card labels and print layout, and
    the presentation style when it is on (called once per run from app.py)."""
    st.html(BASE_CSS)
    if presenting():
        st.html(PRESENT_CSS)
    st.sidebar.caption(f"**{NAME}** — {PURPOSE}")


def controls(view: str) -> None:
    """On a dashboard page, under its title: in presentation mode, the view stated as text (the
    sidebar holding the filters is hidden) and a way back; otherwise, the sidebar switch."""
    if presenting():
        st.markdown("**Showing:** " + md(view))
        st.button("Leave presentation mode", key="present_leave", on_click=_set, args=(False,), width="content")
    else:
        st.sidebar.button(
            "Presentation mode",
            key="present_enter",
            on_click=_set,
            args=(True,),
            width="stretch",
        )
