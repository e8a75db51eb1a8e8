"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL.

Alembic's autogenerate comparison (`compare_metadata`) is run on a database freshly migrated from
empty to head: tables, columns, types, nullability, server defaults, primary and foreign keys
(with ON DELETE), unique constraints and indexes must all match `services.persistence.models`.
It covers every migration in `migrations/versions/`, whatever their number, and so catches a model
change that was made without a migration (or a migration that differs from its model).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, inspect

from services.persistence.database import run_alembic
from services.persistence.models import Base

ROOT = Path(__file__).resolve().parent.parent


def _config() -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    return cfg


def _diff(engine: Engine, metadata: MetaData) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(ctx, metadata)


def _run(engine: Engine, *args: str) -> None:
    run_alembic(engine, *args)  # the app's own way: on SQLite, with foreign keys off while it migrates


def test_one_head() -> None:
    """Two migrations written in parallel on the same parent make two heads: `upgrade head` would
    then fail on every start. Rebase the newer one (its down_revision) onto the other."""
    heads = ScriptDirectory.from_config(_config()).get_heads()
    assert len(heads) == 1, f"migration heads {heads}: set one's down_revision to the other"


def test_migrated_schema_equals_the_models(engine: Engine) -> None:
    assert _diff(engine, Base.metadata) == []


def test_comparison_sees_a_schema_the_migrations_did_not_build(engine: Engine) -> None:
    """The check above is live: models that differ from the migrated schema give a non-empty diff."""
    changed = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    teams, reviews = changed.tables["teams"], changed.tables["reviews"]
    teams.append_column(sa.Column("region", sa.String(40)))
    reviews.c.participation_code.type = sa.String(8)
    reviews.c.scheduled_date.nullable = False
    kinds = {op[0][0] if isinstance(op, list) else op[0] for op in _diff(engine, changed)}
    assert kinds == {"add_column", "modify_type", "modify_nullable"}


def test_downgrade_to_empty_then_upgrade_again(engine: Engine) -> None:
    """Every migration's downgrade undoes its upgrade: down to nothing, then up to the models again."""
    _run(engine, "downgrade", "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    _run(engine, "upgrade", "head")
    assert _diff(engine, Base.metadata) == []


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
            for t in inspect(engine).get_table_names()
            if t != "alembic_version"
        }


def test_every_migration_keeps_the_data_it_finds(engine: Engine) -> None:
    """A council's database is upgraded with its data in it. On SQLite, Alembic's batch mode
    rebuilds a table by copying it and dropping the old one, and with foreign keys on, dropping
    `children` cascades to every child's reviews, periods and casework: 0009 emptied them all
    that way. Each migration, from the newest back, is undone and redone over the demo caseload,
    and no table may lose a row."""
    from services.demo.generate import KNOWN_ANCHOR
    from services.demo.load import load_demo

    load_demo(engine, KNOWN_ANCHOR, actor="test")
    before = _row_counts(engine)
    assert before["periods_of_care"] and before["reviews"] and before["allocations"]
    revisions = [r.revision for r in ScriptDirectory.from_config(_config()).walk_revisions()]  # newest first
    for newest, previous in zip(revisions, revisions[1:], strict=False):
        _run(engine, "downgrade", previous)
        kept = set(inspect(engine).get_table_names())  # a table the newest migration adds goes with its downgrade
        _run(engine, "upgrade", newest)
        after = _row_counts(engine)
        lost = {t: (n, after.get(t)) for t, n in before.items() if t in kept and after.get(t) != n}
        assert not lost, f"{newest} (down to {previous} and up again) changed row counts: {lost}"
