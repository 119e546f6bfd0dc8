"""A plan's own reminder schedule, set from the CLI, overrides ACTIONBOT_NUDGE_DAYS."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.jobs.runner import run_sweep
from store.models import Event, Plan
from tests.jobs.conftest import JobWorld

# The sample plan is due Sat 31 Mar 2018; Thu 1 Mar is 30 days before.
THIRTY_DAYS_BEFORE = datetime(2018, 3, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))


def schedule(jobs: JobWorld, *args: str) -> tuple[int, str]:
    url = jobs.runtime.settings.database_url
    result = CliRunner().invoke(
        app, ["--database-url", url, "plans", "schedule", *args], env={"COLUMNS": "250"}
    )
    return result.exit_code, result.stdout + result.stderr


def nudges(jobs: JobWorld) -> int:
    result = run_sweep(jobs.runtime, now=THIRTY_DAYS_BEFORE, dry_run=True)
    return sum(1 for message, _ in result.messages if message.kind == "nudge")


def test_a_plan_schedule_adds_a_30_day_reminder_and_can_be_undone(jobs: JobWorld) -> None:
    assert nudges(jobs) == 0  # default 14, 7, 1, 0: nothing 30 days out

    code, out = schedule(jobs, "NCC", "--days", "30, 14,7,1,0")
    assert code == 0 and "reminders 30,14,7,1,0 days" in out, out
    assert nudges(jobs) > 0
    with jobs.runtime.sessions() as session:
        [event] = session.scalars(select(Event).where(Event.field == "plan.nudge_days")).all()
        assert (event.old_value, event.new_value, event.source) == (None, "30,14,7,1,0", "cli")

    code, _ = schedule(jobs, "NCC")
    assert code == 0 and nudges(jobs) == 0


def test_a_bad_schedule_is_refused_and_changes_nothing(jobs: JobWorld) -> None:
    for bad in ("soon", "-3", "400", ""):
        code, out = schedule(jobs, "NCC", "--days", bad)
        assert code != 0 and "whole days from 0 to 365" in out, (bad, out)
    code, out = schedule(jobs, "NOPE", "--days", "30")
    assert code != 0 and "no plan 'NOPE'" in out
    with jobs.runtime.sessions() as session:
        assert session.scalars(select(Plan.options)).all() == [None]
