"""What a parsed import holds: database-shaped frames keyed by natural keys, plus its problems.

Both formats (SSDA903, Midway's template) map to these frames; the writer upserts them and
`to_caseload` turns them into the engine's `Caseload` without a database. Foreign keys are
natural keys here (child id, staff code, team name, a review's (child, date)) so a dry run can
compare with the database before any row has a surrogate id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from services.engine.caseload import Caseload, conform, empty_frame, formal_started, known_facts
from services.importers import problems as pb

D = pl.Date()
S = pl.String()
I = pl.Int64()  # noqa: E741
B = pl.Boolean()

# table -> (natural key columns, value columns with types), in write order (parents first).
TABLES: dict[str, tuple[tuple[str, ...], dict[str, pl.DataType]]] = {
    "teams": (("name",), {}),
    "staff": (("code",), {"display_name": S, "role": S}),
    "children": (
        ("id",),
        {
            "display_name": S, "date_of_birth": D, "sex": S, "legal_status": S, "placement_type": S,
            "sibling_group": S, "sibling_iro_exception": B, "permanence_plan": S, "permanence_plan_date": D,
            "annual_reviews_from": D, "short_breaks": B, "source": S,
        },
    ),
    # facts an upload supplies for a child (services.engine.caseload.known_facts): only ever added
    "child_facts": (("child_id", "fact"), {"source": S}),
    "periods_of_care": (
        ("child_id", "observed_from"),
        {"start_date": D, "end_date": D, "placement_order_date": D, "placed_for_adoption_date": D, "end_reason": S,
         "source": S},
    ),
    "placements": (
        ("child_id", "start_date"),
        {"end_date": D, "legal_status": S, "placement_type": S, "reason_new_episode": S, "reason_ceased": S},
    ),
    "allocations": (("child_id", "role", "from_date"), {"to_date": D, "staff_code": S, "team_name": S, "source": S}),
    "reviews": (
        ("child_id", "held_date"),
        {"participation_code": S, "recommendations_sent_date": D, "record_completed_date": D,
         "care_plan_updated_date": D, "review_kind": S, "source": S},
    ),
    "recommendations": (
        ("child_id", "held_date", "seq"), {"text": S, "owner": S, "target_date": D, "completed_date": D}
    ),
    "midway_checks": (("child_id", "check_date"), {"author": S, "outcome": S, "status": S, "template": S}),
    "significant_events": (("child_id", "event_date", "event_type"), {"bring_forward": B}),
    "missing_episodes": (("child_id", "start_date"), {"end_date": D, "missing_type": S}),
    "escalations": (("child_id", "raised_date"), {"resolved_date": D, "outcome": S, "category": S}),
    "escalation_stages": (
        ("child_id", "raised_date", "stage", "started_date"), {"stage_name": S, "due_date": D}
    ),
}  # fmt: skip

KEY_TYPES: dict[str, pl.DataType] = {
    "name": S,
    "code": S,
    "id": S,
    "child_id": S,
    "observed_from": D,
    "start_date": D,
    "role": S,
    "from_date": D,
    "held_date": D,
    "seq": I,
    "check_date": D,
    "event_date": D,
    "event_type": S,
    "raised_date": D,
    "stage": I,
    "started_date": D,
    "fact": S,
}
# where a row came from: filled by an import only where the database has none (see the writer)
SOURCE = "source"
# the columns that locate an incoming row in its file, kept beside the data for problems
WHERE = ("_file", "_line", "_record")


def schema(table: str, value_columns: list[str] | None = None) -> dict[str, pl.DataType]:
    keys, values = TABLES[table]
    cols = values if value_columns is None else {c: values[c] for c in value_columns}
    return {**{k: KEY_TYPES[k] for k in keys}, **cols}


def shape(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Keep the table's key columns and whichever of its value columns the source supplies (a
    source that lacks a column never overwrites it), cast to the database types; `_file` and
    `_line` stay when present, so later checks can name the row (the writer drops them)."""
    keys, values = TABLES[table]
    present = [c for c in values if c in frame.columns]
    where = [pl.col(c) for c in WHERE if c in frame.columns]
    return frame.select([pl.col(c).cast(t) for c, t in schema(table, present).items()] + where)


@dataclass
class Parsed:
    kind: str  # "ssda903" | "template"
    files: list[dict]  # name, sha256, table(s), rows
    tables: dict[str, pl.DataFrame]
    problems: pl.DataFrame = field(default_factory=pb.empty)
    notes: list[str] = field(default_factory=list)
    # the last day the data covers (an SSDA903 return: 31 March of its collection year; None: live)
    data_end: dt.date | None = None

    @property
    def has_errors(self) -> bool:
        return pb.errors(self.problems).height > 0

    def table(self, name: str) -> pl.DataFrame:
        frame = self.tables.get(name)
        return frame.drop(WHERE, strict=False) if frame is not None else pl.DataFrame(schema=schema(name))


def _with_id(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return frame.with_row_index(name, offset=1).with_columns(pl.col(name).cast(pl.Int64))


def to_caseload(parsed: Parsed) -> Caseload:
    """The engine's input straight from parsed files (for `report --input`; no database).
    Surrogate ids are row numbers, stable for a given input."""
    t = parsed.table
    children = t("children").rename({"id": "child_id"})
    periods = _with_id(t("periods_of_care").sort("child_id", "observed_from"), "period_id")
    staff = t("staff").select("code", pl.col("display_name").alias("_staff_name"))
    alloc = t("allocations").join(staff, left_on="staff_code", right_on="code", how="left")
    alloc = alloc.with_columns(pl.coalesce("_staff_name", "team_name").alias("name"))
    reviews = _with_id(t("reviews").sort("child_id", "held_date"), "review_id")
    rec = t("recommendations").join(
        reviews.select("child_id", "held_date", "review_id"), on=["child_id", "held_date"], how="inner"
    )
    rec = _with_id(rec.sort("review_id", "seq"), "rec_id")
    checks = _with_id(t("midway_checks").sort("child_id", "check_date"), "check_id")
    esc = _with_id(t("escalations").sort("child_id", "raised_date"), "escalation_id")
    stages = (
        t("escalation_stages")
        .sort("child_id", "raised_date", "started_date", "stage")
        .group_by("child_id", "raised_date", maintain_order=True)
        .last()
        .rename({"stage_name": "stage_name", "started_date": "stage_started", "due_date": "stage_due_date"})
    )
    formal = formal_started(t("escalation_stages"), ["child_id", "raised_date"], "started_date")
    esc = esc.join(stages, on=["child_id", "raised_date"], how="left").join(
        formal, on=["child_id", "raised_date"], how="left"
    )
    tables = {
        "children": children,
        "periods": periods,
        "placements": t("placements"),
        "allocations": alloc,
        "reviews": reviews,
        "recommendations": rec,
        "midway_checks": checks,
        "events": t("significant_events"),
        "missing": t("missing_episodes"),
        "escalations": esc,
    }
    frames = {name: conform(name, frame) if frame.height else empty_frame(name) for name, frame in tables.items()}
    frames["children"] = frames["children"].with_columns(
        pl.col("short_breaks").fill_null(False), pl.col("sibling_iro_exception").fill_null(False)
    )
    sources = children.select("child_id", (pl.col(SOURCE) if SOURCE in children.columns else pl.lit(None)).cast(S))
    return Caseload(**frames, unknown=known_facts(sources, t("child_facts")))
