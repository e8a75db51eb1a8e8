"""The app's own sidebar navigation, drawn from st.page_link, in place of Streamlit's.

Streamlit 1.67's sidebar navigation is a `<ul>` whose section headers are direct children that are
not `<li>` (axe-core: `list` and `listitem`, both serious, on every page). app.py hides it
(`st.navigation(..., position="hidden")`) and calls `draw` with the same PAGES mapping, so a page
added to PAGES appears here with no other change. Links carry no icons: a `:material/...:` icon may
make the browser fetch from a font server (STACK_NOTES §5), and an emoji is read out before every
page name. static/a11y.js gives the block a navigation landmark and marks the current page's link
aria-current="page" (st.page_link only bolds it); static/a11y.css enlarges the date input's
segments to WCAG 2.2's 24 px targets. static/preload.js fetches the code of the elements later pages
draw once the first page is idle (ui/frontend_chunks.py), and loads plotly.js (ui/plot.py), so the
first page with a chart or a table does not wait for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import streamlit as st

from ui import charts, frontend_chunks, plot

STATIC = Path(__file__).resolve().parent.parent / "static"
FAVICON = str(STATIC / "favicon.png")


@cache
def _asset(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


@cache
def scripts() -> str:
    """The style sheet and scripts every run adds: built once, from files that do not change."""
    # without plotly's default template (8 kB a figure, sent on every run): drawing it is not the cost
    warm = [json.loads(f.update_layout(template=None).to_json()) for f in charts.warm_up_figures()]
    # `<` as \u003c: st.html's DOMPurify drops a script whose text holds a tag-like `<b` (plotly's `<br>`)
    names = json.dumps({"later": frontend_chunks.later(), "warm": warm}).replace("<", "\\u003c")
    preload = f"const MIDWAY_PRELOAD = {names};{plot.loader()}{_asset('preload.js')}"
    return f"<style>{_asset('a11y.css')}</style><script>{_asset('a11y.js')}</script><script>{preload}</script>"


def draw(pages: Mapping[str, Sequence[st.Page]]) -> None:
    """Each section's name, then a link per page, at the top of the sidebar."""
    with st.sidebar.container(key="midway_nav", gap="small"):
        for section, entries in pages.items():
            st.markdown(f"**{section}**")
            for p in entries:
                st.page_link(p, label=p.title, width="stretch")
        st.html(scripts(), unsafe_allow_javascript=True)
