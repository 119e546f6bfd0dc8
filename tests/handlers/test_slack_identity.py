"""Who a Slack user is: linked by email once, admin by email for good, time zone from Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.core.clock import FixedClock
from bot.handlers.slack.door import SlackDoor
from store.models import Person
from store.queries import actions_by_ref
from tests.harness import SlackWorld, seed_sample, slack_world

ADMIN_EMAIL = "ceo@northants.example"  # a person in the owners file: linked on first use


@pytest.fixture
def world(db_url: str) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
    with slack_world(db_url, clock=clock, ACTIONBOT_ADMINS=ADMIN_EMAIL) as w:
        seed_sample(w.runtime, clock.now())
        w.fake.add_user("UCHIEF", email=ADMIN_EMAIL, tz="America/New_York")
        w.fake.add_user("UFIN", email="finance@northants.example", tz="Asia/Kolkata")
        yield w


def restart(world: SlackWorld) -> None:
    """A new process has an empty profile cache; the register remembers the links."""
    door = world.service.door
    assert isinstance(door, SlackDoor)
    door._profiles.clear()


def test_an_admin_listed_by_email_stays_admin_after_a_restart(world: SlackWorld) -> None:
    first = world.command("4.5 progress quotes in", user="UCHIEF")
    assert first.status_code == 200 and "is now" in json.dumps(first.json()), first.text
    restart(world)
    second = world.command("4.6 on track", user="UCHIEF")
    assert "only its owners or an admin" not in json.dumps(second.json())
    assert len(world.fake.calls_to("users.info")) == 1  # the link made a second lookup needless
    with world.runtime.sessions() as session:
        [action] = actions_by_ref(session, ref="4.6", plan_code="NCC")
        assert action.rag == "green"


def test_the_time_zone_slack_reports_is_kept_for_reminders(world: SlackWorld) -> None:
    world.command("mine", user="UFIN")
    with world.runtime.sessions() as session:
        person = session.scalars(select(Person).where(Person.slack_user_id == "UFIN")).one()
        assert person.tz == "Asia/Kolkata"
