"""A register with the sample plan and owners, a fake Slack that knows every owner's email."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.core.clock import FixedClock
from bot.core.runtime import Runtime, open_runtime
from bot.messengers.slack import SlackMessenger, make_web_client
from tests.conftest import SAMPLES
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import TOKEN, make_settings, seed_sample

OWNERS = SAMPLES / "ncc-owners-example.csv"


def slack_id(email: str) -> str:
    return "U" + email.split("@")[0].replace(".", "").upper()[:20]


@dataclass
class JobWorld:
    fake: FakeSlackAPI
    runtime: Runtime
    clock: FixedClock
    messenger: SlackMessenger
    waits: list[float]

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


def build_world(db_url: str, fake: FakeSlackAPI, **settings: str) -> JobWorld:
    clock = FixedClock(datetime(2018, 3, 1, 8, 0, tzinfo=UTC))
    runtime = open_runtime(make_settings(db_url, fake, **settings), clock=clock)
    seed_sample(runtime, clock.now())
    with OWNERS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            fake.add_user(slack_id(row["email"]), email=row["email"], tz="Europe/London")
    messenger = SlackMessenger(make_web_client(runtime.settings, TOKEN))
    return JobWorld(fake, runtime, clock, messenger, [])


@pytest.fixture
def jobs(db_url: str) -> Iterator[JobWorld]:
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        world = build_world(db_url, fake)
        yield world
        world.runtime.engine.dispose()
