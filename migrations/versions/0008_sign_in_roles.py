"""sign-in and roles (issue 12): staff emails (matched to the OIDC sign-in, case-insensitively),
cover grants (a manager lets an IRO act for another IRO's children, or for one child, until an end
date) and the demo mark (the database holds only the synthetic demo caseload)

Revision ID: 0008_sign_in_roles
Revises: 0007_audit_append_only
Create Date: 2026-12-02 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_sign_in_roles"
down_revision = "0007_audit_append_only"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    op.create_index("ix_staff_email", "staff", ["email"], unique=True)
    op.create_table(
        "cover_grants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("of_staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        sa.Column("child_id", sa.String(length=40), sa.ForeignKey("children.id", ondelete="CASCADE"), nullable=True),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("granted_by", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("(of_staff_id IS NULL) <> (child_id IS NULL)", name="ck_cover_grants_one_target"),
        sa.CheckConstraint("to_date >= from_date", name="ck_cover_grants_dates"),
    )
    op.create_index("ix_cover_grants_staff_id", "cover_grants", ["staff_id"])
    op.create_table(
        "demo_mark",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("loaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("anchor", sa.Date(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("demo_mark")
    op.drop_index("ix_cover_grants_staff_id", table_name="cover_grants")
    op.drop_table("cover_grants")
    op.drop_index("ix_staff_email", table_name="staff")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("email")
