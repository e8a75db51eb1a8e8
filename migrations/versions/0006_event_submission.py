"""significant event submission id (issue 13): a double click on "Record event" records once

Revision ID: 0006_event_submission
Revises: 0005_recommendation_response
Create Date: 2026-12-02 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_event_submission"
down_revision = "0005_recommendation_response"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("significant_events", sa.Column("submission_id", sa.String(length=36), nullable=True))
    op.create_index("ix_significant_events_submission_id", "significant_events", ["submission_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_significant_events_submission_id", table_name="significant_events")
    with op.batch_alter_table("significant_events") as batch:
        batch.drop_column("submission_id")
