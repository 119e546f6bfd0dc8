"""Admin notices are written race-free: two sweeps that find the same new problem at once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.models import AdminNotice
from store.notices import add_new_notices

NOW = datetime(2018, 3, 16, 9, 30, tzinfo=UTC)


def test_a_problem_found_by_two_sweeps_is_one_notice_not_an_integrity_error(
    sessions: sessionmaker[Session],
) -> None:
    # Regression: two `actionbot nudge` processes on PostgreSQL both inserted the same
    # "owner:…" notice; the second sweep died with a unique violation.
    with sessions.begin() as first:
        add_new_notices(first, [("owner:Finance", "f1", "Finance: no email")], now=NOW)
    with sessions.begin() as second:
        add_new_notices(
            second,
            [("owner:Finance", "f1", "Finance: no email"), ("owner:HR", "h1", "HR: no email")],
            now=NOW,
        )
    with sessions() as session:
        rows = session.scalars(select(AdminNotice).order_by(AdminNotice.key)).all()
        assert [(r.key, r.text) for r in rows] == [
            ("owner:Finance", "Finance: no email"),
            ("owner:HR", "HR: no email"),
        ]
