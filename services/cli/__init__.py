"""Midway's command line: the service layer without the UI.

    python -m services report --as-of 2026-11-23 --out report.csv
    python -m services import --input path/ [--dry-run]
    python -m services demo [--reset | --if-empty]
    python -m services migrate
    python -m services backup --out FILE      (SQLite; PostgreSQL: pg_dump)
    python -m services restore --from FILE

Each subcommand lives in its own module and exposes `add_arguments(parser)` and `run(args) -> int`.
Bad arguments exit with code 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import OperationalError

from services.cli import demo, import_files, migrate, report
from services.cli.backup import backup, restore
from services.errors import DatabaseUnavailable, UsageError

SUBCOMMANDS = {
    "report": (report, "Write the schedule and drift report for every child looked after."),
    "import": (import_files, "Import SSDA903 files or Midway's template into the database."),
    "demo": (demo, "Load the synthetic demo caseload."),
    "migrate": (migrate, "Create or upgrade the database schema."),
    "backup": (backup, "Copy the SQLite database to a file (sqlite3's online backup: safe while the app runs)."),
    "restore": (restore, "Replace the SQLite database with a backup file written by `backup`."),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module, help_text) in SUBCOMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    try:
        return int(SUBCOMMANDS[args.command][0].run(args) or 0)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OperationalError, DatabaseUnavailable) as exc:  # one line, no traceback
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"error: the database cannot be reached ({reason})", file=sys.stderr)
        return 2
