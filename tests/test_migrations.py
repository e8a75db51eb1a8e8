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
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, inspect

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
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, args[0])(cfg, *args[1:])


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
