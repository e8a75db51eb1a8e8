"""Shared fixtures: real databases, never mocks.

`engine` runs each test on a fresh SQLite file, and again on PostgreSQL when TEST_DATABASE_URL is
set (.ci/run sets it when a server answers on 127.0.0.1:5432). PostgreSQL tests reset the schema
(drop all, migrate from empty) so each starts from nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from services.persistence.database import make_engine, migrate, reset_schema

ROOT = Path(__file__).resolve().parent.parent
# Public fake 903 return files (MIT), kept in the repository: tests never read ../shared.
FAKE_903 = Path(__file__).resolve().parent / "data" / "ssda903-fake"

BACKENDS = ["sqlite", "postgresql"]


def _pg_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL")


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
