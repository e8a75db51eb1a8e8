"""Validated frames -> database, all-or-nothing, as an upsert on natural keys.

How: for each table the existing rows are read into polars with their *natural* keys (child id,
staff code, a review's child + date ...), joined with the incoming rows, and split into added /
updated / unchanged. A dry run stops there, so its counts are exactly what the import would do.
The import then writes in one `unit_of_work` (any failure rolls everything back): bulk Core
inserts (PostgreSQL: COPY for big tables) and executemany updates, one audit entry per row added,
updated or removed (before and after values, the acting user) plus one per table with the counts,
and an `ImportRun` history row. Re-importing the same files therefore changes nothing.

Before any of that, the checks of `services.importers.checks` run against the database, in the dry
run too (so the preview tells the truth): texts too long or holding NUL bytes, rows naming children
or reviews in neither the upload nor the database, and rows that would rewrite a midway check or an
escalation Midway holds as a saved record. Any of them is an error and nothing is written.

`source` (where a row was first recorded) is filled only where the database has none: a later
import never relabels a row, so next year's 903 return updates the 903 facts and leaves what the
template or Midway's forms added. `child_facts` rows are only ever added.

Rows absent from the files are kept (an import adds and corrects; it never deletes), except the
derived tables `periods_of_care` and `placements`: for each child in the incoming table its
periods / placements are exactly those of the files (the 903's episodes define them), so rows no
longer derived are removed and counted.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, Table, bindparam, delete, select, update
from sqlalchemy.orm import Session

from services.access import ADMIN, Principal, require_role
from services.access.demo import clear_mark
from services.errors import UsageError
from services.importers import checks
from services.importers import problems as pb
from services.importers.bundle import SOURCE, TABLES, WHERE, Parsed, schema
from services.persistence import models as m
from services.persistence.audit import audit
from services.persistence.unit_of_work import unit_of_work

Progress = Callable[[float, str], None]

# reference data (created when new, edited in the app, never overwritten) and the facts rows (only added)
INSERT_ONLY = {"teams", "staff", "child_facts"}
REPLACE_PER_CHILD = {"periods_of_care", "placements"}
CHUNK = 50_000
COPY_MIN_ROWS = 5_000

T = {name: m.Base.metadata.tables[name] for name in TABLES}


@dataclass
class Diff:
    insert: pl.DataFrame
    update: pl.DataFrame  # with `_id`
    unchanged: int
    remove: pl.DataFrame  # `_id` of rows to delete (REPLACE_PER_CHILD only)
    old: pl.DataFrame  # the database's rows of the updated and removed ones (`_id` + columns), for the audit


@dataclass
class ImportResult:
    parsed: Parsed
    counts: pl.DataFrame  # table, added, updated, unchanged, removed
    written: bool
    dry_run: bool
    run_id: int | None = None
    # problems found against the database (services.importers.checks), beside the files' own
    database_problems: pl.DataFrame | None = None

    @property
    def problems(self) -> pl.DataFrame:
        extra = self.database_problems
        return self.parsed.problems if extra is None else pb.combine([self.parsed.problems, extra])

    @property
    def has_errors(self) -> bool:
        return pb.errors(self.problems).height > 0


COUNT_SCHEMA = {"table": pl.String, "added": pl.Int64, "updated": pl.Int64, "unchanged": pl.Int64, "removed": pl.Int64}


# --- reading what is there ---------------------------------------------------------------------


def _frame(conn: Connection, stmt: Any, sch: dict[str, pl.DataType]) -> pl.DataFrame:
    rows = conn.execute(stmt).all()
    return pl.DataFrame([tuple(r) for r in rows], schema=sch, orient="row")


def existing(conn: Connection, table: str) -> pl.DataFrame:
    """The table's current rows as natural key + value columns + `_id`."""
    t = T[table]
    sch = schema(table) | {"_id": pl.String() if table == "children" else pl.Int64()}  # children.id is the CHILD
    keys, values = TABLES[table]
    if table == "allocations":
        staff, teams = T["staff"], T["teams"]
        stmt = select(
            t.c.child_id, t.c.role, t.c.from_date, t.c.to_date, staff.c.code, teams.c.name, t.c.source, t.c.id
        ).select_from(t.outerjoin(staff, staff.c.id == t.c.staff_id).outerjoin(teams, teams.c.id == t.c.team_id))
    elif table == "recommendations":
        rv = T["reviews"]
        cols = [rv.c.child_id, rv.c.held_date, t.c.seq] + [t.c[c] for c in values] + [t.c.id]
        stmt = select(*cols).select_from(t.join(rv, rv.c.id == t.c.review_id))
    elif table == "escalation_stages":
        esc = T["escalations"]
        cols = [esc.c.child_id, esc.c.raised_date, t.c.stage, t.c.started_date] + [t.c[c] for c in values] + [t.c.id]
        stmt = select(*cols).select_from(t.join(esc, esc.c.id == t.c.escalation_id))
    else:
        stmt = select(*[t.c[c] for c in (*keys, *values)], t.c.id)
    frame = _frame(conn, stmt.order_by(t.c.id), sch)
    # tables without a unique constraint (checks, escalations): the first row is the one imports match
    return frame.unique(list(keys), keep="first", maintain_order=True)


def diff(conn: Connection, table: str, new: pl.DataFrame) -> Diff:
    keys, _ = TABLES[table]
    keys = list(keys)
    values = [c for c in new.columns if c not in keys and c not in WHERE]
    old = existing(conn, table)
    new = new.unique(keys, keep="last", maintain_order=True)
    joined = new.join(old.select(*keys, "_id", *[pl.col(c).alias(f"{c}__old") for c in values]), on=keys, how="left")
    if SOURCE in values:  # filled only where the database has none
        joined = joined.with_columns(pl.coalesce(f"{SOURCE}__old", SOURCE).alias(SOURCE))
    is_new = pl.col("_id").is_null()
    if values and table not in INSERT_ONLY:
        changed = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}__old")) for c in values])
    else:
        changed = pl.lit(False)
    inserts = joined.filter(is_new).select(new.columns)
    updates = joined.filter(~is_new & changed).select(*new.columns, "_id")
    unchanged = joined.filter(~is_new & ~changed).height
    remove = pl.DataFrame(schema={"_id": pl.Int64})
    if table in REPLACE_PER_CHILD:
        children = new.select("child_id").unique()
        remove = old.join(children, on="child_id", how="semi").join(new.select(keys), on=keys, how="anti")
        remove = remove.select("_id")
    touched = pl.concat([updates.select("_id"), remove.select(pl.col("_id").cast(old.schema["_id"]))])
    return Diff(inserts, updates, unchanged, remove, old.join(touched, on="_id", how="semi"))


def database_problems(conn: Connection, parsed: Parsed, diffs: dict[str, Diff]) -> pl.DataFrame:
    """What the files cannot show alone: references to the database and saved casework."""
    found = [checks.reference_problems(parsed, conn)]
    found += [checks.casework_problems(table, d.update, d.old) for table, d in diffs.items()]
    return pb.combine(found)


def _diffs(conn: Connection, parsed: Parsed) -> dict[str, Diff]:
    return {table: diff(conn, table, parsed.tables[table]) for table in TABLES if table in parsed.tables}


def plan(engine: Engine, parsed: Parsed) -> tuple[dict[str, Diff], pl.DataFrame, pl.DataFrame]:
    """Every table's diff against the database, the counts (what a dry run shows) and the problems
    found against the database."""
    with engine.connect() as conn:
        diffs = _diffs(conn, parsed)
        problems = database_problems(conn, parsed, diffs)
    return diffs, _counts(diffs), problems


def _counts(diffs: dict[str, Diff]) -> pl.DataFrame:
    rows = [(t, d.insert.height, d.update.height, d.unchanged, d.remove.height) for t, d in diffs.items()]
    return pl.DataFrame(rows, schema=COUNT_SCHEMA, orient="row")


# --- writing -----------------------------------------------------------------------------------


def _scalar_defaults(table: Table, frame: pl.DataFrame) -> pl.DataFrame | None:
    """Fill the model's scalar column defaults (COPY bypasses SQLAlchemy's); None if a callable
    default (e.g. a JSON dict) makes COPY unsuitable."""
    extra = []
    for col in table.columns:
        if col.name in frame.columns or col.name == "id" or col.default is None:
            continue
        if not col.default.is_scalar:
            return None
        extra.append(pl.lit(col.default.arg).alias(col.name))
    return frame.with_columns(extra) if extra else frame


def _insert(conn: Connection, table: Table, frame: pl.DataFrame, tick: Callable[[int], None]) -> None:
    if frame.height == 0:
        return
    if conn.dialect.name == "postgresql" and frame.height >= COPY_MIN_ROWS:
        filled = _scalar_defaults(table, frame)
        if filled is not None:
            cols = ", ".join(filled.columns)
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY {table.name} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
                for start in range(0, filled.height, CHUNK):
                    part = filled.slice(start, CHUNK)
                    buf = io.BytesIO()
                    part.write_csv(buf, include_header=False, null_value="")
                    copy.write(buf.getvalue())
                    tick(part.height)
            return
    if conn.dialect.name == "sqlite":
        filled = _scalar_defaults(table, frame)
        if filled is not None:
            # the driver's executemany with values already in SQLite's storage form (ISO date text,
            # 0/1 booleans): SQLAlchemy's per-value bind processing would cost far more
            sqlite_ready = filled.with_columns(
                [pl.col(c).dt.strftime("%Y-%m-%d") for c, t in filled.schema.items() if t == pl.Date]
                + [pl.col(c).cast(pl.Int8) for c, t in filled.schema.items() if t == pl.Boolean]
            )
            sql = (
                f"INSERT INTO {table.name} ({', '.join(filled.columns)}) "
                f"VALUES ({', '.join('?' * len(filled.columns))})"
            )
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            for start in range(0, sqlite_ready.height, CHUNK):
                part = sqlite_ready.slice(start, CHUNK)
                cursor.executemany(sql, part.rows())
                tick(part.height)
            return
    stmt = table.insert()
    for start in range(0, frame.height, CHUNK):
        part = frame.slice(start, CHUNK)
        conn.execute(stmt, part.to_dicts())
        tick(part.height)


def _update(conn: Connection, table: Table, frame: pl.DataFrame, tick: Callable[[int], None]) -> None:
    if frame.height == 0:
        return
    cols = [c for c in frame.columns if c != "_id"]
    values: dict[str, Any] = {c: bindparam(f"v_{c}") for c in cols}
    if "version" in table.c:  # optimistic lock of checks / escalations: an import is a new version
        values["version"] = table.c.version + 1
    stmt = update(table).where(table.c.id == bindparam("b_id")).values(values)
    renamed = frame.rename({c: f"v_{c}" for c in cols} | {"_id": "b_id"})
    for start in range(0, renamed.height, CHUNK):
        part = renamed.slice(start, CHUNK)
        conn.execute(stmt, part.to_dicts())
        tick(part.height)


def _ids(conn: Connection, table: str, keys: list[str]) -> pl.DataFrame:
    t = T[table]
    sch = {k: schema(table)[k] for k in keys} | {"_id": pl.Int64()}
    frame = _frame(conn, select(*[t.c[k] for k in keys], t.c.id).order_by(t.c.id), sch)
    return frame.unique(keys, keep="first", maintain_order=True)


def _resolve(conn: Connection, table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Natural foreign keys -> surrogate ids, once the parent rows exist."""
    if table == "allocations":
        staff = _ids(conn, "staff", ["code"]).rename({"code": "staff_code", "_id": "staff_id"})
        teams = _ids(conn, "teams", ["name"]).rename({"name": "team_name", "_id": "team_id"})
        out = frame
        if "staff_code" in out.columns:
            out = out.join(staff, on="staff_code", how="left", nulls_equal=False).drop("staff_code")
        if "team_name" in out.columns:
            out = out.join(teams, on="team_name", how="left", nulls_equal=False).drop("team_name")
        return out
    if table == "recommendations":
        reviews = _ids(conn, "reviews", ["child_id", "held_date"]).rename({"_id": "review_id"})
        return frame.join(reviews, on=["child_id", "held_date"], how="left").drop("child_id", "held_date")
    if table == "escalation_stages":
        esc = _ids(conn, "escalations", ["child_id", "raised_date"]).rename({"_id": "escalation_id"})
        return frame.join(esc, on=["child_id", "raised_date"], how="left").drop("child_id", "raised_date")
    return frame


AUDIT = m.Base.metadata.tables["audit_log"]


def _json(frame: pl.DataFrame) -> pl.Series:
    """Each row of `frame` as a JSON object (dates as ISO text); null when it has no columns."""
    if not frame.width:
        return pl.Series([None] * frame.height, dtype=pl.String)
    return frame.select(pl.struct(frame.columns).struct.json_encode()).to_series()


def _row_audit(conn: Connection, actor: str, table: str, d: Diff) -> None:
    """One audit entry per row the import added, updated or removed, with its key, and the before
    and after values of what changed (the acting user's name on each). Built as one frame and
    written in bulk: a national 903 adds a million rows."""
    keys = list(TABLES[table][0])

    def entries(action: str, keyed: pl.DataFrame, before: pl.DataFrame | None, after: pl.DataFrame | None):  # type: ignore[no-untyped-def]
        ids = keyed.select(
            pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in keys], separator="|").str.slice(0, 80)
        ).to_series()
        none = pl.Series([None] * keyed.height, dtype=pl.String)
        child = "id" if table == "children" else "child_id" if "child_id" in keys else None
        return pl.DataFrame(
            {
                "action": [action] * keyed.height,
                "entity_id": ids,
                "child_id": none if child is None else keyed[child].cast(pl.String),
                "before": none if before is None else _json(before),
                "after": none if after is None else _json(after),
            },
            schema=_AUDIT_SCHEMA,
        )

    parts = []
    if d.insert.height:
        ins = d.insert.drop(WHERE, strict=False)
        parts.append(entries("import_add", ins, None, ins))
    if d.update.height:
        new = d.update.drop(WHERE, strict=False)
        cols = [c for c in new.columns if c not in (*keys, "_id")]
        old = new.select("_id").join(d.old, on="_id", how="left").select(cols)
        before, after = _changed_only(old, new.select(cols))
        parts.append(entries("import_update", new, None, None).with_columns(before=before, after=after))
    if d.remove.height:
        gone = d.remove.select("_id").join(d.old, on="_id", how="left").drop("_id")
        parts.append(entries("import_remove", gone, gone, None))
    if not parts:
        return
    rows = pl.concat(parts).with_columns(pl.lit(actor).alias("actor"), pl.lit(table).alias("entity"))
    if conn.dialect.name == "sqlite" or (conn.dialect.name == "postgresql" and rows.height >= COPY_MIN_ROWS):
        _insert(conn, AUDIT, rows, lambda _n: None)  # JSON text straight into the JSON column
        return
    conn.execute(
        AUDIT.insert(),
        [
            r
            | {
                "before": json.loads(r["before"]) if r["before"] else None,
                "after": json.loads(r["after"]) if r["after"] else None,
            }
            for r in rows.to_dicts()
        ],
    )


def _changed_only(old: pl.DataFrame, new: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """Per row, the JSON objects of only the columns that changed: before and after."""

    def fragments(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(
            pl.struct(c).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}").alias(c)
            for c in frame.columns
        )

    changed = pl.DataFrame([new[c].ne_missing(old[c]).alias(c) for c in new.columns])

    def pick(frame: pl.DataFrame) -> pl.Series:
        parts = fragments(frame)
        chosen = pl.DataFrame(
            [
                pl.Series(c, parts[c]).zip_with(changed[c], pl.Series([None] * frame.height, dtype=pl.String))
                for c in frame.columns
            ]
        )
        joined = chosen.select(pl.concat_str(pl.all(), separator=",", ignore_nulls=True)).to_series()
        return ("{" + joined + "}").alias("x")

    return pick(old), pick(new)


_AUDIT_SCHEMA = {
    "action": pl.String,
    "entity_id": pl.String,
    "child_id": pl.String,
    "before": pl.String,
    "after": pl.String,
}


def _write(session: Session, diffs: dict[str, Diff], progress: Progress) -> None:
    conn = session.connection()
    actor = session.info["actor"]
    total = max(1, sum(d.insert.height + d.update.height + d.remove.height for d in diffs.values()))
    done = 0

    def tick(n: int, label: str = "") -> None:
        nonlocal done
        done += n
        progress(min(done / total, 1.0), label)

    for table, d in diffs.items():
        t = T[table]
        label = f"Writing {table.replace('_', ' ')}"
        progress(min(done / total, 1.0), label)
        if d.remove.height:
            ids = d.remove["_id"].to_list()
            for start in range(0, len(ids), CHUNK):
                conn.execute(delete(t).where(t.c.id.in_(ids[start : start + CHUNK])))
            tick(len(ids), label)
        inserts, updates = d.insert.drop(WHERE, strict=False), d.update.drop(WHERE, strict=False)
        _insert(conn, t, _resolve(conn, table, inserts), lambda n, lb=label: tick(n, lb))
        _update(conn, t, _resolve(conn, table, updates), lambda n, lb=label: tick(n, lb))
        if d.insert.height or d.update.height or d.remove.height:
            _row_audit(conn, actor, table, d)
            counts = {"added": d.insert.height, "updated": d.update.height, "removed": d.remove.height}
            audit(session, "import", table, None, counts)


def import_parsed(
    engine: Engine,
    parsed: Parsed,
    actor: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate-then-write. With errors nothing is written (and no transaction is opened)."""
    progress = progress or (lambda _f, _t: None)
    if parsed.has_errors:
        return ImportResult(parsed, pl.DataFrame(schema=COUNT_SCHEMA), written=False, dry_run=dry_run)
    progress(0.0, "Comparing with the database")
    if dry_run:
        _, counts, problems = plan(engine, parsed)
        progress(1.0, "Dry run: nothing written")
        return ImportResult(parsed, counts, written=False, dry_run=True, database_problems=problems)
    if not actor or not actor.strip():
        raise UsageError("an import must be attributed to a named user")
    with unit_of_work(engine, actor) as session:
        conn = session.connection()
        diffs = _diffs(conn, parsed)
        counts = _counts(diffs)
        problems = database_problems(conn, parsed, diffs)
        if pb.errors(problems).height:  # nothing written: the transaction has made no change
            return ImportResult(parsed, counts, written=False, dry_run=False, database_problems=problems)
        _write(session, diffs, progress)
        clear_mark(session)  # imported data is not the demo's: the demo reset must never drop it
        errors, warnings = pb.errors(parsed.problems).height, pb.warnings(parsed.problems).height
        run = m.ImportRun(
            actor=actor.strip(),
            kind=parsed.kind,
            files=parsed.files,
            counts={r["table"]: {k: v for k, v in r.items() if k != "table"} for r in counts.to_dicts()}
            | {"_problems": {"errors": errors, "warnings": warnings}},
            data_end=parsed.data_end,
        )
        session.add(run)
        session.flush()
        run_id = run.id
    progress(1.0, "Import complete")
    return ImportResult(parsed, counts, written=True, dry_run=False, run_id=run_id)


def import_as(
    engine: Engine, parsed: Parsed, who: Principal, *, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """The Import page's entry point: `import_parsed` for an administrator, refused for anyone
    else (a dry run too: its counts describe the database)."""
    require_role(who, (ADMIN,), "import data")
    return import_parsed(engine, parsed, who.name, dry_run=dry_run, progress=progress)


def history(engine: Engine, limit: int = 50) -> pl.DataFrame:
    """Past imports, newest first: who, when, what kind, which files (name + SHA-256 prefix), counts."""
    with Session(engine) as s:
        runs = s.scalars(select(m.ImportRun).order_by(m.ImportRun.id.desc()).limit(limit)).all()
        rows = []
        for r in runs:
            counts = {k: v for k, v in (r.counts or {}).items() if not k.startswith("_")}
            added = sum(int(v.get("added", 0)) for v in counts.values())
            updated = sum(int(v.get("updated", 0)) for v in counts.values())
            files = "; ".join(f"{f['name']} ({f['sha256'][:12]})" for f in r.files or [])
            rows.append(
                (
                    r.id,
                    r.at.strftime("%Y-%m-%d %H:%M") if r.at else None,
                    r.actor,
                    r.kind,
                    r.data_end,
                    files,
                    added,
                    updated,
                )
            )
    return pl.DataFrame(
        rows,
        schema={
            "run": pl.Int64,
            "at": pl.String,
            "by": pl.String,
            "kind": pl.String,
            "data ends": pl.Date,
            "files (SHA-256)": pl.String,
            "rows added": pl.Int64,
            "rows updated": pl.Int64,
        },
        orient="row",
    )
