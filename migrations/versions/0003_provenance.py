"""provenance: where rows came from and what each child's data can tell (issue 11)

Revision ID: 0003_provenance
Revises: 0002_council_settings
Create Date: 2026-12-01 23:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0003_provenance"
down_revision = "0002_council_settings"
branch_labels = None
depends_on = None

# rows already in the database keep a null source: "unknown provenance", read as before (every fact
# known) until a re-import of the same files fills it (imports fill `source` only where it is null)
SOURCED = ("children", "periods_of_care", "allocations", "reviews")


def upgrade() -> None:
    op.create_table(
        "child_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(length=40), nullable=False),
        sa.Column("fact", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("child_id", "fact"),
    )
    with op.batch_alter_table("child_facts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_facts_child_id"), ["child_id"], unique=False)
    for table in SOURCED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("source", sa.String(length=20), nullable=True))
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_kind", sa.String(length=20), nullable=True))
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_end", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_column("data_end")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("review_kind")
    for table in reversed(SOURCED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("source")
    with op.batch_alter_table("child_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_facts_child_id"))
    op.drop_table("child_facts")
