"""An upload on the Import page, kept small between reruns (issue 13).

Streamlit reruns the page on every click, and a session lives as long as its browser tab. Holding
the upload's bytes, its parsed frames and the dry run in the session (as the page once did, with a
fresh copy of the bytes and a fresh dry run on every rerun) took one 190 MB upload to 2.4 GB. So:

- `Spool` copies each uploaded file once, in chunks, to a private temporary folder (mode 0700, the
  files 0600, as `tempfile` makes them) and hands the parsers `InputFile`s holding its paths. The
  folder is removed by `close()` when the upload changes or is removed, and otherwise when the
  `Spool` is garbage-collected with its session (TemporaryDirectory's finalizer; also at exit).
- `check` parses the files and runs the dry run once per upload and returns a `Checked`: the
  problems, the preview counts and the spool, never the frames (the page keeps only that).
- `write` parses the spooled files again for the import itself and returns a `Written` with its
  counts and problems (an `ImportResult` would keep the frames alive in the session).

The importer's contract is unchanged: all-or-nothing, problems naming file, row and field.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polars as pl
from sqlalchemy import Engine

from services.access import Principal
from services.importers import parse_files
from services.importers import problems as pb
from services.importers.inputs import CHUNK, InputFile
from services.importers.writer import Progress, import_as


class Spool:
    """The uploaded files of one check, each copied once to a private temporary file."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="midway-upload-")
        self.files: list[InputFile] = []

    @property
    def folder(self) -> Path:
        return Path(self._dir.name)

    def add(self, name: str, stream: BinaryIO) -> InputFile:
        """Copy `stream` (from its start) to a new 0600 file; the InputFile keeps the user's name."""
        fd, path = tempfile.mkstemp(dir=self._dir.name, suffix=Path(name).suffix.lower())
        stream.seek(0)
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(stream, out, CHUNK)
        stream.seek(0)
        file = InputFile.from_path(Path(path), name)
        self.files.append(file)
        return file

    def close(self) -> None:
        """Remove the folder and its files (again is harmless)."""
        self._dir.cleanup()
        self.files = []


@dataclass(frozen=True)
class Checked:
    """What the page shows after a check, and the spool to parse again for the import."""

    spool: Spool
    kind: str  # "ssda903" | "template"
    notes: list[str]
    data_end: dt.date | None
    problems: pl.DataFrame  # the files' own and, after the dry run, those found against the database
    counts: pl.DataFrame | None  # the dry run's added / updated ... per table; None when the files have errors

    @property
    def has_errors(self) -> bool:
        return pb.errors(self.problems).height > 0


@dataclass(frozen=True)
class Written:
    """The outcome of the import: written, or refused (the database changed since the check)."""

    written: bool
    run_id: int | None
    counts: pl.DataFrame
    problems: pl.DataFrame


def check(engine: Engine, spool: Spool, who: Principal) -> Checked:
    """Parse the spooled files and run the dry run (once per upload). Raises UsageError for an
    unusable set of files (an unknown suffix, template and 903 mixed), naming the file."""
    parsed = parse_files(spool.files)
    counts, problems = None, parsed.problems
    if not parsed.has_errors:
        # the dry run compares with the database: its problems (unknown children, saved casework)
        # belong in the same list, so "No errors found" is only said when it is true
        preview = import_as(engine, parsed, who, dry_run=True)
        counts, problems = preview.counts, preview.problems
    checked = Checked(spool, parsed.kind, parsed.notes, parsed.data_end, problems, counts)
    if checked.has_errors:
        spool.close()  # nothing can be imported: the files are not needed again
    return checked


def write(engine: Engine, checked: Checked, who: Principal, progress: Progress | None = None) -> Written:
    """Import the checked files: parsed again from the spool, then all-or-nothing."""
    result = import_as(engine, parse_files(checked.spool.files), who, progress=progress)
    return Written(result.written, result.run_id, result.counts, result.problems)
