"""Importers: SSDA903 returns (CSV or XML) and Midway's own template (CSV folder or Excel workbook).

One path for every caller:
    files = inputs.collect(path)            # or [InputFile(name, path=spooled upload)] from the page
    parsed = parse_files(files)             # read + validate + map; problems in parsed.problems
    import_parsed(engine, parsed, actor, dry_run=...)   # services.importers.writer
    read_caseload(path)                     # the engine's input without a database (`report --input`)

The format is recognised from the files themselves: .xml -> SSDA903 XML; .xlsx -> template;
CSVs whose columns match a 903 table -> SSDA903, otherwise the template. Mixing is an error.
"""

from __future__ import annotations

from pathlib import Path

from services.engine.caseload import Caseload
from services.errors import UsageError
from services.importers import problems as pb
from services.importers import ssda903, template
from services.importers.bundle import Parsed, to_caseload
from services.importers.checks import date_span_problems, text_problems
from services.importers.inputs import InputFile, collect, read_csv

__all__ = ["InputFile", "Parsed", "collect", "detect_kind", "parse_files", "read_caseload"]


def detect_kind(files: list[InputFile]) -> str:
    """'ssda903' or 'template' (raises UsageError for an empty or mixed set)."""

    if not files:
        raise UsageError("no files given")
    kinds = set()
    for f in files:
        if f.suffix == ".xml":
            kinds.add("ssda903")
        elif f.suffix == ".xlsx":
            kinds.add("template")
        elif f.suffix == ".csv":
            frame, _ = read_csv(InputFile(f.name, f.head(65536).split(b"\n", 1)[0] + b"\n"))  # the header
            cols = [] if frame is None else [c for c in frame.columns if not c.startswith("_")]
            if ssda903.looks_like_903(cols):
                kinds.add("ssda903")
            elif template.identify(f.name, cols) is not None:
                kinds.add("template")
            else:
                kinds.add("unknown")
        else:
            raise UsageError(f"{f.name}: not a .csv, .xml or .xlsx file")
    kinds.discard("unknown")
    if len(kinds) > 1:
        raise UsageError("SSDA903 files and Midway template files cannot be imported together; import them separately")
    return kinds.pop() if kinds else "ssda903"


def parse_files(files: list[InputFile]) -> Parsed:
    """Read, validate and map `files` (no database). Problems are in the result, never raised."""

    kind = detect_kind(files)
    parsed = ssda903.parse(files) if kind == "ssda903" else template.parse(files)
    parsed.problems = pb.combine([parsed.problems, text_problems(parsed), date_span_problems(parsed)])
    return parsed


def read_caseload(path: Path) -> Caseload:
    """The engine's input from SSDA903 or template files, for `python -m services report --input`.
    Raises UsageError with the problems summary when there are errors (warnings are fine)."""
    parsed = parse_files(collect(Path(path)))
    if parsed.has_errors:
        raise UsageError(f"{path}: the files have errors\n{pb.summary(parsed.problems)}")
    return to_caseload(parsed)
