"""SQL shapes that each database answers best its own way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

SQLITE_CHUNK = 5_000  # values per IN list: well under SQLite's bound-parameter limit


def among(column: Any, values: Sequence[Any], *, dialect: str) -> list[ColumnElement[bool]]:
    """Conditions that together say "`column` is one of `values`": one query each.

    PostgreSQL gets one `= ANY(array)` with a single parameter: an IN list of thousands of
    placeholders is a statement psycopg parses afresh every time (tens of milliseconds a
    sweep). SQLite has no arrays: IN lists of SQLITE_CHUNK values.
    """
    if not values:
        return []
    if dialect == "postgresql":
        array = bindparam(None, list(values), type_=ARRAY(column.type), unique=True)
        return [column == any_(array)]
    return [
        column.in_(values[start : start + SQLITE_CHUNK])
        for start in range(0, len(values), SQLITE_CHUNK)
    ]
