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
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

Row = dict[str, Any]


def insert_rows(session: Session, table: Table, rows: Sequence[Row]) -> None:
    """Insert `rows` (dicts with the same keys) into `table`."""
    if not rows:
        return
    connection = session.connection()
    if _copies(connection):
        _copy(connection, table, list(rows[0]), rows)
    else:
        session.execute(insert(table), list(rows))


def insert_rows_with_ids(
    session: Session, table: Table, rows: Sequence[Row], *, key: str
) -> dict[Any, int]:
    """Insert `rows` into `table`, whose key is a serial `id`: each row's `id`, by the value
    of its `key` column (unique among `rows`)."""
    if not rows:
        return {}
    connection = session.connection()
    if not _copies(connection):
        statement = insert(table).returning(table.c.id, table.c[key])
        return {value: id_ for id_, value in session.execute(statement, list(rows))}
    # COPY answers nothing, so the ids are drawn from the column's own sequence first, in
    # one query, as the INSERT would have drawn them (ascending, in row order).
    sequence = func.pg_get_serial_sequence(table.name, table.c.id.name)
    series = func.generate_series(1, len(rows)).table_valued("n")
    ids = sorted(connection.scalars(select(func.nextval(sequence)).select_from(series)))
    keys = ["id", *(name for name in rows[0] if name != "id")]
    with_ids = [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)]
    _copy(connection, table, keys, with_ids)
    return {row[key]: row["id"] for row in with_ids}


def _copies(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg"


def _copy(connection: Connection, table: Table, keys: list[str], rows: Sequence[Row]) -> None:
    dialect = connection.dialect
    # Columns the rows leave out get their Python-side defaults, as an INSERT gives them
    # (COPY would leave them NULL): a constant once, a callable (list, utcnow) per row.
    constants: dict[str, Any] = {}
    callables: dict[str, Callable[[Any], Any]] = {}
    for column in table.c:
        default = column.default
        if column.key in keys or default is None:
            continue
        if isinstance(default, ScalarElementColumnDefault):
            constants[column.key] = default.arg
        elif isinstance(default, CallableColumnDefault):
            callables[column.key] = default.arg
        else:  # a SQL expression or a sequence: the server's to compute
            continue
    keys = [*keys, *constants, *callables]
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for index, key in enumerate(keys):
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors.append((index, process))
    preparer = dialect.identifier_preparer
    columns = ", ".join(preparer.quote(key) for key in keys)
    statement = f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN"
    fixed = list(constants.values())
    made = list(callables.values())
    given = keys[: len(keys) - len(fixed) - len(made)]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                values = [row[key] for key in given]
                values += fixed
                values += [make(None) for make in made]
                for index, process in processors:
                    values[index] = process(values[index])
                copy.write_row(values)
    finally:
        cursor.close()
