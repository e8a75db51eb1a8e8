"""Uploaded or on-disk input files, and the common CSV reading every format shares.

The page hands over uploads (name + bytes) and the command line a path; both become a list of
`InputFile`, so parsing, validation and import history (file names and SHA-256) are one code path.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from services.errors import UsageError
from services.importers import problems as pb

SUFFIXES = (".csv", ".xml", ".xlsx")


@dataclass(frozen=True)
class InputFile:
    name: str
    data: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


def collect(path: Path) -> list[InputFile]:
    """The files under `path`: a single file, or every .csv / .xml / .xlsx directly in a folder."""
    path = Path(path)
    if path.is_file():
        return [InputFile(path.name, path.read_bytes())]
    if path.is_dir():
        files = [InputFile(p.name, p.read_bytes()) for p in sorted(path.iterdir()) if p.suffix.lower() in SUFFIXES]
        if not files:
            raise UsageError(f"{path}: no .csv, .xml or .xlsx files in this folder")
        return files
    raise UsageError(f"{path}: no such file or folder")


def decode(file: InputFile) -> tuple[str | None, pl.DataFrame]:
    """The file's text (UTF-8, with or without BOM), or a problem saying how to fix it."""
    data = file.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        msg = "file is UTF-16 text; save it again as CSV UTF-8"
        return None, pb.from_records([pb.Problem(file.name, None, None, None, msg)])
    try:
        return data.decode("utf-8-sig"), pb.empty()
    except UnicodeDecodeError as exc:
        msg = f"file is not UTF-8 text (byte {exc.start}); save it again as CSV UTF-8"
        return None, pb.from_records([pb.Problem(file.name, None, None, None, msg)])


def read_csv(file: InputFile) -> tuple[pl.DataFrame | None, pl.DataFrame]:
    """Every cell as trimmed text ("" -> null), header names trimmed, plus `_file` and `_line`
    (the spreadsheet line: header = 1). Returns (frame or None, problems)."""
    text, problems = decode(file)
    if text is None:
        return None, problems
    if not text.strip():
        return None, pb.from_records([pb.Problem(file.name, None, None, None, "file is empty")])
    try:
        raw = pl.read_csv(io.StringIO(text), infer_schema=False)
    except (pl.exceptions.PolarsError, ValueError) as exc:  # polars names the offending line
        msg = f"cannot read as CSV: {str(exc).splitlines()[0]}"
        return None, pb.from_records([pb.Problem(file.name, None, None, None, msg)])
    return tidy(raw, file.name), pb.empty()


def tidy(raw: pl.DataFrame, name: str, first_line: int = 2) -> pl.DataFrame:
    """Trim headers and cells, blank -> null, add `_file` and `_line`."""
    raw = raw.rename({c: c.strip() for c in raw.columns})
    cols = [pl.col(c).cast(pl.String).str.strip_chars().replace("", None).alias(c) for c in raw.columns]
    return raw.select(cols).with_columns(
        pl.lit(name).alias("_file"), (pl.int_range(pl.len(), dtype=pl.Int64) + first_line).alias("_line")
    )


DMY = r"^\d{2}/\d{2}/\d{4}$"
ISO = r"^\d{4}-\d{2}-\d{2}$"


def parse_dmy(col: str) -> pl.Expr:
    """A strict dd/mm/yyyy date (null when not one): the 903's only date format."""
    c = pl.col(col)
    return pl.when(c.str.contains(DMY)).then(c.str.to_date("%d/%m/%Y", strict=False)).otherwise(None).alias(col)


def parse_flexible(col: str) -> pl.Expr:
    """ISO yyyy-mm-dd or dd/mm/yyyy; an Excel date cell arrives as 'yyyy-mm-dd 00:00:00'."""
    c = pl.col(col).str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$", "$1")
    return (
        pl.when(c.str.contains(ISO))
        .then(c.str.to_date("%Y-%m-%d", strict=False))
        .when(c.str.contains(DMY))
        .then(c.str.to_date("%d/%m/%Y", strict=False))
        .otherwise(None)
        .alias(col)
    )


def date_problems(
    raw: pl.DataFrame, parsed: pl.DataFrame, columns: list[str], expected: str, severity: str = pb.ERROR
) -> pl.DataFrame:
    """A problem for every non-blank cell of `columns` that did not parse as a date."""
    out = []
    for c in columns:
        if c not in raw.columns:
            continue
        where = [w for w in ("_file", "_line", "_record") if w in raw.columns]
        both = raw.select(*where, pl.col(c)).with_columns(parsed[c].alias("_parsed"))
        out.append(
            pb.rows(
                both,
                pl.col(c).is_not_null() & pl.col("_parsed").is_null(),
                file=pl.col("_file"),
                column=c,
                message=f"is not a date (expected {expected})",
                severity=severity,
            )
        )
    return pb.combine(out)
