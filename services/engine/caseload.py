"""The engine's input: a caseload as polars frames, whatever it came from.

The database (`services.persistence.caseload.load_caseload`), an SSDA903 folder and Midway's own template (both in
`services.importers`) all produce this one shape, so the schedule and flag engine never knows
where data came from. Column sets and types are fixed by `SCHEMAS`; `validate` enforces them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields

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

# Optional facts a child's data may lack: the names `Caseload.unknown` holds. A flag (or deadline)
# that needs a fact the child's data lacks is not raised / is "unknown" (DOMAIN §8); services.engine.flags
# maps each fact to the flag codes it decides (`FACT_FLAGS`).
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
# the same facts in words a manager reads on the child's page ("review record dates: not in the 903 return")
FACT_LABELS: dict[str, str] = {
    "recommendations_sent_date": "dates recommendations were sent",
    "record_completed_date": "review record dates",
    "care_plan_updated_date": "care plan update dates",
    "recommendations": "review recommendations",
    "allocations": "IRO allocations",
    "sibling_group": "sibling groups",
    "permanence_plan": "permanence plans",
    "events": "significant events",
    "missing": "missing episodes",
    "escalations": "escalations",
}
# `Caseload.unknown`: one row per (child, fact) the child's own data cannot tell, and why (the source)
UNKNOWN_SCHEMA: dict[str, pl.DataType] = {"child_id": S, "fact": S, "why": S}


def unknown_frame(pairs: pl.DataFrame | None = None) -> pl.DataFrame:
    """`pairs` (child_id, fact, why) checked against FACTS and cast to UNKNOWN_SCHEMA; empty when None."""
    if pairs is None or pairs.height == 0:
        return pl.DataFrame(schema=UNKNOWN_SCHEMA)
    bad = set(pairs["fact"].unique().to_list()) - set(FACTS)
    if bad:
        raise ValueError(f"unknown fact name(s): {', '.join(sorted(bad))}")
    return pairs.select([pl.col(c).cast(t) for c, t in UNKNOWN_SCHEMA.items()])


def unknown_for_all(child_ids: Iterable[str] | pl.Series, facts: Iterable[str], why: str) -> pl.DataFrame:
    """Every child lacks `facts`, for the same reason (a source that never carries them)."""
    ids = pl.Series("child_id", list(child_ids), dtype=S)
    names = pl.DataFrame({"fact": sorted(facts)}, schema={"fact": S})
    return unknown_frame(ids.to_frame().join(names, how="cross").with_columns(pl.lit(why).alias("why")))


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
    # which optional facts each child's own data cannot tell (e.g. a child known only from an SSDA903
    # return has no care-plan dates), one row per (child_id, fact, why): flags that need such a fact
    # are not raised for that child, and the UI says which and why (DOMAIN §8, §10). Empty: every
    # fact of every child is known. Fact names are the keys of `FACTS` (the engine maps each to the
    # flags it decides). Derived from where the rows came from, by `known_facts` below.
    unknown: pl.DataFrame = field(default_factory=unknown_frame)

    @classmethod
    def empty(cls) -> Caseload:
        return cls(**{name: empty_frame(name) for name in SCHEMAS})

    def tables(self) -> dict[str, pl.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in SCHEMAS}

    def unknown_for_every_child(self, fact: str) -> bool:
        """True when no child's data tells `fact`: a figure over the whole caseload (the Reports)
        then says the data cannot support it rather than counting zero (DOMAIN §10)."""
        if self.children.is_empty():
            return False
        lacking = self.unknown.filter(pl.col("fact") == fact).select(pl.col("child_id").n_unique()).item()
        return lacking >= self.children.height


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


# --- provenance -> what each child's data can tell (one rule for the database and for files) ----

# The facts a record's source decides. A child first recorded from an SSDA903 return knows none
# of `SSDA903_LACKS` until another source (the template, a form in Midway) supplies it for that
# child; a child first recorded from the template knows what the template covered for it; a child
# first recorded in Midway itself (or with no recorded source) knows everything (DOMAIN §10).
SSDA903_LACKS: frozenset[str] = frozenset(
    {
        "recommendations_sent_date",
        "record_completed_date",
        "care_plan_updated_date",
        "recommendations",
        "allocations",
        "sibling_group",
        "permanence_plan",
    }
)
SOURCE_WORDS = {"ssda903": "not in the 903 return", "template": "not in the imported template"}


def known_facts(sources: pl.DataFrame, covered: pl.DataFrame) -> pl.DataFrame:
    """`Caseload.unknown` from provenance: `sources` (child_id, source: where the child was first
    recorded: 'ssda903' | 'template' | 'midway' | null) and `covered` (child_id, fact: facts a later
    source supplied). Only children first recorded by an import can lack a fact."""
    lacks = pl.DataFrame({"fact": sorted(SSDA903_LACKS)}, schema={"fact": S})
    imported = sources.filter(pl.col("source").is_in(list(SOURCE_WORDS)))
    if imported.height == 0:
        return unknown_frame()
    pairs = (
        imported.select("child_id", "source")
        .join(lacks, how="cross")
        .join(covered.select(pl.col("child_id").cast(S), pl.col("fact").cast(S)), on=["child_id", "fact"], how="anti")
        .with_columns(pl.col("source").replace_strict(SOURCE_WORDS, return_dtype=S).alias("why"))
    )
    return unknown_frame(pairs.sort("child_id", "fact"))
