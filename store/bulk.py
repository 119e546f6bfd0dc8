"""Bulk inserts of thousands of rows, each database its fastest way, in the caller's
transaction.

SQLite gets SQLAlchemy Core's executemany (multi-row INSERTs). PostgreSQL gets COPY
through psycopg's copy API, which escapes every value itself (tabs, newlines, backslashes,
`\\N`): a multi-row INSERT of 1,000 rows there is a statement of 25,000 placeholders that
psycopg re-parses in Python for every batch, and that the server parses and plans again,
most of a 10,000-row import's time. Values go through the same SQLAlchemy column types as
an INSERT would (JSON serialised by the same adapter, instants checked and made UTC), so
both ways store the same register.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

Row = dict[str, Any]


def insert_rows(session: Session, table: Table, rows: Sequence[Row]) -> None:
    """Insert `rows` (dicts with the same keys) into `table`."""
    if not rows:
        return
    connection = session.connection()
    keys = list(rows[0])
    defaults = _copy_defaults(connection, table, keys)
    if defaults is None:
        session.execute(insert(table), list(rows))
    else:
        _copy(connection, table, keys, defaults, rows)


def insert_rows_with_ids(
    session: Session, table: Table, rows: Sequence[Row], *, key: str
) -> dict[Any, int]:
    """Insert `rows` (dicts with the same keys) into `table`, whose primary key is a serial
    `id`: each new row's `id`, by the value of its `key` column (unique among `rows`)."""
    if not rows:
        return {}
    connection = session.connection()
    keys = ["id", *(name for name in rows[0] if name != "id")]
    defaults = _copy_defaults(connection, table, keys)
    if defaults is None:
        statement = insert(table).returning(table.c.id, table.c[key])
        return {value: id_ for id_, value in session.execute(statement, list(rows))}
    # COPY answers nothing, so the ids are drawn first from the column's own sequence (looked
    # up once in a subquery, not once per id), in one query, as the INSERT would have drawn
    # them: ascending, in row order.
    reserve = text(
        "SELECT nextval((SELECT pg_get_serial_sequence(:table, :column))::regclass)"
        " FROM generate_series(1, :count)"
    )
    table_name = connection.dialect.identifier_preparer.format_table(table)
    found = connection.scalars(reserve, {"table": table_name, "column": "id", "count": len(rows)})
    ids = sorted(found)
    with_ids = [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)]
    _copy(connection, table, keys, defaults, with_ids)
    return {row[key]: row["id"] for row in with_ids}


class _Defaults(NamedTuple):
    """Python-side defaults of the columns rows leave out, which an INSERT would fill in and
    COPY would leave NULL: constants, and callables (list, utcnow) called for each row."""

    constants: dict[str, Any]
    callables: dict[str, Callable[[Any], Any]]


def _copy_defaults(connection: Connection, table: Table, keys: list[str]) -> _Defaults | None:
    """None when COPY cannot stand in for an INSERT: not PostgreSQL through psycopg 3, or a
    left-out column whose default is a SQL expression (only an INSERT evaluates those)."""
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return None
    defaults = _Defaults({}, {})
    for column in table.c:
        default = column.default
        if column.key in keys or default is None:
            continue
        if isinstance(default, ScalarElementColumnDefault):
            defaults.constants[column.key] = default.arg
        elif isinstance(default, CallableColumnDefault):
            # SQLAlchemy wraps a no-argument callable to take (and ignore) its context.
            defaults.callables[column.key] = default.arg
        else:
            return None
    return defaults


def _copy(
    connection: Connection, table: Table, keys: list[str], defaults: _Defaults, rows: Sequence[Row]
) -> None:
    import psycopg  # already loaded: it is the engine's driver

    dialect = connection.dialect
    columns = [*keys, *defaults.constants, *defaults.callables]
    # The bind processing an INSERT would apply (psycopg's Json wrapper, UTCDateTime's
    # UTC check); the plain types have none, and psycopg adapts them as it would for INSERT.
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors.append((index, process))
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(name) for name in columns)
    statement = f"COPY {preparer.format_table(table)} ({names}) FROM STDIN"
    constants = list(defaults.constants.values())
    callables = list(defaults.callables.values())
    driver_connection = connection.connection.driver_connection
    assert driver_connection is not None  # checked out: the transaction's own connection
    driver: psycopg.Connection[Any] = driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                values = [row[name] for name in keys]
                values += constants
                values += [make(None) for make in callables]
                for index, bind in processors:
                    values[index] = bind(values[index])
                copy.write_row(values)
    except psycopg.Error as exc:
        # Callers see what an INSERT would have raised: SQLAlchemy's IntegrityError,
        # DataError, OperationalError..., not the driver's own classes.
        raise DBAPIError.instance(statement, None, exc, psycopg.Error, dialect=dialect) from exc
