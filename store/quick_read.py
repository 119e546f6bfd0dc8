"""`actionbot plans list` and `show`, read with the database driver alone.

Importing SQLAlchemy and the ORM models costs a command more CPU (about 0.25 s) than the
whole command may take, so these two read-only commands open the register with sqlite3 or
psycopg directly. The statements are not written here: they are SQLAlchemy's own, compiled
from the tables in `store/models.py` by `store/quick_read_build.py` (a test fails when they
drift), so the schema keeps one source of truth.

Anything out of the ordinary (another driver, an in-memory database, a file that does not
exist yet, a schema that is not at the scripts' head, any error) gives None, and the caller
takes the ordinary path, which creates, migrates and reports errors as every command does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from store.quick_read_sql import SQL
from store.revisions import script_head


class _Connection(Protocol):
    def execute(self, sql: str, params: dict[str, Any] = ..., /) -> Any: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class PlanRow:
    id: int
    code: str
    name: str
    default_due: date | None
    source_file: str | None
    archived_at: datetime | None = None


@dataclass(frozen=True)
class ActionRow:
    id: int
    ref: str
    title: str
    theme: str | None
    status: str
    rag: str | None
    due_date: date | None
    target_date: date | None
    revised_target_date: date | None
    owner_names: list[str] = field(default_factory=list)


def _day(value: Any) -> date | None:
    # SQLite keeps SQLAlchemy's Date as ISO text; psycopg hands back a date.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _instant(value: Any) -> datetime | None:
    # SQLite keeps store.types.UTCDateTime as ISO text; psycopg hands back a datetime.
    if value is None or isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class QuickReader:
    def __init__(self, connection: _Connection, dialect: str) -> None:
        self.connection = connection
        self.sql = SQL[dialect]

    def __enter__(self) -> QuickReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.connection.close()

    def _rows(self, name: str, **params: Any) -> list[tuple[Any, ...]]:
        return list(self.connection.execute(self.sql[name], params).fetchall())

    @staticmethod
    def _plan(row: tuple[Any, ...]) -> PlanRow:
        plan_id, code, name, default_due, source_file, archived_at = row
        return PlanRow(plan_id, code, name, _day(default_due), source_file, _instant(archived_at))

    def plans(self) -> list[tuple[PlanRow, int]]:
        """Every plan by code, with its number of actions (store.queries.all_plans and
        action_counts)."""
        counts = {int(plan_id): int(count) for plan_id, count in self._rows("action_counts")}
        return [(plan, counts.get(plan.id, 0)) for plan in map(self._plan, self._rows("plans"))]

    def plan_by_code(self, code: str) -> PlanRow | None:
        rows = self._rows("plan_by_code", code=code.upper())
        return self._plan(rows[0]) if rows else None

    def actions(self, plan_id: int) -> list[ActionRow]:
        """A plan's actions in register order, each with its owners' names in order."""
        names: dict[int, list[str]] = {}
        for action_id, name in self._rows("owner_names", plan_id=plan_id):
            names.setdefault(action_id, []).append(name)
        return [
            ActionRow(
                id=row[0],
                ref=row[1],
                title=row[2],
                theme=row[3],
                status=row[4],
                rag=row[5],
                due_date=_day(row[6]),
                target_date=_day(row[7]),
                revised_target_date=_day(row[8]),
                owner_names=names.get(row[0], []),
            )
            for row in self._rows("actions", plan_id=plan_id)
        ]


def open_quick(url: str) -> QuickReader | None:
    """A reader on `url`'s register when it can be read without SQLAlchemy, else None."""
    try:
        reader = _connect(url)
    except Exception:  # noqa: BLE001 - the ordinary path reports it properly
        return None
    if reader is None:
        return None
    try:
        versions = [row[0] for row in reader.connection.execute(SQL_VERSION).fetchall()]
    except Exception:  # noqa: BLE001 - no schema yet, or unreadable: Alembic decides
        versions = []
    head = script_head()
    if head is None or versions != [head]:
        reader.connection.close()
        return None
    return reader


SQL_VERSION = "SELECT version_num FROM alembic_version"


def _connect(url: str) -> QuickReader | None:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        # Query options, percent escapes and memory databases: SQLAlchemy reads those.
        if not path or path == ":memory:" or "?" in path or "%" in path:
            return None
        if not Path(path).is_file():  # a new register: the ordinary path creates it
            return None
        import sqlite3

        connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        return QuickReader(connection, "sqlite")
    for scheme in ("postgres://", "postgresql://", "postgresql+psycopg://"):
        if url.startswith(scheme):
            import psycopg

            # libpq reads the same URL (user, password, host, port, database, ?options).
            conninfo = "postgresql://" + url.removeprefix(scheme)
            return QuickReader(psycopg.connect(conninfo, autocommit=True), "postgresql")
    return None
