"""`python -m services migrate`: create or upgrade the schema of the configured database."""

from __future__ import annotations

import argparse

from services.persistence.database import database_url, make_engine, migrate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", help="SQLAlchemy URL (default: DATABASE_URL, secrets, data/midway.db)")


def run(args: argparse.Namespace) -> int:
    migrate(make_engine(args.database or database_url()))
    print("database is at the newest schema")
    return 0
