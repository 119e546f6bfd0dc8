"""store.bulk on both databases: COPY on PostgreSQL must behave as the INSERTs SQLite gets,
defaults, ids and errors included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.bulk import insert_rows, insert_rows_with_ids
from store.db import transaction
from store.models import Action, Base, Event, Plan

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
ACTIONS = Base.metadata.tables["action"]
EVENTS = Base.metadata.tables["event"]


def new_plan(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        plan = Plan(code="P", name="Plan", created_at=NOW, updated_at=NOW)
        session.add(plan)
        session.flush()
        return plan.id


def test_left_out_columns_get_their_python_defaults(sessions: sessionmaker[Session]) -> None:
    plan_id = new_plan(sessions)
    rows = [{"plan_id": plan_id, "ref": f"{i}.1", "updated_at": NOW} for i in range(1, 4)]
    with transaction(sessions) as session:
        ids = insert_rows_with_ids(session, ACTIONS, rows, key="ref")
    with transaction(sessions) as session:
        actions = session.scalars(select(Action).order_by(Action.id)).all()
        assert [(a.id, a.ref) for a in actions] == sorted((i, ref) for ref, i in ids.items())
        for action in actions:
            assert (action.status, action.position, action.title, action.slip_count) == (
                "not_started",
                0,
                "",
                0,
            )
            assert (action.tasks, action.milestones, action.flags, action.extra) == ([], [], [], {})
            assert action.created_at.tzinfo is not None and action.updated_at == NOW


def test_ids_follow_the_rows_and_later_inserts_continue_the_sequence(
    sessions: sessionmaker[Session],
) -> None:
    plan_id = new_plan(sessions)
    with transaction(sessions) as session:
        first = insert_rows_with_ids(
            session, ACTIONS, [{"plan_id": plan_id, "ref": r} for r in ("b", "a", "c")], key="ref"
        )
        session.add(Action(plan_id=plan_id, ref="d"))
        session.flush()
    assert [first[r] for r in ("b", "a", "c")] == sorted(first.values())
    with transaction(sessions) as session:
        later = session.scalar(select(Action.id).where(Action.ref == "d"))
    assert later is not None and later > max(first.values())


def test_a_broken_constraint_raises_sqlalchemys_error_and_writes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    plan_id = new_plan(sessions)
    good = {"plan_id": plan_id, "actor": "a", "source": "cli", "field": "x", "at": NOW}
    with pytest.raises(IntegrityError), transaction(sessions) as session:
        insert_rows(session, EVENTS, [good, {**good, "source": "fax"}])
    with transaction(sessions) as session:
        assert session.scalar(select(func.count(Event.id))) == 0
