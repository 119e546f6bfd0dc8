"""PostgreSQL writes a plan's new actions, owner links and "created" events with COPY,
SQLite with INSERTs (store/bulk.py). The same plan must leave the same register on both,
value for value and id for id, hostile text included: COPY's text format is exactly where
tabs, newlines, backslashes and a literal `\\N` would break if escaped by hand."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, Engine, Text, cast, select

from bot.services.audit import Actor
from bot.services.imports.apply import ImportOptions, ImportReport, import_file
from store.db import make_engine, make_session_factory
from store.models import Base
from tests.conftest import _Postgres

pytestmark = pytest.mark.postgres

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
LONG = ("A \\ long\tcell\n" * 215)[:2999] + "."  # the importer trims a cell's ends
HOSTILE = [
    "<!channel> the budget is late, <@U024BE7LH> <https://evil.example|click>",
    '=HYPERLINK("https://evil.example","Open budget")',
    "tab\tinside",
    "two\nlines and\r\nWindows ones",
    "back\\slash, C:\\new\\table\\",
    "\\N",
    "\\.",
    "emoji 🚀 and a family 👩\u200d👩\u200d👧 and é",
    'quotes " and ; semicolons , commas',
    "+SUM(A1:A2) -1 @now",
    LONG,
]
OWNERS = ["Head of Finance", "Chief Executive <CEO>", "S151 Officer \\ Deputy"]
STATUSES = ["Complete", "In progress", "", "Amber", "Held up by \\N\tand tabs"]


def hostile_plan(path: Path) -> Path:
    header = ["Ref", "Action", "Owner", "Target Date", "Revised Target Date", "Status", "Notes"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i, text in enumerate(HOSTILE):
            writer.writerow(
                [
                    f"{i + 1}.1",
                    text,
                    "\n".join(OWNERS[: 1 + i % len(OWNERS)]),
                    ["31/03/2018", "Jun-18", "", "Q3 2018 \\N"][i % 4],
                    "" if i % 3 else "30 September 2018",
                    STATUSES[i % len(STATUSES)],
                    text,
                ]
            )
    return path


def bare_plan(path: Path) -> Path:
    """No status, owner or date columns: every optional field takes its column default."""
    path.write_text("Ref,Action\r\n1,Keep the \\N register\r\n2,\tIndented\r\n", encoding="utf-8")
    return path


def register(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an import writes, JSON as the text the database holds."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for name in ("plan", "owner", "action", "action_owner", "event"):
            table = Base.metadata.tables[name]
            columns = [
                cast(c, Text).label(c.key) if isinstance(c.type, JSON) else c for c in table.c
            ]
            key = list(table.primary_key.columns)
            rows = connection.execute(select(*columns).order_by(*key)).all()
            tables[name] = [tuple(row) for row in rows]
    return tables


def run_import(engine: Engine, path: Path, plan: str, *, dry_run: bool = False) -> ImportReport:
    return import_file(
        make_session_factory(engine),
        path=path,
        options=ImportOptions(
            plan_code=plan, source_file=path.name, default_due=date(2018, 3, 31), dry_run=dry_run
        ),
        actor=Actor(name="Ann <admin@council.gov.uk>", source="cli"),
        now=NOW,
    )


@pytest.fixture
def both(
    postgres: _Postgres, sqlite_template: Path, tmp_path: Path
) -> Iterator[tuple[Engine, Engine]]:
    if postgres.admin_url is None:
        pytest.skip(postgres.reason)
    shutil.copy(sqlite_template, tmp_path / "register.db")
    url = postgres.new_database(migrated=True)
    sqlite, pg = make_engine(f"sqlite:///{tmp_path / 'register.db'}"), make_engine(url)
    assert pg.dialect.driver == "psycopg"  # the COPY path is the one under test
    try:
        yield sqlite, pg
    finally:
        sqlite.dispose()
        pg.dispose()
        postgres.drop(url)


def test_postgres_copy_and_sqlite_insert_leave_the_same_register(
    both: tuple[Engine, Engine], tmp_path: Path
) -> None:
    sqlite, pg = both
    plans = [(hostile_plan(tmp_path / "hostile.csv"), "HOST"), (bare_plan(tmp_path / "b.csv"), "B")]
    reports: dict[str, list[ImportReport]] = {"sqlite": [], "pg": []}
    for name, engine in (("sqlite", sqlite), ("pg", pg)):
        for path, code in plans:
            reports[name].append(run_import(engine, path, code))

    on_sqlite, on_pg = register(sqlite), register(pg)
    assert on_pg == on_sqlite
    assert len(on_pg["action"]) == len(HOSTILE) + 2
    assert len(on_pg["action_owner"]) == sum(1 + i % len(OWNERS) for i in range(len(HOSTILE)))
    created = [row for row in on_pg["event"] if row[5] == "created"]
    assert len(created) == len(HOSTILE) + 2
    assert {(row[3], row[4], row[-1]) for row in created} == {
        ("Ann <admin@council.gov.uk>", "import", NOW)
    }
    for sqlite_report, pg_report in zip(reports["sqlite"], reports["pg"], strict=True):
        assert pg_report.summary == sqlite_report.summary
        assert pg_report.warnings == sqlite_report.warnings


def test_hostile_text_is_stored_as_written_and_reimports_unchanged(
    both: tuple[Engine, Engine], tmp_path: Path
) -> None:
    _, pg = both
    path = hostile_plan(tmp_path / "hostile.csv")
    first = run_import(pg, path, "HOST")
    assert first.count("added") == len(HOSTILE)

    with pg.connect() as connection:
        action = Base.metadata.tables["action"]
        stored = dict(connection.execute(select(action.c.ref, action.c.extra)).all())
        bare = dict(connection.execute(select(action.c.ref, action.c.status)).all())
    for i, text in enumerate(HOSTILE):
        assert stored[f"{i + 1}.1"] == {"Notes": text}
    assert stored[f"{HOSTILE.index(LONG) + 1}.1"]["Notes"] == LONG and len(LONG) == 3000
    assert set(bare.values()) <= {"done", "in_progress", "not_started", "blocked"}

    # Every stored value compares equal to what the file says: nothing changes.
    again = run_import(pg, path, "HOST")
    assert again.count("unchanged") == len(HOSTILE), [r.changes for r in again.results]


def test_a_dry_run_on_postgres_writes_nothing(both: tuple[Engine, Engine], tmp_path: Path) -> None:
    _, pg = both
    before = register(pg)
    report = run_import(pg, hostile_plan(tmp_path / "hostile.csv"), "HOST", dry_run=True)
    assert report.count("added") == len(HOSTILE)
    assert register(pg) == before
