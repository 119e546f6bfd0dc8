"""Admin notices: the problems the daily admin summary has named, written race-free."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.models import AdminNotice


def add_new_notices(
    session: Session, notices: Sequence[tuple[str, str, str]], *, now: datetime
) -> None:
    """Insert (key, fingerprint, text) notices not yet known. Two sweeps (two processes on
    PostgreSQL) may find the same new problem at once: the second insert is a no-op, not an
    IntegrityError that would abort that sweep's whole transaction."""
    if not notices:
        return
    dialect = session.get_bind().dialect.name
    insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [
        {"key": key, "fingerprint": fingerprint, "text": text, "first_seen": now}
        for key, fingerprint, text in notices
    ]
    session.execute(insert(AdminNotice).on_conflict_do_nothing(index_elements=["key"]), rows)
