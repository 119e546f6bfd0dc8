"""`nudge` and `digest` speak of the platform that is set up, name the people a message
could not reach, and fail when nothing could be delivered. Regressions: with only Teams set
up they said `SLACK_BOT_TOKEN is not set`; a sweep whose every message failed for good
exited 0 and named its recipients `person:14`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from bot.core.calendar import WorkingCalendar
from tests.cli.test_cli_honest import OWNERS, SAMPLE, run
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import SECRET, TOKEN

NOTHING = {"SLACK_BOT_TOKEN": "", "TEAMS_CLIENT_ID": "", "ACTIONBOT_TEAMS_INSECURE_DEV": "0"}
TEAMS = {
    **NOTHING,
    "TEAMS_CLIENT_ID": "11111111-2222-3333-4444-555555555555",
    "TEAMS_TENANT_ID": "aaaaaaaa-2222-3333-4444-555555555555",
    "TEAMS_CLIENT_SECRET": "a-real-looking-secret",
    "TEAMS_DIGEST_CONVERSATION": "",
}


@pytest.mark.parametrize("command", ["nudge", "digest"])
def test_with_nothing_set_up_both_platforms_are_named(db_url: str, command: str) -> None:
    code, _, err = run(db_url, command, env=NOTHING)
    assert code == 1
    assert "neither Slack nor Teams is set up" in err and "TEAMS_CLIENT_ID" in err
    assert "or preview with --dry-run" in err


@pytest.mark.parametrize("command", ["nudge", "digest"])
def test_with_teams_in_development_mode_only_teams_is_spoken_of(db_url: str, command: str) -> None:
    code, _, err = run(db_url, command, env={**NOTHING, "ACTIONBOT_TEAMS_INSECURE_DEV": "1"})
    assert code == 1
    assert "SLACK" not in err and "Teams is in development mode" in err
    assert "TEAMS_CLIENT_SECRET" in err


def test_with_teams_missing_its_secret_the_secret_is_named(db_url: str) -> None:
    code, _, err = run(db_url, "nudge", env={**TEAMS, "TEAMS_CLIENT_SECRET": ""})
    assert code == 1 and "TEAMS_CLIENT_SECRET is not set" in err and "SLACK" not in err


def test_a_teams_digest_with_no_conversation_names_the_teams_setting(db_url: str) -> None:
    code, _, err = run(db_url, "digest", env=TEAMS)
    assert code == 1
    assert "no digest channel: set TEAMS_DIGEST_CONVERSATION" in err
    # --channel is a Slack channel id: no advice a Teams admin cannot use.
    assert "--channel" not in err and "DIGEST_CHANNEL (" not in err


def test_a_teams_only_preview_is_the_teams_digest(db_url: str) -> None:
    run(db_url, "owners", "import", str(OWNERS))
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-30")
    code, out, _ = run(db_url, "digest", "--dry-run", "--at", "2018-03-19T09:00", env=TEAMS)
    assert code == 0 and "(in the thread)" not in out  # Slack's place for the chart


@pytest.fixture
def slack_knowing_nobody() -> Iterator[FakeSlackAPI]:
    """A workspace with none of the owners in it: every DM fails for good."""
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        yield fake


def test_a_sweep_nobody_received_fails_and_names_the_people(
    db_url: str, slack_knowing_nobody: FakeSlackAPI
) -> None:
    due = WorkingCalendar().on_or_before(date.today() + timedelta(days=60))
    reminder = WorkingCalendar().on_or_before(due - timedelta(days=14))
    env = {
        **NOTHING,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_knowing_nobody.base_url,
    }
    run(db_url, "owners", "import", str(OWNERS))
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", due.isoformat())
    code, out, err = run(db_url, "nudge", "--at", f"{reminder}T09:30", env=env)
    assert "0 sent" in out and "19 failed" in out
    assert code == 1 and "nothing could be delivered" in err
    said = [line for line in err.split("• ") if "not delivered" in line]
    assert len(said) == 19 and not [line for line in said if "person:" in line]
    finance = next(line for line in said if line.startswith("Finance (plan NCC)"))
    assert "Slack has no user with the email finance@northants.example" in finance


def test_chat_day_only_previews_on_a_register_connected_to_teams(db_url: str) -> None:
    """Regression: only SLACK_BOT_TOKEN made `:day` a preview; with Teams set up it marked
    the day's reminders sent to the terminal, so the Teams owners never got them."""
    from sqlalchemy import func, select

    from store.db import make_engine
    from store.models import Delivery

    run(db_url, "owners", "import", str(OWNERS))
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-30")
    from typer.testing import CliRunner

    from bot.cli.main import app

    args = ["--database-url", db_url, "chat", "--at", "2018-03-16T08:00"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "80", **TEAMS}, input=":day +0\n")
    out = " ".join(result.stdout.split())
    assert result.exit_code == 0 and "connected to Teams, so :day only previews" in out
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Delivery)) == 0
    engine.dispose()
