"""The casework pages compute one child's engine result on that child's (and siblings') rows
only: the result for the child must be exactly what the whole caseload gives, on the demo data,
on SQLite and PostgreSQL."""

from __future__ import annotations

import random

import polars as pl
from polars.testing import assert_frame_equal

from services.casework.events import next_review
from services.casework.midway_check.read_model import child_flags
from services.casework.one_child import child_result
from services.demo.generate import KNOWN_ANCHOR
from services.demo.load import load_demo
from services.engine.compute import compute
from services.engine.policy import Policy
from services.persistence.caseload import load_caseload, with_siblings
from tests.principals import MANAGER


def _sample(full_children: pl.DataFrame, flags: pl.DataFrame) -> list[str]:
    """Every child in a sibling group (SIBLINGS_SPLIT looks across children), one child per flag
    code raised, and a seeded random sample of the rest."""
    siblings = full_children.filter(pl.col("sibling_group").is_not_null())["child_id"].to_list()
    per_code = flags.group_by("code").agg(pl.col("child_id").min())["child_id"].to_list()
    rest = sorted(set(full_children["child_id"].to_list()) - set(siblings) - set(per_code))
    return sorted({*siblings, *per_code, *random.Random(7).sample(rest, min(60, len(rest)))})


def test_one_child_result_equals_the_full_caseload_result_on_the_demo(engine) -> None:
    load_demo(engine, KNOWN_ANCHOR, actor="test")
    policy = Policy()
    full_cl = load_caseload(engine)
    full = compute(full_cl, KNOWN_ANCHOR, policy)
    assert full.flags.filter(code="SIBLINGS_SPLIT").height > 0  # the demo plants split sibling groups
    sample = _sample(full_cl.children, full.flags)
    assert len(sample) > 100
    for child_id in sample:
        one = child_result(engine, child_id, KNOWN_ANCHOR, policy)
        for name in ("children", "flags"):
            expected = getattr(full, name).filter(pl.col("child_id") == child_id)
            got = getattr(one, name).filter(pl.col("child_id") == child_id)
            sort = [c for c in ("code", "reason") if c in expected.columns] or ["child_id"]
            assert_frame_equal(got.sort(sort), expected.sort(sort), check_row_order=True)
        assert_frame_equal(
            child_flags(engine, MANAGER, child_id, KNOWN_ANCHOR, policy).sort("code", "reason"),
            full.flags.filter(pl.col("child_id") == child_id).sort("code", "reason"),
        )
    looked_after = full.children.filter(pl.col("next_review_due").is_not_null()).row(0, named=True)
    assert next_review(engine, MANAGER, looked_after["child_id"], KNOWN_ANCHOR, policy) == {
        "next_review_due": looked_after["next_review_due"],
        "next_review_type": looked_after["next_review_type"],
    }


def test_one_child_load_reads_only_that_childs_rows(engine) -> None:
    load_demo(engine, KNOWN_ANCHOR, actor="test")
    full = load_caseload(engine)
    group = full.children.filter(pl.col("sibling_group").is_not_null()).row(0, named=True)
    members = full.children.filter(pl.col("sibling_group") == group["sibling_group"])["child_id"].to_list()
    assert len(members) > 1
    assert with_siblings(engine, [group["child_id"]]) == sorted(members)
    lone = full.children.filter(pl.col("sibling_group").is_null())["child_id"][0]
    assert with_siblings(engine, [lone]) == [lone]

    ids = sorted(members)
    small = load_caseload(engine, ids)
    for name, frame in small.tables().items():
        expected = full.tables()[name].filter(pl.col("child_id").is_in(ids))
        assert set(frame["child_id"].unique().to_list()) <= set(ids), name
        assert frame.height == expected.height, name
        assert_frame_equal(frame, expected, check_row_order=False)
    assert small.escalations.height + small.reviews.height > 0
