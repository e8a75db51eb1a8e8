"""recommendations after a review and allocations made in Midway (issue 14): the team manager's
response to a review's recommendations, the reason for a change of IRO, and why siblings have
different IROs

Revision ID: 0005_recommendation_response
Revises: 0004_one_draft
Create Date: 2026-12-02 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_recommendation_response"
down_revision = "0004_one_draft"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("tm_response", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("tm_response_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("tm_response_notes", sa.Text(), nullable=True))
    with op.batch_alter_table("allocations") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
    with op.batch_alter_table("children") as batch:
        batch.add_column(sa.Column("sibling_iro_exception_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("children") as batch:
        batch.drop_column("sibling_iro_exception_reason")
    with op.batch_alter_table("allocations") as batch:
        batch.drop_column("reason")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("tm_response_notes")
        batch.drop_column("tm_response_date")
        batch.drop_column("tm_response")
