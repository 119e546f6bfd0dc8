"""Issued committee packs: the meeting, the instant, the baseline, who issued it, the paper.

Revision ID: 0018
Revises: 0014
Create Date: 2027-03-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issued_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("meeting", sa.String(length=200), nullable=False),
        sa.Column("as_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("baseline_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("baseline_pack_id", sa.Integer(), nullable=True),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.String(length=320), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_issued_pack_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["baseline_pack_id"],
            ["issued_pack.id"],
            name=op.f("fk_issued_pack_baseline_pack_id_issued_pack"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_pack")),
        sa.UniqueConstraint("plan_id", "meeting", name="uq_issued_pack_meeting"),
    )
    op.create_index("ix_issued_pack_plan_id", "issued_pack", ["plan_id"])


def downgrade() -> None:
    op.drop_index("ix_issued_pack_plan_id", table_name="issued_pack")
    op.drop_table("issued_pack")
