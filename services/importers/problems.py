"""Import problems: one row per thing wrong with the input, naming file, line, column and value.

Problems are built as polars frames by vectorised checks (a filter and a few literal columns),
never by looping over rows, so validating a national 903 with a million reviews stays fast.
`line` is the line a spreadsheet user sees: the header is line 1, the first data row line 2.
`record` names the record where a line number cannot (an XML return is often one long line): the
child and the element, e.g. "CHILD 566910, EPISODE 2".
Errors stop the import (nothing is written); warnings are kept rows with anomalies.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

ERROR = "error"
WARNING = "warning"

SCHEMA: dict[str, pl.DataType] = {
    "severity": pl.String(),
    "file": pl.String(),
    "line": pl.Int64(),
    "record": pl.String(),
    "column": pl.String(),
    "value": pl.String(),
    "message": pl.String(),
}


@dataclass(frozen=True)
class Problem:
    """A single problem raised outside the vectorised checks (unreadable file, missing table)."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str
    severity: str = ERROR
    record: str | None = None


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def from_records(records: list[Problem]) -> pl.DataFrame:
    if not records:
        return empty()
    return pl.DataFrame(
        [(p.severity, p.file, p.line, p.record, p.column, p.value, p.message) for p in records],
        schema=SCHEMA,
        orient="row",
    )


def rows(
    frame: pl.DataFrame,
    mask: pl.Expr,
    *,
    file: str | pl.Expr,
    column: str | None,
    message: str | pl.Expr,
    value: pl.Expr | None = None,
    severity: str = ERROR,
) -> pl.DataFrame:
    """Problems for the rows of `frame` where `mask` holds. `frame` carries `_file` and `_line`
    columns (added by the readers) unless `file` is given as a literal; `value` defaults to the
    raw text of `column`."""
    hit = frame.filter(mask)
    if hit.height == 0:
        return empty()
    if value is None:
        value = pl.col(column).cast(pl.String) if column else pl.lit(None, dtype=pl.String)
    return hit.select(
        pl.lit(severity).alias("severity"),
        (pl.lit(file) if isinstance(file, str) else file).cast(pl.String).alias("file"),
        (pl.col("_line") if "_line" in hit.columns else pl.lit(None)).cast(pl.Int64).alias("line"),
        (pl.col("_record") if "_record" in hit.columns else pl.lit(None)).cast(pl.String).alias("record"),
        pl.lit(column, dtype=pl.String).alias("column"),
        value.cast(pl.String).alias("value"),
        (pl.lit(message) if isinstance(message, str) else message).cast(pl.String).alias("message"),
    )


def combine(frames: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in frames if f.height]
    if not frames:
        return empty()
    return pl.concat(frames, how="vertical").sort(
        pl.col("severity") != ERROR, "file", "line", "column", nulls_last=True, maintain_order=True
    )


def errors(problems: pl.DataFrame) -> pl.DataFrame:
    return problems.filter(pl.col("severity") == ERROR)


def warnings(problems: pl.DataFrame) -> pl.DataFrame:
    return problems.filter(pl.col("severity") == WARNING)


def describe(problems: pl.DataFrame) -> pl.Series:
    """Each problem as one sentence: `reviews.csv line 15, REVIEW: "38/04/2019" is not a date ...`."""
    where = (
        pl.col("file")
        + pl.when(pl.col("line").is_not_null())
        .then(pl.lit(" line ") + pl.col("line").cast(pl.String))
        .otherwise(pl.lit(""))
        + pl.when(pl.col("record").is_not_null())
        .then(pl.lit(" (") + pl.col("record") + pl.lit(")"))
        .otherwise(pl.lit(""))
    )
    col = pl.when(pl.col("column").is_not_null()).then(pl.lit(", ") + pl.col("column")).otherwise(pl.lit(""))
    val = (
        pl.when(pl.col("value").is_not_null()).then(pl.lit('"') + pl.col("value") + pl.lit('" ')).otherwise(pl.lit(""))
    )
    return problems.select((where + col + pl.lit(": ") + val + pl.col("message")).alias("problem")).to_series()


def counts_by_message(problems: pl.DataFrame) -> pl.DataFrame:
    """How many of each kind of problem (severity, file, column, message): the summary a user reads first."""
    return (
        problems.group_by("severity", "file", "column", "message")
        .len()
        .rename({"len": "rows"})
        .sort(pl.col("severity") != ERROR, "file", "column", "message", nulls_last=True)
    )


def summary(problems: pl.DataFrame, limit: int = 20) -> str:
    """A short text for a UsageError or the terminal: the counts, then the first `limit` errors."""
    errs = errors(problems)
    warns = warnings(problems)
    lines = [f"{errs.height} error(s), {warns.height} warning(s)"]
    shown = describe(errs.head(limit)).to_list()
    lines += [f"  {s}" for s in shown]
    if errs.height > limit:
        lines.append(f"  ... and {errs.height - limit} more error(s)")
    return "\n".join(lines)


def for_display(problems: pl.DataFrame) -> pl.DataFrame:
    """The problems as a user reads them: without the `record` column when no problem has one (CSV
    files are located by line alone)."""
    return problems.drop("record") if problems["record"].null_count() == problems.height else problems
