"""Settings: the council's rules in one place, edited by an administrator, their impact previewed.

Every number the engine, the forms and the CLI use comes from the stored policy
(`services.casework.council_settings`); a save applies at once, on every page, with no restart.
The form is based on the version it was opened on: a save is refused if someone saved in between,
and the typed values stay in the form. Nothing is saved before its impact on today's caseload has
been shown. The override and FTE tables work the same way per row: the page keeps each table as it
was opened (with each row's version) while something is typed in it, a save passes those versions,
and a save over a row someone else changed meanwhile is refused, naming who changed it and to what,
with what was typed kept. Text that came from data (names, notes, stage names) goes into dataframe cells or
`st.text`, never Markdown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from services.casework import council_settings as cs
from services.casework.midway_check.templates import TEMPLATES
from services.dates import day, day_time
from services.engine.policy import CASENOTE_FORMATS, MIDWAY_POLICIES, MIDWAY_TEMPLATES, Policy, PolicyInvalid
from services.errors import UsageError
from services.views.policy_impact import COUNTS, policy_impact
from ui import results, tables
from ui.context import engine, user_with_role
from ui.empty import require_data
from ui.feedback import Feedback
from ui.filters import POLICY_LABELS

st.title("Settings", anchor=False)
version = require_data()
user = user_with_role(cs.SETTINGS_ROLES, "see and change the council's settings")
may_edit = cs.can_edit(user)
st.caption(
    "The council's rules: every date, window and flag Midway shows is worked out from them. "
    "Administrators and service managers may change them; every save is recorded under their name, and "
    "the history below shows who changed what, when."
)

L = cs.LABELS
BASED = "settings_based_on"  # (version, Policy) the form was opened on
ERRORS = "settings_errors"  # field -> message, from the last refused save
feedback = Feedback("settings")  # its field messages and error summary read ERRORS
PREVIEWED = "settings_previewed"  # the proposed Policy whose impact was last shown
NOTICE = "settings_notice"
SCALARS = (
    "midway_policy",
    "midway_grace_days",
    "midway_child_view_min_age",
    "months_as_days",
    "review_due_soon_working_days",
    "midway_due_soon_working_days",
    "frequent_missing_window_days",
    "frequent_missing_count",
    "formal_process_total_working_days",
    "midway_template",
    "casenote_title",
    "casenote_format",
    "iro_caseload_min",
    "iro_caseload_max",
)


def _seed(stored: cs.StoredPolicy) -> None:
    """Put the stored policy into the form's widgets (on opening, and after a save)."""
    st.session_state[BASED] = (stored.version, stored.policy)
    p = stored.policy
    for name in SCALARS:
        st.session_state[f"set_{name}"] = getattr(p, name)
    st.session_state["set_iro_role_codes"] = ", ".join(p.iro_role_codes)
    st.session_state["set_note"] = ""
    st.session_state["set_stages_rev"] = st.session_state.get("set_stages_rev", 0) + 1  # a fresh stage editor
    st.session_state.pop(PREVIEWED, None)


stored_now = cs.stored_policy(engine())
if BASED not in st.session_state or st.session_state.pop("settings_reseed", False):
    _seed(stored_now)
based_version, based = st.session_state[BASED]
errors: dict[str, str] = st.session_state.get(ERRORS, {})

info = f"Settings in force: version {stored_now.version}"
if stored_now.version:
    info += f", saved by {stored_now.actor} on {day_time(stored_now.saved_at)}"
else:
    info += " (Midway's defaults from DOMAIN.md; never changed)"
st.text(info)
if stored_now.version != based_version:
    st.warning(
        f"Someone saved version {stored_now.version} after you opened version {based_version}. "
        "Saving now is refused until you reload; reloading replaces what you typed.",
        icon=":material/sync_problem:",
    )
    if st.button("Reload the settings in force", key="set_reload"):
        _seed(stored_now)
        st.session_state.pop(ERRORS, None)
        st.rerun()


def _field_error(name: str) -> None:
    feedback.field(name)


def _number(name: str, help: str = "") -> None:
    st.number_input(L[name], step=1, key=f"set_{name}", help=help or None, disabled=not may_edit)
    _field_error(name)


stages_key = f"set_stages_{st.session_state['set_stages_rev']}"
stage_rows = pl.DataFrame(
    {
        "stage": list(range(len(based.escalation_stage_names))),
        "name": list(based.escalation_stage_names),
        "working_days": list(based.escalation_stage_working_days),
    },
    schema={"stage": pl.Int64, "name": pl.String, "working_days": pl.Int64},
)

with st.form("settings_form", enter_to_submit=False):
    feedback.summary()
    st.header("Midway checks", anchor=False)
    c1, c2 = st.columns(2)
    with c1:
        st.selectbox(
            L["midway_policy"],
            MIDWAY_POLICIES,
            format_func=lambda p: POLICY_LABELS.get(p, p),
            key="set_midway_policy",
            disabled=not may_edit,
            help="DOMAIN §4. A child's own override (table below) wins over this.",
        )
        _field_error("midway_policy")
        _number("midway_grace_days", "Days after the due date before a check counts as overdue (DOMAIN §4).")
    with c2:
        st.radio(
            L["months_as_days"],
            (False, True),
            format_func=lambda v: "91 / 183 days" if v else "Calendar months (the regulations' wording)",
            key="set_months_as_days",
            horizontal=True,
            disabled=not may_edit,
        )
        _number("midway_child_view_min_age", "Children this age and over are asked for their own view (seed 000).")

    st.header("Windows", anchor=False)
    c1, c2 = st.columns(2)
    with c1:
        _number("review_due_soon_working_days", "REVIEW_DUE_SOON (DOMAIN §8).")
        _number("midway_due_soon_working_days", "MIDWAY_DUE_SOON (DOMAIN §8).")
    with c2:
        _number("frequent_missing_window_days", "FREQUENT_MISSING counts episodes starting in these days to today.")
        _number("frequent_missing_count")

    st.header("Escalation ladder", anchor=False)
    st.caption(
        "Stage 0 is informal; the last stage is the referral to CAFCASS (DOMAIN §6). "
        "Add or remove rows to change the ladder."
    )
    edited_stages = tables.edit(
        stage_rows,
        key=stages_key,
        num_rows="dynamic" if may_edit else "fixed",
        disabled=["stage"] if may_edit else True,
        hide_index=True,
        column_config={
            "stage": st.column_config.NumberColumn("Stage", width="small"),
            "name": st.column_config.TextColumn("Stage name", max_chars=80, width="large"),
            "working_days": st.column_config.NumberColumn(
                "Default resolution (working days)", step=1, format="%d", width="medium"
            ),
        },
        width="stretch",
    )
    _field_error("escalation_stage_names")
    _field_error("escalation_stage_working_days")
    c1, _ = st.columns(2)
    with c1:
        _number(
            "formal_process_total_working_days",
            "IRO Handbook §6.2: the formal process should take no longer in total. ESCALATION_OVERDUE is "
            "raised when a formal process runs past it, unresolved (DOMAIN §8).",
        )

    st.header("Midway check form and case note", anchor=False)
    c1, c2 = st.columns(2)
    with c1:
        st.selectbox(
            L["midway_template"],
            MIDWAY_TEMPLATES,
            format_func=lambda t: TEMPLATES[t].label if t in TEMPLATES else t,
            key="set_midway_template",
            disabled=not may_edit,
        )
        _field_error("midway_template")
    with c2:
        st.text_input(L["casenote_title"], key="set_casenote_title", max_chars=120, disabled=not may_edit)
        _field_error("casenote_title")
        st.radio(
            L["casenote_format"],
            CASENOTE_FORMATS,
            format_func=lambda f: {"appendix": "Blocks separated by a blank line", "compact": "No blank lines"}[f],
            key="set_casenote_format",
            horizontal=True,
            disabled=not may_edit,
        )

    st.header("Caseloads and case-system data", anchor=False)
    c1, c2, c3 = st.columns(3)
    with c1:
        _number("iro_caseload_min", "IRO Handbook: 50-70 children per full-time IRO (DOMAIN §9).")
    with c2:
        _number("iro_caseload_max")
    with c3:
        st.text_input(
            L["iro_role_codes"],
            key="set_iro_role_codes",
            help="Comma-separated, as the case system writes them (DOMAIN §10).",
            disabled=not may_edit,
        )
        _field_error("iro_role_codes")
    st.text_input("Note for the history (optional): why the change", key="set_note", disabled=not may_edit)
    b1, b2, _ = st.columns([2, 1, 5])
    preview_clicked = b1.form_submit_button(
        "Preview impact", icon=":material/preview:", disabled=not may_edit, key="set_preview"
    )
    save_clicked = b2.form_submit_button(
        "Save", type="primary", icon=":material/save:", disabled=not may_edit, key="set_save"
    )


def _notice(key: str) -> None:
    """The outcome of the last save, next to the button that caused it (the page keeps its scroll
    position); the detail may hold names from data, so it is plain text."""
    notice = st.session_state.pop(key, None)
    if notice:
        kind, message, detail = notice
        getattr(st, kind)(message)
        if detail:
            st.text(detail)


def _edits(editor_key: str) -> dict[Any, dict[str, Any]]:
    return st.session_state.get(editor_key, {}).get("edited_rows", {})


def _rev(name: str) -> int:
    """The table's editor generation: a new one (an empty editor) after each save that lands."""
    return int(st.session_state.get(f"set_{name}_rev", 0))


def _opened(name: str, fresh: pl.DataFrame, id_col: str, editor_key: str, what: str) -> pl.DataFrame:
    """The table as the user opened it: the fresh read while nothing is typed in it, else the read
    their edits were made on (so a save passes the versions they saw, not the ones read by the
    click's own rerun). Rows changed by someone else since then are named, with a button that loads
    their changes and keeps what was typed (it lies on top, and the next save is based on theirs)."""
    key = f"set_{name}_opened"
    if key not in st.session_state or not _edits(editor_key):
        st.session_state[key] = fresh
    opened: pl.DataFrame = st.session_state[key]
    moved = (
        opened.join(fresh.select(id_col, pl.col("version").alias("now")), on=id_col, how="left")
        .filter(pl.col("now").is_null() | (pl.col("now") != pl.col("version")))
        .get_column(id_col)
        .to_list()
    )
    if moved:
        st.warning(
            f"Someone changed {what} of {', '.join(moved)} after you opened this table: a save that edits them is "
            "refused until you load their changes. Loading keeps what you typed.",
            icon=":material/sync_problem:",
        )
        if st.button("Load their changes", key=f"set_{name}_load", icon=":material/refresh:"):
            st.session_state[key] = fresh
            st.rerun()
    return opened


def _save_edits(
    name: str,
    editor_key: str,
    frame: pl.DataFrame,
    id_col: str,
    value_col: str,
    label: str,
    *,
    save: Callable[..., int],
    notice: str,
    refused: str,
    saved: str,
) -> None:
    """The save button under an editable table (the data_editor keyed `editor_key` over `frame`,
    the rows as the user opened them): saves each edited `value_col` by its row's `id_col` as the
    user, based on the versions `frame` holds, then shows how it went (`saved` with the count saved,
    or `refused` and why, what was typed kept) next to the button."""
    edits = _edits(editor_key)
    if st.button(label, key=f"set_save_{name}", disabled=not (may_edit and edits)):
        ids, versions = frame[id_col].to_list(), frame["version"].to_list()
        rows = {int(i): row[value_col] for i, row in edits.items() if value_col in row}
        change = {ids[i]: value for i, value in rows.items()}
        seen = {ids[i]: versions[i] for i in rows}
        try:
            n = save(engine(), user, change, seen=seen)
        except (cs.ValuesChanged, PolicyInvalid, UsageError, PermissionError) as exc:  # what was typed stays
            st.session_state[notice] = ("error", refused, str(exc))
        else:
            st.session_state[notice] = ("success", saved.format(n=n), "")
            st.session_state.pop(f"set_{name}_opened", None)
            st.session_state[f"set_{name}_rev"] = _rev(name) + 1  # an empty editor on the saved values
        st.rerun()
    _notice(notice)


_notice(NOTICE)


def _proposed() -> Policy:
    """The policy the form describes (on top of the version it was opened on)."""
    values: dict[str, Any] = {name: st.session_state[f"set_{name}"] for name in SCALARS}
    for name, value in values.items():
        if isinstance(value, float) and value.is_integer():
            values[name] = int(value)
    values["casenote_title"] = str(values["casenote_title"] or "").strip()
    codes = str(st.session_state.get("set_iro_role_codes") or "")
    values["iro_role_codes"] = tuple(c.strip() for c in codes.split(",") if c.strip())
    rows = edited_stages.to_dicts()
    values["escalation_stage_names"] = tuple(str(r["name"] or "").strip() for r in rows)
    values["escalation_stage_working_days"] = tuple(
        int(r["working_days"]) if r["working_days"] is not None else 0 for r in rows
    )
    return based.with_(**values)


SHORT = {  # metric labels that fit a fifth of the page
    "midway_due_moved": "Midway dates move",
    "became_midway_overdue": "Newly overdue",
    "no_longer_midway_overdue": "No longer overdue",
    "gained_a_flag": "Gain a flag",
    "lost_a_flag": "Lose a flag",
}


def _show_impact(proposed: Policy) -> None:
    today = dt.date.today()
    with st.spinner("Working out the impact on today's caseload…"):
        impact = policy_impact(results.caseload(version), today, stored_now.policy, proposed)
    with st.container(border=True, key="settings_impact"):
        st.header(f"Impact on the caseload as of {day(today)}", anchor=False)
        changed = cs.changes(stored_now.policy, proposed)
        if not changed:
            st.info("These are the settings in force: nothing would change.")
            return
        st.text("Changes: " + "; ".join(L.get(k, k) for k, _a, _b in changed))
        st.caption(
            "Children looked after today whose midway check due date moves; whose current midway check "
            "becomes, or stops being, overdue (past its due date and grace days, not done); and who gain "
            "or lose any drift flag (DOMAIN §8)."
        )
        m = st.columns(5)
        for col, name in zip(m, COUNTS, strict=True):
            col.metric(SHORT[name], impact.total(name), border=True)
        tables.show(
            impact.by_team,
            hide_index=True,
            key="settings_impact_teams",
            column_config={
                "team": st.column_config.TextColumn("Team"),
                "children": st.column_config.NumberColumn("Children"),
                **{k: st.column_config.NumberColumn(v) for k, v in SHORT.items()},
            },
            width="stretch",
        )
        if impact.children.height:
            with st.expander(f"The {impact.children.height} children something changes for"):
                tables.show(impact.children, hide_index=True, key="settings_impact_children", width="stretch")


if preview_clicked or save_clicked:
    st.session_state[ERRORS] = {}
    proposed = _proposed()
    bad = proposed.errors()
    if bad:
        st.session_state[ERRORS] = {e.field: e.message for e in bad}
        st.session_state[NOTICE] = ("error", f"Not saved: {len(bad)} setting(s) need correcting (see each).", "")
        st.rerun()
    if save_clicked and st.session_state.get(PREVIEWED) != proposed:
        st.session_state[PREVIEWED] = proposed
        st.info("Check the impact below, then press Save again to apply it.", icon=":material/info:")
        _show_impact(proposed)
    elif save_clicked:
        try:
            saved = cs.save_policy(
                engine(), user, proposed, based_on=based_version, note=st.session_state.get("set_note")
            )
        except cs.SettingsConflict as exc:
            newest = exc.newest
            what = cs.changes(based, newest.policy)
            detail = "Their change: " + "; ".join(f"{L.get(k, k)}: {a} -> {b}" for k, a, b in what) if what else ""
            st.session_state[NOTICE] = (
                "error",
                "Not saved: the settings changed after you opened them.",
                str(exc) + ("\n" + detail if detail else ""),
            )
            st.rerun()
        except (PolicyInvalid, UsageError, PermissionError) as exc:
            st.session_state[NOTICE] = ("error", "Not saved.", str(exc))
            st.rerun()
        else:
            st.session_state["settings_reseed"] = True  # the widgets take the saved values on the rerun
            st.session_state[NOTICE] = ("success", f"Saved as version {saved.version}. Every page uses it now.", "")
            st.rerun()
    else:
        st.session_state[PREVIEWED] = proposed
        _show_impact(proposed)

# --- per-child overrides ------------------------------------------------------------------------
st.header("Per-child midway policy", anchor=False)
st.caption(
    "A child's own midway policy wins over the council's (DOMAIN §4). Leave the cell empty for the council's policy."
)
only = st.toggle("Only children with an override", key="set_only_overrides", value=False)
editor_key = f"set_overrides_{_rev('overrides')}_{only}"
overrides = _opened("overrides", cs.child_overrides(engine()), "child_id", editor_key, "the override")
shown = overrides.filter(pl.col("midway_policy").is_not_null()) if only else overrides
st.text(f"{overrides['midway_policy'].is_not_null().sum()} of {overrides.height} children have an override.")
tables.edit(
    shown,
    key=editor_key,
    hide_index=True,
    disabled=["child_id", "display_name"] if may_edit else True,
    column_config={
        "child_id": st.column_config.TextColumn("Child"),
        "display_name": st.column_config.TextColumn("Name"),
        "midway_policy": st.column_config.SelectboxColumn("Midway policy override", options=list(MIDWAY_POLICIES)),
        "version": None,
    },
    width="stretch",
    height=300,
)
_save_edits(
    "overrides",
    editor_key,
    shown,
    "child_id",
    "midway_policy",
    "Save overrides",
    save=cs.set_child_overrides,
    notice=NOTICE + "_overrides",
    refused="Overrides not saved: nothing was saved, and what you typed is kept.",
    saved="Saved: {n} child override(s) changed.",
)

# --- IRO FTE ------------------------------------------------------------------------------------
st.header("IROs' full-time equivalent", anchor=False)
st.caption("The caseload range is per full-time IRO: an IRO on 0.5 FTE is in range with half the children.")
fte_key = f"set_fte_{_rev('fte')}"
fte = _opened("fte", cs.iro_fte(engine()), "code", fte_key, "the FTE")
tables.edit(
    fte,
    key=fte_key,
    hide_index=True,
    disabled=["code", "display_name", "active"] if may_edit else True,
    column_config={
        "code": st.column_config.TextColumn("Code"),
        "display_name": st.column_config.TextColumn("IRO"),
        "active": st.column_config.CheckboxColumn("Active"),
        "fte": st.column_config.NumberColumn("FTE", min_value=0.05, max_value=1.0, step=0.05, format="%.2f"),
        "version": None,
    },
    width="stretch",
)
_save_edits(
    "fte",
    fte_key,
    fte,
    "code",
    "fte",
    "Save FTE",
    save=cs.set_iro_fte,
    notice=NOTICE + "_fte",
    refused="FTE not saved: nothing was saved, and what you typed is kept.",
    saved="Saved: {n} IRO(s) changed.",
)

# --- history ------------------------------------------------------------------------------------
st.header("History", anchor=False)
past = cs.history_changes(engine())
if past.height:
    tables.show(
        past,
        hide_index=True,
        key="settings_history",
        width="stretch",
        column_config={
            "version": st.column_config.NumberColumn("Version", width="small"),
            "saved_at": st.column_config.DatetimeColumn("Saved", format="DD/MM/YYYY HH:mm"),
            "actor": st.column_config.TextColumn("By"),
            "note": st.column_config.TextColumn("Note"),
            "setting": st.column_config.TextColumn("Setting"),
            "before": st.column_config.TextColumn("Before"),
            "after": st.column_config.TextColumn("After"),
        },
    )
else:
    st.caption("No saves yet: Midway's defaults are in force.")
