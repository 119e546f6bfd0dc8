"""Item 8: the Messages tab answers DMs with the /action grammar, without the slash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.clock import FixedClock
from tests.handlers.test_slack import FINANCE, action, events
from tests.harness import SlackWorld, seed_sample, slack_world

DM = "DUFIN"


@pytest.fixture
def world(db_url: str) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
    with slack_world(db_url, clock=clock) as w:
        seed_sample(w.runtime, clock.now())
        w.fake.add_user(FINANCE, email="finance@northants.example")
        yield w


def dm(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": DM,
        "channel_type": "im",
        "user": FINANCE,
        "text": text,
        "ts": "1516006800.000100",
        "event_ts": "1516006800.000100",
        **extra,
    }


def answers(world: SlackWorld) -> list[str]:
    return [
        json.dumps(c.params)
        for c in world.fake.calls_to("chat.postMessage")
        if c.params.get("channel") == DM
    ]


def test_a_dm_updates_an_action_like_the_slash_command(world: SlackWorld) -> None:
    assert world.event(dm("2.4 done"), event_id="Ev1").status_code == 200
    [answer] = answers(world)
    assert "is now done" in answer
    assert action(world, "2.4").status == "done"
    assert [(e.field, e.source) for e in events(world, "2.4")][-1] == ("status", "slack")


@pytest.mark.parametrize(("text", "expect"), [("mine", "NCC:2.4"), ("help", "done")])
def test_mine_and_help_work_in_a_dm(world: SlackWorld, text: str, expect: str) -> None:
    world.event(dm(text), event_id=f"Ev-{text}")
    [answer] = answers(world)
    assert expect in answer


def test_a_dm_sent_again_by_slack_acts_once(world: SlackWorld) -> None:
    world.event(dm("2.4 progress drafted"), event_id="Ev2")
    world.event(dm("2.4 progress drafted"), event_id="Ev2", retry=1)
    assert len(answers(world)) == 1
    assert len([e for e in events(world, "2.4") if e.note == "drafted"]) == 1


@pytest.mark.parametrize(
    "event",
    [
        dm("2.4 done", bot_id="BBOT", user="UBOT"),  # a bot, actionbot itself included
        dm("2.4 done", subtype="bot_message"),
        dm("2.4 done", subtype="message_changed"),  # an edit
        dm("2.4 done", subtype="message_deleted"),
        dm("2.4 done", channel_type="channel", channel="C0001"),  # not a DM
    ],
    ids=["bot", "bot_message", "edit", "deletion", "channel"],
)
def test_bots_edits_and_other_messages_are_ignored(
    world: SlackWorld, event: dict[str, Any]
) -> None:
    assert world.event(event, event_id="Ev3").status_code == 200
    assert world.fake.calls_to("chat.postMessage") == []
    assert action(world, "2.4").status != "done"
