"""The engine's input: a caseload as polars frames, whatever it came from.

The database (`services.persistence.caseload.load_caseload`), an SSDA903 folder and Midway's own template (both in
`services.importers`) all produce this one shape, so the schedule and flag engine never knows
where data came from. Column sets and types are fixed by `SCHEMAS`; `validate` enforces them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import polars as pl

D = pl.Date
S = pl.String
I = pl.Int64  # noqa: E741
B = pl.Boolean

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    # one row per child; team / iro / social_worker are the *current* allocation (names), for display
    "children": {
        "child_id": S, "display_name": S, "date_of_birth": D, "sex": S, "legal_status": S,
        "placement_type": S, "sibling_group": S, "sibling_iro_exception": B, "permanence_plan": S,
        "permanence_plan_date": D, "annual_reviews_from": D, "midway_policy": S, "short_breaks": B,
    },
    # start_date null = period start unknown (observed_from is then the earliest date in the data)
    "periods": {
        "child_id": S, "period_id": I, "start_date": D, "observed_from": D, "end_date": D,
        "placement_order_date": D, "placed_for_adoption_date": D,
    },
    "placements": {
        "child_id": S, "start_date": D, "end_date": D, "legal_status": S, "placement_type": S,
    },
    # role: iro | social_worker | team; name: staff display name or team name; staff_code for staff
    "allocations": {
        "child_id": S, "role": S, "staff_code": S, "name": S, "from_date": D, "to_date": D,
    },
    "reviews": {
        "child_id": S, "review_id": I, "held_date": D, "scheduled_date": D, "participation_code": S,
        "recommendations_sent_date": D, "record_completed_date": D, "care_plan_updated_date": D,
    },
    "recommendations": {
        "child_id": S, "review_id": I, "rec_id": I, "text": S, "owner": S, "target_date": D,
        "completed_date": D,
    },
    # final checks only: drafts are not done (DOMAIN §4)
    "midway_checks": {"child_id": S, "check_id": I, "check_date": D, "outcome": S},
    "events": {"child_id": S, "event_date": D, "event_type": S, "bring_forward": B},
    "missing": {"child_id": S, "start_date": D, "end_date": D},
    # one row per escalation with its current stage; stage_due_date is that stage's resolution date;
    # formal_started: when its first formal stage (stage 1 or later) started, null while informal
    # (DOMAIN §8 ESCALATION_OVERDUE counts the formal process's total from it)
    "escalations": {
        "child_id": S, "escalation_id": I, "raised_date": D, "stage": I, "stage_name": S,
        "stage_started": D, "stage_due_date": D, "resolved_date": D, "outcome": S, "category": S,
        "formal_started": D,
    },
}  # fmt: skip

# Optional facts a source may lack: the names `Caseload.unsupported` holds. A flag (or deadline)
# that needs a fact the source lacks is not raised / is "unknown" (DOMAIN §8); services.engine.flags maps
# each fact to the flag codes it decides (`FACT_FLAGS`).
FACTS: dict[str, str] = {
    "recommendations_sent_date": "reviews.recommendations_sent_date (deadline: recommendations to the TM)",
    "record_completed_date": "reviews.record_completed_date (RECORD_LATE)",
    "care_plan_updated_date": "reviews.care_plan_updated_date (CARE_PLAN_NOT_UPDATED)",
    "recommendations": "the recommendations table with target dates (REC_OVERDUE)",
    "allocations": "IRO allocations (IRO_NOT_ALLOCATED, SIBLINGS_SPLIT)",
    "sibling_group": "children.sibling_group (SIBLINGS_SPLIT)",
    "permanence_plan": "children.permanence_plan (NO_PERMANENCE_PLAN)",
    "events": "significant events with bring_forward (REVIEW_NOT_BROUGHT_FORWARD)",
    "missing": "missing episodes (FREQUENT_MISSING)",
    "escalations": "escalations (ESCALATION_OVERDUE)",
}


@dataclass(frozen=True)
class Caseload:
    children: pl.DataFrame
    periods: pl.DataFrame
    placements: pl.DataFrame
    allocations: pl.DataFrame
    reviews: pl.DataFrame
    recommendations: pl.DataFrame
    midway_checks: pl.DataFrame
    events: pl.DataFrame
    missing: pl.DataFrame
    escalations: pl.DataFrame
    # which optional facts the source can carry (e.g. SSDA903 has no care-plan dates):
    # flags that need an unsupported fact are not raised, and the UI says so (DOMAIN §8).
    # Names are the keys of `FACTS` below (the engine maps each to the flags it decides).
    unsupported: frozenset[str] = frozenset()

    @classmethod
    def empty(cls) -> Caseload:
        return cls(**{name: empty_frame(name) for name in SCHEMAS})

    def tables(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in SCHEMAS}


def empty_frame(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[name])


def conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Select and cast `frame` to the table's schema; missing optional columns become null."""
    schema = SCHEMAS[name]
    cols = [(pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t)).alias(c) for c, t in schema.items()]
    return frame.select(cols)


def formal_started(stages: pl.DataFrame, key: str | list[str], started: str) -> pl.DataFrame:
    """Per escalation (`key`), the start of its first formal stage (stage >= 1, DOMAIN §6), from
    a stage-history frame with `stage` and the `started` date column: the one place the sources
    (database, template files) derive `escalations.formal_started`."""
    keys = [key] if isinstance(key, str) else key
    return stages.filter(pl.col("stage") >= 1).group_by(keys).agg(pl.col(started).min().alias("formal_started"))
