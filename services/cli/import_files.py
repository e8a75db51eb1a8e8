"""`python -m services import --input PATH [--database URL] [--dry-run]`.

Exit codes: 0 imported (or dry run clean), 1 the files have errors (nothing written; the problems
are printed, and written in full with --problems-csv), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import polars as pl

from services.errors import UsageError
from services.importers import collect, parse_files
from services.importers import problems as pb
from services.importers.template import workbook_bytes
from services.importers.writer import import_parsed
from services.persistence.database import database_url, make_engine, migrate
from services.views.export import problems_csv

SHOWN = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", type=Path, help="a folder of CSV files, one .csv / .xml file, or an .xlsx workbook")
    parser.add_argument("--database", help="SQLAlchemy URL (default: DATABASE_URL, secrets, data/midway.db)")
    parser.add_argument("--dry-run", action="store_true", help="validate and show what would change; write nothing")
    parser.add_argument("--actor", default=None, help="name recorded in the import history (default: OS user)")
    parser.add_argument("--problems-csv", type=Path, help="write every problem (errors and warnings) to this CSV")
    parser.add_argument("--blank-template", type=Path, help="write the blank template workbook here and exit")


def _print_problems(problems: pl.DataFrame) -> None:
    errs, warns = pb.errors(problems), pb.warnings(problems)
    print(f"{errs.height} error(s), {warns.height} warning(s)")
    for title, frame in (("Errors", errs), ("Warnings", warns)):
        if frame.height == 0:
            continue
        print(f"\n{title} by kind:")
        for r in pb.counts_by_message(frame).iter_rows(named=True):
            print(f"  {r['rows']:>7}  {r['file']}{', ' + r['column'] if r['column'] else ''}: {r['message']}")
    if errs.height:
        print(f"\nFirst {min(SHOWN, errs.height)} error(s):")
        for line in pb.describe(errs.head(SHOWN)).to_list():
            print(f"  {line}")


def run(args: argparse.Namespace) -> int:
    if args.blank_template:
        args.blank_template.write_bytes(workbook_bytes())
        print(f"blank template written to {args.blank_template}")
        return 0
    if args.input is None:
        raise UsageError("--input PATH is required")
    parsed = parse_files(collect(args.input))
    _print_problems(parsed.problems)
    if args.problems_csv:
        args.problems_csv.write_bytes(problems_csv(parsed.problems))
        print(f"all problems written to {args.problems_csv}")
    for note in parsed.notes:
        print(f"note: {note}")
    if parsed.has_errors:
        print("\nnothing was imported: fix the errors above and run again", file=sys.stderr)
        return 1
    engine = make_engine(args.database or database_url())
    migrate(engine)
    actor = args.actor or getpass.getuser()
    result = import_parsed(engine, parsed, actor, dry_run=args.dry_run)
    if result.has_errors:  # found against the database (unknown children, saved casework ...)
        _print_problems(result.problems)
        print("\nnothing was imported: fix the errors above and run again", file=sys.stderr)
        return 1
    with pl.Config(tbl_rows=-1, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        print(result.counts)
    if args.dry_run:
        print("dry run: nothing written")
    else:
        print(f"imported as run {result.run_id} by {actor}")
    return 0
