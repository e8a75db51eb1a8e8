"""Midway's server: `streamlit run server.py` serves app.py, warmed before it takes a visitor.

`streamlit run app.py` runs none of the app's code until the first visitor's session opens, so the
first page after a start paid for importing the app, opening (and migrating) the database, reading
the caseload and running the engine: 3.5 s of a 4 s first page on the demo (benchmarks/navigation.py).
Streamlit's `st.App` gives a lifespan hook that runs once the runtime has started and before the
server answers any request (the port already accepts connections; they wait): ui.warmup.at_start
does all that there, so the health check (`/_stcore/health`, a load balancer's readiness check)
and the first browser meet a server that answers from memory. `streamlit run server.py` takes every flag and
`.streamlit/config.toml` setting `streamlit run app.py` takes; app.py stays the script each session
runs (AppTest opens it directly).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from ui.frontend_chunks import PreloadLinks


@asynccontextmanager
async def _warm_start(_app: st.App) -> AsyncIterator[None]:
    from ui import warmup

    await asyncio.to_thread(warmup.at_start)  # off the event loop; requests are answered once it returns
    yield


# PreloadLinks names the first page's frontend modules in the page itself (ui/frontend_chunks.py)
app = st.App("app.py", lifespan=_warm_start, middleware=[Middleware(PreloadLinks)])
