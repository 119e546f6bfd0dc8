"""The register's models and constraints, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.db import current_revision, make_engine, upgrade
from store.models import Action, ActionOwner, Delivery, Event, Owner, Person, Plan

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)


def _plan(session: Session, code: str = "AFEP") -> Plan:
    plan = Plan(code=code, name="Financial plan", created_at=NOW, updated_at=NOW)
    session.add(plan)
    session.flush()
    return plan


def test_action_with_ordered_owners_and_history(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        plan = _plan(session)
        person = Person(email="jane@council.example", tz="Europe/London")
        finance = Owner(name="Head of Finance", person=person)
        ceo = Owner(name="CEO")
        action = Action(
            plan=plan, ref="10/16 (c)", title="Close the accounts", due_date=date(2018, 3, 31)
        )
        action.owner_links = [
            ActionOwner(owner=ceo, position=0),
            ActionOwner(owner=finance, position=1),
        ]
        session.add(action)
        session.add(
            Event(
                action=action,
                plan_id=plan.id,
                actor="cli",
                source="cli",
                field="status",
                old_value="not_started",
                new_value="done",
                at=NOW,
            )
        )
    with sessions() as session:
        loaded = session.scalars(select(Action).where(Action.ref == "10/16 (c)")).one()
        assert loaded.owner_names == ["CEO", "Head of Finance"]
        assert loaded.owners[1].person is not None
        assert loaded.owners[1].person.email == "jane@council.example"
        assert loaded.status == "not_started"
        assert loaded.is_open
        assert [e.new_value for e in loaded.events] == ["done"]
        assert loaded.created_at.tzinfo is not None


def test_ref_is_unique_within_a_plan_only(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        a, b = _plan(session, "A"), _plan(session, "B")
        session.add_all([Action(plan=a, ref="1.1"), Action(plan=b, ref="1.1")])
    with pytest.raises(IntegrityError), sessions.begin() as session:
        plan = session.scalars(select(Plan).where(Plan.code == "A")).one()
        session.add(Action(plan=plan, ref="1.1"))


@pytest.mark.parametrize(("field", "value"), [("status", "finished"), ("rag", "purple")])
def test_status_and_rag_are_constrained(
    sessions: sessionmaker[Session], field: str, value: str
) -> None:
    with pytest.raises(IntegrityError), sessions.begin() as session:
        plan = _plan(session)
        session.add(Action(plan=plan, ref="1", **{field: value}))


def test_delivery_key_is_unique(sessions: sessionmaker[Session]) -> None:
    def delivery() -> Delivery:
        return Delivery(
            key="U1:nudge:2018-01-15",
            platform="slack",
            recipient="U1",
            kind="nudge",
            payload={},
            not_before=NOW,
        )

    with sessions.begin() as session:
        session.add(delivery())
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(delivery())


def test_naive_datetimes_are_refused(sessions: sessionmaker[Session]) -> None:
    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError, match="naive"), sessions.begin() as session:
        session.add(Plan(code="X", name="X", created_at=datetime(2018, 1, 1), updated_at=NOW))  # noqa: DTZ001


def test_migrations_run_up_from_empty(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    assert inspect(engine).get_table_names() == []
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"plan", "action", "owner", "person", "action_owner", "event", "delivery"} <= tables
    assert current_revision(engine) is not None
    upgrade(engine)  # a second upgrade is a no-op, as on every CLI start
    engine.dispose()


def test_migrations_match_the_models(empty_db_url: str) -> None:
    """Autogenerate finds nothing to do: the migrations describe exactly the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from store.models import Base

    engine = make_engine(empty_db_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
