"""The browser's main-thread long tasks around the first page (issue 16): why a click made at once
after the first page settles can take over a second.

    .venv/bin/python benchmarks/long_tasks.py [--runs 3] [--watch-ms 4000]

Each run starts a fresh `streamlit run server.py` on the demo (as benchmarks/navigation.py does),
opens `/` in a fresh headless Chromium, waits for the page to settle, then watches for
`--watch-ms` more without touching it. It prints every long task (the Long Tasks API: a main-thread
task over 50 ms) as its start and length, relative to the moment the page settled; the summary
takes the first one that starts after the chart bundle arrived (static/preload.js imports it once
the page is idle): its evaluation.
While a task runs, no click, key or server message is handled: a navigation started inside it
waits for the rest of it. The figure to watch is that task's length, printed with its ratio to the
navigation target (1,000 ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.navigation import ACT_AS, CHROMIUM, NAV_TARGET_MS, _settle, prepare_demo, server  # noqa: E402

OBSERVE_JS = """
window.__midwayLongTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__midwayLongTasks.push([e.startTime, e.duration]);
}).observe({type: "longtask", buffered: true});
"""
# when the chart bundle (plotly.js, ui/plot.py) finished arriving, or null
CHART_FETCHED_JS = """() => {
  const r = performance.getEntriesByType("resource").find((e) => /plotly-basic-[^/]*\\.js$/.test(e.name));
  return r ? r.responseEnd : null;
}"""


def one_run(browser, url: str, log: Path, watch_ms: int) -> tuple[list[tuple[float, float]], float | None]:
    """(long tasks as (start, length) ms relative to settled, chart bundle's task length or None)."""
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    page.add_init_script(OBSERVE_JS)
    try:
        with server(url, log) as (base, _t0, _proc):
            page.goto(f"{base}/?act_as={ACT_AS}", wait_until="commit")
            _settle(page, "/", "")
            settled = page.evaluate("performance.now()")
            page.wait_for_timeout(watch_ms)
            tasks = [(s - settled, d) for s, d in page.evaluate("window.__midwayLongTasks")]
            fetched = page.evaluate(CHART_FETCHED_JS)
    finally:
        ctx.close()
    after = [d for s, d in tasks if fetched is not None and s + settled >= fetched]
    return tasks, (after[0] if after else None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--watch-ms", type=int, default=4000)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="midway-longtasks-"))
    url = prepare_demo(tmp)
    chart_tasks: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        try:
            for run in range(args.runs):
                tasks, chart = one_run(browser, url, tmp / f"server-{run}.log", args.watch_ms)
                shown = ", ".join(f"{s:+.0f} ({d:.0f})" for s, d in tasks)
                print(f"run {run + 1}: long tasks, ms from settled (length): {shown}")
                if chart is not None:
                    chart_tasks.append(chart)
        finally:
            browser.close()
    if chart_tasks:
        med = statistics.median(chart_tasks)
        print(
            f"\nchart bundle's task after the first page: median {med:.0f} ms, max {max(chart_tasks):.0f} ms "
            f"({med / NAV_TARGET_MS:.2f}× the {NAV_TARGET_MS} ms navigation target)"
        )
    else:
        print("\nthe chart bundle was not fetched while watching")


if __name__ == "__main__":
    main()
