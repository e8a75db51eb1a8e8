"""`ui.text.md`: text from data or the URL as Markdown that shows literally (the browser test,
tests/test_browser_injection.py, checks what Streamlit then draws)."""

from __future__ import annotations

from tests.demo_pages import as_shown
from ui.text import JOINER, md

PAYLOADS = [
    "[x](https://evil.example)",
    "![x](https://evil.example/x.png)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    ":red[big]",
    r"$\LaTeX$",
    "**bold**",
    "see www.evil.example or write to a@evil.example",
]


def test_every_markdown_character_is_escaped() -> None:
    assert md("**bold**") == r"\*\*bold\*\*"
    assert md("<script>alert(1)</script>") == r"\<script\>alert\(1\)\</script\>".replace("/", "\\/")
    assert md(r"$\LaTeX$") == r"\$\\LaTeX\$"
    assert md(":red[big]") == r"\:red\[big\]"
    assert md(None) == "" and md(7) == "7"
    assert md("two\nlines") == "two  \nlines"  # a hard line break, as typed


def test_addresses_cannot_become_links() -> None:
    """Streamlit links bare addresses even when escaped: a word joiner breaks each."""
    out = md("[x](https://evil.example) www.evil.example a@evil.example")
    assert f"https{JOINER}\\:\\/\\/" in out
    assert f"www{JOINER}\\." in out
    assert f"a{JOINER}\\@" in out
    assert "://" not in out and "www." not in out and "a@" not in out


def test_the_text_shown_is_the_text_typed() -> None:
    for payload in PAYLOADS:
        assert as_shown(md(payload)) == payload
