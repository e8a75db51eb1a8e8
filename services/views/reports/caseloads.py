"""IRO caseloads against the IRO Handbook's 50-70 range over time (DOMAIN §9), from the allocation
history: on each month end of the period, the children looked after then and allocated to each IRO
then (the engine's `allocations_on` answers one date; this asks a dozen at once)."""

from __future__ import annotations

import polars as pl

from services.engine.caseload import Caseload
from services.engine.policy import Policy
from services.views.reports.common import NO_TEAM, Figure, Period, Selection, holders, unsupported

KEY = "caseloads"
TITLE = "IRO caseloads against the 50-70 range, month by month"


def caseloads_over_time(
    caseload: Caseload, period: Period, sel: Selection, policy: Policy, fte: pl.DataFrame | None = None
) -> Figure:
    """One row per (month end, IRO): Children (looked after and allocated to the IRO that day),
    FTE (staff.fte, 1 when unknown), Per FTE and Against range (below / within / above
    policy.iro_caseload_min..max). With a team selected, only that team's children count."""
    if caseload.unknown_for_every_child("allocations"):
        return unsupported(KEY, TITLE, "The data that was loaded has no IRO allocations (an SSDA903 return has none).")
    days = pl.DataFrame({"Month end": period.month_ends()}, schema={"Month end": pl.Date})
    start = pl.coalesce("start_date", "observed_from")
    looked_after = (
        caseload.periods.join(days, how="cross")
        .filter(
            (start <= pl.col("Month end"))
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col("Month end")))
        )
        .select("child_id", "Month end")
        .unique()
    )
    snap = holders(looked_after, "Month end", caseload.allocations)
    snap = snap.join(
        caseload.allocations.filter(pl.col("role") == "iro").select("name", "staff_code").unique("name"),
        left_on="IRO",
        right_on="name",
        how="left",
    )
    if sel.team:
        snap = snap.filter(pl.col("Team") == sel.team)
    if sel.iro:
        snap = snap.filter(pl.col("IRO") == sel.iro)
    if sel.child_ids is not None:
        snap = snap.filter(pl.col("child_id").is_in(list(sel.child_ids)))
    snap = snap.filter(pl.col("staff_code").is_not_null())  # children with no IRO are not anyone's caseload
    if snap.is_empty():
        return unsupported(
            KEY, TITLE, "No child in this selection was allocated to an IRO on any month end of the period."
        )
    if fte is None:
        fte = pl.DataFrame(schema={"iro_code": pl.String, "fte": pl.Float64})
    lo, hi = policy.iro_caseload_min, policy.iro_caseload_max
    per_fte = pl.col("Per FTE")
    out = (
        snap.group_by("Month end", "IRO")
        .agg(pl.len().cast(pl.Int64).alias("Children"), pl.col("staff_code").first())
        .join(fte, left_on="staff_code", right_on="iro_code", how="left")
        .with_columns(pl.col("fte").fill_null(1.0).alias("FTE"))
        .with_columns((pl.col("Children") / pl.col("FTE")).round(1).alias("Per FTE"))
        .with_columns(
            pl.when(per_fte < lo)
            .then(pl.lit("Below range"))
            .when(per_fte > hi)
            .then(pl.lit("Above range"))
            .otherwise(pl.lit("Within range"))
            .alias("Against range")
        )
        .sort("Month end", "IRO")
        .select("Month end", "IRO", "Children", "FTE", "Per FTE", "Against range")
    )
    last = out.filter(pl.col("Month end") == pl.col("Month end").max())
    summary = {
        "month_end": last.get_column("Month end")[0],
        "iros": last.height,
        **{s: last.filter(pl.col("Against range") == s).height for s in ("Below range", "Within range", "Above range")},
        "lo": lo,
        "hi": hi,
    }
    return Figure(KEY, TITLE, out, summary=summary)


__all__ = ["KEY", "NO_TEAM", "TITLE", "caseloads_over_time"]
