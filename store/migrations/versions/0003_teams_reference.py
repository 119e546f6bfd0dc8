"""Teams conversation references and the preferred platform of each person.

Revision ID: 0003
Revises: 0004 (applied after 0004: it was written beside it, on another branch)
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("teams_tenant_id", 64),
    ("teams_chat_id", 200),
    ("preferred_platform", 20),
    ("last_platform", 20),
)


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
