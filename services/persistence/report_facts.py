"""What the Reports figures need from the database beyond the engine's Caseload (a read side only).

The midway checks' checklist answers (DOMAIN §5, seed 002 table: the JSON `answers` of a final
check, keys ``chk_<item>.answer``), so a manager can see which practice gaps recur where: read here
rather than added to the engine's input, which never needs them. The JSON is flattened by polars
(a struct column), not row by row. (When an escalation's formal process started is on the
Caseload: `escalations.formal_started`.)
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.persistence import models as m

ANSWER_SCHEMA = {
    "check_id": pl.Int64,
    "child_id": pl.String,
    "check_date": pl.Date,
    "item": pl.String,
    "answer": pl.String,
}


def checklist_answers(engine: Engine) -> pl.DataFrame:
    """One row per (final midway check, checklist item answered): check_id, child_id, check_date,
    item (the question key without ``chk_`` / ``.answer``, e.g. ``permanence``), answer ("Yes"/"No").
    Drafts are left out, as everywhere (DOMAIN §4: a draft is not done)."""
    with Session(engine) as s:
        rows = s.execute(
            select(m.MidwayCheck.id, m.MidwayCheck.child_id, m.MidwayCheck.check_date, m.MidwayCheck.answers).where(
                m.MidwayCheck.status == "final"
            )
        ).all()
    if not rows:
        return pl.DataFrame(schema=ANSWER_SCHEMA)
    ids, children, dates, answers = (list(col) for col in zip(*rows, strict=True))
    base = pl.DataFrame(
        {"check_id": ids, "child_id": children, "check_date": dates},
        schema={"check_id": pl.Int64, "child_id": pl.String, "check_date": pl.Date},
    )
    # a struct column of every key seen; only the checklist rows' answers are kept
    struct = pl.Series("answers", [a or {} for a in answers], strict=False)
    if not isinstance(struct.dtype, pl.Struct) or not struct.dtype.fields:
        return pl.DataFrame(schema=ANSWER_SCHEMA)
    keys = [f.name for f in struct.dtype.fields if f.name.startswith("chk_") and f.name.endswith(".answer")]
    if not keys:
        return pl.DataFrame(schema=ANSWER_SCHEMA)
    wide = pl.concat([base, struct.struct.unnest().select(pl.col(keys).cast(pl.String))], how="horizontal")
    return (
        wide.unpivot(index=["check_id", "child_id", "check_date"], on=keys, variable_name="item", value_name="answer")
        .filter(pl.col("answer").is_not_null() & (pl.col("answer").str.strip_chars() != ""))
        .with_columns(pl.col("item").str.strip_prefix("chk_").str.strip_suffix(".answer"))
        .sort("check_date", "check_id", "item")
        .select(list(ANSWER_SCHEMA))
    )
