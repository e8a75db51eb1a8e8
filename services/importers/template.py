"""Midway's own import template: a folder of CSV files or one Excel workbook (a sheet per table).

Also builds the downloadable blank workbook (headers, one example row, an explanations sheet) and
exports a database back to the template, so a round trip (export, then import) can be checked.

Decisions: dates are ISO yyyy-mm-dd or dd/mm/yyyy (Excel date cells accepted). A CSV is matched to
its table by file name (children.csv ...) or else by its columns. IRO and social worker names
become staff with the stable code "NAME:<name lower-cased, spaces collapsed>" (names longer than
the code column get a hash suffix). Team / IRO / social worker on `children` become current
allocations from the child's earliest period start (else earliest review, else birth).
`recommendations` are numbered by their order within a review (seq 1, 2 ...). An escalation row
is the escalation with its current stage, started on the raised date. `next_review_scheduled` is
accepted but not stored (Midway computes the schedule): a warning says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.engine.policy import DEFAULT_ESCALATION_STAGES
from services.importers import problems as pb
from services.importers.bundle import Parsed, shape
from services.importers.checks import birth_problems
from services.importers.inputs import InputFile, parse_flexible, read_csv, tidy
from services.importers.ssda903 import LS, PLACE, REVIEW_CODE, SHORT_BREAK_LS
from services.persistence.caseload import load_caseload
from services.persistence.models import ALLOCATION_ROLES, MIDWAY_OUTCOMES, REVIEW_KINDS, MidwayCheck, Review


@dataclass(frozen=True)
class Col:
    name: str
    required: bool = False
    kind: str = "text"  # text | date | code | int | yesno
    codes: tuple[str, ...] = ()
    help: str = ""
    example: str | int | dt.date | None = None


D = dt.date
SPEC: dict[str, tuple[Col, ...]] = {
    "children": (
        Col("child_id", True, help="The child's id in your case system (the 903 CHILD).", example="C0001"),
        Col("display_name", help="Name or initials shown in Midway.", example="A. Child"),
        Col("date_of_birth", True, "date", help="Date of birth.", example=D(2014, 5, 17)),
        Col("sex", help="As recorded (e.g. M, F, U).", example="F"),
        Col("legal_status", kind="code", codes=LS, help="903 legal status code (C2, E1, V2 ...).", example="C2"),
        Col("placement_type", kind="code", codes=PLACE, help="903 placement code (U4, K2 ...).", example="U4"),
        Col("team", help="Social work team name.", example="North Team"),
        Col("social_worker", help="Allocated social worker's name.", example="Sam Worker"),
        Col("iro", help="Allocated IRO's name.", example="Iris Reviewer"),
        Col("sibling_group", help="Same value for siblings (they share one IRO).", example="S12"),
        Col("sibling_iro_exception", kind="yesno", codes=("yes", "no"),
            help="yes if an exception is recorded: this child need not share an IRO with their siblings.",
            example="no"),
        Col("permanence_plan", help="Permanence plan (e.g. adoption, long-term fostering).",
            example="long-term fostering"),
        Col("permanence_plan_date", kind="date", help="Date the permanence plan was agreed.", example=D(2025, 3, 10)),
        Col("annual_reviews_from", kind="date", help="Date 12-monthly reviews were agreed (long-term fostering).",
            example=None),
    ),
    "allocations": (
        Col("child_id", True, help="Child id.", example="C0001"),
        Col("role", True, "code", codes=ALLOCATION_ROLES, help="iro, social_worker or team.", example="iro"),
        Col("person", True, help="The IRO's or social worker's name, or the team's name.", example="Iris Reviewer"),
        Col("from_date", True, "date", help="Allocated from this date.", example=D(2024, 11, 8)),
        Col("to_date", kind="date", help="Allocated until this date (blank: still allocated).", example=None),
    ),
    "periods_of_care": (
        Col("child_id", True, help="Child id (must be in children).", example="C0001"),
        Col("start_date", True, "date", help="Date the child became looked after.", example=D(2024, 11, 4)),
        Col("end_date", kind="date", help="Date the period ended (blank if still looked after).", example=None),
    ),
    "reviews": (
        Col("child_id", True, example="C0001"),
        Col("review_date", True, "date", help="Date the review was held.", example=D(2024, 12, 2)),
        Col("participation_code", kind="code", codes=REVIEW_CODE, help="903 participation code PN0-PN7.",
            example="PN1"),
        Col("review_kind", kind="code", codes=REVIEW_KINDS,
            help="meeting, or consultation: with 12-monthly meetings agreed (long-term fostering) the review in "
            "between is an IRO consultation.", example="meeting"),
        Col("recommendations_sent_date", kind="date", help="Recommendations sent to the team manager.",
            example=D(2024, 12, 6)),
        Col("record_completed_date", kind="date", help="Review record completed.", example=D(2024, 12, 16)),
        Col("care_plan_updated_date", kind="date", help="Care plan updated with the recommendations.",
            example=D(2024, 12, 18)),
        Col("next_review_scheduled", kind="date", help="Accepted but not stored: Midway computes the schedule.",
            example=None),
    ),
    "recommendations": (
        Col("child_id", True, example="C0001"),
        Col("review_date", True, "date", help="The review that made it (must be in reviews).", example=D(2024, 12, 2)),
        Col("recommendation", True, help="The recommendation's text.", example="Arrange a PEP meeting"),
        Col("owner", help="Who must carry it out.", example="Social worker"),
        Col("target_date", kind="date", help="Timescale.", example=D(2025, 1, 31)),
        Col("completed_date", kind="date", help="Date done (blank if not yet).", example=None),
    ),
    "midway_checks": (
        Col("child_id", True, example="C0001"),
        Col("check_date", True, "date", help="Date of the midway check.", example=D(2025, 4, 14)),
        Col("iro", help="IRO who did the check.", example="Iris Reviewer"),
        Col("outcome", kind="code", codes=MIDWAY_OUTCOMES, help="progressing, actions_sent or escalated.",
            example="progressing"),
    ),
    "significant_events": (
        Col("child_id", True, example="C0001"),
        Col("event_date", True, "date", example=D(2025, 2, 3)),
        Col("event_type", True, help="E.g. unplanned placement change, missing from placement.",
            example="unplanned placement change"),
        Col("bring_forward", kind="yesno", codes=("yes", "no"), help="yes if the IRO brought the next review forward.",
            example="no"),
    ),
    "missing_episodes": (
        Col("child_id", True, example="C0001"),
        Col("start_date", True, "date", example=D(2025, 1, 10)),
        Col("end_date", kind="date", example=D(2025, 1, 11)),
    ),
    "escalations": (
        Col("child_id", True, example="C0001"),
        Col("raised_date", True, "date", example=D(2025, 5, 1)),
        Col("stage", True, "int", codes=tuple(str(i) for i in range(len(DEFAULT_ESCALATION_STAGES))),
            help="Current stage: " + "; ".join(f"{i} {n}" for i, n in enumerate(DEFAULT_ESCALATION_STAGES)),
            example=1),
        Col("stage_due_date", kind="date", help="Resolution date set for the current stage.", example=D(2025, 5, 9)),
        Col("resolved_date", kind="date", example=None),
        Col("outcome", help="E.g. resolved, referred to CAFCASS, withdrawn.", example=None),
        Col("category", help="E.g. delay in plan progress.", example="delay in plan progress"),
    ),
}  # fmt: skip
KEYS = {
    "children": ("child_id",),
    "allocations": ("child_id", "role", "from_date"),
    "periods_of_care": ("child_id", "start_date"),
    "reviews": ("child_id", "review_date"),
    "recommendations": ("child_id", "review_date", "recommendation"),
    "midway_checks": ("child_id", "check_date"),
    "significant_events": ("child_id", "event_date", "event_type"),
    "missing_episodes": ("child_id", "start_date"),
    "escalations": ("child_id", "raised_date"),
}
DATE_FORMATS = "yyyy-mm-dd or dd/mm/yyyy"
CODE_MAX = 40
NAME_MAX = 120  # staff.display_name and teams.name
NAMES = (("children", "team"), ("children", "iro"), ("children", "social_worker"), ("allocations", "person"))


def identify(name: str, columns: list[str]) -> str | None:
    """The template table a CSV holds: by file name, else the one table whose columns fit."""
    stem = Path(name).stem.strip().lower()
    cols = {c.strip().lower() for c in columns}
    if stem in SPEC and "child_id" in cols:
        return stem
    fits = [t for t, spec in SPEC.items() if {c.name for c in spec if c.required} <= cols <= {c.name for c in spec}]
    return fits[0] if len(fits) == 1 else None


def staff_code(name: str) -> str:
    """A stable staff code for a name from the template (staff have no ids there)."""
    norm = " ".join(name.split()).lower()
    code = f"NAME:{norm}"
    if len(code) > CODE_MAX:
        code = f"NAME:{norm[:24]}~{hashlib.sha1(norm.encode()).hexdigest()[:10]}"
    return code


# --- reading -----------------------------------------------------------------------------------


def _read_workbook(file: InputFile) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    import fastexcel

    try:
        reader = fastexcel.read_excel(file.source)  # the path: fastexcel opens it itself
    except Exception as exc:  # fastexcel raises its own error types for broken files
        return {}, pb.from_records([pb.Problem(file.name, None, None, None, f"cannot read as Excel: {exc}")])
    out, probs = {}, []
    for sheet in reader.sheet_names:
        table = sheet.strip().lower()
        if table not in SPEC:
            if table not in ("about", "explanations", "readme"):
                msg = "sheet is not a template table: ignored"
                probs.append(pb.Problem(f"{file.name} [{sheet}]", None, None, None, msg, pb.WARNING))
            continue
        frame = reader.load_sheet_by_name(sheet, dtypes="string").to_polars()
        frame = frame.rename({c: str(c).strip().lower() for c in frame.columns})
        out[table] = tidy(frame, f"{file.name} [{sheet}]")
    return out, pb.from_records(probs)


def read_tables(files: list[InputFile]) -> tuple[dict[str, pl.DataFrame], list[dict], pl.DataFrame]:
    tables: dict[str, list[pl.DataFrame]] = {}
    info, probs = [], []
    for file in files:
        if file.suffix == ".xlsx":
            found, p = _read_workbook(file)
        else:
            frame, p = read_csv(file)
            found = {}
            if frame is not None:
                frame = frame.rename({c: c.lower() for c in frame.columns if not c.startswith("_")})
                table = identify(file.name, [c for c in frame.columns if not c.startswith("_")])
                if table is None:
                    msg = "not a template table: name the file after its table (children.csv, reviews.csv ...)"
                    p = pb.combine([p, pb.from_records([pb.Problem(file.name, None, None, None, msg)])])
                else:
                    found = {table: frame}
        probs.append(p)
        for t, f in found.items():
            tables.setdefault(t, []).append(f)
        info.append(
            {
                "name": file.name,
                "sha256": file.sha256,
                "tables": sorted(found),
                "rows": sum(f.height for f in found.values()),
            }
        )
    stacked = {t: pl.concat(fs, how="diagonal_relaxed") for t, fs in tables.items()}
    return stacked, info, pb.combine(probs)


# --- validation --------------------------------------------------------------------------------


def _check_table(table: str, raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    spec = {c.name: c for c in SPEC[table]}
    probs = []
    files = raw["_file"].unique().to_list()
    for col in raw.columns:
        if not col.startswith("_") and col not in spec:
            for f in files:
                probs.append(pb.Problem(f, 1, col, None, "column not in the template: ignored", pb.WARNING))
    for c in spec.values():
        if c.name not in raw.columns:
            if c.required:
                for f in files:
                    probs.append(pb.Problem(f, 1, c.name, None, "required column is missing"))
            raw = raw.with_columns(pl.lit(None, pl.String).alias(c.name))
    out = [pb.from_records(probs)]
    parsed = raw.select("_file", "_line", *spec)
    f = pl.col("_file")
    for c in spec.values():
        col = pl.col(c.name)
        if c.required:
            out.append(pb.rows(raw, col.is_null(), file=f, column=c.name, message="is blank (required)"))
        if c.kind == "date":
            parsed = parsed.with_columns(parse_flexible(c.name))
            bad = raw[c.name].is_not_null() & parsed[c.name].is_null()
            out.append(
                pb.rows(
                    raw.with_columns(bad.alias("_bad")),
                    pl.col("_bad"),
                    file=f,
                    column=c.name,
                    message=f"is not a date (expected {DATE_FORMATS})",
                )
            )
        elif c.kind in ("code", "yesno", "int"):
            lower = c.kind == "yesno" or table in ("midway_checks", "allocations") or c.name == "review_kind"
            norm = col.str.to_lowercase() if lower else col.str.to_uppercase()
            if c.kind == "int":
                norm = col.str.replace(r"\.0+$", "")
            parsed = parsed.with_columns(norm.alias(c.name))
            bad = col.is_not_null() & ~col.is_in(c.codes)
            out.append(
                pb.rows(
                    parsed, bad, file=f, column=c.name, message=f"unknown code (expected one of {', '.join(c.codes)})"
                )
            )
    keys = list(KEYS[table])
    first = pl.col("_line").min().over([*keys, "_file"]).alias("_first")
    key_ok = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    out.append(
        pb.rows(
            parsed.with_columns(first),
            key_ok & (pl.col("_line") != pl.col("_first")),
            file=f,
            column=keys[-1],
            value=pl.col(keys[-1]).cast(pl.String),
            message=pl.format("duplicate: same {} as line {}", pl.lit(" and ".join(keys)), pl.col("_first")),
        )
    )
    if table == "periods_of_care":
        out.append(
            pb.rows(
                parsed,
                pl.col("end_date") < pl.col("start_date"),
                file=f,
                column="end_date",
                message="period ends before it starts",
            )
        )
        prev_end = pl.col("end_date").shift(1).over("child_id")
        srt = parsed.sort("child_id", "start_date").with_columns(
            prev_end.alias("_prev_end"), pl.int_range(pl.len()).over("child_id").alias("_n")
        )
        overl = (pl.col("_n") > 0) & (pl.col("_prev_end").is_null() | (pl.col("_prev_end") >= pl.col("start_date")))
        out.append(
            pb.rows(
                srt,
                overl,
                file=f,
                column="start_date",
                message="overlaps the child's previous period of care (which has no end or ends later)",
            )
        )
    if table == "escalations":
        parsed = parsed.with_columns(pl.col("stage").cast(pl.Int64, strict=False))
    return parsed, pb.combine(out)


def _outside_periods(reviews: pl.DataFrame, periods: pl.DataFrame) -> pl.Series:
    hits = (
        reviews.select("child_id", "review_date", pl.int_range(pl.len()).alias("_row"))
        .join(periods.select("child_id", "start_date", "end_date"), on="child_id")
        .filter(
            pl.col("review_date") >= pl.col("start_date"),
            pl.col("end_date").is_null() | (pl.col("review_date") <= pl.col("end_date")),
        )
        .select("_row")
    )
    return ~pl.int_range(reviews.height, eager=True).is_in(hits["_row"].implode())


def parse(files: list[InputFile]) -> Parsed:
    stacked, info, read_probs = read_tables(files)
    probs = [read_probs]
    t: dict[str, pl.DataFrame] = {}
    for table in SPEC:
        if table in stacked:
            t[table], p = _check_table(table, stacked[table])
            probs.append(p)
    if not t:
        probs.append(
            pb.from_records([pb.Problem(", ".join(f.name for f in files), None, None, None, "no template table found")])
        )
    f = pl.col("_file")
    for table, col in NAMES:  # staff and team names: the database holds 120 characters
        if table in t:
            long = pl.col(col).str.len_chars() > NAME_MAX
            probs.append(
                pb.rows(
                    t[table],
                    long.fill_null(False),
                    file=f,
                    column=col,
                    value=pl.col(col).str.slice(0, 60) + pl.lit("..."),
                    message=pl.format(f"is {{}} characters long: at most {NAME_MAX} fit", pl.col(col).str.len_chars()),
                )
            )
    if "children" in t:
        probs.append(birth_problems(t["children"], "date_of_birth", None, dt.date.today()))
        ids = t["children"]["child_id"].drop_nulls().unique().implode()
        for table, frame in t.items():
            if table != "children":
                probs.append(
                    pb.rows(
                        frame,
                        pl.col("child_id").is_not_null() & ~pl.col("child_id").is_in(ids),
                        file=f,
                        column="child_id",
                        message="child missing from children",
                    )
                )
    if "reviews" in t and "periods_of_care" in t:
        rv = t["reviews"].filter(pl.col("review_date").is_not_null())
        out = _outside_periods(rv, t["periods_of_care"].filter(pl.col("start_date").is_not_null()))
        probs.append(
            pb.rows(
                rv.with_columns(out.alias("_out")),
                pl.col("_out"),
                file=f,
                column="review_date",
                message="review outside every period of care",
            )
        )
    if "recommendations" in t and "reviews" in t:
        known = t["reviews"].select("child_id", "review_date", pl.lit(True).alias("_known"))
        rec = t["recommendations"].join(known, on=["child_id", "review_date"], how="left")
        probs.append(
            pb.rows(
                rec,
                pl.col("_known").is_null() & pl.col("review_date").is_not_null(),
                file=f,
                column="review_date",
                message="no review of this child on this date in reviews",
            )
        )
    if "reviews" in t and t["reviews"]["next_review_scheduled"].is_not_null().any():
        for name in t["reviews"].filter(pl.col("next_review_scheduled").is_not_null())["_file"].unique().to_list():
            probs.append(
                pb.from_records(
                    [
                        pb.Problem(
                            name,
                            None,
                            "next_review_scheduled",
                            None,
                            "not stored: Midway computes the review schedule itself",
                            pb.WARNING,
                        )
                    ]
                )
            )
    present = {table: set(frame.columns) for table, frame in stacked.items()}
    tables = _map(t)
    tables["child_facts"] = covered(t, present)
    return Parsed(kind="template", files=info, tables=tables, problems=pb.combine(probs), notes=[])


def covered(t: dict[str, pl.DataFrame], present: dict[str, set[str]]) -> pl.DataFrame:
    """The facts this upload supplies, per child (`child_facts`; DOMAIN §10: the template tells
    only what the council fills in). A column of `children` or `reviews` covers the children whose
    rows are in that table when the column is in the upload (a blank cell then means "none": no
    IRO, no plan); the `allocations` table covers the children it names; `recommendations` covers
    the children it names and, when the table is given, those of the upload's reviews."""

    def rows_of(table: str) -> pl.DataFrame:
        return t[table].select("child_id").drop_nulls() if table in t else pl.DataFrame(schema={"child_id": pl.String})

    parts: list[pl.DataFrame] = []

    def cover(fact: str, ids: pl.DataFrame) -> None:
        parts.append(ids.with_columns(pl.lit(fact).alias("fact")))

    children_cols = present.get("children", set())
    if children_cols & {"iro", "team", "social_worker"}:
        cover("allocations", rows_of("children"))
    if "allocations" in t:
        cover("allocations", rows_of("allocations"))
    for fact in ("sibling_group", "permanence_plan"):
        if fact in children_cols:
            cover(fact, rows_of("children"))
    for fact in ("recommendations_sent_date", "record_completed_date", "care_plan_updated_date"):
        if fact in present.get("reviews", set()):
            cover(fact, rows_of("reviews"))
    if "recommendations" in t:
        cover("recommendations", pl.concat([rows_of("recommendations"), rows_of("reviews")]))
    if not parts:
        return pl.DataFrame(schema={"child_id": pl.String, "fact": pl.String, "source": pl.String})
    facts = pl.concat(parts).unique(maintain_order=True).with_columns(pl.lit(SOURCE).alias("source"))
    return shape("child_facts", facts.sort("child_id", "fact"))


SOURCE = "template"


def _map(t: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    periods = t.get("periods_of_care")
    reviews = t.get("reviews")
    source = pl.lit(SOURCE).alias("source")
    alloc_rows = t.get("allocations")
    staff_names = []
    if alloc_rows is not None:
        staff_names.append(alloc_rows.filter(pl.col("role") != "team").select(pl.col("person").alias("n"), "role"))
    if "children" in t:
        ch = t["children"]
        staff_names += [
            ch.select(pl.col("iro").alias("n"), pl.lit("iro").alias("role")),
            ch.select(pl.col("social_worker").alias("n"), pl.lit("social_worker").alias("role")),
        ]
    codes: dict[str, str] = {}
    if staff_names:
        names = pl.concat(staff_names).drop_nulls("n").unique("n", keep="first", maintain_order=True)
        codes = {n: staff_code(n) for n in names["n"].to_list()}
        out["staff"] = shape(
            "staff",
            names.select(
                pl.col("n").replace_strict(codes, return_dtype=pl.String).alias("code"),
                pl.col("n").alias("display_name"),
                "role",
            ).unique("code", keep="first", maintain_order=True),
        )
    teams = []
    if alloc_rows is not None:
        teams.append(alloc_rows.filter(pl.col("role") == "team").select(pl.col("person").alias("name")))
    if "children" in t:
        teams.append(t["children"].select(pl.col("team").alias("name")))
    if teams:
        out["teams"] = pl.concat(teams).drop_nulls().unique(maintain_order=True)
    alloc = []
    if alloc_rows is not None:
        alloc.append(
            alloc_rows.select(
                "child_id",
                "role",
                "from_date",
                "to_date",
                pl.when(pl.col("role") != "team")
                .then(pl.col("person").replace_strict(codes, default=None, return_dtype=pl.String))
                .alias("staff_code"),
                pl.when(pl.col("role") == "team").then(pl.col("person")).alias("team_name"),
                "_file",
                "_line",
            )
        )
    if "children" in t:
        ch = t["children"]
        out["children"] = shape(
            "children",
            ch.rename({"child_id": "id"}).with_columns(
                pl.col("legal_status").is_in(SHORT_BREAK_LS).fill_null(False).alias("short_breaks"),
                (pl.col("sibling_iro_exception") == "yes").fill_null(False).alias("sibling_iro_exception"),
                source,
            ),
        )
        # allocations run from the earliest period start, else the earliest review, else birth
        starts = [ch.select("child_id", pl.col("date_of_birth").alias("d"), pl.lit(2).alias("_p"))]
        if periods is not None:
            starts.append(periods.select("child_id", pl.col("start_date").alias("d"), pl.lit(0).alias("_p")))
        if reviews is not None:
            starts.append(reviews.select("child_id", pl.col("review_date").alias("d"), pl.lit(1).alias("_p")))
        first = (
            pl.concat(starts)
            .drop_nulls("d")
            .sort("child_id", "_p", "d")
            .group_by("child_id", maintain_order=True)
            .first()
            .select("child_id", pl.col("d").alias("from_date"))
        )
        from_children = []
        for role, col in (("team", "team"), ("iro", "iro"), ("social_worker", "social_worker")):
            part = ch.filter(pl.col(col).is_not_null()).join(first, on="child_id")
            from_children.append(
                part.select(
                    "child_id",
                    pl.lit(role).alias("role"),
                    "from_date",
                    pl.lit(None, pl.Date).alias("to_date"),
                    (
                        pl.col(col).replace_strict(codes, default=None, return_dtype=pl.String)
                        if role != "team"
                        else pl.lit(None, pl.String)
                    ).alias("staff_code"),
                    (pl.col(col) if role == "team" else pl.lit(None, pl.String)).alias("team_name"),
                    "_file",
                    "_line",
                )
            )
        # the allocations table, when given, is the history: it wins over the children's columns
        alloc = from_children + alloc
    if alloc:
        both = pl.concat(alloc, how="vertical_relaxed").unique(
            ["child_id", "role", "from_date"], keep="last", maintain_order=True
        )
        out["allocations"] = shape("allocations", both.with_columns(source))
    if periods is not None:
        out["periods_of_care"] = shape(
            "periods_of_care", periods.with_columns(pl.col("start_date").alias("observed_from"), source)
        )
    if reviews is not None:
        out["reviews"] = shape("reviews", reviews.rename({"review_date": "held_date"}).with_columns(source))
    if "recommendations" in t:
        rec = t["recommendations"].sort("_file", "_line")
        rec = rec.with_columns((pl.int_range(pl.len()).over("child_id", "review_date") + 1).alias("seq"))
        out["recommendations"] = shape(
            "recommendations", rec.rename({"review_date": "held_date", "recommendation": "text"})
        )
    if "midway_checks" in t:
        out["midway_checks"] = shape(
            "midway_checks",
            t["midway_checks"].with_columns(
                pl.col("iro").alias("author"), pl.lit("final").alias("status"), pl.lit("imported").alias("template")
            ),
        )
    if "significant_events" in t:
        out["significant_events"] = shape(
            "significant_events",
            t["significant_events"].with_columns(
                (pl.col("bring_forward") == "yes").fill_null(False).alias("bring_forward")
            ),
        )
    if "missing_episodes" in t:
        out["missing_episodes"] = shape("missing_episodes", t["missing_episodes"])
    if "escalations" in t:
        esc = t["escalations"]
        out["escalations"] = shape("escalations", esc)
        names = dict(enumerate(DEFAULT_ESCALATION_STAGES))
        out["escalation_stages"] = shape(
            "escalation_stages",
            esc.with_columns(
                pl.col("raised_date").alias("started_date"),
                pl.col("stage_due_date").alias("due_date"),
                pl.col("stage").replace_strict(names, default=None, return_dtype=pl.String).alias("stage_name"),
            ),
        )
    return out


# --- blank workbook and export -----------------------------------------------------------------


def explanations() -> pl.DataFrame:
    rows = [
        (table, c.name, "yes" if c.required else "", _format(c), c.help) for table, spec in SPEC.items() for c in spec
    ]
    return pl.DataFrame(rows, schema=["table", "column", "required", "format", "meaning"], orient="row")


def _format(c: Col) -> str:
    if c.kind == "date":
        return f"date ({DATE_FORMATS}, or an Excel date)"
    if c.kind in ("code", "yesno", "int"):
        return "one of " + ", ".join(c.codes)
    return "text"


def workbook_bytes(frames: dict[str, pl.DataFrame] | None = None) -> bytes:
    """An .xlsx with one sheet per table and an `explanations` sheet. Without `frames`: the blank
    template (headers and one example row). Dates are written as real Excel dates."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    required = wb.add_format({"bold": True, "bg_color": "#FFF2CC"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for table, spec in SPEC.items():
        ws = wb.add_worksheet(table)
        for j, c in enumerate(spec):
            ws.write_string(0, j, c.name, required if c.required else bold)
            ws.set_column(j, j, max(14, len(c.name) + 2))
        rows = [{c.name: c.example for c in spec}] if frames is None else frames[table].to_dicts()
        for i, row in enumerate(rows, start=1):
            for j, c in enumerate(spec):
                v = row.get(c.name)
                if v is None:
                    continue
                if isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_fmt)
                else:
                    ws.write_string(i, j, str(v))
        ws.freeze_panes(1, 0)
    ws = wb.add_worksheet("explanations")
    exp = explanations()
    for j, name in enumerate(exp.columns):
        ws.write_string(0, j, name, bold)
    for i, row in enumerate(exp.iter_rows(), start=1):
        for j, v in enumerate(row):
            ws.write_string(i, j, v)
    ws.set_column(0, 1, 24)
    ws.set_column(3, 4, 60)
    wb.close()
    return buf.getvalue()


def export_frames(engine: Engine) -> dict[str, pl.DataFrame]:
    """The database as template tables (for a round trip or moving data between databases).
    Allocations go out as their history (the `allocations` table), so the children's team / IRO /
    social worker columns stay blank; children first recorded from a 903 return are exported like
    any other (the template then says what the database knows)."""
    cl = load_caseload(engine)
    children = cl.children.with_columns(
        pl.when(pl.col("sibling_iro_exception"))
        .then(pl.lit("yes"))
        .otherwise(pl.lit("no"))
        .alias("sibling_iro_exception")
    )
    allocations = cl.allocations.rename({"name": "person"}).sort("child_id", "role", "from_date")
    reviews = cl.reviews.join(_review_kinds(engine), on="review_id", how="left", maintain_order="left")
    frames = {
        "children": children,
        "allocations": allocations,
        "periods_of_care": cl.periods.filter(pl.col("start_date").is_not_null()),
        "reviews": reviews.rename({"held_date": "review_date"}),
        "recommendations": cl.recommendations.join(
            cl.reviews.select("review_id", pl.col("held_date").alias("review_date")), on="review_id"
        )
        .sort("review_id", "rec_id")
        .rename({"text": "recommendation"}),
        "midway_checks": _checks_with_iro(engine),
        "significant_events": cl.events.with_columns(
            pl.when(pl.col("bring_forward")).then(pl.lit("yes")).otherwise(pl.lit("no")).alias("bring_forward")
        ),
        "missing_episodes": cl.missing,
        "escalations": cl.escalations,
    }
    out = {}
    for table, spec in SPEC.items():
        f = frames[table]
        cols = [(pl.col(c.name) if c.name in f.columns else pl.lit(None)).alias(c.name) for c in spec]
        out[table] = f.select(cols).with_columns([pl.col(c.name).cast(pl.String) for c in spec if c.kind in ("int",)])
    return out


def _review_kinds(engine: Engine) -> pl.DataFrame:
    with Session(engine) as s:
        rows = s.execute(select(Review.id, Review.review_kind)).all()
    return pl.DataFrame(
        [tuple(r) for r in rows], schema={"review_id": pl.Int64, "review_kind": pl.String}, orient="row"
    )


def _checks_with_iro(engine: Engine) -> pl.DataFrame:
    with Session(engine) as s:
        rows = s.execute(
            select(MidwayCheck.child_id, MidwayCheck.check_date, MidwayCheck.author, MidwayCheck.outcome)
            .where(MidwayCheck.status == "final")
            .order_by(MidwayCheck.child_id, MidwayCheck.check_date)
        ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"child_id": pl.String, "check_date": pl.Date, "iro": pl.String, "outcome": pl.String},
        orient="row",
    )


def write_csv_folder(frames: dict[str, pl.DataFrame], folder: Path) -> list[Path]:
    """One CSV per table (ISO dates), named after the table."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, frame in frames.items():
        path = folder / f"{table}.csv"
        frame.write_csv(path, date_format="%Y-%m-%d")
        paths.append(path)
    return paths
