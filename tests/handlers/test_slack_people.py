"""Roles, leave and handover typed in Slack: mentions pass through the door as `<@U…>` and
the same service resolves them; the handover DMs go out through the fake Web API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.core.clock import FixedClock
from bot.jobs.runner import run_delivery
from bot.messengers.slack import SlackMessenger, make_web_client
from store.models import Absence, Event, Person
from tests.harness import TOKEN, SlackWorld, seed_sample, slack_world


@pytest.fixture
def world(db_url: str) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 3, 16, 9, 30, tzinfo=ZoneInfo("Europe/London")))
    with slack_world(db_url, clock=clock, inline=False) as w:
        seed_sample(w.runtime, clock.now())
        w.fake.add_user("UADMIN", email="admin@northants.example")
        w.fake.add_user("UFIN", email="finance@northants.example")
        w.fake.add_user("URAJ", email="raj@northants.example")
        yield w


def said(world: SlackWorld, text: str, user: str) -> str:
    return json.dumps(world.command(text, user=user).json())


def test_mentions_set_deputies_record_leave_and_hand_over(world: SlackWorld) -> None:
    assert "deputies are now" in said(world, 'admin deputy "Finance" <@URAJ|raj>', "UADMIN")
    assert "You are away" in said(world, "away until 23 Mar annual leave", "UFIN")
    refused = said(world, "away 2018-03-01 2018-03-02", "UFIN")
    assert "in the past" in refused and "Nothing was changed" in refused
    assert "Only actionbot admins" in said(world, "admin handover <@UFIN> <@URAJ>", "UFIN")
    handed = said(world, "admin handover <@UFIN|finance> <@URAJ|raj>", "UADMIN")
    assert "Handed over from today" in handed and "Finance" in handed

    run_delivery(
        world.runtime, {"slack": SlackMessenger(make_web_client(world.runtime.settings, TOKEN))}
    )
    dms = {
        str(c.params["channel"]): json.dumps(c.params.get("blocks"))
        for c in world.fake.calls_to("chat.postMessage")
        if c.status == 200
    }
    assert "taken over" in dms["URAJ"] and "handed over" in dms["UFIN"]
    with world.runtime.sessions() as session:
        raj = session.scalars(select(Person).where(Person.slack_user_id == "URAJ")).one()
        assert raj.email == "raj@northants.example"  # users.info gave it with the mention
        assert session.scalars(select(Absence)).one().note == "annual leave"
        fields = set(session.scalars(select(Event.field).where(Event.source == "slack")))
    assert {"deputies:Finance", "handover"} <= fields


def test_a_mention_finds_the_person_the_owners_file_named_by_email(world: SlackWorld) -> None:
    # The owners file names Procurement's holder by email; they have never used Slack.
    world.fake.add_user("UPROC", email="procurement@northants.example")
    with world.runtime.sessions() as session:
        before = session.scalar(select(func.count()).select_from(Person))
    assert "deputies are now" in said(world, 'admin deputy "Finance" <@UPROC|proc>', "UADMIN")
    with world.runtime.sessions() as session:
        after = session.scalar(select(func.count()).select_from(Person))
        proc = session.scalars(
            select(Person).where(Person.email == "procurement@northants.example")
        ).one()
    assert after == before and proc.slack_user_id == "UPROC"
