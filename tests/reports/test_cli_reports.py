"""`actionbot stats` and `actionbot digest --chart-out` on the bundled plan with a played
history of reminders and answers (tests/history.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.runtime import Runtime, open_runtime
from store.models import Delivery
from tests.harness import seed_sample
from tests.history import simulate


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    url = f"sqlite:///{tmp_path_factory.mktemp('played') / 'played.db'}"
    settings = Settings(_env_file=None, DATABASE_URL=url, ACTIONBOT_ADMINS="UADMIN")  # type: ignore[call-arg]
    runtime = open_runtime(settings, clock=FixedClock(datetime(2018, 3, 1, tzinfo=UTC)))
    seed_sample(runtime, runtime.clock.now())
    assert simulate(runtime, start=date(2018, 3, 12), end=date(2018, 4, 6)) > 0
    yield runtime
    runtime.engine.dispose()


def cli(runtime: Runtime, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["--database-url", str(runtime.engine.url), *args], env={"COLUMNS": "250"}
    )
    return result.exit_code, result.output


def reminders_in_outbox(runtime: Runtime) -> int:
    """Actions reminded at each moment; co-owners told at the same time count once."""
    with runtime.sessions() as session:
        rows = session.execute(
            select(Delivery.sent_at, Delivery.payload).where(
                Delivery.kind == "nudge", Delivery.state == "sent"
            )
        ).all()
    pairs = set()
    for sent, payload in rows:
        assert "action_ids" in payload  # every action, not only the cards shown
        pairs.update((sent, aid) for aid in payload["action_ids"])
    return len(pairs)


def test_stats_json(played: Runtime) -> None:
    code, out = cli(played, "stats", "--json", "--plan", "ncc", "--at", "2018-04-09T12:00")
    assert code == 0, out
    data = json.loads(out)
    [plan] = data["plans"]
    assert plan["name"] == "NCC" and plan["actions"] == 25
    assert plan["reminders"] == reminders_in_outbox(played) > 0
    assert 0 < plan["answered_1"] <= plan["answered_3"] <= plan["answered"] <= plan["reminders"]
    assert sum(t["reminders"] for t in data["themes"]) == plan["reminders"]
    assert {o["name"] for o in data["owners"]} >= {"Finance"}


def test_stats_table_and_bad_input(played: Runtime) -> None:
    code, out = cli(played, "stats", "--at", "2018-04-09T12:00", "--since", "2018-03-19")
    assert code == 0 and "Reminders by plan (since 19 Mar 2018" in out and "NCC" in out
    code, out = cli(played, "stats", "--plan", "NOPE")
    assert code == 1 and "no plan 'NOPE'" in out
    code, out = cli(played, "stats", "--since", "19/03/2018")
    assert code == 1 and "--since wants YYYY-MM-DD" in out


def test_digest_dry_run_writes_the_chart_and_the_reminder_line(
    played: Runtime, tmp_path: Path
) -> None:
    code, out = cli(
        played, "digest", "--dry-run", "--at", "2018-04-09T08:30", "--chart-out", str(tmp_path)
    )
    assert code == 0, out
    words = " ".join(out.split())  # as the words read, wherever the terminal wraps them
    assert "Reminders answered within 3 working days:" in words and "(last 4 weeks)" in words
    assert "Chart by theme (in the thread): done " in words
    chart = tmp_path / "NCC-rag-by-theme-2018-04-09.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The terminal may wrap the path anywhere, whatever its width: compare without spaces.
    assert f"chart:{chart}" in "".join(out.split())
    with played.sessions() as session:
        assert not session.scalars(select(Delivery).where(Delivery.kind == "digest_chart")).all()
