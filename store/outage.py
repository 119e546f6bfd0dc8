"""When the register cannot be used right now: the database is down, busy, or its disk full.

Such a failure is not a bug in actionbot and says nothing new in a 160-line traceback: doors
answer it with one log line, HTTP 503 and a sentence for the person, and since every command
is one transaction, nothing of it was applied.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import exc as sa

# PostgreSQL SQLSTATEs: the server cannot be reached or is going away, it has no room for
# more connections or for the data, or a statement waited too long.
_DOWN_STATES = ("08", "57P01", "57P02", "57P03", "58030")
_FULL_STATES = ("53100",)
_BUSY_STATES = ("53300", "57014", "55P03")


@dataclass(frozen=True)
class Outage:
    kind: str  # "down" | "busy" | "full"
    detail: str  # the driver's first line, for the log

    @property
    def sentence(self) -> str:
        """What a person is told (no driver details)."""
        return {
            "down": "the action register's database cannot be reached",
            "busy": "the action register is busy",
            "full": "the server's disk is full",
        }[self.kind]

    @property
    def reply(self) -> str:
        return (
            f"Nothing was changed: {self.sentence}. Please try again in a few minutes; if it "
            "goes on, tell an actionbot admin."
        )

    def log_line(self, where: str) -> str:
        """The one log line: what happened, the driver's words, what was answered."""
        return f"{where}: {self.sentence} ({self.detail}); nothing was changed (HTTP 503)"


def outage_of(error: BaseException) -> Outage | None:
    """The outage `error` reports, or None when it is anything else (a bug, bad input)."""
    for cause in _chain(error):
        kind = _kind(cause)
        if kind is not None:
            return Outage(kind, _first_line(cause))
    return None


def _kind(error: BaseException) -> str | None:
    if isinstance(error, sa.TimeoutError):  # every pooled connection is in use
        return "busy"
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return "down"
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        if "locked" in text or "busy" in text:
            return "busy"
        if "disk is full" in text:
            return "full"
        if "disk i/o error" in text or "unable to open database" in text:
            return "down"
        return None
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "full"
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str):
        if state.startswith(_FULL_STATES):
            return "full"
        if state.startswith(_BUSY_STATES):
            return "busy"
        if state.startswith(_DOWN_STATES):
            return "down"
        return None
    module = type(error).__module__
    if module.startswith("psycopg") and type(error).__name__ in (
        "OperationalError",
        "InterfaceError",
    ):
        return "down"  # no SQLSTATE: the connection failed or broke
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        todo.extend(
            [
                orig if isinstance(orig, BaseException) else None,
                current.__cause__,
                current.__context__,
            ]
        )


def _first_line(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return (lines[0] if lines else type(cause).__name__)[:200]
