"""Plan files sent to the bot in chat, previewed and waiting for Import or Cancel.

Revision ID: 0011
Revises: 0013
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_import",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("plan_code", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("register_mark", sa.String(length=60), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'applied', 'cancelled', 'expired', 'stale')",
            name=op.f("ck_pending_import_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_import")),
    )
    op.create_index(
        op.f("ix_pending_import_expires_at"), "pending_import", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_import_expires_at"), table_name="pending_import")
    op.drop_table("pending_import")
