"""The demo caseload: deterministic, plausible, loads on both databases, and drifts at realistic rates."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from functools import lru_cache

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.__main__ import main
from services.demo.generate import KNOWN_ANCHOR, KNOWN_CHILD_ID, KNOWN_CHILD_REVIEWS, DemoData, generate
from services.demo.load import TABLE_MODELS, load_demo
from services.demo.names import FIRST_NAMES, SURNAMES
from services.engine.policy import Policy
from services.errors import UsageError
from services.persistence import models as m
from services.persistence.caseload import load_caseload
from services.persistence.unit_of_work import unit_of_work

D = dt.date
ANCHORS = (KNOWN_ANCHOR, D(2025, 4, 7))  # the second lands just after Easter: bank-holiday edges


@lru_cache(maxsize=4)
def demo(anchor: dt.date = KNOWN_ANCHOR, seed: int = 2026) -> DemoData:
    return generate(anchor, seed)


def _looked_after(data: DemoData, anchor: dt.date) -> dict[str, dict]:
    """Child id -> its period open on the anchor."""
    return {
        p["child_id"]: p
        for p in data["periods_of_care"]
        if p["start_date"] <= anchor and (p["end_date"] is None or p["end_date"] >= anchor)
    }


def test_same_anchor_and_seed_give_identical_rows_and_another_seed_differs() -> None:
    a = demo()
    b = generate(KNOWN_ANCHOR, 2026)
    assert a.tables == b.tables
    assert a.scenario == b.scenario
    other = demo(KNOWN_ANCHOR, 7)
    assert other["children"] != a["children"]
    assert other["reviews"] != a["reviews"]


def test_known_child_keeps_its_documented_reviews() -> None:
    data = demo()
    held = tuple(r["held_date"] for r in data["reviews"] if r["child_id"] == KNOWN_CHILD_ID)
    assert held == KNOWN_CHILD_REVIEWS


@pytest.mark.parametrize("anchor", ANCHORS)
def test_scale_staff_and_teams(anchor: dt.date) -> None:
    data = demo(anchor)
    lac = _looked_after(data, anchor)
    assert 590 <= len(lac) <= 625
    assert len(data["teams"]) == 8
    roles = Counter(s["role"] for s in data["staff"])
    assert roles["iro"] == 10 and roles["team_manager"] == 8 and roles["service_manager"] == 2
    assert roles["social_worker"] >= 40
    iro_fte = sorted(s["fte"] for s in data["staff"] if s["role"] == "iro")
    assert iro_fte[0] < 1.0 and iro_fte.count(1.0) >= 7
    left = [p for p in data["periods_of_care"] if p["end_date"] is not None and p["end_date"] < anchor]
    assert len({p["child_id"] for p in left}) >= 200
    assert {p["end_reason"] for p in left} >= {"E4A", "E11", "E17", "E45"}
    readmitted = [cid for cid, n in Counter(p["child_id"] for p in data["periods_of_care"]).items() if n == 2]
    assert 0.03 <= len(readmitted) / len(lac) <= 0.08


@pytest.mark.parametrize("anchor", ANCHORS)
def test_reviews_inside_periods_after_birth_and_not_after_anchor(anchor: dt.date) -> None:
    data = demo(anchor)
    dob = {c["id"]: c["date_of_birth"] for c in data["children"]}
    periods = defaultdict(list)
    for p in data["periods_of_care"]:
        periods[p["child_id"]].append(p)
        assert p["start_date"] > dob[p["child_id"]]
        assert p["end_date"] is None or p["start_date"] < p["end_date"] < anchor
    for rows in periods.values():  # periods of one child never overlap
        rows.sort(key=lambda p: p["start_date"])
        for a, b in zip(rows, rows[1:], strict=False):
            assert a["end_date"] is not None and a["end_date"] < b["start_date"]
    for r in data["reviews"]:
        inside = [
            p
            for p in periods[r["child_id"]]
            if p["start_date"] <= r["held_date"] and (p["end_date"] is None or r["held_date"] <= p["end_date"])
        ]
        assert len(inside) == 1, r
        assert dob[r["child_id"]] < r["held_date"] <= anchor
        age = (r["held_date"] - dob[r["child_id"]]).days / 365.25
        assert (r["participation_code"] == "PN0") == (age < 4) or abs(age - 4) < 0.01
    short = {c["id"] for c in data["children"] if c["short_breaks"]}
    assert 3 <= len(short) <= 10
    assert not [r for r in data["reviews"] if r["child_id"] in short]


@pytest.mark.parametrize("anchor", ANCHORS)
def test_episodes_tile_each_period(anchor: dt.date) -> None:
    data = demo(anchor)
    eps = defaultdict(list)
    for e in data["placements"]:
        eps[e["child_id"]].append(e)
    for p in data["periods_of_care"]:
        mine = sorted(
            (
                e
                for e in eps[p["child_id"]]
                if e["start_date"] >= p["start_date"] and (p["end_date"] is None or e["start_date"] < p["end_date"])
            ),
            key=lambda e: e["start_date"],
        )
        assert 1 <= len(mine) <= 5
        assert mine[0]["start_date"] == p["start_date"] and mine[0]["reason_new_episode"] == "S"
        for a, b in zip(mine, mine[1:], strict=False):
            assert a["end_date"] == b["start_date"] and a["reason_ceased"] == "X1"
        assert mine[-1]["end_date"] == p["end_date"] and mine[-1]["reason_ceased"] == p["end_reason"]
        if p["placement_order_date"]:
            assert any(e["start_date"] == p["placement_order_date"] and e["legal_status"] == "E1" for e in mine)
        if p["placed_for_adoption_date"]:
            assert any(
                e["start_date"] == p["placed_for_adoption_date"] and e["placement_type"] in ("A5", "A6") for e in mine
            )


def test_legal_status_mix_is_england_like() -> None:
    data = demo()
    lac = _looked_after(data, KNOWN_ANCHOR)
    status = Counter(c["legal_status"] for c in data["children"] if c["id"] in lac)
    share = {k: v / len(lac) for k, v in status.items()}
    assert share["C2"] == max(share.values()) and share["C2"] > 0.45
    assert 0.13 <= share["V2"] <= 0.25
    assert 0.02 <= share["E1"] <= 0.09
    po = [p for p in lac.values() if p["placement_order_date"]]
    adopt = [p for p in lac.values() if p["placed_for_adoption_date"]]
    assert 0.03 <= len(po) / len(lac) <= 0.09 and 0.01 <= len(adopt) / len(lac) <= 0.04


@pytest.mark.parametrize("anchor", ANCHORS)
def test_every_child_allocated_except_the_planted_ones(anchor: dt.date) -> None:
    data = demo(anchor)
    unallocated = set(data.scenario["IRO_NOT_ALLOCATED"])
    assert 1 <= len(unallocated) <= 6
    alloc = defaultdict(list)
    for a in data["allocations"]:
        alloc[(a["child_id"], a["role"])].append(a)
    for cid, p in _looked_after(data, anchor).items():
        for role in ("team", "social_worker", "iro"):
            now = [
                a
                for a in alloc[(cid, role)]
                if a["from_date"] <= anchor and (a["to_date"] is None or anchor <= a["to_date"])
            ]
            if role == "iro" and cid in unallocated:
                assert now == []
                assert p["start_date"] >= anchor - dt.timedelta(days=30)
            else:
                assert len(now) == 1, (cid, role)
    # every period, current or past, has its team and social worker from its first day
    for p in data["periods_of_care"]:
        for role in ("team", "social_worker"):
            assert any(a["from_date"] == p["start_date"] for a in alloc[(p["child_id"], role)])
    changes = [k for k, rows in alloc.items() if k[1] == "social_worker" and len(rows) > 1]
    assert len(changes) > 50


def test_iro_caseloads_and_siblings() -> None:
    data = demo()
    lac = _looked_after(data, KNOWN_ANCHOR)
    iro_ids = {s["id"] for s in data["staff"] if s["role"] == "iro"}
    current = {
        a["child_id"]: a["staff_id"]
        for a in data["allocations"]
        if a["role"] == "iro" and a["to_date"] is None and a["child_id"] in lac
    }
    load = Counter(current.values())
    assert set(load) == iro_ids
    assert all(40 <= n <= 76 for n in load.values())
    assert sum(n > 70 for n in load.values()) >= 1
    groups = defaultdict(list)
    for c in data["children"]:
        if c["sibling_group"]:
            groups[c["sibling_group"]].append(c)
    in_groups = sum(len(g) for g in groups.values() if g[0]["id"] in lac)
    assert 0.10 <= in_groups / len(lac) <= 0.20
    split = set(data.scenario["SIBLINGS_SPLIT"])
    exception = set(data.scenario["SIBLING_EXCEPTION"])
    assert split and exception and not split & exception
    for kids in groups.values():
        ids = {k["id"] for k in kids}
        assert 2 <= len(kids) <= 3
        assert len({k["display_name"].split()[-1] for k in kids}) == 1
        shared = len({current.get(k["id"]) for k in kids}) == 1
        assert shared != bool(ids & (split | exception)), ids
        assert all(k["sibling_iro_exception"] for k in kids) == bool(ids & exception)


def test_names_are_invented_and_ids_formatted() -> None:
    data = demo()
    for c in data["children"]:
        first, last = c["display_name"].split(" ")
        assert first in FIRST_NAMES and last in SURNAMES
        assert c["id"].startswith("C") and len(c["id"]) == 6 and c["id"][1:].isdigit()
    names = [c["display_name"] for c in data["children"]]
    assert len(set(names)) == len(names)
    team_names = {t["name"] for t in data["teams"]}
    assert "Harbour Team" in team_names and len(team_names) == 8


def test_recommendations_midway_checks_and_escalations_are_plausible() -> None:
    data, anchor, policy = demo(), KNOWN_ANCHOR, Policy()
    reviews = {r["id"]: r for r in data["reviews"]}
    per_review = Counter(r["review_id"] for r in data["recommendations"])
    assert set(per_review) == set(reviews) and min(per_review.values()) == 2 and max(per_review.values()) == 6
    for rec in data["recommendations"]:
        gap = (rec["target_date"] - reviews[rec["review_id"]]["held_date"]).days
        assert 21 <= gap <= 84 and rec["owner"]
        assert rec["completed_date"] is None or reviews[rec["review_id"]]["held_date"] < rec["completed_date"] <= anchor
    next_review = {}
    by_child = defaultdict(list)
    for r in data["reviews"]:
        by_child[r["child_id"]].append(r)
    for rows in by_child.values():
        rows.sort(key=lambda r: r["held_date"])
        for a, b in zip(rows, rows[1:], strict=False):
            next_review[a["id"]] = b["held_date"]
    outcomes = Counter()
    for chk in data["midway_checks"]:
        held = reviews[chk["review_id"]]["held_date"]
        assert held < chk["check_date"] <= anchor
        assert chk["review_id"] not in next_review or chk["check_date"] < next_review[chk["review_id"]]
        assert chk["status"] == "final" and chk["template"] == "default" and chk["author"]
        outcomes[chk["outcome"]] += 1
    assert outcomes["progressing"] > 0.7 * sum(outcomes.values()) and outcomes["actions_sent"] and outcomes["escalated"]
    late = sum(r["held_date"] > r["scheduled_date"] for r in data["reviews"])
    assert 0.03 <= late / len(data["reviews"]) <= 0.09
    esc = data["escalations"]
    assert 15 <= len(esc) <= 30
    stages = defaultdict(list)
    for st in data["escalation_stages"]:
        stages[st["escalation_id"]].append(st)
        assert st["stage_name"] == policy.escalation_stage_names[st["stage"]]
    open_overdue = cafcass = resolved = 0
    for e in esc:
        current = max(stages[e["id"]], key=lambda s: (s["started_date"], s["id"]))
        if e["resolved_date"]:
            resolved += 1
            assert e["outcome"] in ("resolved", "withdrawn")
        elif current["stage"] == len(policy.escalation_stage_names) - 1:
            cafcass += 1
        elif current["due_date"] < anchor:
            open_overdue += 1
    assert 2 <= open_overdue <= 4 and cafcass == 1 and resolved >= 10
    events = data["significant_events"]
    lac = _looked_after(data, anchor)
    assert 0.07 <= len({e["child_id"] for e in events}) / len(lac) <= 0.15
    assert sum(e["bring_forward"] for e in events) >= 5
    missing_children = {e["child_id"] for e in data["missing_episodes"]}
    assert 0.04 <= len(missing_children) / len(lac) <= 0.08
    with_plan = [c for c in data["children"] if c["id"] in lac and c["permanence_plan"]]
    assert len(with_plan) > 0.7 * len(lac)
    assert sum(1 for c in data["children"] if c["annual_reviews_from"]) >= 2


def test_load_reads_back_and_later_orm_inserts_do_not_collide(engine) -> None:
    data = demo()
    counts = load_demo(engine, KNOWN_ANCHOR)
    assert counts == data.counts()
    with Session(engine) as s:
        for table, model in TABLE_MODELS.items():
            assert s.scalar(select(func.count()).select_from(model)) == counts[table], table
        entries = s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "demo_load")).all()
        assert (
            len(entries) == 1 and entries[0].actor == "Demo loader" and entries[0].after["reviews"] == counts["reviews"]
        )
        check = s.get(m.MidwayCheck, 1)
        assert check is not None and isinstance(check.answers, dict) and check.version == 1
    cl = load_caseload(engine)
    assert cl.children.height == counts["children"]
    assert cl.reviews.height == counts["reviews"]
    assert cl.recommendations.height == counts["recommendations"]
    assert cl.midway_checks.height == counts["midway_checks"]
    assert cl.escalations.height == counts["escalations"]
    assert cl.allocations.height == counts["allocations"]
    known = cl.reviews.filter(pl.col("child_id") == KNOWN_CHILD_ID)["held_date"].to_list()
    assert tuple(known) == KNOWN_CHILD_REVIEWS
    # ids were set explicitly: the next ORM insert must still get a fresh one (PostgreSQL sequences)
    with unit_of_work(engine, "test-user") as s:
        team = m.Team(name="Extra Team")
        review = m.Review(child_id=KNOWN_CHILD_ID, held_date=D(2026, 11, 20), participation_code="PN1")
        s.add_all([team, review])
        s.flush()
        assert team.id == counts["teams"] + 1
        assert review.id == counts["reviews"] + 1


def test_load_refuses_a_database_that_is_not_empty(sqlite_engine) -> None:
    with unit_of_work(sqlite_engine, "test-user") as s:
        s.add(m.Child(id="X1", display_name="Someone", date_of_birth=D(2015, 1, 1)))
    with pytest.raises(UsageError, match="not Midway's demo caseload"):
        load_demo(sqlite_engine, KNOWN_ANCHOR)
    with Session(sqlite_engine) as s:
        assert s.scalar(select(func.count()).select_from(m.Review)) == 0


def test_cli_if_empty_loads_once(engine, capsys) -> None:
    url = engine.url.render_as_string(hide_password=False)
    assert main(["demo", "--if-empty", "--database", url, "--as-of", KNOWN_ANCHOR.isoformat()]) == 0
    first = capsys.readouterr().out
    assert "demo caseload loaded" in first
    assert main(["demo", "--if-empty", "--database", url, "--as-of", KNOWN_ANCHOR.isoformat()]) == 0
    assert "not empty" in capsys.readouterr().out
    assert main(["demo", "--database", url]) == 0
    assert "not empty" in capsys.readouterr().out
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(m.Child)) == len(demo()["children"])
        assert s.scalar(select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.action == "demo_load")) == 1
    # no personal data on the terminal: counts only
    for c in demo()["children"][:50]:
        assert c["display_name"] not in first


def test_cli_reset_replaces_a_demo_database(sqlite_engine, capsys) -> None:
    """A demo database (the demo mark kept, a demo-mode write too) is replaced by a fresh demo."""
    url = sqlite_engine.url.render_as_string(hide_password=False)
    load_demo(sqlite_engine, KNOWN_ANCHOR)
    with unit_of_work(sqlite_engine, "Demo-mode user") as s:  # unit_of_work itself keeps the mark
        s.add(m.Team(name="Old Team"))
    assert main(["demo", "--reset", "--database", url, "--as-of", "2026-01-05"]) == 0
    assert "demo caseload loaded (anchor 2026-01-05)" in capsys.readouterr().out
    with Session(sqlite_engine) as s:
        names = set(s.scalars(select(m.Team.name)).all())
        assert s.scalar(select(func.count()).select_from(m.DemoMark)) == 1
    assert "Old Team" not in names and len(names) == 8
    assert main(["demo", "--as-of", "05/01/2026", "--database", url]) == 2


REQUIRED_FLAGS = (
    "REVIEW_OVERDUE",
    "MIDWAY_OVERDUE",
    "MIDWAY_MISSED",
    "REC_OVERDUE",
    "ESCALATION_OVERDUE",
    "SIBLINGS_SPLIT",
    "FREQUENT_MISSING",
)


@pytest.mark.parametrize("anchor", ANCHORS)
def test_drift_rates_through_the_engine(sqlite_engine, anchor: dt.date) -> None:
    """Most children on track; 8-25 % with a drift flag (the *_DUE_SOON flags are warnings of what is
    coming, not drift, so they are not counted); each planted child shows its flag."""
    from services.engine.compute import compute

    load_demo(sqlite_engine, anchor)
    result = compute(load_caseload(sqlite_engine), anchor, Policy())
    children = result.children.filter(~pl.col("short_breaks"))
    drift = result.flags.filter(~pl.col("code").str.ends_with("_DUE_SOON"))
    share = drift["child_id"].n_unique() / children.height
    assert 0.08 <= share <= 0.25, share
    codes = set(drift["code"].to_list())
    assert set(REQUIRED_FLAGS) <= codes
    scenario = demo(anchor).scenario
    for code, ids in scenario.items():
        if code in codes or code in REQUIRED_FLAGS:
            flagged = set(drift.filter(pl.col("code") == code)["child_id"].to_list())
            assert set(ids) <= flagged, (code, sorted(set(ids) - flagged))
    if anchor == KNOWN_ANCHOR:  # the module docstring's known child, as the engine sees it
        known = result.children.filter(pl.col("child_id") == KNOWN_CHILD_ID).row(0, named=True)
        assert known["flags"] == [] and known["reviews_in_period"] == len(KNOWN_CHILD_REVIEWS)
        assert known["next_review_due"] == D(2027, 1, 10) and known["midway_status"] == "done"
        missed = result.intervals.filter((pl.col("child_id") == KNOWN_CHILD_ID) & (pl.col("midway_status") == "missed"))
        assert missed["review_date"].to_list() == [D(2025, 7, 14)]
    planted = set().union(*(set(v) for k, v in scenario.items() if k in codes))
    unplanted = set(drift["child_id"].to_list()) - planted
    assert len(unplanted) <= 0.02 * children.height, sorted(unplanted)
