"""`python -m services demo [--reset | --if-empty] [--database URL] [--as-of YYYY-MM-DD]`: load the
synthetic demo caseload (services.demo)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from services.access.demo import NOT_DEMO, demo_only
from services.demo.generate import DEFAULT_SEED
from services.demo.load import load_demo
from services.errors import UsageError
from services.persistence.database import database_url, is_empty, make_engine, migrate, reset_schema


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--reset", action="store_true", help="drop and recreate the schema, then load the demo")
    mode.add_argument("--if-empty", action="store_true", help="load only into an empty database (make run)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: DATABASE_URL, secrets, data/midway.db)")
    parser.add_argument("--as-of", help="anchor date YYYY-MM-DD the demo is laid out around (default: today)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    try:
        anchor = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    except ValueError as exc:
        raise UsageError(f"--as-of {args.as_of!r} is not a date YYYY-MM-DD") from exc
    engine = make_engine(args.database or database_url())
    try:
        if args.reset and not demo_only(engine):  # a council's data, imports or audit log: never dropped here
            print(f"demo --reset refused: {NOT_DEMO}", file=sys.stderr)
            return 2
        if args.reset:
            reset_schema(engine)
        else:
            migrate(engine)
            if not is_empty(engine):
                note = "left as it is" if args.if_empty else "use --reset to replace it with the demo"
                print(f"database is not empty: {note}")
                return 0
        began = time.perf_counter()
        counts = load_demo(engine, anchor, seed=args.seed)
        took = time.perf_counter() - began
    finally:
        engine.dispose()
    print(f"demo caseload loaded (anchor {anchor.isoformat()}) in {took:.1f} s:")
    for table, n in counts.items():
        print(f"  {table:<20} {n:>6}")
    sys.stdout.flush()
    return 0
