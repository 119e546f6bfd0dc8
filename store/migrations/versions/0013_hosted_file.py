"""Files handed out by token: digest charts for Teams cards, committee packs awaiting consent.

Revision ID: 0013
Revises: 0010
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hosted_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("for_user", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosted_file")),
        sa.UniqueConstraint("token", name=op.f("uq_hosted_file_token")),
    )
    op.create_index("ix_hosted_file_expires_at", "hosted_file", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_hosted_file_expires_at", table_name="hosted_file")
    op.drop_table("hosted_file")
