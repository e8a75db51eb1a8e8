"""edit versions and allocation submissions (issue 13): a version on each child's midway policy
override and on each IRO's FTE, so a save based on a value someone else changed since the page read
it is refused instead of overwriting it; a submission id on allocations, unique per child, so a
double click on "Save allocation" allocates once

Revision ID: 0009_edit_versions
Revises: 0008_sign_in_roles
Create Date: 2026-12-02 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_edit_versions"
down_revision = "0008_sign_in_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("children") as batch:
        batch.add_column(sa.Column("midway_policy_version", sa.Integer(), nullable=False, server_default=sa.text("1")))
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("fte_version", sa.Integer(), nullable=False, server_default=sa.text("1")))
    with op.batch_alter_table("allocations") as batch:
        batch.add_column(sa.Column("submission_id", sa.String(length=36), nullable=True))
    op.create_index("uq_allocations_submission_child", "allocations", ["submission_id", "child_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_allocations_submission_child", table_name="allocations")
    with op.batch_alter_table("allocations") as batch:
        batch.drop_column("submission_id")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("fte_version")
    with op.batch_alter_table("children") as batch:
        batch.drop_column("midway_policy_version")
