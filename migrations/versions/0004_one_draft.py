"""one draft per child and review; review version; escalation submission id (issue 13)

Revision ID: 0004_one_draft
Revises: 0003_provenance
Create Date: 2026-12-02 00:00:00

Existing duplicate drafts (several drafts for one child and review, which the old code allowed)
are kept: all but the newest become status 'superseded' (drafts never count as done), so the
unique index can be built without deleting anything anyone typed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_one_draft"
down_revision = "0003_provenance"
branch_labels = None
depends_on = None

DRAFT = sa.text("status = 'draft'")


def upgrade() -> None:
    op.execute(
        "UPDATE midway_checks SET status = 'superseded' WHERE status = 'draft' AND id NOT IN ("
        " SELECT max(id) FROM midway_checks WHERE status = 'draft' GROUP BY child_id, review_id)"
        " AND review_id IS NOT NULL"
    )
    op.create_index(
        "uq_midway_checks_one_draft",
        "midway_checks",
        ["child_id", "review_id"],
        unique=True,
        sqlite_where=DRAFT,
        postgresql_where=DRAFT,
    )
    op.add_column("reviews", sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    op.add_column("escalations", sa.Column("submission_id", sa.String(length=36), nullable=True))
    op.create_index("ix_escalations_submission_id", "escalations", ["submission_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_escalations_submission_id", table_name="escalations")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_column("submission_id")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("version")
    op.drop_index("uq_midway_checks_one_draft", table_name="midway_checks")
