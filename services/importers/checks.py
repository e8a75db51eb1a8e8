"""Checks every import runs on its database-shaped frames, so the preview tells the truth.

Each of these used to pass the preview ("No errors found") and then fail at the database write
with a traceback, or worse, succeed: a text longer than its column, a NUL byte (PostgreSQL refuses
it), a row naming a child or review that is in neither the upload nor the database, and a template
row that would rewrite a midway check or escalation Midway already holds as a saved record. Each is
now a problem naming the file, line and column, found before anything is written. Vectorised: one
filter per column or table.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Connection, String, select

from services.engine.workdays import FIRST_YEAR, LAST_YEAR
from services.importers import problems as pb
from services.importers.bundle import TABLES, WHERE, Parsed
from services.persistence import models as m

# tables whose rows are casework saved in Midway: an import may add them, never rewrite them
CASEWORK = {"midway_checks": "midway check", "escalations": "escalation", "escalation_stages": "escalation stage"}
# incoming columns that name a row of another table (an SSDA903 SW_ID becomes a staff code)
_LIMITED_ALIASES = {"allocations": {"staff_code": ("staff", "code")}}
# tables derived from rows of other tables (checked there, where the file and line are known)
_DERIVED = {"staff", "teams"}


def _where(frame: pl.DataFrame, table: str) -> tuple[pl.DataFrame, pl.Expr]:
    """The frame with `_file` / `_line` (the table's name and no line when the source gave none)."""
    if "_file" not in frame.columns:
        frame = frame.with_columns(pl.lit(f"({table})").alias("_file"))
    return frame, pl.col("_file")


def _length(table: str, column: str) -> int | None:
    target_table, target_col = _LIMITED_ALIASES.get(table, {}).get(column, (table, column))
    if target_table not in m.Base.metadata.tables:
        return None
    col = m.Base.metadata.tables[target_table].c.get(target_col)
    if col is None or not isinstance(col.type, String):
        return None
    return col.type.length


def text_problems(parsed: Parsed) -> pl.DataFrame:
    """Texts longer than their database column, and texts holding a NUL byte."""
    out = []
    for table, frame in parsed.tables.items():
        if table in _DERIVED or "_file" not in frame.columns:
            continue
        file = pl.col("_file")
        for column, dtype in frame.schema.items():
            if column in WHERE or dtype != pl.String:
                continue
            c = pl.col(column)
            out.append(
                pb.rows(
                    frame,
                    c.str.contains("\x00", literal=True).fill_null(False),
                    file=file,
                    column=column,
                    value=c.str.replace_all("\x00", "\\0", literal=True),
                    message="contains a NUL byte (a control character no database text can hold): remove it",
                )
            )
            limit = _length(table, column)
            if limit is not None:
                too_long = c.str.len_chars() > limit
                out.append(
                    pb.rows(
                        frame,
                        too_long.fill_null(False),
                        file=file,
                        column=column,
                        value=c.str.slice(0, 60) + pl.lit("..."),
                        message=pl.format(f"is {{}} characters long: at most {limit} fit", c.str.len_chars()),
                    )
                )
    return pb.combine(out)


def date_span_problems(parsed: Parsed) -> pl.DataFrame:
    """Dates outside the working-day calendar's span (services.engine.workdays: 1950-2100). A
    typing error (2202 for 2022, 1900 for 2000) used to import and then break every deadline the
    engine computes from it; now it is an error naming the file, line and column."""
    out = []
    for table, frame in parsed.tables.items():
        if table in _DERIVED or "_file" not in frame.columns:
            continue
        for column, dtype in frame.schema.items():
            if column in WHERE or dtype != pl.Date:
                continue
            year = pl.col(column).dt.year()
            out.append(
                pb.rows(
                    frame,
                    ((year < FIRST_YEAR) | (year > LAST_YEAR)).fill_null(False),
                    file=pl.col("_file"),
                    column=column,
                    value=pl.col(column).dt.strftime("%d/%m/%Y"),
                    message=f"is outside {FIRST_YEAR}-{LAST_YEAR}, the years Midway's working-day calendar covers: "
                    "check the year",
                )
            )
    return pb.combine(out)


def _column(conn: Connection | None, stmt, schema: dict[str, pl.DataType]) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    if conn is None:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame([tuple(r) for r in conn.execute(stmt).all()], schema=schema, orient="row")


def reference_problems(parsed: Parsed, conn: Connection | None) -> pl.DataFrame:
    """Rows naming a child, or a review (child and date), in neither the upload nor the database
    (`conn` None: the upload alone, as `report --input` reads it)."""
    children = pl.concat(
        [
            parsed.table("children").select(pl.col("id").alias("child_id")),
            _column(conn, select(m.Child.id), {"child_id": pl.String}),
        ]
    ).unique()
    out = []
    for table, frame in parsed.tables.items():
        if table == "children" or "child_id" not in frame.columns or "_file" not in frame.columns:
            continue
        file = pl.col("_file")
        hit = frame.join(children, on="child_id", how="anti")
        out.append(
            pb.rows(
                hit,
                pl.col("child_id").is_not_null(),
                file=file,
                column="child_id",
                message="no such child in this upload or in the database",
            )
        )
    if "recommendations" in parsed.tables:
        reviews = pl.concat(
            [
                parsed.table("reviews").select("child_id", "held_date"),
                _column(
                    conn, select(m.Review.child_id, m.Review.held_date), {"child_id": pl.String, "held_date": pl.Date}
                ),
            ]
        ).unique()
        frame, file = _where(parsed.tables["recommendations"], "recommendations")
        hit = frame.join(children, on="child_id", how="semi").join(reviews, on=["child_id", "held_date"], how="anti")
        out.append(
            pb.rows(
                hit,
                pl.col("held_date").is_not_null(),
                file=file,
                column="review_date",
                value=pl.col("held_date").cast(pl.String),
                message="no review of this child on this date in this upload or in the database",
            )
        )
    return pb.combine(out)


def casework_problems(table: str, updates: pl.DataFrame, old: pl.DataFrame) -> pl.DataFrame:
    """An incoming row that would change a midway check or escalation Midway holds as a saved record:
    refused, naming the row and what the saved record says (an import adds casework, it never
    rewrites it; the saved record is changed in Midway's own form)."""
    if table not in CASEWORK or updates.height == 0:
        return pb.empty()
    keys = list(TABLES[table][0])
    saved = updates.join(old, on="_id", how="left", suffix="__saved")
    frame, file = _where(saved, table)
    if table == "midway_checks":
        detail = pl.format(
            "a midway check on this date is already saved in Midway (by {}, outcome {}): the import does not "
            "change saved checks; change it in Midway, or remove this line",
            pl.col("author__saved").fill_null("an unnamed IRO"),
            pl.col("outcome__saved").fill_null("none"),
        )
    else:
        detail = pl.lit(
            f"this {CASEWORK[table]} is already saved in Midway: the import does not change saved escalations; "
            "change it in Midway, or remove this line"
        )
    return pb.rows(
        frame, pl.lit(True), file=file, column=keys[-1], value=pl.col(keys[-1]).cast(pl.String), message=detail
    )


# A date of birth this many years or more before the data's end is implausible for a child in care
# (the 903 also covers care leavers up to 21; 25 leaves room). Not a policy setting: it catches
# typing errors (1908 for 2008), not a rule of the service.
OLDEST_YEARS = 25


def birth_problems(frame: pl.DataFrame, column: str, data_end: dt.date | None, today: dt.date) -> pl.DataFrame:
    """A date of birth after the data's end (or today), or OLDEST_YEARS or more before it: errors
    naming the row (such a child would be scheduled, or left off the schedule, on a typing error)."""
    end = min(data_end, today) if data_end else today
    oldest = dt.date(end.year - OLDEST_YEARS, end.month, 28 if (end.month, end.day) == (2, 29) else end.day)
    dmy = "%d/%m/%Y"
    c = pl.col(column)
    return pb.combine(
        [
            pb.rows(
                frame,
                (c > end).fill_null(False),
                file=pl.col("_file"),
                column=column,
                value=c.dt.strftime(dmy),
                message=f"date of birth is after the end of the data ({end.strftime(dmy)}): a child not yet born",
            ),
            pb.rows(
                frame,
                (c <= oldest).fill_null(False),
                file=pl.col("_file"),
                column=column,
                value=c.dt.strftime(dmy),
                message=f"date of birth is {OLDEST_YEARS} or more years before the end of the data "
                f"({end.strftime(dmy)}): implausibly old for a child in care",
            ),
        ]
    )
