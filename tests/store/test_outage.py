"""Which failures mean "the register cannot be used right now" (store/outage.py).

The doors' end-to-end tests (tests/handlers/test_outages.py) stop a real PostgreSQL and fill
a real SQLite file; a PostgreSQL disk cannot be filled here, so its SQLSTATE is checked as
psycopg raises it.
"""

from __future__ import annotations

import errno
import sqlite3

import psycopg.errors
import pytest
from sqlalchemy import exc as sa

from store.outage import outage_of


def wrapped(error: Exception) -> sa.OperationalError:
    """As SQLAlchemy raises a driver's error."""
    return sa.OperationalError("INSERT …", {}, error)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (
            wrapped(psycopg.errors.DiskFull("could not extend file: No space left on device")),
            "full",
        ),
        (wrapped(psycopg.errors.AdminShutdown("terminating connection")), "down"),
        (wrapped(psycopg.errors.TooManyConnections("too many clients")), "busy"),
        (wrapped(psycopg.errors.QueryCanceled("canceling statement due to timeout")), "busy"),
        (wrapped(psycopg.OperationalError("connection refused")), "down"),
        (wrapped(sqlite3.OperationalError("database or disk is full")), "full"),
        (wrapped(sqlite3.OperationalError("database is locked")), "busy"),
        (OSError(errno.ENOSPC, "No space left on device"), "full"),
        (sa.TimeoutError("QueuePool limit of size 1 overflow 0 reached"), "busy"),
    ],
)
def test_an_outage_is_named(error: Exception, kind: str) -> None:
    found = outage_of(error)
    assert found is not None and found.kind == kind
    assert "\n" not in found.detail


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        wrapped(sqlite3.OperationalError("no such table: action")),
        sa.IntegrityError("INSERT …", {}, psycopg.errors.UniqueViolation("duplicate key")),
        OSError(errno.ENOENT, "No such file"),
    ],
)
def test_anything_else_is_not_an_outage(error: Exception) -> None:
    assert outage_of(error) is None


def test_the_cause_of_a_wrapped_error_counts() -> None:
    try:
        try:
            raise wrapped(sqlite3.OperationalError("database or disk is full"))
        except sa.OperationalError as inner:
            raise RuntimeError("while importing") from inner
    except RuntimeError as outer:
        found = outage_of(outer)
    assert found is not None and found.sentence == "the server's disk is full"
