"""`python -m services report`: the schedule and drift report as CSV, one row per child looked after.

    python -m services report --as-of 2026-11-23 [--policy NAME] [--database URL | --input PATH] --out report.csv

The policy is the one stored in the database read (the Settings page), or DOMAIN.md's defaults with
--input; --policy swaps only the midway policy.

Columns: services.views.report.REPORT_COLUMNS (ISO dates; empty cells for nothing). Bad arguments raise
UsageError (exit code 2, one-line message).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import polars as pl

from services.casework.council_settings import current_policy
from services.engine.compute import compute
from services.engine.policy import MIDWAY_POLICIES, Policy
from services.errors import UsageError
from services.importers import read_caseload
from services.persistence.caseload import load_caseload
from services.persistence.database import database_url, get_engine
from services.views.export import safe_cells
from services.views.report import report_frame


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", required=True, help="the date to compute on (YYYY-MM-DD)")
    parser.add_argument(
        "--policy",
        help=f"midway check policy: {', '.join(MIDWAY_POLICIES)} (default: the council's, stored in the database)",
    )
    parser.add_argument("--database", help="SQLAlchemy URL (default: the app's database)")
    parser.add_argument("--input", help="an SSDA903 folder or Midway's template file, instead of the database")
    parser.add_argument("--out", required=True, help="the CSV file to write")


def _as_of(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not a date in the form YYYY-MM-DD") from None


def run(args: argparse.Namespace) -> int:
    as_of = _as_of(args.as_of)
    if args.policy and args.policy not in MIDWAY_POLICIES:
        raise UsageError(f"--policy {args.policy!r} is not one of {', '.join(MIDWAY_POLICIES)}")
    if args.database and args.input:
        raise UsageError("give either --database or --input, not both")
    out = Path(args.out)
    if not out.parent.exists():
        raise UsageError(f"--out {args.out!r}: folder {str(out.parent)!r} does not exist")

    if args.input:
        path = Path(args.input)
        if not path.exists():
            raise UsageError(f"--input {args.input!r} does not exist")
        caseload = read_caseload(path)
        policy = Policy()  # files carry no settings: the defaults of DOMAIN.md
    else:
        engine = get_engine(args.database or database_url())
        caseload, policy = load_caseload(engine), current_policy(engine)  # the council's stored settings
    if args.policy:
        policy = policy.with_(midway_policy=args.policy)
    result = compute(caseload, as_of, policy)
    frame = report_frame(result)
    # no flags: an empty cell like every other empty cell (not a quoted "")
    # formula-looking cells (a child id or name from an import) neutralised as in every download
    safe_cells(frame.with_columns(pl.col("flags").replace("", None))).write_csv(out, date_format="%Y-%m-%d")
    print(f"wrote {frame.height} children looked after on {as_of.isoformat()} to {out}")
    # per check, how many of the children looked after the data can decide it for (DOMAIN §8)
    partial = result.coverage.filter(pl.col("supported") < pl.col("children"))
    if partial.height:
        print("checks the data cannot decide for every child:")
        for row in partial.iter_rows(named=True):
            print(f"  {row['code']}: supported for {row['supported']} of {row['children']} children")
    return 0
