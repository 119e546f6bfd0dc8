"""`actionbot serve` says at start, one line each, what is connected, what runs and what is
missing. Regressions: with nothing configured it said only "listening"; with Slack out of
reach it printed a traceback of some 200 lines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import SECRET, TOKEN

UNSET = {
    "SLACK_BOT_TOKEN": "",
    "SLACK_APP_TOKEN": "",
    "TEAMS_CLIENT_ID": "",
    "ACTIONBOT_TEAMS_INSECURE_DEV": "0",
    "DIGEST_CHANNEL": "",
    "TEAMS_DIGEST_CONVERSATION": "",
}


def start_lines(db_url: str, env: dict[str, str]) -> list[str]:
    """What serve prints up to and including the line saying where it listens."""
    full = {**os.environ, **UNSET, **env, "DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1"}
    full.pop("PORT", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", "0", "--host", "127.0.0.1"],
        env={k: v for k, v in full.items() if v != ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "is listening on" in line:
                break
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    return lines


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_with_nothing_configured_serve_says_what_is_missing(db_url: str) -> None:
    lines = start_lines(db_url, {})
    assert lines[0] == f"Register: {db_url}"
    assert lines[1:4] == [
        "Slack: not set up (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to connect it)",
        "Teams: not set up (set TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and TEAMS_TENANT_ID "
        "to connect it)",
        "Schedules: off: no Slack or Teams to send reminders and digests to",
    ]
    assert lines[4].startswith("actionbot is listening on http://127.0.0.1:")
    assert len(lines) == 5


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_with_slack_connected_serve_says_who_and_what_runs(db_url: str) -> None:
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.base_url,
            "DIGEST_CHANNEL": "C0LEADERS",
        }
        lines = start_lines(db_url, env)
    assert (
        lines[1].startswith("Slack: connected as ") and "answering POST /slack/events" in lines[1]
    )
    assert lines[2].startswith("Teams: not set up")
    assert lines[3] == (
        "Schedules: reminders at 09:00 on working days (GB-ENG), delivered every minute; "
        "the digest mon 08:30 to Slack C0LEADERS"
    )
    assert "is listening on" in lines[4] and len(lines) == 5


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_slack_out_of_reach_is_one_line(db_url: str) -> None:
    env = {
        **UNSET,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        # Port 1 on loopback: nothing listens there, the connection is refused at once.
        "SLACK_API_URL": "http://127.0.0.1:1/api/",
        "COLUMNS": "300",
    }
    result = CliRunner().invoke(app, ["--database-url", db_url, "serve", "--port", "0"], env=env)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("error: cannot reach Slack at http://127.0.0.1:1/api/")
    assert "Traceback" not in result.output
