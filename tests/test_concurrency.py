"""Nothing lost, nothing crossed (issue 13): 20 saves at once, on SQLite and PostgreSQL.

Each test starts N threads behind a barrier, all calling the service with the version the form was
rendered with, and asserts exactly one lands, the rest are refused as EditConflict (naming who
saved first), no extra rows are written and nothing the winner saved is overwritten. Stale (not
simultaneous) saves are refused too. Raw StaleDataError / IntegrityError never escape a service.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.casework import council_settings
from services.casework.allocations import allocate_iro, allocation_history
from services.casework.errors import EditConflict, Refused
from services.casework.escalations import close_escalation, move_to_next_stage, raise_escalation, set_cafcass_checklist
from services.casework.events import events_for, record_event
from services.casework.midway_check.read_model import form_context
from services.casework.midway_check.save import save_check, save_draft
from services.casework.recommendations import review_recommendations, save_recommendations
from services.persistence import models as m
from services.persistence.unit_of_work import unit_of_work
from tests.alloc_seed import seed_dates_only
from tests.casework_seed import AS_OF, D, seed, valid_answers
from tests.principals import MANAGER, as_manager

IRO = "Iris Reviewer"
N = 20


def _race(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run `calls` at once (a barrier releases them together); returns results and exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            out = call()
        except BaseException as exc:
            with lock:
                errors.append(exc)
        else:
            with lock:
                results.append(out)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results, errors


def _only_conflicts(errors: list[BaseException]) -> None:
    bad = [e for e in errors if not isinstance(e, EditConflict)]
    assert not bad, "".join(traceback.format_exception(bad[0]))
    assert all(e.changed_by == IRO or e.changed_by.startswith("IRO ") for e in errors)  # type: ignore[attr-defined]


def _escalation(engine) -> tuple[int, int]:
    esc_id = raise_escalation(
        engine,
        as_manager(IRO),
        "C1",
        raised_date=D(2026, 6, 1),
        category="plan_delay",
        concern="Health assessment",
        stage=0,
    )
    with Session(engine) as s:
        return esc_id, s.get(m.Escalation, esc_id).version


def _stages(engine, esc_id: int) -> tuple[int, int, int]:
    """(stage rows, open stage rows, escalation version)."""
    with Session(engine) as s:
        stages = s.scalars(select(m.EscalationStage).where(m.EscalationStage.escalation_id == esc_id)).all()
        return len(stages), sum(st.ended_date is None for st in stages), s.get(m.Escalation, esc_id).version


def test_twenty_moves_on_one_version_one_lands(engine) -> None:
    seed(engine)
    esc_id, version = _escalation(engine)
    calls = [
        (
            lambda i=i: move_to_next_stage(
                engine,
                as_manager(f"IRO {i}"),
                esc_id,
                on_date=D(2026, 6, 10),
                response=f"reply {i}",
                expected_version=version,
            )
        )
        for i in range(N)
    ]
    results, errors = _race(calls)
    assert (len(results), len(errors)) == (1, N - 1)
    _only_conflicts(errors)
    assert _stages(engine, esc_id) == (2, 1, version + 1)  # one move: 2 stages, 1 open, version bumped


def test_ten_closes_and_ten_moves_one_lands(engine) -> None:
    seed(engine)
    esc_id, version = _escalation(engine)
    calls = [
        (
            lambda i=i: close_escalation(
                engine,
                as_manager(f"IRO {i}"),
                esc_id,
                on_date=D(2026, 6, 10),
                outcome="resolved",
                expected_version=version,
            )
        )
        for i in range(N // 2)
    ] + [
        (
            lambda i=i: move_to_next_stage(
                engine, as_manager(f"IRO {i}"), esc_id, on_date=D(2026, 6, 10), expected_version=version
            )
        )
        for i in range(N // 2, N)
    ]
    results, errors = _race(calls)
    assert (len(results), len(errors)) == (1, N - 1)
    _only_conflicts(errors)
    rows, open_rows, new_version = _stages(engine, esc_id)
    with Session(engine) as s:
        closed = s.get(m.Escalation, esc_id).resolved_date is not None
    # either closed with every stage ended, or moved once and still open
    assert (rows, open_rows, new_version) == ((1, 0, version + 1) if closed else (2, 1, version + 1))


def test_stale_move_close_and_checklist_are_refused(engine) -> None:
    seed(engine)
    esc_id, version = _escalation(engine)
    move_to_next_stage(engine, as_manager("Other Iro"), esc_id, on_date=D(2026, 6, 10), expected_version=version)
    for stale in (
        lambda: move_to_next_stage(engine, as_manager(IRO), esc_id, on_date=D(2026, 6, 11), expected_version=version),
        lambda: close_escalation(
            engine, as_manager(IRO), esc_id, on_date=D(2026, 6, 11), outcome="resolved", expected_version=version
        ),
        lambda: set_cafcass_checklist(
            engine, as_manager(IRO), esc_id, {"review_documents": True}, expected_version=version
        ),
    ):
        try:
            stale()
        except EditConflict as exc:
            assert exc.changed_by == "Other Iro" and "Other Iro" in str(exc)
        else:
            raise AssertionError("a stale save was accepted")
    assert _stages(engine, esc_id) == (2, 1, version + 1)


def test_twenty_checklist_saves_on_one_version_one_lands(engine) -> None:
    seed(engine)
    esc_id, version = _escalation(engine)
    keys = ["review_documents", "guardian_report"]
    calls = [
        (
            lambda i=i: set_cafcass_checklist(
                engine, as_manager(f"IRO {i}"), esc_id, {keys[i % 2]: True}, expected_version=version
            )
        )
        for i in range(N)
    ]
    results, errors = _race(calls)
    assert (len(results), len(errors)) == (1, N - 1)
    _only_conflicts(errors)


def test_thirty_blank_drafts_for_one_review_make_one_row(engine) -> None:
    ids = seed(engine)
    calls = [
        (
            lambda i=i: save_draft(
                engine, as_manager(f"IRO {i}"), "C1", ids["review_id"], {}, "default", None, as_of=AS_OF
            )
        )
        for i in range(30)
    ]
    results, errors = _race(calls)
    assert (len(results), len(errors)) == (1, 29)
    _only_conflicts(errors)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(m.MidwayCheck)) == 1


def test_twenty_final_checks_for_one_review_one_lands_nothing_overwritten(engine) -> None:
    ids = seed(engine)
    ctx = form_context(engine, MANAGER, "C1", AS_OF)
    rec_ids = [r["rec_id"] for r in ctx.recommendations]
    statuses = ["done", "on_track", "delayed"]

    def answers(i: int) -> dict[str, Any]:
        a = valid_answers(ids)
        for rid in rec_ids:
            a[f"rec.{rid}.status"] = statuses[i % 3]
            a[f"rec.{rid}.update"] = f"update from save {i}"
        return a

    calls = [
        (
            lambda i=i: save_check(
                engine,
                as_manager(f"IRO {i}"),
                "C1",
                ids["review_id"],
                answers(i),
                "default",
                "actions_sent",
                as_of=AS_OF,
                review_version=ctx.review_version,
            )
        )
        for i in range(N)
    ]
    results, errors = _race(calls)
    assert (len(results), len(errors)) == (1, N - 1), [str(e) for e in errors[:3]]
    _only_conflicts(errors)
    with Session(engine) as s:
        checks = s.scalars(select(m.MidwayCheck)).all()
        assert len(checks) == 1
        winner = int(checks[0].author.removeprefix("IRO "))
        recs = s.scalars(select(m.Recommendation).where(m.Recommendation.review_id == ids["review_id"])).all()
        # the recommendations are the winner's, not a later refused save's
        assert {r.last_update for r in recs} == {f"update from save {winner}"}
        assert {r.status for r in recs} == {statuses[winner % 3]}
    # a stale final save (rendered before the winner's) is refused, not silently overwriting
    try:
        save_check(
            engine,
            as_manager(IRO),
            "C1",
            ids["review_id"],
            answers(1),
            "default",
            "actions_sent",
            as_of=AS_OF,
            review_version=ctx.review_version,
        )
    except EditConflict as exc:
        assert exc.changed_by == f"IRO {winner}"
    else:
        raise AssertionError("a stale final check was accepted")


def test_same_draft_saved_twenty_times_on_one_version_one_lands(engine) -> None:
    ids = seed(engine)
    draft = save_draft(engine, as_manager(IRO), "C1", ids["review_id"], {}, "default", None, as_of=AS_OF)
    calls = [
        (
            lambda i=i: save_draft(
                engine,
                as_manager(f"IRO {i}"),
                "C1",
                ids["review_id"],
                {"concerns": f"typed {i}"},
                "default",
                None,
                draft.version,
                check_id=draft.check_id,
                as_of=AS_OF,
            )
        )
        for i in range(N)
    ]
    results, errors = _race(calls)
    assert (len(results), len(errors)) == (1, N - 1)
    _only_conflicts(errors)


def test_double_click_on_raise_raises_once(engine) -> None:
    seed(engine)
    fields = dict(raised_date=D(2026, 6, 1), category="plan_delay", concern="Health assessment", stage=0)
    first = raise_escalation(engine, as_manager(IRO), "C1", submission_id="f" * 32, **fields)
    again = raise_escalation(engine, as_manager(IRO), "C1", submission_id="f" * 32, **fields)
    results, errors = _race(
        [lambda: raise_escalation(engine, as_manager(IRO), "C1", submission_id="a" * 32, **fields) for _ in range(N)]
    )
    assert first == again and errors == [] and len(set(results)) == 1
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(m.Escalation)) == 2


def test_refusals_are_refused_not_raw_database_errors(engine) -> None:
    ids = seed(engine)
    save_draft(engine, as_manager(IRO), "C1", ids["review_id"], {}, "default", None, as_of=AS_OF)
    try:
        save_draft(engine, as_manager("Other Iro"), "C1", ids["review_id"], {}, "default", None, as_of=AS_OF)
    except Refused as exc:
        assert isinstance(exc, EditConflict) and IRO in str(exc)
    else:
        raise AssertionError("a second draft was accepted")


def test_twenty_recommendation_saves_on_one_version_one_lands(engine) -> None:
    ids = seed_dates_only(engine)
    seen = review_recommendations(engine, MANAGER, ids["review_id"]).version
    rows = [[{"text": f"Plan from save {i}", "owner": "social_worker", "target_date": D(2026, 7, 1)}] for i in range(N)]
    calls = [
        (
            lambda i=i: save_recommendations(
                engine,
                as_manager(f"IRO {i}"),
                ids["review_id"],
                rows[i],
                sent_date=None,
                as_of=D(2026, 6, 24),
                review_version=seen,
            )
        )
        for i in range(N)
    ]
    results, errors = _race(calls)
    assert (len(results), len(errors)) == (1, N - 1)
    _only_conflicts(errors)
    after = review_recommendations(engine, MANAGER, ids["review_id"])
    winner = int(_last_actor(engine, "reviews").removeprefix("IRO "))
    assert [r["text"] for r in after.recommendations] == [f"Plan from save {winner}"]  # one row, the winner's
    assert after.version == seen + 1


def test_twenty_allocations_on_one_form_one_lands(engine) -> None:
    seed_dates_only(engine)
    seen = allocation_history(engine, MANAGER, "W1").height
    calls = [
        (
            lambda i=i: allocate_iro(
                engine,
                as_manager(f"IRO {i}"),
                "W1",
                iro_code="IRO01" if i % 2 else "IRO02",
                from_date=D(2026, 6, 24),
                reason="x",
                as_of=D(2026, 6, 24),
                seen_allocations=seen,
            )
        )
        for i in range(N)
    ]
    results, errors = _race(calls)
    assert len(results) == 1, [str(e) for e in errors[:3]]
    # the losers are refused: as changed meanwhile, or (PostgreSQL, a same-day insert racing the
    # first) by the unique (child, role, from date) index; never a raw database error
    assert all(isinstance(e, Refused) for e in errors) and len(errors) == N - 1
    assert allocation_history(engine, MANAGER, "W1").height == 1


def test_event_double_click_records_once(engine) -> None:
    seed(engine)
    fields = dict(event_date=D(2026, 6, 10), event_type="missing", bring_forward=False, as_of=D(2026, 6, 12))
    results, errors = _race(
        [lambda: record_event(engine, as_manager(IRO), "C1", submission_id="e" * 32, **fields) for _ in range(N)]
    )
    assert errors == [] and len(results) == N and len(set(results)) == 1
    assert events_for(engine, MANAGER, "C1").height == 1


def _last_actor(engine, entity: str) -> str:
    with Session(engine) as s:
        return s.scalar(
            select(m.AuditEntry.actor).where(m.AuditEntry.entity == entity).order_by(m.AuditEntry.id.desc()).limit(1)
        )


# --- the Settings page's tables and allocation submissions (issue 13) ---------------------------


def _overrides_seed(engine) -> None:
    seed_dates_only(engine)  # children W1, S1, S2; IROs IRO01, IRO02


def test_twenty_override_saves_on_one_version_one_lands(engine) -> None:
    _overrides_seed(engine)
    opened = dict(council_settings.child_overrides(engine).select("child_id", "version").rows())
    policies = ("six_weeks_after_each", "twelve_weeks_after_second")
    calls = [
        (
            lambda i=i: council_settings.set_child_overrides(
                engine, as_manager(f"IRO {i}"), {"W1": policies[i % 2], "S1": policies[i % 2]}, seen=opened
            )
        )
        for i in range(N)
    ]
    results, errors = _race(calls)
    assert results == [2], [str(e) for e in errors[:3]]
    _only_conflicts(errors)
    assert len(errors) == N - 1
    rows = council_settings.child_overrides(engine).filter(pl.col("child_id").is_in(["W1", "S1"]))
    winner = _last_actor(engine, "children")
    # both rows hold the winner's value (never one thread's W1 with another's S1), one version on
    assert rows["midway_policy"].n_unique() == 1 and rows["version"].to_list() == [2, 2]
    assert all(e.changed_by == winner for e in errors)  # type: ignore[attr-defined]
    with Session(engine) as s:
        writes = s.scalar(
            select(func.count())
            .select_from(m.AuditEntry)
            .where(m.AuditEntry.entity == "children", m.AuditEntry.actor != "seed")
        )
    assert writes == 2  # one audited update per child: the 19 refused wrote nothing


def _fte(i: int) -> float:
    """Thread i's FTE for IRO02: each different, none the seeded 0.5 (a save of the value already
    there changes nothing and is no conflict, so a thread that ran before the winner would return 0)."""
    return 0.51 + 0.02 * i


def test_twenty_fte_saves_on_one_version_one_lands(engine) -> None:
    _overrides_seed(engine)
    opened = dict(council_settings.iro_fte(engine).select("code", "version").rows())
    calls = [
        (lambda i=i: council_settings.set_iro_fte(engine, as_manager(f"IRO {i}"), {"IRO02": _fte(i)}, seen=opened))
        for i in range(N)
    ]
    results, errors = _race(calls)
    assert results == [1], [str(e) for e in errors[:3]]
    _only_conflicts(errors)
    assert len(errors) == N - 1
    winner = _last_actor(engine, "staff")
    fte = council_settings.iro_fte(engine).filter(pl.col("code") == "IRO02")
    assert fte["version"].to_list() == [2]
    assert fte["fte"][0] == pytest.approx(_fte(int(winner.removeprefix("IRO "))))  # the winner's value
    assert all(e.changed_by == winner for e in errors)  # type: ignore[attr-defined]


def _allocate_siblings(engine, submission: str | None, seen: int):
    return allocate_iro(
        engine,
        as_manager("Mona Manager"),
        "S1",
        iro_code="IRO01",
        from_date=D(2026, 6, 24),
        siblings=["S2"],
        as_of=D(2026, 6, 24),
        seen_allocations=seen,
        submission_id=submission,
    )


def _iro_allocations(engine) -> list[tuple[str, str | None]]:
    with Session(engine) as s:
        rows = s.execute(
            select(m.Allocation.child_id, m.Allocation.submission_id)
            .where(m.Allocation.role == "iro")
            .order_by(m.Allocation.child_id)
        ).all()
    return [tuple(r) for r in rows]


def test_the_same_allocation_submitted_twice_saves_once(engine) -> None:
    _overrides_seed(engine)
    first = _allocate_siblings(engine, "a" * 32, 0)
    again = _allocate_siblings(engine, "a" * 32, 0)  # a double click: the same form, the same version
    assert (first.repeated, again.repeated) == (False, True)
    assert again.allocation_ids == first.allocation_ids and again.child_ids == ("S1", "S2")
    assert (again.iro, again.from_date) == ("Iris Reviewer", D(2026, 6, 24))
    assert _iro_allocations(engine) == [("S1", "a" * 32), ("S2", "a" * 32)]


def test_ten_clicks_on_one_allocation_submission_save_once(engine) -> None:
    _overrides_seed(engine)
    results, errors = _race([lambda: _allocate_siblings(engine, "b" * 32, 0) for _ in range(10)])
    assert errors == [], [str(e) for e in errors[:3]]
    assert len(results) == 10 and len({r.allocation_ids for r in results}) == 1
    assert sorted(r.repeated for r in results) == [False] + [True] * 9  # saved once, nine told so
    assert _iro_allocations(engine) == [("S1", "b" * 32), ("S2", "b" * 32)]
    with Session(engine) as s:
        inserts = s.scalar(
            select(func.count())
            .select_from(m.AuditEntry)
            .where(m.AuditEntry.entity == "allocations", m.AuditEntry.action == "insert", m.AuditEntry.actor != "seed")
        )
    assert inserts == 2


def test_the_unique_index_refuses_a_second_row_for_one_submission_and_child(engine) -> None:
    """The database itself holds the rule, whatever the service checks first."""
    _overrides_seed(engine)
    _allocate_siblings(engine, "c" * 32, 0)
    with pytest.raises(IntegrityError), unit_of_work(engine, "test") as s:
        s.add(m.Allocation(child_id="S1", role="iro", staff_id=None, from_date=D(2026, 7, 1), submission_id="c" * 32))
