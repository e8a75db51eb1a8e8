"""services.views.dashboard on a small hand-built engine result (the engine contract's frames), so the
dashboard's numbers are checked exactly, independent of the engine's own tests."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from services.engine.caseload import Caseload, conform
from services.engine.compute import EngineResult
from services.engine.policy import Policy
from services.views import dashboard as d

D = dt.date
AS_OF = D(2026, 11, 23)  # a Monday

CHILDREN_SCHEMA = {
    "child_id": pl.String,
    "display_name": pl.String,
    "date_of_birth": pl.Date,
    "age": pl.Int64,
    "team": pl.String,
    "iro": pl.String,
    "iro_code": pl.String,
    "social_worker": pl.String,
    "social_worker_code": pl.String,
    "legal_status": pl.String,
    "placement_type": pl.String,
    "short_breaks": pl.Boolean,
    "period_id": pl.Int64,
    "period_start": pl.Date,
    "period_start_known": pl.Boolean,
    "reviews_in_period": pl.Int64,
    "last_review_date": pl.Date,
    "next_review_due": pl.Date,
    "next_review_type": pl.String,
    "midway_due": pl.Date,
    "midway_status": pl.String,
    "flags": pl.List(pl.String),
}
FLAGS_SCHEMA = {
    "child_id": pl.String,
    "code": pl.String,
    "reason": pl.String,
    "due_date": pl.Date,
    "days_overdue": pl.Int64,
}
REVIEWS_SCHEMA = {
    "child_id": pl.String,
    "period_id": pl.Int64,
    "review_id": pl.Int64,
    "held_date": pl.Date,
    "review_number": pl.Int64,
    "review_type": pl.String,
    "due_date": pl.Date,
    "on_time": pl.Boolean,
}
INTERVALS_SCHEMA = {
    "child_id": pl.String,
    "period_id": pl.Int64,
    "review_id": pl.Int64,
    "review_date": pl.Date,
    "review_number": pl.Int64,
    "next_due_at_review": pl.Date,
    "midway_policy": pl.String,
    "midway_required": pl.Boolean,
    "midway_due": pl.Date,
    "midway_status": pl.String,
    "check_date": pl.Date,
    "next_review_date": pl.Date,
}
DEADLINES_SCHEMA = {
    "child_id": pl.String,
    "review_id": pl.Int64,
    "kind": pl.String,
    "rec_id": pl.Int64,
    "due_date": pl.Date,
    "done_date": pl.Date,
    "status": pl.String,
}


def _child(cid, name, team, iro, iro_code, legal, nrd, nrt, mdue, mstatus, last, n, flags):
    return {
        "child_id": cid,
        "display_name": name,
        "date_of_birth": D(2014, 5, 1),
        "age": 12,
        "team": team,
        "iro": iro,
        "iro_code": iro_code,
        "social_worker": f"SW of {cid}",
        "social_worker_code": f"SW{cid}",
        "legal_status": legal,
        "placement_type": "U1",
        "short_breaks": False,
        "period_id": 1,
        "period_start": D(2026, 2, 1),
        "period_start_known": True,
        "reviews_in_period": n,
        "last_review_date": last,
        "next_review_due": nrd,
        "next_review_type": nrt,
        "midway_due": mdue,
        "midway_status": mstatus,
        "flags": flags,
    }


def fake_result(as_of: dt.date = AS_OF) -> EngineResult:
    children = pl.DataFrame(
        [
            _child("C1", "Alex", "Team A", "Iro One", "I1", "C2", D(2026, 11, 10), "subsequent", D(2026, 11, 2),
                   "overdue", D(2026, 9, 1), 2, ["MIDWAY_OVERDUE", "REVIEW_OVERDUE"]),
            _child("C2", "Blake", "Team A", "Iro One", "I1", "E1", D(2026, 12, 1), "subsequent", D(2026, 11, 30),
                   "due", D(2026, 8, 31), 3, ["MIDWAY_DUE_SOON", "REC_OVERDUE"]),
            _child("C3", "Casey", "Team B", "Iro Two", "I2", "C2", D(2027, 3, 1), "subsequent", D(2026, 11, 4),
                   "done", D(2026, 10, 1), 4, []),
            _child("C4", "Drew", None, None, None, "V2", D(2027, 1, 5), "second", None, "not_required",
                   D(2026, 10, 5), 1, ["REVIEW_LATE"]),
        ],
        schema=CHILDREN_SCHEMA,
        orient="row",
    )  # fmt: skip
    flags = pl.DataFrame(
        [
            ("C1", "MIDWAY_OVERDUE", "Midway check was due 2 Nov 2026: 15 working days overdue", D(2026, 11, 2), 15),
            ("C1", "REVIEW_OVERDUE", "Review was due 10 Nov 2026: 9 working days overdue", D(2026, 11, 10), 9),
            ("C2", "MIDWAY_DUE_SOON", "Midway check due 30 Nov 2026", D(2026, 11, 30), None),
            ("C2", "REC_OVERDUE", "Recommendation target 18 Nov 2026 passed", D(2026, 11, 18), 3),
            ("C4", "REVIEW_LATE", "Last review held late", D(2026, 9, 1), None),
        ],
        schema=FLAGS_SCHEMA,
        orient="row",
    )
    reviews = pl.DataFrame(
        [
            ("C1", 1, 1, D(2026, 3, 1), 1, "first", D(2026, 3, 5), True),
            ("C1", 1, 2, D(2026, 9, 1), 2, "second", D(2026, 6, 1), False),
            ("C2", 1, 3, D(2026, 8, 31), 3, "subsequent", D(2026, 9, 1), True),
        ],
        schema=REVIEWS_SCHEMA,
        orient="row",
    )
    intervals = pl.DataFrame(
        [
            # C1: the check after review 1 was missed (June), the one after review 2 is overdue (2 Nov)
            ("C1", 1, 1, D(2026, 3, 1), 1, D(2026, 6, 1), "six_weeks_after_each", True, D(2026, 6, 1), "missed",
             None, D(2026, 9, 1)),
            ("C1", 1, 2, D(2026, 9, 1), 2, D(2027, 3, 1), "six_weeks_after_each", True, D(2026, 11, 2), "overdue",
             None, None),
            # C2: done late but done (week of 7 Sep), then due after as_of
            ("C2", 1, 30, D(2026, 5, 1), 2, D(2026, 11, 1), "midpoint_after_second", True, D(2026, 9, 8), "done",
             D(2026, 9, 20), D(2026, 8, 31)),
            ("C2", 1, 3, D(2026, 8, 31), 3, D(2027, 2, 28), "midpoint_after_second", True, D(2026, 11, 30), "due",
             None, None),
            # C3: superseded in October (left out), done in November
            ("C3", 1, 40, D(2026, 7, 1), 3, D(2026, 10, 10), "midpoint_after_second", True, D(2026, 10, 15),
             "superseded", None, D(2026, 10, 1)),
            ("C3", 1, 41, D(2026, 10, 1), 4, D(2027, 4, 1), "midpoint_after_second", True, D(2026, 11, 4), "done",
             D(2026, 11, 4), None),
            ("C4", 1, 50, D(2026, 10, 5), 1, D(2027, 1, 5), "midpoint_after_second", False, None, "not_required",
             None, None),
        ],
        schema=INTERVALS_SCHEMA,
        orient="row",
    )  # fmt: skip
    deadlines = pl.DataFrame(
        [
            ("C2", 3, "recommendation_target", 11, D(2026, 11, 18), None, "overdue"),
            ("C2", 3, "recommendation_target", 12, D(2026, 12, 10), None, "pending"),
            ("C3", 41, "recommendation_target", 13, D(2027, 1, 30), None, "pending"),
            ("C1", 2, "recommendation_target", 14, D(2026, 10, 1), D(2026, 9, 25), "met"),
            ("C1", 2, "record_completed", None, D(2026, 9, 22), D(2026, 9, 20), "met"),
        ],
        schema=DEADLINES_SCHEMA,
        orient="row",
    )
    return EngineResult(as_of, Policy(), children, flags, reviews, intervals, deadlines, ("CARE_PLAN_NOT_UPDATED",))


def fake_caseload() -> Caseload:
    base = Caseload.empty()
    children = conform(
        "children",
        pl.DataFrame(
            {"child_id": ["C1", "C2", "C3", "C4", "C9"], "display_name": ["Alex", "Blake", "Casey", "Drew", "Ellis"]}
        ),
    )
    periods = conform(
        "periods",
        pl.DataFrame(
            {
                "child_id": ["C1", "C1"],
                "period_id": [1, 0],
                "start_date": [D(2026, 2, 1), D(2024, 1, 10)],
                "observed_from": [D(2026, 2, 1), D(2024, 1, 10)],
                "end_date": [None, D(2024, 6, 30)],
            }
        ),
    )
    placements = conform(
        "placements",
        pl.DataFrame(
            {
                "child_id": ["C1", "C1"],
                "start_date": [D(2026, 2, 1), D(2026, 7, 1)],
                "end_date": [D(2026, 6, 30), None],
                "legal_status": ["C2", "C2"],
                "placement_type": ["U4", "U1"],
            }
        ),
    )
    recommendations = conform(
        "recommendations",
        pl.DataFrame(
            {
                "child_id": ["C2", "C2", "C3", "C1"],
                "review_id": [3, 3, 41, 2],
                "rec_id": [11, 12, 13, 14],
                "text": ["Arrange life story work", "Referral to CAMHS", "PEP meeting", "Contact plan agreed"],
                "owner": ["SW", "SW", None, "TM"],
            }
        ),
    )
    events = conform(
        "events",
        pl.DataFrame(
            {
                "child_id": ["C1", "C1"],
                "event_date": [D(2026, 10, 5), D(2026, 12, 1)],
                "event_type": ["missing_from_placement", "change_of_sw"],
                "bring_forward": [True, False],
            }
        ),
    )
    missing = conform(
        "missing",
        pl.DataFrame({"child_id": ["C1"], "start_date": [D(2026, 10, 4)], "end_date": [D(2026, 10, 4)]}),
    )
    checks = conform(
        "midway_checks",
        pl.DataFrame(
            {
                "child_id": ["C3", "C3"],
                "check_id": [1, 2],
                "check_date": [D(2026, 11, 4), D(2026, 12, 2)],
                "outcome": ["progressing", "progressing"],
            }
        ),
    )
    escalations = conform(
        "escalations",
        pl.DataFrame(
            {
                "child_id": ["C1", "C3", "C2"],
                "escalation_id": [1, 2, 3],
                "raised_date": [D(2026, 10, 1), D(2026, 9, 1), D(2026, 12, 1)],
                "stage": [1, 0, 0],
                "stage_name": ["Formal: Team Manager", "Informal (Team Manager)", "Informal"],
                "stage_started": [D(2026, 11, 20), D(2026, 9, 1), D(2026, 12, 1)],
                "stage_due_date": [D(2026, 11, 30), D(2026, 9, 15), D(2026, 12, 15)],
                "resolved_date": [None, D(2026, 10, 20), None],
                "outcome": [None, "resolved", None],
                "category": ["delay in plan progress", "services not provided", "care arrangements unsuitable"],
            }
        ),
    )
    from dataclasses import replace

    return replace(
        base,
        children=children,
        periods=periods,
        placements=placements,
        recommendations=recommendations,
        events=events,
        missing=missing,
        midway_checks=checks,
        escalations=escalations,
    )


# --- filters and cards ---------------------------------------------------------------------------


def test_filter_options_lists_values_of_children_looked_after():
    opts = d.filter_options(fake_result())
    assert opts == {"team": ["Team A", "Team B"], "iro": ["Iro One", "Iro Two"], "legal_status": ["C2", "E1", "V2"]}


def test_cards_unfiltered():
    c = d.card_counts(fake_result(), fake_caseload().escalations)
    assert c == {
        "children": 4,
        "reviews_overdue": 1,
        "midway_overdue_missed": 1,
        "midway_overdue": 1,
        "midway_missed": 0,
        "midway_both": 0,
        "recommendations_overdue": 1,
        "open_escalations": 1,
    }


def test_filters_change_every_number():
    esc = fake_caseload().escalations
    b = d.filter_result(fake_result(), team="Team B")
    assert d.card_counts(b, esc) == {
        "children": 1,
        "reviews_overdue": 0,
        "midway_overdue_missed": 0,
        "midway_overdue": 0,
        "midway_missed": 0,
        "midway_both": 0,
        "recommendations_overdue": 0,
        "open_escalations": 0,
    }
    e1 = d.filter_result(fake_result(), legal_status="E1")
    assert e1.children["child_id"].to_list() == ["C2"]
    assert e1.flags["child_id"].unique().to_list() == ["C2"]
    assert d.card_counts(e1, esc)["recommendations_overdue"] == 1
    both = d.filter_result(fake_result(), team="Team A", iro="Iro Two")
    assert both.children.is_empty() and both.intervals.is_empty()


def test_filter_all_is_no_filter():
    r = fake_result()
    assert d.filter_result(r, team=d.ALL, iro=None).children.height == 4


def test_open_escalations_respects_as_of():
    esc = fake_caseload().escalations
    assert d.open_escalations(esc, AS_OF)["escalation_id"].to_list() == [1]
    # on 2026-10-01 the second escalation (raised 1 Sep, resolved 20 Oct) was open too
    assert sorted(d.open_escalations(esc, D(2026, 10, 1))["escalation_id"].to_list()) == [1, 2]


# --- attention -----------------------------------------------------------------------------------


def test_attention_ranks_statutory_breaches_first_with_reasons():
    a = d.attention(fake_result())
    assert a["child_id"].to_list() == ["C1", "C2", "C4"]
    first = a.row(0, named=True)
    assert first["score"] == 160 and first["max_days_overdue"] == 15
    # reasons are the engine's sentences, heaviest flag first
    assert first["reasons"].split("\n") == [
        "Review was due 10 Nov 2026: 9 working days overdue",
        "Midway check was due 2 Nov 2026: 15 working days overdue",
    ]
    assert d.attention(fake_result(), limit=1).height == 1


# --- heatmap -------------------------------------------------------------------------------------


def test_bucket_starts_weeks_and_months():
    assert d.bucket_starts(AS_OF, "week", 3) == [D(2026, 11, 9), D(2026, 11, 16), D(2026, 11, 23)]
    assert d.bucket_starts(D(2026, 2, 14), "month", 3) == [D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]
    assert d.bucket_label(D(2026, 11, 2), "week") == "2 Nov"
    assert d.bucket_label(D(2026, 11, 1), "month") == "Nov 2026"


def test_heatmap_weeks_by_team_counts_and_rates():
    cells = d.heatmap_cells(fake_result(), "team", "week", n=12)
    assert cells.height == 3 * 12  # full grid: Team A, Team B, no team x 12 weeks
    assert cells["row"].unique(maintain_order=True).to_list() == ["Team A", "Team B", d.NO_TEAM]

    def cell(row, bucket):
        return cells.filter((pl.col("row") == row) & (pl.col("bucket") == bucket)).row(0, named=True)

    a_nov = cell("Team A", D(2026, 11, 2))
    assert (a_nov["required"], a_nov["overdue"], a_nov["missed"], a_nov["count"], a_nov["rate"]) == (1, 1, 0, 1, 1.0)
    a_sep = cell("Team A", D(2026, 9, 7))  # C2's check, done late: due, not overdue
    assert (a_sep["required"], a_sep["count"], a_sep["rate"]) == (1, 0, 0.0)
    b_oct = cell("Team B", D(2026, 10, 12))  # superseded check: not owed, so no rate
    assert (b_oct["required"], b_oct["count"], b_oct["rate"]) == (0, 0, None)
    # the check due on 30 Nov (after as_of) is not in the grid at all
    assert cells["bucket"].max() == D(2026, 11, 23)


def test_heatmap_months_by_iro_includes_missed():
    cells = d.heatmap_cells(fake_result(), "iro", "month", n=12)
    one = cells.filter(pl.col("row") == "Iro One")
    by_month = {r["bucket"]: (r["count"], r["missed"]) for r in one.iter_rows(named=True) if r["required"]}
    assert by_month == {D(2026, 6, 1): (1, 1), D(2026, 9, 1): (0, 0), D(2026, 11, 1): (1, 0)}
    assert set(cells["row"]) == {"Iro One", "Iro Two", d.NO_IRO}


def test_cell_children_are_the_cell_count():
    r = fake_result()
    kids = d.cell_children(r, "team", "week", "Team A", D(2026, 11, 2))
    assert kids["child_id"].to_list() == ["C1"]
    assert kids.row(0, named=True)["midway_status"] == "overdue"
    assert d.cell_children(r, "team", "week", "Team A", D(2026, 9, 7)).is_empty()
    june = d.cell_children(r, "iro", "month", "Iro One", D(2026, 6, 1))
    assert june["midway_status"].to_list() == ["missed"]


def test_heatmap_respects_filters():
    cells = d.heatmap_cells(d.filter_result(fake_result(), team="Team B"), "team", "week")
    assert cells["row"].unique().to_list() == ["Team B"]
    assert cells["count"].sum() == 0


# --- caseloads and work list ---------------------------------------------------------------------


def test_iro_caseloads_against_range_per_fte():
    fte = pl.DataFrame({"iro_code": ["I1", "I2"], "fte": [0.5, 1.0]})
    small = Policy().with_(iro_caseload_min=1, iro_caseload_max=3)
    t = d.iro_caseloads(fake_result(), small, fte)
    rows = {r["iro"]: r for r in t.iter_rows(named=True)}
    assert rows["Iro One"]["children"] == 2 and rows["Iro One"]["per_fte"] == 4.0
    assert rows["Iro One"]["range_status"] == "above range"
    assert rows["Iro Two"]["range_status"] == "within range"
    assert rows[d.NO_IRO]["range_status"] == "not an IRO"
    assert (rows["Iro One"]["reviews_overdue"], rows["Iro One"]["midway_overdue"], rows["Iro One"]["recs_overdue"]) == (
        1,
        1,
        1,
    )
    # the Handbook's default 50-70: everybody is below it in a 4-child caseload
    t2 = d.iro_caseloads(fake_result(), Policy())
    assert set(t2.filter(pl.col("iro") != d.NO_IRO)["range_status"]) == {"below range"}


def test_work_list_next_four_weeks():
    w = d.work_list(fake_result(), fake_caseload(), Policy())
    got = [(r["due_date"], r["item"], r["child_id"]) for r in w.iter_rows(named=True)]
    assert got == [
        (D(2026, 11, 30), "Escalation stage", "C1"),
        (D(2026, 11, 30), "Midway check", "C2"),
        (D(2026, 12, 1), "Review", "C2"),
        (D(2026, 12, 10), "Recommendation target", "C2"),
    ]
    assert w.row(3, named=True)["detail"] == "Referral to CAMHS (owner: SW)"
    assert w["days_until"].to_list() == [7, 7, 8, 17]
    assert w.row(2, named=True)["detail"] == "Review 4 (subsequent)"


@pytest.mark.parametrize("days,expected", [(7, 2), (6, 0)])
def test_work_list_window_is_a_policy_setting(days, expected):
    w = d.work_list(fake_result(), fake_caseload(), Policy().with_(work_list_days=days))
    assert w.height == expected


def test_staff_fte_reads_iro_fte(engine) -> None:
    from services.persistence.models import Staff
    from services.persistence.unit_of_work import unit_of_work

    with unit_of_work(engine, "test") as s:
        s.add_all(
            [
                Staff(code="I1", display_name="Iro One", role="iro", fte=0.5),
                Staff(code="SW1", display_name="Social Worker", role="social_worker", fte=1.0),
            ]
        )
    fte = d.staff_fte(engine)
    assert fte.to_dicts() == [{"iro_code": "I1", "fte": 0.5}]


def test_attention_order_follows_the_most_urgent_flag_as_its_caption_says():
    """Issue 16: a child with only midway flags (60 + 50) ranked above an unallocated one (100)."""
    from dataclasses import replace

    base = fake_result()
    rows = [
        ("C1", "MIDWAY_OVERDUE", 20),
        ("C1", "MIDWAY_MISSED", None),
        ("C2", "IRO_NOT_ALLOCATED", 3),
        ("C3", "REVIEW_OVERDUE", 1),
        ("C3", "REVIEW_DUE_SOON", None),
        ("C4", "MIDWAY_OVERDUE", 30),
    ]
    flags = pl.DataFrame(
        {
            "child_id": [r[0] for r in rows],
            "code": [r[1] for r in rows],
            "reason": [r[1] for r in rows],
            "due_date": [AS_OF] * len(rows),
            "days_overdue": [r[2] for r in rows],
        },
        schema_overrides={"days_overdue": pl.Int64},
    ).cast({c: t for c, t in base.flags.schema.items()})
    ranked = d.attention(replace(base, flags=flags.select(base.flags.columns)))
    # review overdue + due soon (105) and no IRO (100) first; then the midway-only children, the one
    # with two midway flags (110) before the one with one, however long overdue
    assert ranked["child_id"].to_list() == ["C3", "C2", "C1", "C4"]
    assert d.attention_order().startswith(
        "ranked by the most urgent flag: no IRO allocated or review overdue, then escalation overdue, "
    )


def test_card_counts_say_how_many_children_have_both_midway_flags():
    c = d.card_counts(fake_result(), fake_caseload().escalations)
    assert c["midway_overdue_missed"] == c["midway_overdue"] + c["midway_missed"] - c["midway_both"]


def test_highest_cell_is_picked_by_the_value_shown():
    """Issue 16: in Rate mode the caption's "highest cell" was the one with the highest count."""
    cells = pl.DataFrame(
        {
            "row": ["Team A", "Team A", "Team B", "Team B"],
            "bucket": [D(2026, 11, 2), D(2026, 11, 9), D(2026, 11, 2), D(2026, 11, 9)],
            "count": [3, 0, 1, 1],
            "required": [6, 0, 1, 2],
        }
    ).with_columns(rate=pl.when(pl.col("required") > 0).then(pl.col("count") / pl.col("required")))
    by_count = d.highest_cell(cells, "count")
    assert (by_count["row"], by_count["bucket"], by_count["count"]) == ("Team A", D(2026, 11, 2), 3)
    by_rate = d.highest_cell(cells, "rate")
    assert (by_rate["row"], by_rate["bucket"], by_rate["rate"]) == ("Team B", D(2026, 11, 2), 1.0)
    assert d.highest_cell(cells.with_columns(count=pl.lit(0)), "rate") is None
