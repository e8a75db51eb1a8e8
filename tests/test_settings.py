"""Issue 17: the council's settings stored with their history, validated, concurrency-safe, read by
the engine, the forms and the CLI; the impact preview; the typed deployment settings.

Database tests run on SQLite and PostgreSQL (the `engine` fixture); the demo ones on a SQLite file
loaded with the demo caseload at its known anchor (services.demo.generate's known child)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services.__main__ import main
from services.casework import council_settings as cs
from services.engine.compute import compute
from services.engine.policy import Policy, PolicyInvalid
from services.errors import UsageError
from services.persistence import models as m
from services.persistence.caseload import load_caseload
from services.persistence.unit_of_work import unit_of_work
from services.views.policy_impact import COUNTS, policy_impact
from tests.caseload_builder import one_child
from tests.principals import as_manager
from tests.test_flags import flags, settled

D = dt.date


def _rows(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(m.CouncilSettings)) or 0)


# --- stored policy, history, concurrency -------------------------------------------------------


def test_defaults_until_a_save_then_the_newest_version(engine: Engine) -> None:
    assert cs.stored_policy(engine) == cs.StoredPolicy(0, Policy())
    saved = cs.save_policy(
        engine, as_manager("Ada Admin"), Policy().with_(midway_grace_days=3), based_on=0, note="Council decision"
    )
    assert (saved.version, saved.actor, saved.note) == (1, "Ada Admin", "Council decision")
    assert saved.saved_at is not None
    assert cs.current_policy(engine) == Policy().with_(midway_grace_days=3)
    second = Policy().with_(
        midway_grace_days=3, escalation_stage_names=("A", "B", "C"), escalation_stage_working_days=(5, 5, 14)
    )
    assert cs.save_policy(engine, as_manager("Bea Admin"), second, based_on=1).version == 2
    assert cs.current_policy(engine) == second  # tuples survive the JSON round trip


def test_history_shows_who_changed_what(engine: Engine) -> None:
    cs.save_policy(
        engine, as_manager("Ada Admin"), Policy().with_(midway_policy="six_weeks_after_each"), based_on=0, note="001"
    )
    cs.save_policy(
        engine,
        as_manager("Bea Admin"),
        Policy().with_(midway_policy="six_weeks_after_each", midway_grace_days=2),
        based_on=1,
    )
    h = cs.history(engine)
    assert h.select("version", "actor", "note", "changed").rows() == [
        (2, "Bea Admin", None, "Grace days before a midway check is overdue: 0 -> 2"),
        (1, "Ada Admin", "001", "Midway policy (DOMAIN §4): midpoint_after_second -> six_weeks_after_each"),
    ]
    assert h["saved_at"].null_count() == 0
    with Session(engine) as s:  # audited like every other write
        audit = s.scalars(select(m.AuditEntry).where(m.AuditEntry.entity == "council_settings")).all()
    assert [(a.actor, a.action, a.after["version"]) for a in audit] == [
        ("Ada Admin", "insert", 1),
        ("Bea Admin", "insert", 2),
    ]


def test_two_admins_saving_at_once_never_lose_a_change_silently(engine: Engine) -> None:
    cs.save_policy(engine, as_manager("Ada Admin"), Policy().with_(midway_grace_days=3), based_on=0)
    with pytest.raises(cs.SettingsConflict) as exc:
        cs.save_policy(engine, as_manager("Bea Admin"), Policy().with_(frequent_missing_count=4), based_on=0)
    assert exc.value.newest.actor == "Ada Admin" and exc.value.newest.version == 1
    assert "Ada Admin saved the settings on " in str(exc.value) and "(version 1)" in str(exc.value)
    assert _rows(engine) == 1 and cs.current_policy(engine).midway_grace_days == 3


def test_the_race_the_version_check_cannot_see_is_refused_by_the_unique_version(engine: Engine) -> None:
    """Two saves that both read version 0 as newest would both insert version 1: the database
    refuses the second (save_policy turns that into a SettingsConflict), so neither is lost."""
    from sqlalchemy.exc import IntegrityError

    cs.save_policy(engine, as_manager("Ada Admin"), Policy().with_(midway_grace_days=1), based_on=0)
    with pytest.raises(IntegrityError), unit_of_work(engine, "Bea Admin") as s:
        s.add(m.CouncilSettings(version=1, values=Policy().with_(midway_grace_days=2).to_json(), actor="Bea Admin"))
    assert _rows(engine) == 1 and cs.current_policy(engine).midway_grace_days == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"midway_grace_days": -1}, "midway_grace_days", "must not be negative"),
        ({"review_due_soon_working_days": -5}, "review_due_soon_working_days", "must not be negative"),
        ({"frequent_missing_window_days": 0}, "frequent_missing_window_days", "must be 1 or more"),
        ({"formal_process_total_working_days": 0}, "formal_process_total_working_days", "must be 1 or more"),
        (
            {"escalation_stage_names": ("Informal", " ", "CAFCASS"), "escalation_stage_working_days": (5, 5, 14)},
            "escalation_stage_names",
            "a stage name is empty",
        ),
        ({"escalation_stage_working_days": (5, 5)}, "escalation_stage_working_days", "one resolution time per stage"),
        ({"casenote_title": ""}, "casenote_title", "must not be empty"),
        ({"iro_caseload_min": 80}, "iro_caseload_max", "must not be below the minimum"),
        ({"midway_policy": "monthly"}, "midway_policy", "must be one of"),
        ({"iro_role_codes": ()}, "iro_role_codes", "at least one role code"),
        ({"midway_template": "nope"}, "midway_template", "must be one of"),
    ],
)
def test_an_invalid_value_is_refused_with_a_message_and_nothing_saved(
    engine: Engine, changes: dict, field: str, message: str
) -> None:
    with pytest.raises(PolicyInvalid) as exc:
        cs.save_policy(engine, as_manager("Ada Admin"), Policy().with_(**changes), based_on=0)
    assert [e.field for e in exc.value.errors] == [field]
    assert message in exc.value.errors[0].message
    assert _rows(engine) == 0


def test_saving_unchanged_or_anonymous_is_refused(engine: Engine) -> None:
    with pytest.raises(UsageError, match="Nothing to save"):
        cs.save_policy(engine, as_manager("Ada Admin"), Policy(), based_on=0)
    with pytest.raises(PermissionError):
        cs.save_policy(engine, as_manager(" "), Policy().with_(midway_grace_days=1), based_on=0)
    assert _rows(engine) == 0


def test_child_overrides_and_fte_edited_in_one_table_and_audited(engine: Engine) -> None:
    with unit_of_work(engine, "seed") as s:
        s.add_all([m.Child(id=c, date_of_birth=D(2012, 1, 1)) for c in ("C1", "C2")])
        s.add(m.Staff(code="IRO1", display_name="Iro One", role="iro"))
    seen = {"C1": 1, "C2": 1}
    ada = as_manager("Ada Admin")
    assert cs.set_child_overrides(engine, ada, {"C1": "six_weeks_after_each", "C2": None}, seen=seen) == 1
    assert cs.child_overrides(engine).rows() == [("C1", None, "six_weeks_after_each", 2), ("C2", None, None, 1)]
    with pytest.raises(PolicyInvalid):
        cs.set_child_overrides(engine, ada, {"C1": None, "C2": "weekly"}, seen={"C1": 2, "C2": 1})
    assert cs.child_overrides(engine)["midway_policy"].to_list() == ["six_weeks_after_each", None]  # all or nothing
    assert cs.set_child_overrides(engine, ada, {"C1": ""}, seen={"C1": 2}) == 1
    assert cs.set_iro_fte(engine, ada, {"IRO1": 0.5}, seen={"IRO1": 1}) == 1
    assert cs.iro_fte(engine)[["fte", "version"]].rows() == [(0.5, 2)]
    with pytest.raises(PolicyInvalid):
        cs.set_iro_fte(engine, ada, {"IRO1": 0}, seen={"IRO1": 2})
    with Session(engine) as s:
        audit = s.execute(
            select(m.AuditEntry.actor, m.AuditEntry.entity, m.AuditEntry.entity_id).where(m.AuditEntry.actor != "seed")
        ).all()
    assert [tuple(a) for a in audit] == [
        ("Ada Admin", "children", "C1"),
        ("Ada Admin", "children", "C1"),
        ("Ada Admin", "staff", "1"),
    ]


# --- a table save based on values someone else changed is refused (issue 13) -------------------


def _two_children_one_iro(engine: Engine) -> None:
    with unit_of_work(engine, "seed") as s:
        s.add_all([m.Child(id=c, date_of_birth=D(2012, 1, 1)) for c in ("C1", "C2")])
        s.add(m.Staff(code="IRO1", display_name="Iro One", role="iro"))


def test_a_stale_override_save_is_refused_naming_who_changed_it_and_saves_nothing(engine: Engine) -> None:
    _two_children_one_iro(engine)
    opened = dict(cs.child_overrides(engine).select("child_id", "version").rows())  # both admins open the table
    assert opened == {"C1": 1, "C2": 1}
    cs.set_child_overrides(engine, as_manager("Bea Boss"), {"C1": "six_weeks_after_each"}, seen=opened)
    with pytest.raises(cs.ValuesChanged) as exc:
        cs.set_child_overrides(
            engine,
            as_manager("Ada Admin"),
            {"C1": "twelve_weeks_after_second", "C2": "six_weeks_after_each"},
            seen=opened,
        )
    assert exc.value.changed_by == "Bea Boss"
    assert [(c.key, c.now, c.by) for c in exc.value.changed] == [("C1", "six_weeks_after_each", "Bea Boss")]
    assert str(exc.value).startswith(
        "Not saved: children's overrides changed after you opened the table: C1 was changed to "
        "six_weeks_after_each by Bea Boss at "
    )
    # refused whole: C2 (unchanged by anyone) is not saved either, and Bea's value stands
    assert cs.child_overrides(engine).rows() == [("C1", None, "six_weeks_after_each", 2), ("C2", None, None, 1)]
    # on the version now shown, the same save lands
    assert cs.set_child_overrides(engine, as_manager("Ada Admin"), {"C1": None}, seen={"C1": 2}) == 1
    assert cs.child_overrides(engine).rows()[0] == ("C1", None, None, 3)


def test_a_stale_fte_save_is_refused_naming_who_changed_it_and_saves_nothing(engine: Engine) -> None:
    _two_children_one_iro(engine)
    opened = dict(cs.iro_fte(engine).select("code", "version").rows())
    cs.set_iro_fte(engine, as_manager("Bea Boss"), {"IRO1": 0.6}, seen=opened)
    with pytest.raises(cs.ValuesChanged) as exc:
        cs.set_iro_fte(engine, as_manager("Ada Admin"), {"IRO1": 0.8}, seen=opened)
    assert (exc.value.changed_by, exc.value.changed[0].now) == ("Bea Boss", 0.6)
    assert str(exc.value).startswith(
        "Not saved: IROs' FTE changed after you opened the table: IRO1 was changed to 0.6 by Bea Boss at "
    )
    assert cs.iro_fte(engine)[["fte", "version"]].rows() == [(0.6, 2)]
    with pytest.raises(UsageError, match="version shown is missing"):
        cs.set_iro_fte(engine, as_manager("Ada Admin"), {"IRO1": 0.8}, seen={})
    assert cs.iro_fte(engine)["fte"].to_list() == [0.6]


def test_a_refusal_names_who_changed_the_override_not_who_touched_the_child_last(engine: Engine) -> None:
    _two_children_one_iro(engine)
    cs.set_child_overrides(engine, as_manager("Bea Boss"), {"C1": "six_weeks_after_each"}, seen={"C1": 1})
    with unit_of_work(engine, "SSDA903 import") as s:  # a later write to the child's row, not its override
        s.get(m.Child, "C1").display_name = "Renamed"
    with pytest.raises(cs.ValuesChanged) as exc:
        cs.set_child_overrides(engine, as_manager("Ada Admin"), {"C1": None}, seen={"C1": 1})
    assert exc.value.changed_by == "Bea Boss"


# --- each setting changes the engine's output as DOMAIN.md says ---------------------------------


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from services.demo.generate import KNOWN_ANCHOR
    from services.demo.load import load_demo
    from services.persistence.database import make_engine, migrate

    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('settings') / 'demo.db'}")
    migrate(eng)
    load_demo(eng, KNOWN_ANCHOR, actor="test")
    return eng


def _known(engine: Engine, policy: Policy) -> dict:
    from services.demo.generate import KNOWN_ANCHOR, KNOWN_CHILD_ID

    res = compute(load_caseload(engine), KNOWN_ANCHOR, policy)
    return res.children.filter(pl.col("child_id") == KNOWN_CHILD_ID).row(0, named=True)


def test_six_weeks_after_each_puts_the_known_child_42_days_after_its_last_review(demo_engine: Engine) -> None:
    """DOMAIN §4: six_weeks_after_each = review date + 42 days; the known child's last review was
    2026-07-10 (services.demo.generate), so its midway check is due 2026-08-21 (done 2026-10-06: late,
    before the next review, so done)."""
    assert _known(demo_engine, Policy())["midway_due"] == D(2026, 10, 10)  # halfway to 2027-01-10
    assert _known(demo_engine, Policy().with_(midway_policy="six_weeks_after_each"))["midway_due"] == D(2026, 8, 21)
    assert _known(demo_engine, Policy().with_(midway_policy="twelve_weeks_after_second"))["midway_due"] == D(
        2026, 10, 2
    )


def test_months_as_days_counts_183_days(demo_engine: Engine) -> None:
    """DOMAIN §2: 2026-07-10 + 6 calendar months = 2027-01-10; + 183 days = 2027-01-09."""
    assert _known(demo_engine, Policy().with_(months_as_days=True))["next_review_due"] == D(2027, 1, 9)


def test_grace_days_and_due_soon_windows() -> None:
    # midway due 2026-07-28 (midpoint of 2026-04-28 -> 2026-10-28)
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30), D(2026, 4, 28)])
    assert "MIDWAY_OVERDUE" in flags(cl, D(2026, 7, 29))
    assert "MIDWAY_OVERDUE" not in flags(cl, D(2026, 7, 29), Policy().with_(midway_grace_days=1))
    assert "MIDWAY_OVERDUE" in flags(cl, D(2026, 7, 30), Policy().with_(midway_grace_days=1))
    # 6 working days before the due date: inside the default 10, outside a window of 5
    assert "MIDWAY_DUE_SOON" in flags(cl, D(2026, 7, 20))
    assert "MIDWAY_DUE_SOON" not in flags(cl, D(2026, 7, 20), Policy().with_(midway_due_soon_working_days=5))
    # a first review due 2026-11-30: 16 working days ahead of 2026-11-06 is outside 15, inside 16
    first = settled(D(2026, 11, 2))
    assert flags(first, D(2026, 11, 6)) == {}
    assert "REVIEW_DUE_SOON" in flags(first, D(2026, 11, 6), Policy().with_(review_due_soon_working_days=16))


def test_missing_window_and_count() -> None:
    as_of = D(2026, 3, 31)
    episodes = [as_of - dt.timedelta(days=d) for d in (0, 40)]
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30)], missing=[{"child_id": "C1", "start_date": d} for d in episodes])
    assert "FREQUENT_MISSING" not in flags(cl, as_of)
    assert flags(cl, as_of, Policy().with_(frequent_missing_count=2))["FREQUENT_MISSING"][0] == (
        "2 missing episodes in the 90 days to 31 Mar 2026"
    )
    assert "FREQUENT_MISSING" not in flags(
        cl, as_of, Policy().with_(frequent_missing_count=2, frequent_missing_window_days=40)
    )


FORMAL = {
    "child_id": "C1",
    "escalation_id": 1,
    "raised_date": D(2026, 10, 19),
    "stage": 2,
    "stage_name": "Formal: Area Manager",
    "stage_started": D(2026, 11, 23),
    "stage_due_date": D(2026, 12, 31),
    "formal_started": D(2026, 11, 2),
}


def test_escalation_overdue_when_the_formal_process_runs_past_its_total() -> None:
    """DOMAIN §8 settled reading: formal stage 1 started Mon 2026-11-02; 20 working days -> Mon
    2026-11-30 (DOMAIN §2's example); overdue from Tue 2026-12-01, though the current stage's own
    date (2026-12-31) has not passed."""
    cl = settled(D(2026, 1, 5), [D(2026, 1, 30), D(2026, 4, 28), D(2026, 10, 20)], escalations=[FORMAL])
    assert "ESCALATION_OVERDUE" not in flags(cl, D(2026, 11, 30))
    assert flags(cl, D(2026, 12, 1))["ESCALATION_OVERDUE"] == (
        "Formal escalation started 2 Nov 2026 was due to end within 20 working days in total, by 30 Nov 2026: "
        "1 working day overdue",
        D(2026, 11, 30),
        1,
    )
    # a council total of 25 working days: due Mon 2026-12-07
    longer = Policy().with_(formal_process_total_working_days=25)
    assert "ESCALATION_OVERDUE" not in flags(cl, D(2026, 12, 7), longer)
    assert flags(cl, D(2026, 12, 8), longer)["ESCALATION_OVERDUE"][1] == D(2026, 12, 7)
    # resolved, or still informal: not raised
    done = settled(D(2026, 1, 5), [D(2026, 1, 30)], escalations=[{**FORMAL, "resolved_date": D(2026, 11, 27)}])
    assert "ESCALATION_OVERDUE" not in flags(done, D(2026, 12, 1))
    informal = {**FORMAL, "stage": 0, "stage_name": "Informal", "formal_started": None}
    assert "ESCALATION_OVERDUE" not in flags(
        settled(D(2026, 1, 5), [D(2026, 1, 30)], escalations=[informal]), D(2026, 12, 1)
    )


def test_formal_started_is_the_first_formal_stage_in_the_database(engine: Engine) -> None:
    with unit_of_work(engine, "seed") as s:
        s.add(m.Child(id="C1", date_of_birth=D(2012, 1, 1)))
        s.flush()
        esc = m.Escalation(child_id="C1", raised_date=D(2026, 10, 19))
        esc.stages = [
            m.EscalationStage(stage=0, stage_name="Informal", started_date=D(2026, 10, 19), due_date=D(2026, 11, 2)),
            m.EscalationStage(stage=1, stage_name="TM", started_date=D(2026, 11, 2), due_date=D(2026, 11, 9)),
            m.EscalationStage(stage=2, stage_name="AM", started_date=D(2026, 11, 9), due_date=D(2026, 12, 31)),
        ]
        s.add(esc)
    row = load_caseload(engine).escalations.row(0, named=True)
    assert (row["stage"], row["stage_started"], row["formal_started"]) == (2, D(2026, 11, 9), D(2026, 11, 2))


def test_default_policy_output_is_unchanged_where_no_formal_total_is_passed() -> None:
    """The one deliberate change: with formal_started null the flag is the stage reading alone."""
    cl = one_child(D(2026, 1, 5), [D(2026, 1, 30)], escalations=[{**FORMAL, "formal_started": None}])
    res = compute(cl, D(2026, 12, 1), Policy())
    assert "ESCALATION_OVERDUE" not in res.flags["code"].to_list()


# --- the preview --------------------------------------------------------------------------------


def test_the_preview_counts_equal_the_difference_of_two_engine_runs(demo_engine: Engine) -> None:
    from services.demo.generate import KNOWN_ANCHOR

    cl = load_caseload(demo_engine)
    current = Policy()
    proposed = Policy().with_(midway_policy="six_weeks_after_each", midway_grace_days=2)
    preview = policy_impact(cl, KNOWN_ANCHOR, current, proposed)
    a = {r["child_id"]: r for r in compute(cl, KNOWN_ANCHOR, current).children.to_dicts()}
    b = {r["child_id"]: r for r in compute(cl, KNOWN_ANCHOR, proposed).children.to_dicts()}
    assert a.keys() == b.keys()
    want: dict[str, dict[str, int]] = {}
    for cid, before in a.items():
        after = b[cid]
        team = want.setdefault(before["team"] or "(no team)", dict.fromkeys(("children", *COUNTS), 0))
        team["children"] += 1
        team["midway_due_moved"] += before["midway_due"] != after["midway_due"]
        team["became_midway_overdue"] += after["midway_status"] == "overdue" != before["midway_status"]
        team["no_longer_midway_overdue"] += before["midway_status"] == "overdue" != after["midway_status"]
        team["gained_a_flag"] += bool(set(after["flags"]) - set(before["flags"]))
        team["lost_a_flag"] += bool(set(before["flags"]) - set(after["flags"]))
    got = {r.pop("team"): r for r in preview.by_team.to_dicts()}
    total = got.pop("Total")
    assert got == want
    assert total == {k: sum(t[k] for t in want.values()) for k in ("children", *COUNTS)}
    assert preview.total("midway_due_moved") > 0 and preview.total("became_midway_overdue") > 0
    changed = {
        cid
        for cid in a
        if a[cid]["midway_due"] != b[cid]["midway_due"]
        or a[cid]["flags"] != b[cid]["flags"]
        or a[cid]["midway_status"] != b[cid]["midway_status"]
    }
    assert set(preview.children["child_id"]) <= changed
    assert preview.children.height == sum(
        1
        for c in changed
        if any(
            (
                a[c]["midway_due"] != b[c]["midway_due"],
                set(a[c]["flags"]) != set(b[c]["flags"]),
                (a[c]["midway_status"] == "overdue") != (b[c]["midway_status"] == "overdue"),
            )
        )
    )


def test_the_preview_of_no_change_is_all_zero(demo_engine: Engine) -> None:
    from services.demo.generate import KNOWN_ANCHOR

    preview = policy_impact(load_caseload(demo_engine), KNOWN_ANCHOR, Policy(), Policy())
    assert all(preview.total(c) == 0 for c in COUNTS) and preview.children.is_empty()


# --- the CLI reads the stored policy; deployment settings name the bad key ---------------------


def test_report_uses_the_policy_stored_in_its_database(demo_engine: Engine, tmp_path: Path) -> None:
    from services.demo.generate import KNOWN_ANCHOR, KNOWN_CHILD_ID

    url = demo_engine.url.render_as_string(hide_password=False)
    out = tmp_path / "r.csv"

    def known_midway_due() -> str:
        assert main(["report", "--as-of", KNOWN_ANCHOR.isoformat(), "--database", url, "--out", str(out)]) == 0
        rows = pl.read_csv(out, infer_schema=False).filter(pl.col("child_id") == KNOWN_CHILD_ID)
        return rows["midway_due"].item()

    assert known_midway_due() == "2026-10-10"
    base = cs.stored_policy(demo_engine)
    cs.save_policy(
        demo_engine,
        as_manager("Ada Admin"),
        base.policy.with_(midway_policy="six_weeks_after_each"),
        based_on=base.version,
    )
    assert known_midway_due() == "2026-08-21"
    # --policy still swaps only the midway policy, on top of the stored settings
    assert (
        main(
            [
                "report",
                "--as-of",
                KNOWN_ANCHOR.isoformat(),
                "--database",
                url,
                "--policy",
                "midpoint_after_second",
                "--out",
                str(out),
            ]
        )
        == 0
    )


def test_a_bad_database_url_names_the_key_and_value(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    from services.settings import SettingsError, load_settings

    monkeypatch.setenv("DATABASE_URL", "not a url")
    with pytest.raises(SettingsError) as exc:
        load_settings()
    assert str(exc.value).startswith("DATABASE_URL='not a url': not a database URL")
    assert main(["report", "--as-of", "2026-11-23", "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert (
        err == "error: DATABASE_URL='not a url': not a database URL (e.g. sqlite:///data/midway.db or "
        "postgresql+psycopg://user@host/db)\n"
    )
    monkeypatch.setenv("DATABASE_URL", "mysql://u@h/db")
    with pytest.raises(SettingsError, match="Midway runs on SQLite or PostgreSQL, not mysql"):
        load_settings()


def test_database_url_from_secrets_toml_then_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from services.settings import DEFAULT_SQLITE, SettingsError, load_settings

    monkeypatch.delenv("DATABASE_URL", raising=False)
    secrets = tmp_path / "secrets.toml"
    assert load_settings(secrets).database_url == f"sqlite:///{DEFAULT_SQLITE}"  # no file
    secrets.write_text('database_url = "postgresql+psycopg://midway@db/midway"\n[auth]\ncookie_secret = "x"\n')
    assert load_settings(secrets).database_url == "postgresql+psycopg://midway@db/midway"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/x.db")  # the environment wins
    assert load_settings(secrets).database_url == "sqlite:////tmp/x.db"
    monkeypatch.setenv("DATABASE_URL", "")  # empty counts as unset
    assert load_settings(secrets).database_url == "postgresql+psycopg://midway@db/midway"
    secrets.write_text('database_url = "nonsense"\n')
    with pytest.raises(SettingsError) as exc:
        load_settings(secrets)
    assert exc.value.key == f"database_url in {secrets}" and exc.value.value == "nonsense"


def test_policy_json_round_trip_ignores_unknown_keys() -> None:
    p = Policy().with_(iro_role_codes=("IRO", "CISRO"), casenote_format="compact")
    assert Policy.from_json({**p.to_json(), "retired_setting": 1}) == p
    assert Policy.from_json({}) == Policy()
