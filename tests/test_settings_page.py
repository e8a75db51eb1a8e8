"""The Settings page through AppTest on a real database (temp SQLite file, and PostgreSQL when
TEST_DATABASE_URL is set): it renders with the defaults; a refused value keeps what was typed, says
why next to the field and saves nothing; a save is previewed first, then adds a history row and
applies at once (the midway check page's case note takes the new title, with no restart); a save
based on a version someone else replaced is refused."""

from __future__ import annotations

import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from services.casework import council_settings as cs
from services.engine.policy import Policy
from services.persistence import models as m
from tests.casework_seed import valid_answers
from tests.demo_pages import open_page as _open
from tests.principals import as_manager
from tests.test_casework_pages import SHIFT, _fill, app_db  # noqa: F401  (the fixture)

PAGE = "app_pages/settings.py"


def _rows(engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(m.CouncilSettings)) or 0)


def _frame(at: AppTest, column: str):
    """The first dataframe with `column` (display-only dataframes have no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _settings() -> AppTest:
    at = _open(PAGE, act_as="SM01")  # settings are an administrator's or a service manager's
    assert at.title[0].value == "Settings"
    return at


def test_renders_with_the_defaults_and_says_who_may_edit(app_db) -> None:  # noqa: F811
    at = _settings()
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="set_midway_policy").value == "midpoint_after_second"
    assert at.number_input(key="set_midway_grace_days").value == 0
    assert at.number_input(key="set_formal_process_total_working_days").value == 20
    assert at.text_input(key="set_casenote_title").value == "CISRO Midway CLA Review Check"
    assert "Administrators and service managers may change them" in at.caption[0].value
    assert "version 0" in at.text[0].value
    assert any("No saves yet" in c.value for c in at.caption)


def test_a_refused_value_keeps_the_input_says_why_and_saves_nothing(app_db) -> None:  # noqa: F811
    engine, _ = app_db
    at = _settings()
    at.number_input(key="set_midway_grace_days").set_value(-2)
    at.text_input(key="set_casenote_title").set_value("My title")
    at.button(key="set_save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "must not be negative",  # under the field
        "Not saved: 1 setting(s) need correcting (see each).",  # by the buttons
    ]
    assert at.number_input(key="set_midway_grace_days").value == -2  # what was typed is kept
    assert at.text_input(key="set_casenote_title").value == "My title"
    assert _rows(engine) == 0


def test_preview_then_save_adds_a_history_row_and_applies_at_once(app_db) -> None:  # noqa: F811
    engine, ids = app_db
    at = _settings()
    at.selectbox(key="set_midway_policy").set_value("six_weeks_after_each")
    at.text_input(key="set_casenote_title").set_value("IRO Midway CLA Review Check")
    at.text_input(key="set_note").set_value("Adopting the 001 rule")
    at.button(key="set_save").click().run()  # the first Save shows the impact, saves nothing
    assert _rows(engine) == 0
    assert [i.value for i in at.info] == ["Check the impact below, then press Save again to apply it."]
    teams = _frame(at, "midway_due_moved")
    assert teams["team"].iloc[-1] == "Total"
    at.button(key="set_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert [s.value for s in at.success] == ["Saved as version 1. Every page uses it now."]
    assert cs.current_policy(engine) == Policy().with_(
        midway_policy="six_weeks_after_each", casenote_title="IRO Midway CLA Review Check"
    )
    history = _frame(at, "setting")  # one row per setting changed
    me = "Sue Manager"  # SM01, the service manager acting
    assert history[["version", "actor", "note", "setting", "before", "after"]].values.tolist() == [
        [1, me, "Adopting the 001 rule", "Midway policy (DOMAIN §4)", "midpoint_after_second", "six_weeks_after_each"],
        [
            1,
            me,
            "Adopting the 001 rule",
            "Case-note title",
            "CISRO Midway CLA Review Check",
            "IRO Midway CLA Review Check",
        ],
    ]
    assert at.selectbox(key="set_midway_policy").value == "six_weeks_after_each"  # the form shows version 1
    # the casework reads the stored policy: the midway check's case note takes the new title
    mc = _open("app_pages/midway_check.py", child="C1")
    _fill(mc, valid_answers(ids, SHIFT))
    mc.button(key="mc_submit").click().run()
    assert mc.code[0].value.startswith("IRO Midway CLA Review Check\n\n")


def test_a_save_based_on_a_replaced_version_is_refused(app_db) -> None:  # noqa: F811
    engine, _ = app_db
    at = _settings()
    cs.save_policy(engine, as_manager("Other Admin"), Policy().with_(midway_grace_days=5), based_on=0)  # meanwhile
    at.number_input(key="set_frequent_missing_count").set_value(4)
    at.button(key="set_preview").click().run()
    at.button(key="set_save").click().run()
    assert not at.exception
    assert "Not saved: the settings changed after you opened them." in [e.value for e in at.error]
    assert any("Other Admin saved the settings" in t.value for t in at.text)
    assert any("Their change: Grace days before a midway check is overdue: 0 -> 5" in t.value for t in at.text)
    assert at.number_input(key="set_frequent_missing_count").value == 4  # kept
    assert _rows(engine) == 1 and cs.current_policy(engine).frequent_missing_count == 3


def test_a_bad_database_setting_is_named_on_the_page_not_a_traceback(monkeypatch) -> None:
    import streamlit as st

    from services.persistence import database as db

    monkeypatch.setenv("DATABASE_URL", "nonsense")
    st.cache_resource.clear()
    st.cache_data.clear()
    db.get_engine.cache_clear()
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["A deployment setting is not valid, so Midway cannot start:"]
    assert at.text[0].value.startswith("DATABASE_URL='nonsense': not a database URL")
    st.cache_resource.clear()
    db.get_engine.cache_clear()


def _type(at: AppTest, key: str, row: int, column: str, value) -> None:
    """What the browser's data editor sends after a cell is edited (AppTest cannot click cells)."""
    at.session_state[key] = {"edited_rows": {row: {column: value}}, "added_rows": [], "deleted_rows": []}


def test_a_stale_override_save_is_refused_naming_who_and_keeps_what_was_typed(app_db) -> None:  # noqa: F811
    engine, _ = app_db
    at = _settings()
    _type(at, "set_overrides_0_False", 0, "midway_policy", "twelve_weeks_after_second")  # C1, opened at version 1
    at.run()
    cs.set_child_overrides(engine, as_manager("Other Admin"), {"C1": "six_weeks_after_each"}, seen={"C1": 1})
    at.button(key="set_save_overrides").click().run()
    assert not at.exception
    assert "Overrides not saved: nothing was saved, and what you typed is kept." in [e.value for e in at.error]
    refusal = next(t.value for t in at.text if t.value.startswith("Not saved: children's overrides"))
    assert "C1 was changed to six_weeks_after_each by Other Admin at " in refusal
    assert any("Someone changed the override of C1 after you opened this table" in w.value for w in at.warning)
    assert cs.child_overrides(engine).filter(pl.col("child_id") == "C1")["midway_policy"].to_list() == [
        "six_weeks_after_each"
    ]  # theirs stands
    assert at.session_state["set_overrides_0_False"]["edited_rows"] == {
        0: {"midway_policy": "twelve_weeks_after_second"}
    }
    # loading their changes keeps the typing; the save is then based on their version and lands
    at.button(key="set_overrides_load").click().run()
    assert not any("Someone changed" in w.value for w in at.warning)
    at.button(key="set_save_overrides").click().run()
    assert "Saved: 1 child override(s) changed." in [s.value for s in at.success]
    assert cs.child_overrides(engine).filter(pl.col("child_id") == "C1").select("midway_policy", "version").rows() == [
        ("twelve_weeks_after_second", 3)
    ]


def test_a_stale_fte_save_is_refused_naming_who_and_a_fresh_one_lands(app_db) -> None:  # noqa: F811
    engine, _ = app_db
    at = _settings()
    _type(at, "set_fte_0", 0, "fte", 0.5)  # IRO01
    at.run()
    cs.set_iro_fte(engine, as_manager("Other Admin"), {"IRO01": 0.8}, seen={"IRO01": 1})
    at.button(key="set_save_fte").click().run()
    assert "FTE not saved: nothing was saved, and what you typed is kept." in [e.value for e in at.error]
    assert any("IRO01 was changed to 0.8 by Other Admin at " in t.value for t in at.text)
    assert cs.iro_fte(engine)["fte"].to_list() == [0.8]
    # untouched by anyone else: a save on the version shown lands at once
    at.button(key="set_fte_load").click().run()
    at.button(key="set_save_fte").click().run()
    assert "Saved: 1 IRO(s) changed." in [s.value for s in at.success]
    assert cs.iro_fte(engine)[["fte", "version"]].rows() == [(0.5, 3)]
