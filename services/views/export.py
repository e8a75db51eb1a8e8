"""Downloads: CSV and Excel that are safe to open (the one shared helper for every download).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return can be run as a formula by
a spreadsheet (CSV injection, OWASP). Text from data (names, free text) could start so, so every
text cell that does gets a leading apostrophe; numbers and dates stay numbers and dates.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import polars as pl
import polars.selectors as cs
from sqlalchemy import Engine

from services.access import Principal
from services.importers.problems import for_display
from services.persistence.audit import record_export

DANGEROUS_START = r"^[=+\-@\t\r]"


def safe_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell that could start a formula prefixed by an apostrophe.
    Enum / categorical columns become text first; list columns are joined with "; "."""
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    out = frame.with_columns(
        *[pl.col(c).cast(pl.List(pl.String)).list.join("; ") for c in lists],
    ).with_columns(cs.by_dtype(pl.Enum, pl.Categorical).cast(pl.String))
    text = [c for c, t in out.schema.items() if t == pl.String]
    return out.with_columns(
        *[
            pl.when(pl.col(c).str.contains(DANGEROUS_START)).then("'" + pl.col(c)).otherwise(pl.col(c)).alias(c)
            for c in text
        ]
    )


def to_csv(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so Excel reads names with accents), ISO dates."""
    return b"\xef\xbb\xbf" + safe_cells(frame).write_csv(date_format="%Y-%m-%d").encode("utf-8")


def problems_csv(problems: pl.DataFrame) -> bytes:
    """The import's problems file (page and `import --problems-csv`): a rejected value is exactly
    what an attacker controls, so it goes through the same neutralisation as every download."""
    return to_csv(for_display(problems))


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()[:31] or "Sheet"
    name, n = clean, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def to_excel(
    sheets: Sequence[tuple[str, str, pl.DataFrame | None, str]], cover: Sequence[tuple[str, str]] = ()
) -> bytes:
    """One workbook: a contents sheet (`cover` rows: label, value; then each sheet with its title),
    then one sheet per (sheet name, title, frame, why_not): the frame as an Excel table with bold
    headers, dates as real dates ("d mmm yyyy"), percentages to one decimal; or, when the frame is
    None, the sentence saying why the data cannot support it."""
    from xlsxwriter import Workbook

    buf = io.BytesIO()
    with Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}) as wb:
        bold = wb.add_format({"bold": True, "font_size": 13})
        wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        taken: set[str] = set()
        contents = wb.add_worksheet(sheet_name("Contents", taken))
        contents.set_column(0, 0, 34)
        contents.set_column(1, 1, 100, wrap)
        contents.write_string(0, 0, "Midway reports", bold)
        row = 2
        for label, value in cover:
            contents.write_string(row, 0, safe_text(label))
            contents.write_string(row, 1, safe_text(value))
            row += 1
        row += 1
        contents.write_string(row, 0, "Sheet", bold)
        contents.write_string(row, 1, "What it holds", bold)
        for name, title, frame, why_not in sheets:
            row += 1
            name = sheet_name(name, taken)
            contents.write_string(row, 0, name)
            contents.write_string(row, 1, safe_text(title if frame is not None else f"{title}: not supported"))
            ws = wb.add_worksheet(name)
            ws.write_string(0, 0, safe_text(title), bold)
            if frame is None:
                ws.set_column(0, 0, 120, wrap)
                ws.write_string(2, 0, safe_text("The data cannot support this figure. " + why_not))
                continue
            safe = safe_cells(frame)
            safe.write_excel(
                workbook=wb,
                worksheet=ws,
                position="A3",
                table_style="Table Style Light 9",
                dtype_formats={pl.Date: "d mmm yyyy"},
                column_formats={c: "0.0" for c in safe.columns if c.endswith("(%)")},
                header_format={"bold": True, "text_wrap": True},
                autofit=True,
                freeze_panes="A4",
            )
    return buf.getvalue()


def safe_text(value: str) -> str:
    """One text cell made safe (see `safe_cells`)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def audited(
    engine: Engine,
    actor: Principal,
    what: str,
    build: Callable[[], bytes | str],
    *,
    rows: int | None,
    file_name: str,
    child_id: str | None = None,
) -> Callable[[], bytes | str]:
    """A zero-argument callable for a download button's `data`: Streamlit runs it when the user
    clicks (not on every rerun), so the file is built and its 'export' audit row written then, and
    only then. The row is written before the bytes are handed over: a download that cannot be
    recorded is not given."""

    def _build() -> bytes | str:
        data = build()
        record_export(engine, actor.name, actor.role, what, rows=rows, file_name=file_name, child_id=child_id)
        return data

    return _build
