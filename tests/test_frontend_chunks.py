"""ui/frontend_chunks: the Streamlit frontend modules Midway names to the browser early.

These read the installed Streamlit's own static folder, so an upgrade that renames a component's
file fails here (and the app would only lose the early fetch, not break)."""

from __future__ import annotations

import re

from ui import frontend_chunks as fc


def test_every_named_component_has_one_file_in_this_streamlit() -> None:
    assert fc.missing(fc.FIRST_PAGE + fc.LATER) == []
    assert re.fullmatch(r"Selectbox\.[A-Za-z0-9_-]+\.js", fc.component_file("Selectbox") or "")
    assert fc.component_file("NoSuchComponent") is None


def test_the_first_page_lists_its_components_and_everything_they_import() -> None:
    first = fc.first_page()
    assert {fc.component_file(n) for n in fc.FIRST_PAGE} <= set(first)
    for file in first:  # closed under static imports, less what index.html already loads
        missing = [f for f in fc._imports(file) if f not in first and f not in fc._in_index()]
        assert missing == [], (file, missing)
    assert not set(first) & fc._in_index()


def test_later_modules_are_the_rest_and_exclude_lazy_imports() -> None:
    first, later = set(fc.first_page()), fc.later()
    assert fc.component_file("DataFrame") in later and fc.component_file("BidiComponent") in later
    assert not first & set(later)
    # DataFrame's editors are loaded with import("./...") only when a cell is edited: not listed
    text = (fc.JS / fc.component_file("DataFrame")).read_bytes()
    lazy = {f.decode() for f in re.findall(rb"import\(`\./([A-Za-z0-9_.@-]+\.js)`\)", text)}
    assert any(f.startswith("data-grid-overlay-editor.") for f in lazy)
    assert not lazy & set(fc._imports(fc.component_file("DataFrame"))) and not lazy & set(later)


def test_link_tags_are_modulepreload_links_for_the_first_page() -> None:
    tags = fc.link_tags().decode()
    hrefs = re.findall(r'<link rel="modulepreload" crossorigin href="\./static/js/([^"]+)">', tags)
    assert hrefs == list(fc.first_page())


def test_the_inline_scripts_hold_nothing_that_reads_as_markup() -> None:
    """st.html cleans its HTML with DOMPurify, which drops a whole <script> whose text holds `<` then a
    letter, `/` or `!` (read as markup): a comment naming `<base>` in plotly_loader.js once made the
    preload script vanish without an error. Each script of ui/navigation.scripts() is checked."""
    from ui import navigation

    bodies = re.findall(r"<script>(.*?)</script>", navigation.scripts(), flags=re.S)
    assert len(bodies) == 2 and "midwayPlotly" in bodies[1] and "MIDWAY_PRELOAD" in bodies[1]
    assert [b[:60] for b in bodies if re.search(r"<[/\w!]", b)] == []
