"""`python -m services backup --out FILE` and `restore --from FILE`: copy the SQLite database with
sqlite3's online backup API (consistent while the app is running: pages keep reading and writing).

PostgreSQL is backed up with its own tools (README: pg_dump / pg_restore); these commands say so.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from sqlalchemy import make_url

from services.errors import UsageError
from services.persistence.database import database_url, owner_only


def _sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        raise UsageError(
            f"{parsed.drivername} database: back it up with pg_dump / pg_restore (see README), not this command"
        )
    if not parsed.database or parsed.database == ":memory:":
        raise UsageError("an in-memory SQLite database has nothing to back up")
    return Path(parsed.database)


def _copy(source: Path, target: Path) -> int:
    """Copy `source` into `target` page by page (the online backup API); returns the pages copied.
    The target is created owner-only (0600) before SQLite opens it: a backup holds the same
    children's data as the database."""
    owner_only(target)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
        return int(dst.execute("PRAGMA page_count").fetchone()[0])


def _check(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            conn.execute("SELECT count(*) FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{str(path)!r} is not a Midway SQLite database ({exc})") from None
    if ok != "ok":
        raise UsageError(f"{str(path)!r} fails SQLite's integrity check: {ok}")


def add_backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="the backup file to write (a SQLite database)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: DATABASE_URL, secrets, data/midway.db)")


def run_backup(args: argparse.Namespace) -> int:
    source = _sqlite_path(args.database or database_url())
    if not source.exists():
        raise UsageError(f"the database file {str(source)!r} does not exist")
    out = Path(args.out)
    if not out.parent.exists():
        raise UsageError(f"--out {args.out!r}: folder {str(out.parent)!r} does not exist")
    if out.exists():
        raise UsageError(f"--out {args.out!r} already exists: choose a new file")
    pages = _copy(source, out)
    _check(out)
    print(f"backed up {source} to {out} ({pages} pages)")
    return 0


def add_restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="source", required=True, help="a backup file written by `backup`")
    parser.add_argument("--database", help="SQLAlchemy URL (default: DATABASE_URL, secrets, data/midway.db)")


def run_restore(args: argparse.Namespace) -> int:
    source = Path(args.source)
    if not source.exists():
        raise UsageError(f"--from {args.source!r} does not exist")
    _check(source)
    target = _sqlite_path(args.database or database_url())
    target.parent.mkdir(parents=True, exist_ok=True)
    pages = _copy(source, target)
    print(f"restored {target} from {source} ({pages} pages)")
    return 0


class _Command:
    def __init__(self, add_arguments, run):
        self.add_arguments, self.run = add_arguments, run


backup = _Command(add_backup_arguments, run_backup)
restore = _Command(add_restore_arguments, run_restore)
