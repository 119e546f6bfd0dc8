"""The reminder sweep's index (open actions by due date, a partial index), and owners by
person (`/action mine` looks a person's owner names up on every request).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('not_started', 'in_progress', 'blocked')"


def upgrade() -> None:
    op.create_index(
        "ix_action_open_due",
        "action",
        ["due_date", "status"],
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )
    op.create_index("ix_owner_person_id", "owner", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_owner_person_id", table_name="owner")
    op.drop_index("ix_action_open_due", table_name="action")
