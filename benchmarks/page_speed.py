"""Dashboard page speed: server time of a page rerun on the demo caseload, measured with AppTest.

    .venv/bin/python benchmarks/page_speed.py [--runs 20]

Loads the demo caseload (anchor services.demo.generate.KNOWN_ANCHOR) into a temp SQLite file, opens each
Dashboard page through app.py, and times: the cold start (empty caches: caseload read, engine run
now and 4 weeks earlier), the first visit of each page, then reruns (what a click or a filter
already seen costs), then a rerun after a filter change (new cache key: filtering and
aggregation, engine result reused). AppTest runs the script in-process, so the figures are server
time (no browser, no network). Target: rerun < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = (
    "app_pages/overview.py",
    "app_pages/heatmap.py",
    "app_pages/timeline.py",
    "app_pages/caseloads.py",
    "app_pages/reports.py",
)
TARGET_MS = 300


def _ms(f) -> float:  # noqa: ANN001
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="reruns per page (default 20)")
    args = parser.parse_args(argv)

    from services.demo.generate import KNOWN_ANCHOR, KNOWN_CHILD_ID
    from services.demo.load import load_demo
    from services.persistence import database as db

    tmp = tempfile.mkdtemp(prefix="midway-bench-")
    url = f"sqlite:///{tmp}/bench.db"
    eng = db.make_engine(url)
    db.migrate(eng)
    counts = load_demo(eng, KNOWN_ANCHOR, actor="benchmark")
    eng.dispose()
    os.environ["DATABASE_URL"] = url

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    print(f"demo caseload: {counts.get('children', '?')} children, anchor {KNOWN_ANCHOR}; {args.runs} reruns per page")
    print(f"{'page':<22}{'first visit':>11}{'rerun median':>14}{'rerun p90':>11}{'rerun max':>11}{'new filter':>12}")
    worst = 0.0
    for page in PAGES:
        st.cache_data.clear()
        st.cache_resource.clear()
        db.get_engine.cache_clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["as_of"] = KNOWN_ANCHOR.isoformat()
        at.query_params["child"] = KNOWN_CHILD_ID
        start = _ms(at.run)  # cold: caseload read + engine now and 4 weeks earlier + overview
        if page == PAGES[0]:
            print(f"{'(cold start)':<22}{start:>9.0f}ms")

        def first(at: AppTest = at, page: str = page) -> None:
            if page != "app_pages/overview.py":
                at.switch_page(page)
            at.run()

        cold = _ms(first)
        assert not at.exception, [e.value for e in at.exception]
        times = sorted(_ms(at.run) for _ in range(args.runs))
        assert not at.exception
        if page == "app_pages/timeline.py":
            new_filter = _ms(lambda at=at: at.selectbox(key="timeline_child").select("C00002").run())
        else:
            team = at.selectbox(key="team").options[1]
            new_filter = _ms(lambda at=at, team=team: at.selectbox(key="team").select(team).run())
        assert not at.exception
        median = statistics.median(times)
        p90 = times[int(0.9 * (len(times) - 1))]
        worst = max(worst, p90)
        name = page.removeprefix("app_pages/").removesuffix(".py")
        print(f"{name:<22}{cold:>9.0f}ms{median:>12.0f}ms{p90:>9.0f}ms{times[-1]:>9.0f}ms{new_filter:>10.0f}ms")
    verdict = "OK" if worst < TARGET_MS else "SLOWER THAN TARGET"
    print(f"worst rerun p90: {worst:.0f} ms (target < {TARGET_MS} ms): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
