"""Streamlit's frontend code for the elements Midway draws, named to the browser before it asks.

Streamlit's frontend fetches each element's code (a content-hashed ES module in its static folder)
only when a page first draws that element, then the modules that one imports, then theirs: a wave
of requests per level, each answered after the script has run. On a fresh browser the Overview
waited for three such waves (Selectbox, then DateInput and PageLink, then Metric) and the first
chart page for plotly and the data grid (benchmarks/navigation.py).

- `PreloadLinks`, an ASGI middleware that server.py puts in front of Streamlit, writes a
  `<link rel="modulepreload">` for every module of FIRST_PAGE into the page's `<head>`, so the
  browser fetches and compiles them while it still loads Streamlit's own bundle.
- `later()` lists the modules of LATER; static/preload.js (ui/navigation.py) fetches them once the
  first page is idle.

Names are Streamlit's component file names (`Selectbox` for `Selectbox.<hash>.js`). A name this
Streamlit has no single file for is skipped: the browser then loads it when asked, as without this
module (tests/test_frontend_chunks.py says which names are missing after an upgrade).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import streamlit as st

STATIC = Path(st.__file__).resolve().parent / "static"
JS = STATIC / "static" / "js"

# what every page draws in its sidebar and navigation, and the Overview's cards
FIRST_PAGE = ("Selectbox", "DateInput", "PageLink", "Html", "Metric", "Button")
# the rest of what Midway's pages draw: charts, tables, the other widgets
LATER = (
    "BidiComponent",  # ui/plot.py's charts (st.components.v2)
    "DataFrame",
    "Radio",
    "DownloadButton",
    "Multiselect",
    "Checkbox",
    "TextArea",
    "TextInput",
    "NumberInput",
    "FileUploader",
)

_SAFE_NAME = re.compile(r"[A-Za-z0-9_.@-]+\.js")
# a module's static imports, as the bundler writes them (`import{a as b}from"./x.js";import"./y.js";`),
# not a lazy `import("./z.js")`; two patterns that start with a literal, as a single alternation
# took 40 ms over plotly's 4.7 MB
_STATIC_IMPORTS = (re.compile(rb'from"\./([A-Za-z0-9_.@-]+\.js)"'), re.compile(rb'import"\./([A-Za-z0-9_.@-]+\.js)"'))


def component_file(name: str) -> str | None:
    """`Name.<hash>.js` in Streamlit's static folder, or None unless exactly one such file exists."""
    found = [p.name for p in JS.glob(f"{name}.*.js") if p.name.count(".") == 2 and _SAFE_NAME.fullmatch(p.name)]
    return found[0] if len(found) == 1 else None


@cache
def _imports(file: str) -> tuple[str, ...]:
    text = (JS / file).read_bytes()
    return tuple(dict.fromkeys(m.decode() for pattern in _STATIC_IMPORTS for m in pattern.findall(text)))


@cache
def _in_index() -> frozenset[str]:
    """The modules index.html already loads or preloads itself."""
    text = (STATIC / "index.html").read_text(encoding="utf-8")
    return frozenset(re.findall(r'static/js/([A-Za-z0-9_.@-]+\.js)"', text))


@cache
def modules(names: tuple[str, ...], skip: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The files of `names` and every module they import statically, in the order found, less
    index.html's own and `skip`."""
    todo = [f for f in map(component_file, names) if f]
    seen: dict[str, None] = {}
    while todo:
        file = todo.pop(0)
        if file in seen or file in _in_index() or file in skip or not (JS / file).is_file():
            continue
        seen[file] = None
        todo.extend(_imports(file))
    return tuple(seen)


def first_page() -> tuple[str, ...]:
    return modules(FIRST_PAGE)


def later() -> tuple[str, ...]:
    """LATER's modules not already among the first page's."""
    return modules(LATER, frozenset(first_page()))


def missing(names: Iterable[str]) -> list[str]:
    return [n for n in names if component_file(n) is None]


@cache
def link_tags() -> bytes:
    """The `<link>` elements for the first page's modules, as index.html writes its own."""
    return "".join(f'<link rel="modulepreload" crossorigin href="./static/js/{f}">' for f in first_page()).encode()


class PreloadLinks:
    """ASGI middleware: Streamlit's page (index.html, served for every page's URL) gets
    `link_tags()` before `</head>`. It asks Streamlit for that page uncompressed (the page is 10 kB;
    a reverse proxy in front compresses it), and leaves any other response, or a compressed page,
    as it is."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not _wants_html(scope):
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]}
        start: dict | None = None
        body: list[bytes] = []

        async def rewrite(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                html = headers.get(b"content-type", b"").startswith(b"text/html")
                if message["status"] == 200 and html and b"content-encoding" not in headers:
                    start = message
                    return
                await send(message)
            elif start is not None and message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body", False):
                    page = b"".join(body).replace(b"</head>", link_tags() + b"</head>", 1)
                    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                    await send({**start, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
                    await send({"type": "http.response.body", "body": page})
            else:
                await send(message)

        await self.app(scope, receive, rewrite)


def _wants_html(scope) -> bool:
    """A page load (the browser asks for HTML), not a script, style, health check or upload."""
    path = scope.get("path", "")
    if "/static/" in path or "/_stcore/" in path or "/media/" in path or "/component/" in path:
        return False
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    return b"text/html" in accept
