"""Two real `actionbot nudge` processes against one real PostgreSQL send each nudge once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.conftest import _Postgres
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import TOKEN
from tests.jobs.conftest import JobWorld, build_world


@pytest.fixture
def pg_jobs(postgres: _Postgres) -> Iterator[tuple[JobWorld, str]]:
    if postgres.admin_url is None:
        pytest.skip(postgres.reason)
    url = postgres.new_database(migrated=True)
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        world = build_world(url, fake)
        yield world, url
        world.runtime.engine.dispose()
    postgres.drop(url)


def _nudge(url: str, fake: FakeSlackAPI, at: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "test-secret",
        "SLACK_API_URL": fake.base_url,
        "ACTIONBOT_ADMINS": "UADMIN",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "nudge", "--at", at],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.postgres
def test_two_processes_send_each_nudge_exactly_once(pg_jobs: tuple[JobWorld, str]) -> None:
    world, url = pg_jobs
    procs = [_nudge(url, world.fake, "2018-03-16T09:30") for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    posts = [c for c in world.fake.calls_to("chat.postMessage") if c.status == 200]
    per_channel = Counter(c.params["channel"] for c in posts)
    assert posts and max(per_channel.values()) == 1, per_channel
    recipients = len(per_channel)
    assert recipients >= 15  # every reachable owner with a reminder that day, once
    # Both processes did work (the outbox was shared), and a third finds nothing to do.
    third = _nudge(url, world.fake, "2018-03-16T11:00")
    assert third.communicate(timeout=120)[0] and third.returncode == 0
    assert (
        len([c for c in world.fake.calls_to("chat.postMessage") if c.status == 200]) == recipients
    )
