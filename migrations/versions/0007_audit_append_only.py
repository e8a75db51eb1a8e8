"""the audit log append-only in the database itself (issue 12): triggers refuse UPDATE and DELETE
(and TRUNCATE on PostgreSQL) of audit_log rows, so no code path, ORM or raw SQL, can rewrite it;
a nullable indexed child_id (and an index on `at`) to filter it by child and date

Dropping the table (tests, `demo --reset`) is still allowed: that removes the whole database's
history on purpose, not one row.

Revision ID: 0007_audit_append_only
Revises: 0006_event_submission
Create Date: 2026-12-02 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_audit_append_only"
down_revision = "0006_event_submission"
branch_labels = None
depends_on = None

MESSAGE = "audit_log is append-only"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("child_id", sa.String(length=40), nullable=True))
        batch.create_index("ix_audit_log_child_id", ["child_id"])
        batch.create_index("ix_audit_log_at", ["at"])
    # triggers last: a batch operation that recreated the table on SQLite would drop them
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {verb} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ix_audit_log_at")
        batch.drop_index("ix_audit_log_child_id")
        batch.drop_column("child_id")
