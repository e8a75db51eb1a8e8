"""Shared fixtures: real databases, never mocks.

`engine` runs each test on a fresh SQLite file, and again on PostgreSQL when TEST_DATABASE_URL is
set (.ci/run sets it when a server answers on 127.0.0.1:5432). PostgreSQL tests reset the schema
(drop all, migrate from empty) so each starts from nothing.

`make test` runs the suite in parallel (pytest-xdist, one worker per core). Because PostgreSQL tests
reset the schema, each worker gets a database of its own on the same server: TEST_DATABASE_URL's
database name plus `_<worker id>` (`test_gw0`, `test_gw1`), created when missing, and
TEST_DATABASE_URL is rewritten to it inside that worker, so every test that reads it is isolated.
The browser tests are split into one xdist group per worker (run with `--dist loadgroup`), so each
worker drives its own streamlit server and chromium, and they start first, being the longest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import ProgrammingError

from services.persistence.database import make_engine, migrate, reset_schema
from tests.demo_pages import demo_database, fresh_caches, no_app_thread_left

ROOT = Path(__file__).resolve().parent.parent
# Public fake 903 return files (MIT), kept in the repository: tests never read a folder beside it.
FAKE_903 = Path(__file__).resolve().parent / "data" / "ssda903-fake"

BACKENDS = ["sqlite", "postgresql"]


def _pg_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL")


def _worker_database(url: str, worker: str) -> str:
    """The URL of `<database>_<worker>` on the server of `url`, created if it does not exist."""
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = make_engine(url)
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = text("SELECT 1 FROM pg_database WHERE datname = :name")
            if not conn.scalar(exists, {"name": name}):
                try:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
                except ProgrammingError:  # another run created it meanwhile
                    if not conn.scalar(exists, {"name": name}):
                        raise
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def pytest_configure(config: pytest.Config) -> None:
    worker = getattr(config, "workerinput", {}).get("workerid")
    url = _pg_url()
    if worker and url:
        os.environ["TEST_DATABASE_URL"] = _worker_database(url, worker)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the test ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not hasattr(config, "workerinput"):  # not under xdist: nothing to split
        return
    workers = int(config.workerinput["workercount"])
    browser = [item for item in items if item.get_closest_marker("browser")]
    for i, item in enumerate(browser):
        item.add_marker(pytest.mark.xdist_group(f"browser{i % workers}"))


@pytest.fixture(autouse=True)
def _no_app_thread_outlives_its_test() -> Iterator[None]:
    """Every test, not only those using the fixtures below: a thread of the app (ui.warmup, an
    AppTest script run) still alive after its test would fill the process-wide caches for the next
    one (tests/demo_pages.py: no_app_thread_left)."""
    yield
    no_app_thread_left()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        migrate(eng)
    else:
        url = _pg_url()
        if not url:
            pytest.skip("TEST_DATABASE_URL not set: PostgreSQL run skipped")
        eng = make_engine(url)
        reset_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo caseload in a SQLite file, one per test module (tests/demo_pages.py)."""
    return demo_database(tmp_path_factory)


@pytest.fixture
def demo_db(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app reads the demo database (DATABASE_URL), its engine and caches fresh before and after."""
    monkeypatch.setenv("DATABASE_URL", demo_url)
    fresh_caches()
    yield demo_url
    fresh_caches()


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium (Playwright), one per test module: the browser test modules' pages
    open their own contexts in it (each with the viewport it needs)."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield b
        finally:
            b.close()
