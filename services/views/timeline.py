"""One child's history as a single frame of timeline events (no Streamlit here).

The child timeline page draws this frame: bars (periods of care, placements, missing episodes,
escalations) have an `end`; points (reviews, midway checks, recommendation targets, events) have
end = null. `lane` is the chart row, `status` picks colour and marker symbol, `hover` is the text a
manager reads when pointing at it ("what and when"). Everything dated after as_of has not happened
yet and is left out, except due dates, which are the future the page exists to show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from services.dates import day_expr
from services.engine.caseload import Caseload
from services.engine.compute import EngineResult
from services.views.provenance import child_undecided

LANES = (
    "Care",
    "Placements",
    "IRO",
    "Reviews",
    "Midway checks",
    "Recommendations",
    "Significant events",
    "Missing",
    "Escalations",
)

SCHEMA = {
    "lane": pl.String,
    "kind": pl.String,
    "label": pl.String,
    "start": pl.Date,
    "end": pl.Date,
    "status": pl.String,
    "hover": pl.String,
}


def _d(col: str) -> pl.Expr:
    return day_expr(pl.col(col))


def _ended_by(as_of: dt.date) -> pl.Expr:
    """`end_date` when it had passed by as_of, else null: on as_of a later end is not known yet, so
    the bar is still open (periods, placements and missing episodes alike)."""
    return pl.when(pl.col("end_date").is_null() | (pl.col("end_date") > as_of)).then(None).otherwise("end_date")


def _open_status(open_word: str, ended_word: str) -> pl.Expr:
    """A bar's status: `open_word` while its end (`e`, from `_ended_by`) is not known on as_of."""
    return pl.when(pl.col("e").is_null()).then(pl.lit(open_word)).otherwise(pl.lit(ended_word))


def _until(open_text: str) -> pl.Expr:
    """The end of a bar's hover: `open_text` while it is open, else " to <its end>"."""
    return pl.when(pl.col("e").is_null()).then(pl.lit(open_text)).otherwise(pl.concat_str(pl.lit(" to "), _d("e")))


def _frame(df: pl.DataFrame, **exprs: pl.Expr | str) -> pl.DataFrame:
    """Select `df` into SCHEMA. A string is a literal for lane and kind, a column name otherwise."""
    cols = []
    for name, dtype in SCHEMA.items():
        e = exprs.get(name)
        if e is None:
            cols.append(pl.lit(None, dtype=dtype).alias(name))
        else:
            if isinstance(e, str):
                e = pl.lit(e) if name in ("lane", "kind") else pl.col(e)
            cols.append(e.cast(dtype).alias(name))
    return df.select(cols)


def _due_frame(
    df: pl.DataFrame, col: str, as_of: dt.date, words: list[pl.Expr], **exprs: pl.Expr | str
) -> pl.DataFrame:
    """A date still to come or missed, as points at `col`: due, or overdue once as_of is past it.
    The hover is `words`, the date, and ": OVERDUE" when it is."""
    late = pl.col(col) < as_of
    return _frame(
        df,
        start=col,
        status=pl.when(late).then(pl.lit("overdue")).otherwise(pl.lit("due")),
        hover=pl.concat_str(*words, _d(col), pl.when(late).then(pl.lit(": OVERDUE")).otherwise(pl.lit(""))),
        **exprs,
    )


def child_timeline(caseload: Caseload, result: EngineResult, child_id: str) -> pl.DataFrame:
    """Every dated fact about `child_id` up to result.as_of, plus what falls due after it."""
    as_of: dt.date = result.as_of

    def mine(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("child_id") == child_id)

    parts: list[pl.DataFrame] = []
    # Periods of care (bar; open periods run to as_of).
    per = mine(caseload.periods).with_columns(s=pl.coalesce("start_date", "observed_from")).filter(pl.col("s") <= as_of)
    per = per.with_columns(e=_ended_by(as_of))
    parts.append(
        _frame(
            per,
            lane="Care",
            kind="period",
            label=pl.lit("Period of care"),
            start=pl.col("s"),
            end=pl.coalesce("e", pl.lit(as_of)),
            status=_open_status("open", "ended"),
            hover=pl.concat_str(
                pl.lit("Period of care from "),
                _d("s"),
                pl.when(pl.col("start_date").is_null()).then(pl.lit(" (start not in the data)")).otherwise(pl.lit("")),
                _until(", still looked after"),
            ),
        )
    )
    # Placements / legal status episodes (bar).
    pl_ = mine(caseload.placements).filter(pl.col("start_date") <= as_of)
    pl_ = pl_.with_columns(
        e=_ended_by(as_of),
        what=pl.concat_str(
            pl.lit("Placement "),
            pl.col("placement_type").fill_null("?"),
            pl.lit(", legal status "),
            pl.col("legal_status").fill_null("?"),
        ),
    )
    parts.append(
        _frame(
            pl_,
            lane="Placements",
            kind="placement",
            label=pl.col("placement_type").fill_null("?"),
            start="start_date",
            end=pl.coalesce("e", pl.lit(as_of)),
            status=_open_status("current", "ended"),
            hover=pl.concat_str(
                pl.col("what"),
                pl.lit(": "),
                _d("start_date"),
                _until(" to now"),
            ),
        )
    )
    # IRO allocations (bar from each allocation's start to its end, or as_of while current): the
    # allocation history recorded on the Allocations page or imported.
    ir = mine(caseload.allocations).filter((pl.col("role") == "iro") & (pl.col("from_date") <= as_of))
    ir = ir.with_columns(e=pl.when(pl.col("to_date").is_null() | (pl.col("to_date") >= as_of)).then(None)
                         .otherwise("to_date"))  # fmt: skip
    parts.append(
        _frame(
            ir,
            lane="IRO",
            kind="allocation",
            label=pl.col("name").fill_null("?"),
            start="from_date",
            end=pl.coalesce("e", pl.lit(as_of)),
            status=_open_status("current", "ended"),
            hover=pl.concat_str(
                pl.lit("IRO "),
                pl.col("name").fill_null("?"),
                pl.lit(" from "),
                _d("from_date"),
                _until(" (current)"),
            ),
        )
    )
    # Reviews held (points: on time / late).
    rv = mine(result.reviews).filter(pl.col("held_date") <= as_of)
    parts.append(
        _frame(
            rv,
            lane="Reviews",
            kind="review_held",
            label=pl.concat_str(pl.lit("Review "), pl.col("review_number").cast(pl.String)),
            start="held_date",
            status=pl.when(pl.col("on_time")).then(pl.lit("on time")).otherwise(pl.lit("late")),
            hover=pl.concat_str(
                pl.lit("Review "),
                pl.col("review_number").cast(pl.String),
                pl.lit(" ("),
                pl.col("review_type").cast(pl.String).fill_null("").str.replace_all("_", " "),
                pl.lit(") held "),
                _d("held_date"),
                pl.lit(", due "),
                pl.coalesce(_d("due_date"), pl.lit("unknown")),
                pl.when(pl.col("on_time")).then(pl.lit(": on time")).otherwise(pl.lit(": late")),
            ),
        )
    )
    # Next review due (point: due / overdue).
    ch = mine(result.children)
    nxt = ch.filter(pl.col("next_review_due").is_not_null())
    parts.append(
        _due_frame(
            nxt,
            "next_review_due",
            as_of,
            [
                pl.lit("Next review ("),
                pl.col("next_review_type").cast(pl.String).fill_null("").str.replace_all("_", " "),
                pl.lit(") due "),
            ],
            lane="Reviews",
            kind="review_due",
            label=pl.lit("Next review"),
        )
    )
    # Midway checks: a required check not done is drawn at its due date (due / overdue / missed /
    # superseded); a done one at the date it was done (on time, or late when after its due date);
    # further checks the IRO recorded in the same interval are drawn as done.
    iv = mine(result.intervals).filter(pl.col("midway_required") & pl.col("midway_due").is_not_null())
    ck = mine(caseload.midway_checks).filter(pl.col("check_date") <= as_of)
    outcome = pl.col("outcome").fill_null("not recorded").str.replace_all("_", " ")
    parts.append(
        _frame(
            iv.filter(pl.col("midway_status") != "done"),
            lane="Midway checks",
            kind="midway_due",
            label=pl.lit("Midway check due"),
            start="midway_due",
            status="midway_status",
            hover=pl.concat_str(
                pl.lit("Midway check after review of "),
                _d("review_date"),
                pl.lit(": due "),
                _d("midway_due"),
                pl.lit(", "),
                pl.col("midway_status").cast(pl.String).str.replace_all("_", " "),
            ),
        )
    )
    done = (
        iv.filter((pl.col("midway_status") == "done") & pl.col("check_date").is_not_null())
        .join(
            ck.select("child_id", "check_date", "outcome").unique(["child_id", "check_date"]),
            on=["child_id", "check_date"],
            how="left",
        )
        .with_columns(late=pl.col("check_date") > pl.col("midway_due"))
    )
    parts.append(
        _frame(
            done,
            lane="Midway checks",
            kind="midway_done",
            label=pl.lit("Midway check done"),
            start="check_date",
            status=pl.when(pl.col("late")).then(pl.lit("late")).otherwise(pl.lit("on time")),
            hover=pl.concat_str(
                pl.lit("Midway check done "),
                _d("check_date"),
                pl.lit(" (due "),
                _d("midway_due"),
                pl.when(pl.col("late")).then(pl.lit(": late")).otherwise(pl.lit(": on time")),
                pl.lit("), outcome: "),
                outcome,
            ),
        )
    )
    extra = ck.join(done.select("child_id", "check_date"), on=["child_id", "check_date"], how="anti")
    parts.append(
        _frame(
            extra,
            lane="Midway checks",
            kind="midway_done",
            label=pl.lit("Midway check done"),
            start="check_date",
            status=pl.lit("done"),
            hover=pl.concat_str(pl.lit("Midway check done "), _d("check_date"), pl.lit(", outcome: "), outcome),
        )
    )
    # Recommendation targets and completions.
    texts = caseload.recommendations.select("rec_id", "text")
    dl = mine(result.deadlines).filter(pl.col("kind") == "recommendation_target").join(texts, on="rec_id", how="left")
    dl = dl.with_columns(short=pl.col("text").fill_null("Recommendation").str.slice(0, 60))
    parts.append(
        _frame(
            dl.filter(pl.col("due_date").is_not_null()),
            lane="Recommendations",
            kind="rec_target",
            label=pl.col("short"),
            start="due_date",
            status="status",
            hover=pl.concat_str(
                pl.lit("Recommendation target "),
                _d("due_date"),
                pl.lit(" ("),
                pl.col("status"),
                pl.lit("): "),
                pl.col("short"),
            ),
        )
    )
    parts.append(
        _frame(
            dl.filter(pl.col("done_date").is_not_null() & (pl.col("done_date") <= as_of)),
            lane="Recommendations",
            kind="rec_done",
            label=pl.col("short"),
            start="done_date",
            status=pl.lit("done"),
            hover=pl.concat_str(pl.lit("Recommendation completed "), _d("done_date"), pl.lit(": "), pl.col("short")),
        )
    )
    # Significant events.
    ev = mine(caseload.events).filter(pl.col("event_date") <= as_of)
    parts.append(
        _frame(
            ev,
            lane="Significant events",
            kind="event",
            label=pl.col("event_type").str.replace_all("_", " "),
            start="event_date",
            status=pl.when(pl.col("bring_forward")).then(pl.lit("review brought forward")).otherwise(pl.lit("event")),
            hover=pl.concat_str(
                pl.col("event_type").str.replace_all("_", " "),
                pl.lit(" on "),
                _d("event_date"),
                pl.when(pl.col("bring_forward")).then(pl.lit(": review brought forward")).otherwise(pl.lit("")),
            ),
        )
    )
    # Missing episodes (bars; an episode still open runs to as_of).
    ms = mine(caseload.missing).filter(pl.col("start_date") <= as_of)
    ms = ms.with_columns(e=_ended_by(as_of))
    parts.append(
        _frame(
            ms,
            lane="Missing",
            kind="missing",
            label=pl.lit("Missing"),
            start="start_date",
            # a same-day episode still needs a visible bar: give it at least one day
            end=pl.max_horizontal(pl.coalesce("e", pl.lit(as_of)), pl.col("start_date") + pl.duration(days=1)),
            status=_open_status("ongoing", "returned"),
            hover=pl.concat_str(
                pl.lit("Missing from "),
                _d("start_date"),
                _until(", not yet returned"),
            ),
        )
    )
    # Escalations: a bar from raised to resolved (or as_of), and the current stage's resolution date.
    es = mine(caseload.escalations).filter(pl.col("raised_date") <= as_of)
    es = es.with_columns(
        open=pl.col("resolved_date").is_null() | (pl.col("resolved_date") > as_of),
        stage_label=pl.concat_str(
            pl.lit("Stage "), pl.col("stage").cast(pl.String), pl.lit(": "), pl.col("stage_name").fill_null("")
        ),
    )
    parts.append(
        _frame(
            es,
            lane="Escalations",
            kind="escalation",
            label=pl.col("category").fill_null("Escalation"),
            start="raised_date",
            end=pl.when(pl.col("open")).then(pl.lit(as_of)).otherwise(pl.col("resolved_date")),
            status=pl.when(pl.col("open")).then(pl.lit("open")).otherwise(pl.lit("resolved")),
            hover=pl.concat_str(
                pl.lit("Escalation ("),
                pl.col("category").fill_null("no category"),
                pl.lit(") raised "),
                _d("raised_date"),
                pl.lit("; "),
                pl.col("stage_label"),
                pl.when(pl.col("open"))
                .then(pl.lit(", open"))
                .otherwise(
                    pl.concat_str(
                        pl.lit(", resolved "),
                        _d("resolved_date"),
                        pl.lit(" - "),
                        pl.col("outcome").fill_null("").str.replace_all("_", " "),
                    )
                ),
            ),
        )
    )
    stage_due = es.filter(pl.col("open") & pl.col("stage_due_date").is_not_null())
    parts.append(
        _due_frame(
            stage_due,
            "stage_due_date",
            as_of,
            [pl.col("stage_label"), pl.lit(" to be resolved by ")],
            lane="Escalations",
            kind="escalation_stage_due",
            label=pl.col("stage_label"),
        )
    )
    lane_order = pl.Enum(list(LANES))
    return (
        pl.concat(parts)
        .with_columns(order=pl.col("lane").cast(lane_order))
        .sort("order", "start", "kind")
        .drop("order")
    )


# The order a merged recommendation marker takes its status in: the worst of those it holds, so a
# span with one overdue target shows as overdue (its hover counts each status).
MERGED_STATUS_ORDER = ("overdue", "late", "unknown", "pending", "met", "done")


def chart_points(events: pl.DataFrame, shown: int = 6, every: str = "1mo") -> pl.DataFrame:
    """`child_timeline`'s rows as the chart draws them: the recommendation markers (targets and
    completions) in one span of `every` (a polars duration, "1mo" or "6mo": the chart picks it from
    the case's length) merged into one, drawn mid-span (its hover gives the months), with the worst
    status among them (MERGED_STATUS_ORDER), its `count` written beside it and its hover counting
    each status and listing the first `shown`. A long case's reviews set a dozen targets each, which piled up into
    one unreadable blot; one marker per span keeps the counts written above them apart. Other rows
    pass through with count 1; the table under the chart keeps every row. The hovers are joined
    with plotly's `<br>`: the chart escapes the texts before it calls this (ui.charts.literal)."""
    merge = (pl.col("lane") == "Recommendations") & pl.col("end").is_null()
    month = "%b %Y"
    rank = pl.col("status").replace_strict(
        {s: i for i, s in enumerate(MERGED_STATUS_ORDER)}, default=len(MERGED_STATUS_ORDER), return_dtype=pl.Int32
    )
    keys = ("lane", pl.col("start").dt.truncate(every).alias("_span"))
    spans = events.filter(merge).sort("start").with_columns(_rank=rank)
    by_status = (
        spans.group_by(*keys, "status", maintain_order=True)
        .agg(n=pl.len(), _rank=pl.col("_rank").first())
        .sort("_rank", maintain_order=True)
        .group_by("lane", "_span", maintain_order=True)
        .agg(
            status=pl.col("status").first(),
            breakdown=pl.format("{} {}", "n", pl.col("status").replace({"pending": "not yet due"})).str.join(", "),
        )
    )
    recs = (
        spans.group_by(*keys, maintain_order=True)
        .agg(
            kind=pl.col("kind").first(),
            start=pl.col("start").min(),
            last=pl.col("start").max(),
            label=pl.col("label").first(),
            end=pl.col("end").first(),
            count=pl.len().cast(pl.Int64),
            first=pl.col("hover").first(),
            listed=pl.col("hover").head(shown).str.join("<br>"),
        )
        .join(by_status, on=["lane", "_span"], how="left", maintain_order="left")
        .with_columns(
            hover=pl.when(pl.col("count") == 1)
            .then(pl.col("first"))
            .otherwise(
                pl.concat_str(
                    pl.col("count").cast(pl.String),
                    pl.lit(" recommendation dates "),
                    pl.when(pl.col("start").dt.to_string(month) == pl.col("last").dt.to_string(month))
                    .then(pl.lit("in ") + pl.col("start").dt.to_string(month))
                    .otherwise(
                        pl.format(
                            "from {} to {}",
                            pl.col("start").dt.to_string(month),
                            pl.col("last").dt.to_string(month),
                        )
                    ),
                    pl.lit(" ("),
                    pl.col("breakdown"),
                    pl.lit("):<br>"),
                    pl.col("listed"),
                    pl.when(pl.col("count") > shown)
                    .then(pl.format("<br>and {} more (see the table)", pl.col("count") - shown))
                    .otherwise(pl.lit("")),
                )
            )
        )
        .with_columns(  # a merged marker sits mid-span, so two spans' counts are a span apart
            start=pl.when(pl.col("count") > 1)
            .then(pl.col("_span") + (pl.col("_span").dt.offset_by(every) - pl.col("_span")) / 2)
            .otherwise(pl.col("start"))
            .cast(pl.Date)
        )
    )
    rest = events.filter(~merge).with_columns(count=pl.lit(1, dtype=pl.Int64))
    return pl.concat([rest, recs.select(rest.columns)]).sort("start", maintain_order=True)


def child_profile(caseload: Caseload, result: EngineResult, child_id: str) -> dict[str, Any] | None:
    """The side panel: who the child is, who holds the case, and the current flags with reasons.
    None when the id is not in the caseload at all; `looked_after` False when not looked after on as_of."""
    known = caseload.children.filter(pl.col("child_id") == child_id)
    if known.is_empty():
        return None
    row = result.children.filter(pl.col("child_id") == child_id)
    flags = result.flags.filter(pl.col("child_id") == child_id).sort("code")
    base = known.row(0, named=True)
    cur = row.row(0, named=True) if row.height else {}
    return {
        "child_id": child_id,
        "display_name": base.get("display_name"),
        "date_of_birth": base.get("date_of_birth"),
        "looked_after": bool(row.height),
        "age": cur.get("age"),
        "team": cur.get("team"),
        "iro": cur.get("iro"),
        "social_worker": cur.get("social_worker"),
        "legal_status": cur.get("legal_status", base.get("legal_status")),
        "placement_type": cur.get("placement_type", base.get("placement_type")),
        "next_review_due": cur.get("next_review_due"),
        "next_review_type": cur.get("next_review_type"),
        "midway_due": cur.get("midway_due"),
        "midway_status": cur.get("midway_status"),
        "flags": flags.select("code", "reason", "due_date", "days_overdue"),
        # each check the child's data cannot decide, and why (DOMAIN §8)
        "undecided": child_undecided(result, child_id),
        "undecided_codes": result.undecided.filter(pl.col("child_id") == child_id).get_column("code").to_list(),
    }
