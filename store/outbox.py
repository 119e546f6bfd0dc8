"""The outbox: the only way a message leaves. Keyword-only; the caller owns the commit.

A Delivery is written in the transaction that decides to send; its unique key means a
second decision (a re-run, a restart, another instance) inserts nothing.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, Text, bindparam, cast, column, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.models import Delivery
from store.sql import among


def enqueue(
    session: Session,
    *,
    key: str,
    platform: str,
    recipient: str,
    kind: str,
    payload: dict[str, Any],
    not_before: datetime,
    now: datetime,
) -> bool:
    """Insert a pending delivery unless one with `key` exists. Returns True when inserted."""
    values = {
        "key": key,
        "platform": platform,
        "recipient": recipient,
        "kind": kind,
        "payload": payload,
        "state": "pending",
        "attempts": 0,
        "not_before": not_before,
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    # Values are bound at execution, so the statement (built once) stays in SQLAlchemy's
    # compiled cache; RETURNING, not rowcount, since drivers disagree after DO NOTHING.
    connection = session.connection()
    return connection.execute(_insert_statement(dialect), values).scalar() is not None


@lru_cache(maxsize=4)
def _insert_statement(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(Delivery).on_conflict_do_nothing(index_elements=["key"]).returning(Delivery.id)


def claim_next(session: Session, *, now: datetime) -> Delivery | None:
    """Lock the next due pending delivery. On PostgreSQL, SKIP LOCKED lets several workers
    share the queue without ever taking the same row; SQLite has one writer anyway."""
    query = (
        select(Delivery)
        .where(Delivery.state == "pending", Delivery.not_before <= now)
        .order_by(Delivery.not_before, Delivery.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(query).first()


def existing_keys(session: Session, *, keys: list[str]) -> set[str]:
    found: set[str] = set()
    dialect = session.get_bind().dialect.name
    for condition in among(Delivery.key, keys, dialect=dialect):
        found.update(session.connection().execute(select(Delivery.key).where(condition)).scalars())
    return found


def failed_since(session: Session, *, since: datetime) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.state == "failed", Delivery.created_at >= since)
            .order_by(Delivery.id)
        )
    )


def enqueue_many(session: Session, *, rows: list[dict[str, Any]]) -> set[str]:
    """`enqueue` for many messages in one statement per batch (a sweep plans thousands).

    Each row has enqueue's keyword arguments (`now` as `created_at`). Returns the keys
    inserted; a key already in the outbox inserts nothing, as with `enqueue`.
    """
    if not rows:
        return set()
    values = [
        {
            "key": row["key"],
            "platform": row["platform"],
            "recipient": row["recipient"],
            "kind": row["kind"],
            "payload": row["payload"],
            "state": "pending",
            "attempts": 0,
            "not_before": row["not_before"],
            "created_at": row["created_at"],
        }
        for row in rows
    ]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _enqueue_many_postgresql(session, values)
    statement = _insert_keys_statement(dialect)
    # One executemany: SQLAlchemy batches it into multi-row INSERT … RETURNING statements.
    return set(session.connection().execute(statement, values).scalars())


def _enqueue_many_postgresql(session: Session, values: list[dict[str, Any]]) -> set[str]:
    """One INSERT … SELECT FROM json_to_recordset(rows): one parameter however many rows.

    SQLAlchemy's multi-row VALUES sends nine placeholders a row, and psycopg parses a
    statement that long afresh every time (a third of a 100,000-action sweep on PostgreSQL);
    arrays of text cost as much again in quoting. One JSON document (json.dumps, in C) is
    one short statement, parsed once, sent in one round trip, unpacked by the server.
    """
    rows = [
        {
            **row,
            "not_before": row["not_before"].isoformat(),
            "created_at": row["created_at"].isoformat(),
        }
        for row in values
    ]
    statement = _recordset_statement()
    return set(session.connection().execute(statement, {"rows": json.dumps(rows)}).scalars())


@lru_cache(maxsize=1)
def _recordset_statement() -> Any:
    types: dict[str, Any] = {
        "payload": JSON(),
        "attempts": Integer(),
        "not_before": DateTime(timezone=True),
        "created_at": DateTime(timezone=True),
    }
    names = [c.name for c in _OUTBOX_COLUMNS]
    recordset = (
        func.json_to_recordset(cast(bindparam("rows"), JSON))
        .table_valued(*[column(name, types.get(name, Text())) for name in names])
        .render_derived(name="row", with_types=True)
    )
    return (
        pg_insert(Delivery)
        .from_select(names, select(*[recordset.c[name] for name in names]))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(Delivery.key)
    )


_OUTBOX_COLUMNS = [
    Delivery.__table__.c[name]
    for name in (
        "key",
        "platform",
        "recipient",
        "kind",
        "payload",
        "state",
        "attempts",
        "not_before",
        "created_at",
    )
]


@lru_cache(maxsize=4)
def _insert_keys_statement(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(Delivery).on_conflict_do_nothing(index_elements=["key"]).returning(Delivery.key)
