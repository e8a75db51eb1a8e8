"""Text from data or the URL shown safely: Streamlit renders Markdown in st.markdown, st.caption,
st.success/error/info, widget labels and page-link labels (STACK_NOTES §5), so a name or free text
could otherwise inject links, images or directives. `md` escapes every ASCII punctuation mark
(Markdown's backslash escape), so the text shows exactly as typed.

Escaping is not enough for bare addresses: Streamlit's Markdown turns `https://...`, `www....` and
e-mail addresses into links after escapes and character references are decoded (found by the
browser test). A WORD JOINER (U+2060, invisible, no width) is put before the `://`, the `.` after
`www` and the `@`, so no address is recognised; the text looks the same."""

from __future__ import annotations

import re

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_ADDRESS = re.compile(r"(?=://)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
JOINER = "\u2060"


def md(value: object) -> str:
    """`value` as Markdown that shows literally (None as an empty string)."""
    if value is None:
        return ""
    unlinked = _ADDRESS.sub(JOINER, str(value))
    return _PUNCT.sub(r"\\\1", unlinked).replace("\n", "  \n")
