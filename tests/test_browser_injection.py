"""Nothing shown is executable (issue 12), in a real browser: Markdown / HTML payloads put into a
child's name, an IRO's name, an escalation's concern, a recommendation's text and owner, a
significant event's note, and the `?child=`, `?as_of=`, `?flag=` and `?escalation=` query
parameters show as the literal text typed, and the page gets no link, image, script, colour,
bold or formula from them. Also: a download is audited when clicked, and a page error shows no
traceback in the browser.

Each payload and what it would do unescaped (STACK_NOTES §5): a link, a remote image (a request to
another server as the page opens), raw HTML, a script, a coloured directive, KaTeX maths, bold.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from services.casework.council_settings import stored_policy
from services.casework.escalations import open_escalations
from services.persistence import models as m
from services.persistence.database import make_engine
from services.persistence.unit_of_work import unit_of_work
from tests.principals import as_manager
from tests.test_browser import AS_OF, CHROMIUM, _wait_for_app, demo_server
from ui.text import JOINER

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium"),
]

PAYLOADS = {
    "link": "[x](https://evil.example)",
    "image": "![x](https://evil.example/x.png)",
    "html image": "<img src=x onerror=alert(1)>",
    "script": "<script>alert(1)</script>",
    "colour directive": ":red[big]",
    "maths": r"$\LaTeX$",
    "bold": "**bold**",
}
PAYLOAD = " ".join(PAYLOADS.values())
CHILD = "C00001"
ACTOR = "Browser seed"
NOT_VISIBLE = "The child in the link is not one you can see: not in the data, or not allocated to you."


def _seed(url: str) -> dict[str, object]:
    """The payloads in the demo database the server reads (it notices: every write moves the
    data version). Returns the ids the pages will show."""
    engine = make_engine(url)
    today = dt.date.today()
    with unit_of_work(engine, ACTOR) as s:
        s.get(m.Child, CHILD).display_name = PAYLOAD
        iro_id = s.scalars(
            select(m.Allocation.staff_id)
            .where(m.Allocation.child_id == CHILD, m.Allocation.role == "iro")
            .order_by(m.Allocation.from_date.desc())
        ).first()
        s.get(m.Staff, iro_id).display_name = "Iro " + PAYLOAD
        review = s.scalars(
            select(m.Review)
            .where(m.Review.child_id == CHILD, m.Review.held_date <= today)
            .order_by(m.Review.held_date.desc())
        ).first()
        seq = max([r.seq for r in review.recommendations], default=0) + 1
        review.recommendations.append(m.Recommendation(seq=seq, text=PAYLOAD, owner=PAYLOAD))
        s.add(
            m.SignificantEvent(
                child_id=CHILD, event_date=today, event_type="care_plan_change", bring_forward=False, notes=PAYLOAD
            )
        )
    tracker = open_escalations(engine, as_manager(ACTOR), today, stored_policy(engine).policy)
    first = int(tracker["escalation_id"][0])
    with unit_of_work(engine, ACTOR) as s:
        s.get(m.Escalation, first).concern = PAYLOAD
    engine.dispose()
    return {"escalation": first}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("inject")
    with demo_server(tmp) as base:
        _seed(f"sqlite:///{tmp / 'browser.db'}")
        yield base, tmp / "browser.db"


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1400}, accept_downloads=True)
    pg = ctx.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.evil_requests = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    pg.on("request", lambda r: pg.evil_requests.append(r.url) if "evil" in (urlparse(r.url).hostname or "") else None)  # type: ignore[attr-defined]
    yield pg
    ctx.close()


def _visit(page, base: str, path: str, query: str = "") -> str:
    page.goto(f"{base}/{path}?as_of={AS_OF}&act_as=SM01{query}")
    _wait_for_app(page)
    page.wait_for_timeout(500)
    _wait_for_app(page)
    return _seen(page, "[data-testid='stApp']")


def _seen(page, selector: str) -> str:
    """The text a person reads: without the invisible word joiners `ui.text.md` puts into
    addresses so that they are not made links."""
    return page.locator(selector).inner_text().replace(JOINER, "")


def _nothing_injected(page) -> None:
    """No link, image, script, maths, colour or bold made from a payload; no alert, no request."""
    assert page.locator("a[href*='evil']").count() == 0  # no link (nor a heading anchor made from a name)
    assert page.locator("img[src*='evil'], img[src='x']").count() == 0
    scripts = "() => [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(1)')).length"
    assert page.evaluate(scripts) == 0
    assert page.locator("[data-testid='stApp'] .katex").count() == 0
    assert page.locator("strong, b").filter(has_text=re.compile(r"^bold$")).count() == 0
    assert page.get_by_text("big", exact=True).count() == 0  # :red[big] would be a coloured "big"
    assert page.dialogs == []
    assert page.evil_requests == []
    assert page.locator("[data-testid='stException']").count() == 0


def _shows_literally(shown: str, prefix: str = "") -> None:
    assert prefix + PAYLOAD in shown, shown[:2000]


def test_child_and_iro_names_on_the_timeline(page, seeded) -> None:
    base, _ = seeded
    shown = _visit(page, base, "timeline", f"&child={CHILD}")
    _shows_literally(shown)  # the heading, and the IRO in the facts
    _shows_literally(shown, "Iro ")
    _nothing_injected(page)


def test_names_and_recommendation_on_the_midway_check(page, seeded) -> None:
    base, _ = seeded
    shown = _visit(page, base, "midway-check", f"&child={CHILD}")
    _shows_literally(shown, "")  # the caption's name, and the recommendation's text
    assert shown.count(PAYLOAD) >= 4  # name, IRO, recommendation text, its owner
    _nothing_injected(page)


def test_escalation_concern(page, seeded) -> None:
    base, _ = seeded
    shown = _visit(page, base, "escalations")
    _shows_literally(shown, "Concern: ")
    _nothing_injected(page)


def test_event_note_and_recommendations_page(page, seeded) -> None:
    base, _ = seeded
    for path in ("events", "recommendations", "allocations"):
        _visit(page, base, path, f"&child={CHILD}")
        _nothing_injected(page)


@pytest.mark.parametrize(
    ("path", "query", "literal"),
    [
        ("timeline", "&child=", NOT_VISIBLE),  # the roles merge's plain refusal: the id is not echoed
        ("midway-check", "&child=", NOT_VISIBLE),
        ("heatmap", "&team=", None),
        ("escalations", f"&child={CHILD}&flag=", None),
        ("escalations", "&escalation=", None),
    ],
)
def test_query_parameters(page, seeded, path: str, query: str, literal: str | None) -> None:
    base, _ = seeded
    shown = _visit(page, base, path, query + quote(PAYLOAD))
    if literal:
        assert literal in shown
    _nothing_injected(page)


def test_a_bad_as_of_in_the_link_is_quoted_as_typed(page, seeded) -> None:
    base, _ = seeded
    page.goto(f"{base}/heatmap?act_as=SM01&as_of={quote(PAYLOAD)}")
    _wait_for_app(page)
    page.wait_for_timeout(500)
    sidebar = _seen(page, "[data-testid='stSidebar']")
    assert "Not used from the link: as_of=" + PAYLOAD in sidebar
    _nothing_injected(page)


def test_download_is_audited_on_click(page, seeded, tmp_path: Path) -> None:
    base, db = seeded
    engine = make_engine(f"sqlite:///{db}")

    def exports() -> list[tuple]:
        with Session(engine) as s:
            return s.execute(
                select(m.AuditEntry.actor, m.AuditEntry.entity, m.AuditEntry.after).where(
                    m.AuditEntry.action == "export"
                )
            ).all()

    before = exports()
    _visit(page, base, "reports", "&report_tab=Drift%20report")  # the report's tab
    assert exports() == before  # drawing the buttons records nothing
    button = page.get_by_role("button", name="Download the report (CSV)")
    with page.expect_download() as info:
        button.click()
    saved = tmp_path / "report.csv"
    info.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"child_id" in data
    with Session(engine) as s:  # the person the link acts as (?act_as=SM01, the service manager)
        signed_in = s.scalars(select(m.Staff.display_name).where(m.Staff.code == "SM01")).one()
    new = [e for e in exports() if e not in before]
    assert len(new) == 1
    actor, entity, after = new[0]
    assert entity == "drift_report" and actor == signed_in
    assert after["rows"] == data.count(b"\n") - 1
    engine.dispose()


def test_page_error_shows_no_traceback(browser, tmp_path: Path) -> None:
    """`client.showErrorDetails = "none"` and app.py's plain database message: a page that fails
    (here a table gone from under it, a DatabaseError) shows no exception text, SQL or traceback
    in the browser; the server's log keeps them."""
    with demo_server(tmp_path) as base:
        engine = make_engine(f"sqlite:///{tmp_path / 'browser.db'}")
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE good_practice"))
        engine.dispose()
        ctx = browser.new_context()
        pg = ctx.new_page()
        pg.goto(f"{base}/escalations?act_as=SM01")
        _wait_for_app(pg)
        pg.get_by_text("The database cannot be reached just now").wait_for(timeout=30_000)
        shown = _seen(pg, "[data-testid='stApp']")
        ctx.close()
    for leak in ("Traceback", "good_practice", "sqlite3", "SELECT", 'File "'):
        assert leak not in shown, leak  # the message names only the error's class for the administrator
    log = (tmp_path / "streamlit.log").read_text(encoding="utf-8")
    assert "good_practice" in log  # the administrator can still find out what went wrong
