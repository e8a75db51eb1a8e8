"""services.views.timeline on the hand-built engine result of test_dashboard: exact events per lane."""

from __future__ import annotations

import datetime as dt

import polars as pl

from services.views.timeline import LANES, child_profile, child_timeline
from tests.test_dashboard import AS_OF, fake_caseload, fake_result

D = dt.date


def _events(child: str = "C1") -> pl.DataFrame:
    return child_timeline(fake_caseload(), fake_result(), child)


def test_reviews_held_and_next_due():
    ev = _events().filter(pl.col("lane") == "Reviews")
    got = [(r["kind"], r["start"], r["status"]) for r in ev.iter_rows(named=True)]
    assert got == [
        ("review_held", D(2026, 3, 1), "on time"),
        ("review_held", D(2026, 9, 1), "late"),
        ("review_due", D(2026, 11, 10), "overdue"),
    ]
    late = ev.row(1, named=True)
    assert late["hover"] == "Review 2 (second) held 1 Sep 2026, due 1 Jun 2026: late"
    assert ev.row(2, named=True)["hover"] == "Next review (subsequent) due 10 Nov 2026: OVERDUE"


def test_midway_checks_statuses():
    ev = _events().filter(pl.col("lane") == "Midway checks")
    assert [(r["start"], r["status"]) for r in ev.iter_rows(named=True)] == [
        (D(2026, 6, 1), "missed"),
        (D(2026, 11, 2), "overdue"),
    ]
    # C3: a superseded check at its due date; the done one once, at the date it was done (the check
    # recorded on 2 Dec is after as_of: not happened yet)
    c3 = _events("C3").filter(pl.col("lane") == "Midway checks")
    assert [(r["kind"], r["start"], r["status"]) for r in c3.iter_rows(named=True)] == [
        ("midway_due", D(2026, 10, 15), "superseded"),
        ("midway_done", D(2026, 11, 4), "on time"),
    ]
    assert c3.row(1, named=True)["hover"] == (
        "Midway check done 4 Nov 2026 (due 4 Nov 2026: on time), outcome: progressing"
    )


def test_midway_check_done_late_and_extra_checks():
    from dataclasses import replace

    r = fake_result()
    iv = r.intervals.with_columns(
        check_date=pl.when(pl.col("review_id") == 41).then(pl.lit(D(2026, 11, 9))).otherwise(pl.col("check_date"))
    )
    cl = fake_caseload()
    checks = pl.concat([cl.midway_checks, cl.midway_checks.head(1).with_columns(check_date=pl.lit(D(2026, 11, 9)))])
    ev = child_timeline(replace(cl, midway_checks=checks), replace(r, intervals=iv), "C3")
    got = [(r["start"], r["status"]) for r in ev.filter(pl.col("kind") == "midway_done").iter_rows(named=True)]
    # done on 9 Nov, after its 4 Nov due date: late; the check recorded on 4 Nov is an extra, done
    assert got == [(D(2026, 11, 4), "done"), (D(2026, 11, 9), "late")]


def test_bars_periods_placements_missing_escalation():
    ev = _events()
    care = ev.filter(pl.col("lane") == "Care")
    assert [(r["start"], r["end"], r["status"]) for r in care.iter_rows(named=True)] == [
        (D(2024, 1, 10), D(2024, 6, 30), "ended"),
        (D(2026, 2, 1), AS_OF, "open"),
    ]
    placements = ev.filter(pl.col("lane") == "Placements")
    assert placements["end"].to_list() == [D(2026, 6, 30), AS_OF]
    missing = ev.filter(pl.col("lane") == "Missing").row(0, named=True)
    assert (missing["start"], missing["end"], missing["status"]) == (D(2026, 10, 4), D(2026, 10, 5), "returned")
    esc = ev.filter(pl.col("lane") == "Escalations")
    assert esc["kind"].to_list() == ["escalation", "escalation_stage_due"]
    assert esc.row(0, named=True)["end"] == AS_OF and esc.row(0, named=True)["status"] == "open"
    assert esc.row(1, named=True)["start"] == D(2026, 11, 30)
    assert esc.row(1, named=True)["hover"] == "Stage 1: Formal: Team Manager to be resolved by 30 Nov 2026"


def test_events_after_as_of_are_left_out_and_lanes_are_ordered():
    ev = _events()
    sig = ev.filter(pl.col("lane") == "Significant events")
    assert sig["start"].to_list() == [D(2026, 10, 5)]
    assert sig.row(0, named=True)["status"] == "review brought forward"
    lanes = ev["lane"].unique(maintain_order=True).to_list()
    assert lanes == [lane for lane in LANES if lane in lanes]


def test_recommendations_targets_and_completions():
    c2 = _events("C2").filter(pl.col("lane") == "Recommendations")
    assert [(r["kind"], r["start"], r["status"]) for r in c2.iter_rows(named=True)] == [
        ("rec_target", D(2026, 11, 18), "overdue"),
        ("rec_target", D(2026, 12, 10), "pending"),
    ]
    c1 = _events("C1").filter(pl.col("lane") == "Recommendations")
    assert c1["kind"].to_list() == ["rec_done", "rec_target"]


def test_profile_known_unknown_and_not_looked_after():
    p = child_profile(fake_caseload(), fake_result(), "C1")
    assert p is not None and p["looked_after"] and p["iro"] == "Iro One" and p["team"] == "Team A"
    assert p["flags"]["code"].to_list() == ["MIDWAY_OVERDUE", "REVIEW_OVERDUE"]
    assert child_profile(fake_caseload(), fake_result(), "NOPE") is None
    c9 = child_profile(fake_caseload(), fake_result(), "C9")
    assert c9 is not None and not c9["looked_after"] and c9["flags"].is_empty()
    assert child_timeline(fake_caseload(), fake_result(), "C9").is_empty()


def test_chart_points_merge_recommendations_of_one_date():
    """Issue 16: a long case's recommendation markers piled up, and their counts ran into each other;
    one marker per span (a month here), whatever its statuses."""
    import datetime as dt

    import polars as pl

    from services.views.timeline import SCHEMA, chart_points

    d1, d2 = dt.date(2026, 11, 13), dt.date(2026, 12, 1)
    rows = [("Recommendations", "rec_target", f"R{i}", d1, None, "pending", f"Target {i} <b>") for i in range(8)]
    rows += [("Recommendations", "rec_target", "R8", dt.date(2026, 11, 27), None, "overdue", "Target 8")]
    rows += [("Recommendations", "rec_target", "R9", d2, None, "pending", "Target 9")]
    rows += [("Reviews", "review_held", "Review 1", d1, None, "on time", "Review 1")]
    events = pl.DataFrame(rows, schema=SCHEMA, orient="row")
    got = chart_points(events, shown=3)
    recs = got.filter(pl.col("lane") == "Recommendations").sort("start")
    # one marker per month, mid-month, with the worst status of those it holds; a single one on its date
    mid_nov = dt.date(2026, 11, 16)
    assert recs.select("start", "status", "count").rows() == [(mid_nov, "overdue", 9), (d2, "pending", 1)]
    assert recs["hover"].to_list() == [
        "9 recommendation dates in Nov 2026 (1 overdue, 8 not yet due):<br>Target 0 <b><br>Target 1 <b><br>"
        "Target 2 <b><br>and 6 more (see the table)",
        "Target 9",
    ]
    assert got.filter(pl.col("lane") == "Reviews")["count"].to_list() == [1]
    # a longer span (a long case): Nov and Dec are one marker, in the middle of Jul-Dec
    six = chart_points(events, shown=3, every="6mo").filter(pl.col("lane") == "Recommendations")
    assert six.select("start", "status", "count").rows() == [(dt.date(2026, 10, 1), "overdue", 10)]
    assert six["hover"][0].startswith("10 recommendation dates from Nov 2026 to Dec 2026 (1 overdue, 9 not yet due)")


def test_the_merge_span_grows_with_the_case_so_labels_do_not_collide():
    import datetime as dt

    from ui.charts import merge_span

    start = dt.date(2016, 1, 1)
    assert merge_span(start, dt.date(2017, 1, 1)) == "1mo"  # 12 months
    assert merge_span(start, dt.date(2018, 6, 1)) == "3mo"  # 29 months: 10 spans
    assert merge_span(start, dt.date(2026, 11, 23)) == "12mo"  # 131 months: 11 spans
    assert merge_span(start, dt.date(2046, 1, 1)) == "24mo"
    assert merge_span(start, start) == "1mo"
