"""Fill the dashboard's caches, so the first visit of each page after a server start (or after a
write) finds them full.

`at_start()` runs once, before the server takes its first visitor (server.py's lifespan): it imports
every module the pages use and warms the current data version in the foreground. After that,
`start()`, called by app.py on every run, starts one background thread per data version it has not
warmed yet (a write by anyone moves the version). Either way: the caseload read, the engine on
the opening as-of date and 4 weeks earlier (what Overview shows), then what the other dashboard
pages open on (the team heatmap, IRO caseloads, the Reports figures for the default 12 months,
the schedule table, the timeline's child list). It calls the very cached functions the
pages call, with the keys they open on, so a page that asks for the same key while the thread
computes it waits for that one computation (Streamlit locks each cache key) instead of doing it
twice. At most one warm-up thread runs at a time; a failure is logged and never reaches a page
(the page then computes as it would have).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import pkgutil
import threading

from streamlit import config, runtime

from services.access import ALL as EVERY_CHILD
from services.access import Scope
from services.views.reports import Period
from ui import provenance, report_cache, results
from ui.context import data_version

log = logging.getLogger(__name__)
_lock = threading.Lock()
_warmed: set[int] = set()  # data versions warmed (or being warmed) in this process
_running: list[threading.Thread] = []


def start() -> None:
    """Warm the caches for the current data version in a background thread, unless that version
    was warmed already or another warm-up is still running (cheap: one indexed query). Only in a
    server (a Streamlit runtime): under AppTest there are no other sessions to warm for, and each
    test clears the process-wide caches itself, which a thread left running would refill."""
    if not in_server():
        return
    try:
        version = data_version()
    except Exception:  # no database yet: the page says so
        return
    with _lock:
        if version in _warmed or any(t.is_alive() for t in _running):
            return
        _warmed.add(version)
        thread = threading.Thread(target=_warm, args=(version,), name="midway-warmup", daemon=True)
        _running[:] = [thread]
    thread.start()


def at_start() -> None:
    """The server's warm start: import the app's modules (about a second of a cold first page),
    open and migrate the database, and warm the current data version before anyone asks. A database
    that does not answer yet is left to the pages, which say so plainly."""
    import services
    import ui
    from ui import eager  # noqa: F401  (first: plotly and pandas, as app.py does)

    for package in (ui, services):
        for mod in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not mod.name.endswith("__main__"):  # services.__main__ is the command line: running it would exit
                importlib.import_module(mod.name)
    _once_per_process()
    try:
        version = data_version()
    except Exception as exc:  # the type only: a database error's text can hold SQL parameters
        log.warning("warm start skipped: the database did not answer (%s)", type(exc).__name__)
        return
    with _lock:
        _warmed.add(version)
    _warm(version)


def _once_per_process() -> None:
    """What the first session's first run paid once per process, beside the caches (cProfile of the
    first page after a start, 0.9 s of script time): Streamlit's check, on the first element drawn,
    that it is not in a REPL (`inspect.stack()` over the script runner's frames, 0.25 s); PIL's image
    plugins (PIL's preinit), loaded to read the favicon (0.2 s); and the frontend modules the page names and the
    navigation's scripts (ui/frontend_chunks.py, ui/navigation.py)."""
    from PIL import Image
    from streamlit import delta_generator

    from ui import frontend_chunks, navigation

    Image.preinit()  # what Streamlit's first read of the favicon (set_page_config) would load
    getattr(delta_generator, "_maybe_print_use_warning", lambda: None)()  # private: skipped if it goes
    frontend_chunks.link_tags()
    navigation.scripts()


def in_server() -> bool:
    """Whether this run is in a real Streamlit server. AppTest installs a stand-in runtime,
    `MagicMock(spec=Runtime)`, and a spec'd mock passes `isinstance(..., Runtime)`: the type itself
    tells them apart, and AppTest also sets the `global.appTest` option while its script runs."""
    if config.get_option("global.appTest") or not runtime.exists():
        return False
    return type(runtime.get_instance()) is runtime.Runtime


def opening_view(version: int) -> tuple[dt.date, str, None, None, None, Scope]:
    """The dashboard filters a page opens on (ui.filters.sidebar_filters' defaults): as of the
    data's end or today, the council's midway policy, no team, IRO or legal status, every child
    (the managers' view: an IRO's own caseload is a small filter of the same engine result)."""
    as_of = provenance.default_as_of(version, dt.date.today())
    return as_of, results.base_policy().midway_policy, None, None, None, EVERY_CHILD


def _warm(version: int) -> None:
    try:
        if results.is_empty(version):
            return
        view = opening_view(version)
        as_of, policy = view[0], view[1]
        results.overview_data(version, *view)
        results.caseload_data(version, view)
        results.heatmap_data(version, view, "team", "week", results.HEATMAP_BUCKETS)  # the page's default choices
        period = Period.twelve_months_to(as_of)
        report_cache.figures(version, period.start, period.end, policy, None, None, None)
        results.report_data(version, view)
        results.child_choices(version, EVERY_CHILD)
    except Exception as exc:  # the type only: a database error's text can hold SQL parameters
        log.warning("cache warm-up failed (%s); the pages compute what they need themselves", type(exc).__name__)
