"""Admin jobs from Slack, `serve`'s start-up check, and secrets that must never be logged."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.core.clock import FixedClock
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import (
    INLINE_ACK_BUDGET,
    SECRET,
    TOKEN,
    SlackWorld,
    seed_sample,
    slack_world,
)


@pytest.fixture
def world(db_url: str) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 3, 16, 9, 30, tzinfo=ZoneInfo("Europe/London")))
    # A busy machine must not turn "On it" into "Working on it": the budget is the inline
    # tests' (the late path has its own test below, with a short budget and a locked register).
    with slack_world(
        db_url, clock=clock, inline=False, with_jobs=True, ack_budget=INLINE_ACK_BUDGET
    ) as w:
        seed_sample(w.runtime, clock.now())
        w.fake.add_user("UADMIN", email="admin@northants.example")
        w.fake.add_user("UFIN", email="finance@northants.example")
        yield w


def test_admin_digest_is_acked_at_once_then_posted(world: SlackWorld) -> None:
    ack = world.command("admin digest", user="UADMIN", key="digest")
    assert ack.status_code == 200 and "On it" in ack.json()["text"]
    done = world.fake.wait_for("response_url:digest", timeout=20)[-1]
    assert "Digest posted" in done.params["text"]
    posts = [c for c in world.fake.calls_to("chat.postMessage") if c.params["channel"] == "CDIGEST"]
    assert posts and "weekly digest" in json.dumps(posts[0].params["blocks"])


def test_admin_nudge_sends_todays_reminders(world: SlackWorld) -> None:
    world.command("admin nudge", user="UADMIN", key="nudge")
    done = world.fake.wait_for("response_url:nudge", timeout=20)[-1]
    assert "Reminders:" in done.params["text"]
    dms = [
        c
        for c in world.fake.calls_to("chat.postMessage")
        if str(c.params["channel"]).startswith("U")
    ]
    assert dms  # Fri 16 Mar is the 14-day reminder for the plan's 31 Mar deadline


def test_non_admins_cannot_run_jobs(world: SlackWorld) -> None:
    body = world.command("admin digest", user="UFIN").json()
    assert "Only actionbot admins" in json.dumps(body)
    assert not [
        c for c in world.fake.calls_to("chat.postMessage") if c.params["channel"] == "CDIGEST"
    ]


def test_secrets_never_reach_the_logs(world: SlackWorld, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    world.command("mine", user="UFIN")
    world.command("2.4 done", user="UFIN")
    text = caplog.text + repr(world.runtime.settings)
    assert TOKEN not in text and SECRET not in text


def test_serve_says_clearly_when_the_token_is_wrong(db_url: str) -> None:
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        result = CliRunner().invoke(
            app,
            ["--database-url", db_url, "serve", "--port", "0"],
            env={
                "SLACK_BOT_TOKEN": "xoxb-wrong-token",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.base_url,
                "COLUMNS": "250",
            },
        )
        assert result.exit_code == 1
        assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in result.stderr
        assert "xoxb-wrong-token" not in result.stderr
        assert [c.method for c in fake.calls] == ["auth.test"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-changeme", "SLACK_SIGNING_SECRET": "s"}, "placeholder"),
        (
            {"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"},
            "should start with 'xoxb-'",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-real"}, "SLACK_SIGNING_SECRET is not set"),
    ],
)
def test_serve_fails_fast_on_missing_or_placeholder_secrets(
    db_url: str, env: dict[str, str], message: str
) -> None:
    result = CliRunner().invoke(
        app, ["--database-url", db_url, "serve"], env={**env, "COLUMNS": "250"}
    )
    assert result.exit_code == 1 and message in result.stderr


def test_an_admin_job_acked_late_runs_once_after_the_answer(db_url: str) -> None:
    """The register busy: the ack says "working on it" before the outcome is known, so the
    lazy listeners Bolt starts at the ack have nothing to do and the listener itself runs the
    job once it knows (the text is parsed once, in the ack path)."""
    from tests.handlers.test_slack_bursts import register_locked

    clock = FixedClock(datetime(2018, 3, 16, 9, 30, tzinfo=ZoneInfo("Europe/London")))
    with slack_world(db_url, clock=clock, inline=False, with_jobs=True, ack_budget=0.3) as w:
        seed_sample(w.runtime, clock.now())
        w.fake.add_user("UADMIN", email="admin@northants.example")
        w.command("mine", user="UADMIN", key="warm")  # known before the lock
        # An admin job touches no action: the repeat check is what waits for the register.
        with register_locked(db_url, tables="inbound_event") as release:
            ack = w.command("admin nudge", user="UADMIN", key="late")
            assert "Working on it" in ack.json()["text"]
            release.set()
            w.fake.wait_for("response_url:late", timeout=30, count=2)
        said = [str(c.params.get("text")) for c in w.fake.calls_to("response_url:late")]
    assert [s for s in said if "Reminders:" in s] and len(said) == 2, said
