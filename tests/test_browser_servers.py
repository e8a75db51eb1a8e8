"""Several app servers on one PostgreSQL, and the database cut under a running app (issue 13), in
Debian's chromium through Playwright.

- Two `streamlit run` processes on one database: an event recorded on server A shows on server B
  at B's next rerun (the pages' caches are keyed by the database's data version, not by what a
  process holds in memory).
- One server reaching PostgreSQL through tests/tcp_proxy.py: while the proxy is cut, a save and
  every page show the plain "cannot be reached" message (no exception box, no traceback), and the
  event note typed before the cut is still in the form; after the restore the same save lands
  without restarting anything. Repeated CUTS times.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select
from sqlalchemy.orm import Session

from services.casework.events import events_for
from services.persistence import models as m
from services.persistence.database import make_engine, reset_schema
from tests.a11y import acting_as
from tests.principals import MANAGER
from tests.tcp_proxy import TcpProxy
from tests.test_browser import CHROMIUM, DASHBOARD, _type_date, _wait_for_app, demo_server_process

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]
CUTS = 2
VIEWPORT = {"width": 1600, "height": 1200}  # wide: the sidebar sits beside the form, not over it
PAGES = [p for p in DASHBOARD if p] + ["midway-check", "escalations", "events", "recommendations", "allocations"]
PAGES += ["import", "settings"]
UNREACHABLE = "The database cannot be reached just now"
KINDS = ["Change of care plan", "Major change in contact", "Change of social worker"]  # one event per cut


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL not set: PostgreSQL run skipped")
    engine = make_engine(url)  # from empty: `demo --reset` refuses a database another test seeded
    try:
        reset_schema(engine)
    finally:
        engine.dispose()
    return url


def _child_without_events(url: str) -> str:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            ids = s.scalars(select(m.Child.id).order_by(m.Child.id).limit(40)).all()
        return next(cid for cid in ids if events_for(engine, MANAGER, cid).is_empty())
    finally:
        engine.dispose()


def _events(url: str, child: str) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return s.scalar(
                select(func.count()).select_from(m.SignificantEvent).where(m.SignificantEvent.child_id == child)
            )
    finally:
        engine.dispose()


def _type_event(page, note: str, kind: str = "Missing from placement") -> None:
    """Fill the event form: a date three days ago, the event `kind`, not brought forward."""
    _type_date(page, "Date of the event", dt.date.today() - dt.timedelta(days=3))
    page.get_by_label("Type of event").click()
    page.keyboard.type(kind)
    page.keyboard.press("Enter")
    page.locator("[data-testid='stRadio']").get_by_text("No", exact=True).click()
    page.get_by_label("Notes").fill(note)


def _no_exception(page) -> None:
    boxes = page.locator("[data-testid='stException']")
    assert boxes.count() == 0, boxes.first.inner_text()
    assert "Traceback" not in page.inner_text("body")


def _browser(p):
    return p.chromium.launch(
        executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-background-networking"]
    )


def test_a_save_on_one_server_shows_on_the_other_at_its_next_rerun(pg_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with (
        demo_server_process(tmp_path, url=pg_url, log_name="a.log") as (a, _),
        demo_server_process(tmp_path, url=pg_url, demo=False, log_name="b.log") as (b, _),
        sync_playwright() as p,
    ):
        child = _child_without_events(pg_url)
        browser = _browser(p)
        try:
            on_b = browser.new_context(viewport=VIEWPORT).new_page()
            on_b.goto(f"{b}/events?act_as=SM01&child={child}")
            _wait_for_app(on_b)
            assert on_b.get_by_text("None recorded.").count() == 1  # B has read (and cached) the child
            on_a = browser.new_context(viewport=VIEWPORT).new_page()
            on_a.goto(f"{a}/events?act_as=SM01&child={child}")
            _wait_for_app(on_a)
            _type_event(on_a, "Recorded on server A")
            on_a.get_by_role("button", name="Record event").click()
            _wait_for_app(on_a)
            on_a.get_by_text("recorded; next review due", exact=False).wait_for(timeout=60_000)
            _no_exception(on_a)
            assert _events(pg_url, child) == 1
            on_b.keyboard.press("r")  # Streamlit's rerun key: the same session, its next rerun
            _wait_for_app(on_b)
            on_b.get_by_text("None recorded.").wait_for(state="detached", timeout=30_000)
            assert on_b.locator("[data-testid='stDataFrame']").count() == 1
            _no_exception(on_b)
        finally:
            browser.close()


def test_pages_during_a_database_cut_say_so_keep_the_typed_note_and_save_after(pg_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = make_url(pg_url)
    with TcpProxy((base.host or "127.0.0.1", base.port or 5432)) as proxy:
        via = base.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        with demo_server_process(tmp_path, url=via) as (app, _), sync_playwright() as p:
            child = _child_without_events(pg_url)
            browser = _browser(p)
            survived = 0
            try:
                form = browser.new_context(viewport=VIEWPORT).new_page()
                others = browser.new_context(viewport=VIEWPORT).new_page()
                for cut in range(CUTS):
                    note = f"Typed before cut {cut + 1}"
                    form.goto(f"{app}/events?act_as=SM01&child={child}")
                    _wait_for_app(form)
                    _type_event(form, note, KINDS[cut])
                    proxy.cut()
                    form.get_by_role("button", name="Record event").click()
                    form.get_by_text(UNREACHABLE).wait_for(timeout=60_000)
                    _no_exception(form)
                    for path in PAGES:  # every page, opened fresh during the cut
                        others.goto(f"{app}/{path}?act_as={acting_as(path)}")
                        _wait_for_app(others)
                        assert others.get_by_text(UNREACHABLE).count() == 1, path
                        _no_exception(others)
                    assert _events(pg_url, child) == cut  # nothing was saved during the cut
                    proxy.restore()
                    form.get_by_role("button", name="Try again").click()
                    _wait_for_app(form)
                    # the typed note survived: to_have_value waits (up to 30 s) for the value, which the
                    # browser sets just after the field mounts empty (seen once under load: '' read at mount)
                    expect(form.get_by_label("Notes")).to_have_value(note, timeout=30_000)
                    form.get_by_role("button", name="Record event").click()
                    form.get_by_text("recorded; next review due", exact=False).wait_for(timeout=60_000)
                    _no_exception(form)
                    assert _events(pg_url, child) == cut + 1  # saved, without a restart
                    survived += 1
            finally:
                browser.close()
    print(f"database cuts survived: {survived} of {CUTS}")
    assert survived == CUTS
