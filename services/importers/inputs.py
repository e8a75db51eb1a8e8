"""Uploaded or on-disk input files, and the common CSV reading every format shares.

The page spools each upload once to a private temporary file and the command line names files on
disk; both become a list of `InputFile` holding a *path*, so parsing, validation and import history
(file names and SHA-256) are one code path and no reader needs the whole file as Python bytes:
hashing and the encoding check stream it in chunks, and polars, fastexcel and the SAX parser read
the file themselves. (Issue 13: a 190 MB upload once took the server to 2.4 GB, partly from copies
of the bytes, their decoded text and a StringIO of it.) Small in-memory files (tests, a header
probe) may still be given as bytes.
"""

from __future__ import annotations

import codecs
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

import polars as pl

from services.errors import UsageError
from services.importers import problems as pb

SUFFIXES = (".csv", ".xml", ".xlsx")
CHUNK = 1 << 20  # bytes read at a time when hashing or checking the encoding


@dataclass(frozen=True)
class InputFile:
    """One input file: its name (as the user knows it: messages and history name it) and either
    its bytes (`data`, for small in-memory files) or the `path` holding them."""

    name: str
    data: bytes | None = field(default=None, repr=False)
    path: Path | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.path is None):
            raise ValueError("an InputFile has either data or a path")

    @classmethod
    def from_path(cls, path: Path, name: str | None = None) -> InputFile:
        return cls(name or Path(path).name, path=Path(path))

    def open(self) -> BinaryIO:
        """The content as a binary stream (the caller closes it)."""
        return io.BytesIO(self.data) if self.data is not None else self.path.open("rb")  # type: ignore[union-attr]

    def chunks(self) -> Iterator[bytes]:
        with self.open() as f:
            while chunk := f.read(CHUNK):
                yield chunk

    def head(self, size: int) -> bytes:
        with self.open() as f:
            return f.read(size)

    @property
    def source(self) -> str | bytes:
        """What polars / fastexcel / SAX read: the path (they open it themselves) or the bytes."""
        return self.data if self.data is not None else str(self.path)

    @cached_property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return digest.hexdigest()

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


def collect(path: Path) -> list[InputFile]:
    """The files under `path`: a single file, or every .csv / .xml / .xlsx directly in a folder."""
    path = Path(path)
    if path.is_file():
        return [InputFile.from_path(path)]
    if path.is_dir():
        files = [InputFile.from_path(p) for p in sorted(path.iterdir()) if p.suffix.lower() in SUFFIXES]
        if not files:
            raise UsageError(f"{path}: no .csv, .xml or .xlsx files in this folder")
        return files
    raise UsageError(f"{path}: no such file or folder")


def encoding_problems(file: InputFile) -> tuple[bool, pl.DataFrame]:
    """Whether the file holds any text but white space, and a problem when it is not UTF-8 (with
    or without BOM) saying how to fix it. Streams the file: nothing but a chunk is decoded at once."""
    if file.head(2) in (b"\xff\xfe", b"\xfe\xff"):
        msg = "file is UTF-16 text; save it again as CSV UTF-8"
        return False, pb.from_records([pb.Problem(file.name, None, None, None, msg)])
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset, text, chunk = 0, False, b""
    try:
        for chunk in file.chunks():
            decoded = decoder.decode(chunk)  # always: it is the UTF-8 check
            text = text or bool(decoded.strip())
            offset += len(chunk)
        chunk = b""  # a sequence cut short at the end is reported here
        decoded = decoder.decode(chunk, final=True)
        text = text or bool(decoded.strip())
    except UnicodeDecodeError as exc:
        # exc.start counts within what the decoder had buffered: the chunk plus up to 3 bytes held over
        held = len(exc.object) - len(chunk)
        msg = f"file is not UTF-8 text (byte {offset - held + exc.start}); save it again as CSV UTF-8"
        return False, pb.from_records([pb.Problem(file.name, None, None, None, msg)])
    return text, pb.empty()


def read_csv(file: InputFile) -> tuple[pl.DataFrame | None, pl.DataFrame]:
    """Every cell as trimmed text ("" -> null), header names trimmed, plus `_file` and `_line`
    (the spreadsheet line: header = 1). Returns (frame or None, problems). Polars reads the file
    itself (its path), so the only copy in memory is the frame."""
    text, problems = encoding_problems(file)
    if problems.height:
        return None, problems
    if not text:
        return None, pb.from_records([pb.Problem(file.name, None, None, None, "file is empty")])
    try:
        raw = pl.read_csv(file.source, infer_schema=False)
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
