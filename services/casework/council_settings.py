"""The council's policy, stored in the database with its history, and the per-child overrides.

Why in the database, not the environment: the councils do the same job by different rules (DOMAIN
§4, §6), and a rule change must apply without a restart or a code change. Each save is a new row of
`council_settings` (version, the policy's values as JSON, who, when, a note), so the table is the
history; the policy in force is the newest row, or the code defaults (`Policy()`) when none.

Two admins saving at once: a save names the version it was based on and is refused with
`SettingsConflict` (who saved in between, and when) when that is no longer the newest, so no change
is ever lost silently; the unique `version` column refuses the race the check cannot see.

The per-child midway policy overrides and the IROs' FTE are edited in tables: each row read carries
its version (`children.midway_policy_version`, `staff.fte_version`), the page passes the versions it
showed, and a save is refused whole as `ValuesChanged` (who changed which value, and to what) when
any of them moved on meanwhile. The rows are locked before the versions are compared, so of two
saves racing on the same version one lands and the other is refused, never lost.

Who may edit: `can_edit(who)`: administrators and service managers (services.access); every save is
attributed to them by name and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import polars as pl
from sqlalchemy import Engine, Table, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.access import ADMIN, SERVICE_MANAGER, Principal
from services.access.demo import writes
from services.casework.conflicts import describe, last_change_of
from services.casework.errors import EditConflict
from services.casework.fields import answer_problem
from services.dates import day_time
from services.engine.policy import MIDWAY_POLICIES, Policy, PolicyError, PolicyInvalid
from services.errors import UsageError
from services.persistence import models as m

# The settings the page edits, with the words it shows (also the history's names for them).
LABELS: dict[str, str] = {
    "midway_policy": "Midway policy (DOMAIN §4)",
    "midway_grace_days": "Grace days before a midway check is overdue",
    "midway_child_view_min_age": "Age from which the child is contacted directly",
    "months_as_days": "Count months as 91 / 183 days (DOMAIN §2)",
    "review_due_soon_working_days": "Review 'due soon' window (working days)",
    "midway_due_soon_working_days": "Midway check 'due soon' window (working days)",
    "frequent_missing_window_days": "Missing episodes: window (days)",
    "frequent_missing_count": "Missing episodes: how many in the window raise a flag",
    "escalation_stage_names": "Escalation stage names",
    "escalation_stage_working_days": "Each stage's default resolution time (working days)",
    "formal_process_total_working_days": "Formal process total (working days)",
    "midway_template": "Midway check template",
    "casenote_title": "Case-note title",
    "casenote_format": "Case-note layout",
    "iro_caseload_min": "Caseload per full-time IRO: lowest",
    "iro_caseload_max": "Caseload per full-time IRO: highest",
    "iro_role_codes": "Role codes that name an IRO in a case-system extract (DOMAIN §10)",
}


SETTINGS_ROLES = (ADMIN, SERVICE_MANAGER)  # who may change the council's rules (services.access)


def can_edit(who: Principal | None) -> bool:
    """Whether `who` may change the council's settings: administrators and service managers."""
    return who is not None and who.role in SETTINGS_ROLES and bool(who.name.strip())


@dataclass(frozen=True)
class StoredPolicy:
    """The policy in force and where it came from (version 0: the code defaults, never saved)."""

    version: int
    policy: Policy
    actor: str | None = None
    saved_at: dt.datetime | None = None
    note: str | None = None


class SettingsConflict(UsageError):
    """The settings changed since the version a save was based on."""

    def __init__(self, newest: StoredPolicy, based_on: int) -> None:
        when = f" on {day_time(newest.saved_at)}" if newest.saved_at else ""
        super().__init__(
            f"Not saved: {newest.actor} saved the settings{when} (version {newest.version}) after you opened "
            f"version {based_on}. Their change is shown now; make yours again on top of it."
        )
        self.newest, self.based_on = newest, based_on


def _stored(row: m.CouncilSettings | None) -> StoredPolicy:
    if row is None:
        return StoredPolicy(0, Policy())
    return StoredPolicy(row.version, Policy.from_json(row.values), row.actor, row.saved_at, row.note)


def _newest(s: Session) -> m.CouncilSettings | None:
    return s.scalars(select(m.CouncilSettings).order_by(m.CouncilSettings.version.desc()).limit(1)).first()


def stored_policy(engine: Engine) -> StoredPolicy:
    """The newest saved policy with its version, or the defaults as version 0."""
    with Session(engine) as s:
        return _stored(_newest(s))


def current_policy(engine: Engine) -> Policy:
    """The policy every number of the engine, the pages, the forms and the CLI comes from."""
    return stored_policy(engine).policy


def changes(old: Policy, new: Policy) -> list[tuple[str, Any, Any]]:
    """(field, old value, new value) for each setting that differs, in the dataclass's order."""
    return [
        (f.name, getattr(old, f.name), getattr(new, f.name))
        for f in fields(Policy)
        if getattr(old, f.name) != getattr(new, f.name)
    ]


def _shape_errors(policy: Policy) -> list[PolicyError]:
    """A value whose type is not the default's (a number where a name goes, a name where a list
    of numbers goes, NUL in a text): refused before the policy's own rules, which compute with them."""
    defaults = Policy()
    out = []
    for f in fields(Policy):
        value, default = getattr(policy, f.name), getattr(defaults, f.name)
        if isinstance(default, tuple):
            ok = isinstance(value, tuple | list) and all(
                type(v) is type(default[0]) and not answer_problem(v) for v in value
            )
        else:
            ok = type(value) is type(default) and not answer_problem(value)
        if not ok:
            out.append(PolicyError(f.name, value, f"must be {type(default).__name__} like {default!r}"))
    return out


def save_policy(
    engine: Engine, who: Principal, policy: Policy, *, based_on: int, note: str | None = None
) -> StoredPolicy:
    """Save `policy` as the next version. Refused, with nothing written: `PermissionError` when
    `who` may not edit; `PolicyInvalid` listing each bad value; `SettingsConflict` when version
    `based_on` is no longer the newest; `UsageError` when nothing changed."""
    if not can_edit(who):
        raise PermissionError("Only administrators and service managers may change the council's settings.")
    if shape := _shape_errors(policy):
        raise PolicyInvalid(shape)
    policy.validate()
    try:
        with writes(engine, who) as s:
            newest = _newest(s)
            if (newest.version if newest else 0) != based_on:
                raise SettingsConflict(_stored(newest), based_on)
            if not changes(_stored(newest).policy, policy):
                raise UsageError("Nothing to save: these are the settings in force already.")
            row = m.CouncilSettings(
                version=based_on + 1, values=policy.to_json(), actor=who.name.strip(), note=(note or "").strip() or None
            )
            s.add(row)
    except IntegrityError:  # another save took the same version between our check and our insert
        raise SettingsConflict(stored_policy(engine), based_on) from None
    return stored_policy(engine)


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def history_changes(engine: Engine) -> pl.DataFrame:
    """One row per setting changed by each saved version, newest first: version, saved_at, actor,
    note, setting (its label), before, after (against the version before it, or the defaults)."""
    with Session(engine) as s:
        rows = s.scalars(select(m.CouncilSettings).order_by(m.CouncilSettings.version)).all()
        out = []
        previous = Policy()
        for r in rows:
            policy = Policy.from_json(r.values)
            when = r.saved_at.replace(tzinfo=None) if r.saved_at else None
            for k, a, b in changes(previous, policy):
                out.append((r.version, when, r.actor, r.note, LABELS.get(k, k), _show(a), _show(b)))
            previous = policy
    schema = {
        "version": pl.Int64,
        "saved_at": pl.Datetime("us"),
        "actor": pl.String,
        "note": pl.String,
        "setting": pl.String,
        "before": pl.String,
        "after": pl.String,
    }
    return pl.DataFrame(out, schema=schema, orient="row").sort("version", descending=True, maintain_order=True)


def history(engine: Engine) -> pl.DataFrame:
    """Every saved version, newest first: version, saved_at, actor, note, and what changed (one
    line per setting, "label: before -> after")."""
    line = pl.concat_str(pl.col("setting"), pl.lit(": "), pl.col("before"), pl.lit(" -> "), pl.col("after"))
    return (
        history_changes(engine)
        .group_by("version", "saved_at", "actor", "note", maintain_order=True)
        .agg(line.str.join("\n").alias("changed"))
    )


@dataclass(frozen=True)
class Changed:
    """One value someone else changed after the page read it: the row's key, its value now, who
    changed it and when (from the audit log)."""

    key: str
    now: Any
    by: str | None
    at: dt.datetime | None


class ValuesChanged(EditConflict):
    """A table save refused whole: rows it edits were changed since the page read them (`changed`,
    one per row); nothing was saved. `changed_by` / `changed_at` name the first of them."""

    def __init__(self, what: str, changed: list[Changed]) -> None:
        parts = [f"{c.key} was changed to {_show_none(c.now)} {describe(c.by, c.at)}" for c in changed]
        super().__init__(
            f"Not saved: {what} changed after you opened the table: {'; '.join(parts)}. Nothing was saved; "
            "reload to see their changes, then make yours again."
        )
        self.changed = changed
        self.changed_by, self.changed_at = changed[0].by, changed[0].at


def _show_none(value: Any) -> str:
    return "none (the council's policy)" if value is None else _show(value)


def _lock(s: Session, table: Table, key: Any, values: list[Any]) -> None:
    """Lock the rows to be edited, one by one in key order (so two saves never wait on each other
    in a cycle) with a no-op UPDATE: PostgreSQL holds each row lock, SQLite the write lock, to the
    commit, so the versions read next are the newest and no other save changes them before ours."""
    for value in sorted(values):
        s.execute(update(table).where(key == value).values({key.name: key}))


def _check_versions(
    rows: Mapping[str, Any], seen: Mapping[str, int], version: str, value: str, entity: str, what: str, s: Session
) -> None:
    """Refuse the save when any row's `version` attribute is no longer the `seen` one."""
    stale = sorted(k for k, row in rows.items() if getattr(row, version) != seen[k])
    if stale:
        changed = []
        for k in stale:
            by, at = last_change_of(s, entity, rows[k].id, value)
            changed.append(Changed(k, getattr(rows[k], value), by, at))
        raise ValuesChanged(what, changed)


def _seen_problems(keys: Mapping[str, Any], seen: Mapping[str, int], noun: str) -> None:
    """Every edited row needs the version the page showed (an int): refused otherwise."""
    missing = sorted(k for k in keys if not isinstance(seen.get(k), int) or isinstance(seen.get(k), bool))
    if missing:
        raise UsageError(f"The version shown is missing for {noun} {', '.join(missing)}: reload the page.")


# --- per-child midway policy overrides (DOMAIN §4: the deployment's policy, per-child overrides) ---


def child_overrides(engine: Engine) -> pl.DataFrame:
    """Every child with their midway policy override (null: the council's policy) and its version
    (pass it back to `set_child_overrides` as what the page showed), by child id."""
    with Session(engine) as s:
        rows = s.execute(
            select(m.Child.id, m.Child.display_name, m.Child.midway_policy, m.Child.midway_policy_version).order_by(
                m.Child.id
            )
        ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"child_id": pl.String, "display_name": pl.String, "midway_policy": pl.String, "version": pl.Int64},
        orient="row",
    )


def set_child_overrides(
    engine: Engine, who: Principal, overrides: Mapping[str, str | None], *, seen: Mapping[str, int]
) -> int:
    """Set each child's override (None or "" clears it) in one audited transaction; returns how
    many children changed. Refused whole, with nothing saved, on an unknown child or policy, and as
    `ValuesChanged` when a child's override version is no longer the one in `seen` (child id ->
    the `version` that `child_overrides` gave the page): someone changed it meanwhile."""
    if not can_edit(who):
        raise PermissionError("Only administrators and service managers may change the council's settings.")
    bad = {cid: p for cid, p in overrides.items() if p not in (None, "") and p not in MIDWAY_POLICIES}
    if bad:
        cid, value = next(iter(bad.items()))
        raise PolicyInvalid(
            [PolicyError("midway_policy", value, f"child {cid}: must be one of {', '.join(MIDWAY_POLICIES)}")]
        )
    _seen_problems(overrides, seen, "child")
    changed = 0
    with writes(engine, who) as s:
        _lock(s, m.Child.__table__, m.Child.__table__.c.id, list(overrides))
        children = {c.id: c for c in s.scalars(select(m.Child).where(m.Child.id.in_(list(overrides)))).all()}
        missing = sorted(set(overrides) - set(children))
        if missing:
            raise UsageError(f"No such child: {', '.join(missing)}")
        _check_versions(children, seen, "midway_policy_version", "midway_policy", "children", "children's overrides", s)
        for cid, value in overrides.items():
            value = value or None
            if children[cid].midway_policy != value:
                children[cid].midway_policy = value
                children[cid].midway_policy_version += 1
                changed += 1
    return changed


def override_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(m.Child).where(m.Child.midway_policy.is_not(None))) or 0)


# --- each IRO's full-time equivalent (DOMAIN §9: the caseload range is per full-time IRO) ---


def iro_fte(engine: Engine) -> pl.DataFrame:
    """Every IRO (staff role `iro`) by code, with name, active flag, FTE and the FTE's version
    (pass it back to `set_iro_fte` as what the page showed)."""
    with Session(engine) as s:
        rows = s.execute(
            select(m.Staff.code, m.Staff.display_name, m.Staff.active, m.Staff.fte, m.Staff.fte_version)
            .where(m.Staff.role == "iro")
            .order_by(m.Staff.display_name, m.Staff.code)
        ).all()
    return pl.DataFrame(
        [tuple(r) for r in rows],
        schema={
            "code": pl.String,
            "display_name": pl.String,
            "active": pl.Boolean,
            "fte": pl.Float64,
            "version": pl.Int64,
        },
        orient="row",
    )


def set_iro_fte(engine: Engine, who: Principal, fte: Mapping[str, float], *, seen: Mapping[str, int]) -> int:
    """Set IROs' FTE (more than 0, at most 1) in one audited transaction; returns how many changed.
    Refused whole, with nothing saved, on a bad value or an unknown IRO, and as `ValuesChanged`
    when an IRO's FTE version is no longer the one in `seen` (staff code -> the `version` that
    `iro_fte` gave the page): someone changed it meanwhile."""
    if not can_edit(who):
        raise PermissionError("Only administrators and service managers may change the council's settings.")
    bad = [(code, v) for code, v in fte.items() if v is None or not 0 < float(v) <= 1]
    if bad:
        code, value = bad[0]
        raise PolicyInvalid([PolicyError("fte", value, f"IRO {code}: FTE must be more than 0 and at most 1")])
    _seen_problems(fte, seen, "IRO")
    changed = 0
    with writes(engine, who) as s:
        table = m.Staff.__table__
        _lock(s, table, table.c.code, list(fte))
        staff = {
            x.code: x
            for x in s.scalars(select(m.Staff).where(m.Staff.role == "iro", m.Staff.code.in_(list(fte)))).all()
        }
        missing = sorted(set(fte) - set(staff))
        if missing:
            raise UsageError(f"No such IRO: {', '.join(missing)}")
        _check_versions(staff, seen, "fte_version", "fte", "staff", "IROs' FTE", s)
        for code, value in fte.items():
            if staff[code].fte != float(value):
                staff[code].fte = float(value)
                staff[code].fte_version += 1
                changed += 1
    return changed
