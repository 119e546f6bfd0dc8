"""Evidence in a folder and accepted evidence types per plan: `evidence.location` (where a
file's bytes are kept when EVIDENCE_DIR is set; NULL: in the register) and
`plan.evidence_types` (the file types a plan accepts; NULL: the global list).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("location", sa.Text(), nullable=True))
    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("evidence_types", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("evidence_types")
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("location")
