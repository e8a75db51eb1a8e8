"""`ui.text.md`: text from data or the URL as Markdown that shows literally (the browser test,
tests/test_browser_injection.py, checks what Streamlit then draws)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from tests.demo_pages import as_shown
from ui.filters import timeline_url
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


@given(st.text(min_size=1, alphabet=st.characters(blacklist_categories=("Cs", "Cc"))))
def test_a_timeline_link_carries_any_child_id_unchanged(child_id: str) -> None:
    """A child id is data: whatever it holds ("&", "#", "%", "=", spaces), the link's `child`
    parameter reads back as that id, and the other parameters are untouched."""
    url = timeline_url(pl.Series([child_id]), _Filters())[0]
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    assert query["child"] == [child_id]
    assert query["as_of"] == ["2026-11-23"] and query["policy"] == ["council"]


@dataclass(frozen=True)
class _Filters:
    as_of: dt.date = dt.date(2026, 11, 23)
    policy_name: str = "council"
