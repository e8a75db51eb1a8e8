"""Text from data or the URL shown safely: Streamlit renders Markdown in st.markdown, st.caption,
st.success/error/info, widget labels and page-link labels (STACK_NOTES §5), so a name or free text
could otherwise inject links, images or directives. `md` escapes every ASCII punctuation mark
(Markdown's backslash escape), so the text shows exactly as typed."""

from __future__ import annotations

import re

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def md(value: object) -> str:
    """`value` as Markdown that shows literally (None as an empty string)."""
    if value is None:
        return ""
    return _PUNCT.sub(r"\\\1", str(value)).replace("\n", "  \n")
