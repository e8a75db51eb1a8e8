"""Navigation speed in a real browser (issue 16): server start to the first page settled, and every
page reached through its sidebar link to settled, on the demo (SQLite) and on a 2,000-child
authority (PostgreSQL).

    .venv/bin/python benchmarks/navigation.py [--runs 3] [--postgres URL] [--children 2000]
        [--only demo|authority] [--entry server.py|app.py] [--read-ms 0]

Each run starts a fresh `streamlit run server.py` (with --entry app.py, the cold start of before)
on a free loopback port (headless Debian chromium at /usr/bin/chromium, driven by Playwright),
opens `/` as soon as its health check answers (the worst case: a visitor arriving at the moment
the server is ready), then clicks every sidebar link in turn (first visits: nothing of that page
is cached yet), then walks them all again (second visits). The demo is
loaded into a temp SQLite file with `python -m services demo`; the authority is
benchmarks/schedule.py's synthetic caseload written into --postgres (default
postgresql://postgres@127.0.0.1:5432/test_speed_bench, created if missing and RESET: never point
it at real data); without a PostgreSQL server answering, only the demo is timed.
The servers run in demo mode acting as the service manager SM01 (`?act_as=SM01`), with
DEMO_MODE_ON_REAL_DATA=true: the synthetic authority is not the demo caseload.

"Settled" means all of: the app is connected and its script is not running
(`[data-testid=stApp][data-test-script-state=notRunning]`), the URL is the clicked page's, the
page's own `h1` is drawn (not the previous page's), no element is stale (`[data-stale=true]`:
left over from the previous run), no skeleton placeholder is left, and every plotly chart has
drawn its SVG. Figures are milliseconds, median and maximum over the runs.
Targets: first page settled < 2,000 ms after the server is ready; each navigation < 1,000 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test_speed_bench"
FIRST_TARGET_MS, NAV_TARGET_MS = 2000, 1000
NAV_LINKS = ".st-key-midway_nav a"
ACT_AS = "SM01"  # demo mode: the service manager (ui/context.py's ?act_as= link)

# true once the page in the address bar is settled (see the module docstring); arg: [url path, old h1]
SETTLED_JS = """([path, oldTitle]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (location.pathname.replace(/\\/+$/, '') !== path.replace(/\\/+$/, '')) return false;
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  if (!h1 || !h1.innerText.trim() || h1.innerText.trim() === oldTitle) return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  for (const c of document.querySelectorAll('.midway-chart'))
    if (!c.querySelector('.main-svg')) return false;
  return true;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str, log: Path, entry: str = "server.py") -> Iterator[tuple[str, float, subprocess.Popen]]:
    """`streamlit run <entry>` over `url`, once its health check answers (`/_stcore/health`, what a
    load balancer waits for: server.py's warm start holds it back, while the port already accepts
    connections); (base URL, perf_counter at start, process)."""
    port = _free_port()
    out = log.open("w")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", entry, "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url, "DEMO_MODE_ON_REAL_DATA": "true"}, stdout=out,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=60) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.02)
        yield f"http://127.0.0.1:{port}", t0, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()


def _settle(page, path: str, old_title: str) -> str:
    try:
        page.wait_for_function(SETTLED_JS, arg=[path, old_title], timeout=120_000, polling="raf")
    except Exception:
        shot = Path(tempfile.gettempdir()) / "midway-nav-timeout.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"{path} did not settle in 120 s; screenshot {shot}", flush=True)
        raise
    if page.locator("[data-testid='stException']").count():
        raise RuntimeError(f"{path}: {page.locator('[data-testid=stException]').first.inner_text()}")
    return page.locator("[data-testid='stMain'] h1").first.inner_text().strip()


def _links(page) -> list[tuple[str, str]]:
    """(label, url path) of every link in the app's own sidebar navigation (ui/navigation.py), in
    order (a page the service manager acted as here may not use still draws its title and says so)."""
    links = page.locator(NAV_LINKS)
    out = []
    for i in range(links.count()):
        a = links.nth(i)
        href = a.get_attribute("href") or "/"
        label = a.inner_text().strip()
        out.append((label, "/" + href.split("://", 1)[-1].split("/", 1)[-1].split("?")[0]))
    return out


def one_run(browser, url: str, log: Path, entry: str = "server.py", read_ms: int = 0) -> dict[str, float]:
    """One fresh server: {"start → port": ms, "first page": ms, "<page>": ms, "<page> again": ms}."""
    times: dict[str, float] = {}
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    try:
        with server(url, log, entry) as (base, t0, _proc):
            t_port = time.perf_counter()
            times["server start → ready (health answers)"] = (t_port - t0) * 1000
            page.goto(f"{base}/?act_as={ACT_AS}", wait_until="commit")
            title = _settle(page, "/", "")
            times["first page (Overview), from ready"] = (time.perf_counter() - t_port) * 1000
            times["first page, from server start"] = (time.perf_counter() - t0) * 1000
            links = _links(page)
            home = links[0]
            for sweep in ("", " again"):
                for i, (label, path) in [*enumerate(links)][1:] + [(0, home)]:
                    page.wait_for_timeout(read_ms)  # a person reading the page before the next click
                    t = time.perf_counter()
                    page.locator(NAV_LINKS).nth(i).click()
                    title = _settle(page, path, title)
                    times[f"→ {label}{sweep}"] = (time.perf_counter() - t) * 1000
    finally:
        ctx.close()
    return times


def prepare_demo(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'demo.db'}"
    subprocess.run([sys.executable, "-m", "services", "demo", "--reset", "--database", url], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    return url


def prepare_authority(url: str, n: int) -> str | None:
    """`url` reset and holding the synthetic n-child authority; None when no server answers."""
    import psycopg
    from sqlalchemy.engine import make_url

    from benchmarks.page_speed import _write_synthetic
    from services.persistence import database as db

    u = make_url(url)
    admin = u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)).fetchone():
                conn.execute(f'CREATE DATABASE "{u.database}"')
    except psycopg.OperationalError as exc:
        print(f"(no PostgreSQL at {url}: {exc}; authority skipped)")
        return None
    eng = db.make_engine(url)
    db.reset_schema(eng)
    _write_synthetic(eng, n, dt.date.today())
    eng.dispose()
    return url


def report(label: str, runs: list[dict[str, float]]) -> None:
    print(f"\n{label}: {len(runs)} runs (fresh server each), ms")
    print(f"{'step':<46}{'median':>9}{'max':>9}")
    for key in runs[0]:
        vals = [r[key] for r in runs if key in r]
        if key.startswith("first page, from"):
            target = ""
        elif key.startswith("first page"):
            target = "" if max(vals) < FIRST_TARGET_MS else "  > target"
        elif key.startswith("→"):
            target = "" if max(vals) < NAV_TARGET_MS else "  > target"
        else:
            target = ""
        print(f"{key:<46}{statistics.median(vals):>9.0f}{max(vals):>9.0f}{target}")
    navs = [v for r in runs for k, v in r.items() if k.startswith("→")]
    print(f"{'every navigation':<46}{statistics.median(navs):>9.0f}{max(navs):>9.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh servers per caseload (default 3)")
    parser.add_argument("--postgres", default=DEFAULT_PG, help=f"database to reset for the authority ({DEFAULT_PG})")
    parser.add_argument("--children", type=int, default=2000, help="children in the authority (default 2000)")
    parser.add_argument("--only", choices=("demo", "authority"), help="time one caseload only")
    parser.add_argument(
        "--read-ms",
        type=int,
        default=0,
        help="pause on each settled page before the next click (default 0: click at once, the worst case; "
        "the chart bundle preload then races the click to the first chart page)",
    )
    parser.add_argument(
        "--entry",
        default="server.py",
        choices=("server.py", "app.py"),
        help="what `streamlit run` starts: server.py (warm start, the default) or app.py (cold, as before)",
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1/5/15 min), "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="midway-nav-"))
    caseloads: list[tuple[str, str]] = []
    if args.only != "authority":
        caseloads.append(("demo on SQLite", prepare_demo(tmp)))
    if args.only != "demo" and (pg := prepare_authority(args.postgres, args.children)):
        caseloads.append((f"{args.children}-child authority on PostgreSQL", pg))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            for label, url in caseloads:
                log = tmp / f"streamlit-{label[:4]}"
                runs = [
                    one_run(browser, url, log.with_suffix(f".{i}.log"), args.entry, args.read_ms)
                    for i in range(args.runs)
                ]
                report(f"{label}, streamlit run {args.entry}, {args.read_ms} ms reading each page", runs)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
