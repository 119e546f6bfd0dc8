"""Item 5: lost answers never make a duplicate DM, and nothing is lost.

Faults are injected by a loopback proxy between actionbot and the fake Slack
(tests/fakes/fault_proxy.py): resets before and after Slack took the post, a 503 after it
took it, an answer slower than the client's timeout, and a sweep SIGKILLed between Slack's
"ok" and the commit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.jobs.runner import run_delivery
from bot.messengers.slack import DELIVERY_EVENT, SlackMessenger, make_web_client
from bot.render.blocks import reply_pages
from store.models import Delivery
from tests.fakes.fault_proxy import Fault, FaultProxy
from tests.harness import TOKEN
from tests.jobs.conftest import JobWorld
from tests.jobs.test_delivery import OWNER, long_reminder, put

PARTS = 4


def reminder_in_parts(parts: int) -> int:
    """How many actions make a reminder of exactly `parts` messages."""
    return next(n for n in range(1, 200) if len(reply_pages(long_reminder(n))) == parts)


@pytest.fixture
def proxy(jobs: JobWorld) -> Iterator[FaultProxy]:
    with FaultProxy(jobs.fake.base_url) as p:
        yield p


def messenger_via(jobs: JobWorld, proxy: FaultProxy, *, timeout: float = 5) -> SlackMessenger:
    settings = jobs.runtime.settings.model_copy(update={"slack_api_url": proxy.base_url})
    return SlackMessenger(make_web_client(settings, TOKEN, timeout=timeout))


def delivered_parts(jobs: JobWorld) -> Counter[tuple[str, int]]:
    """(delivery key, part) of every message Slack holds, from the fake's own record."""
    seen: Counter[tuple[str, int]] = Counter()
    for messages in jobs.fake.history.values():
        for message in messages:
            meta = message.get("metadata") or {}
            assert meta.get("event_type") == DELIVERY_EVENT, message
            seen[(meta["event_payload"]["key"], meta["event_payload"]["part"])] += 1
    return seen


def sent_states(jobs: JobWorld) -> dict[str, str]:
    with jobs.runtime.sessions() as session:
        return {d.key: d.state for d in session.query(Delivery)}


FAULTS = [Fault.RESET_BEFORE, Fault.RESET_AFTER, Fault.ERROR_AFTER, Fault.SLOW_AFTER]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.value)
@pytest.mark.parametrize("part", [1, 3], ids=["first part", "third part"])
def test_a_lost_answer_neither_repeats_nor_loses_a_part(
    jobs: JobWorld, proxy: FaultProxy, fault: Fault, part: int
) -> None:
    put(jobs, "dm", f"slack:{OWNER}", [long_reminder(reminder_in_parts(PARTS))])
    # A short client timeout, so the slow answer is given up on.
    messenger = messenger_via(jobs, proxy, timeout=0.5)
    proxy.program("chat.postMessage", fault, at=part)

    first = run_delivery(jobs.runtime, {"slack": messenger}, sleep=jobs.sleep)
    proxy.release()
    assert (first.sent, first.rescheduled, first.failed) == (0, 1, 0)
    # Nothing was blindly retried: one request per part reached the proxy.
    assert [p.number for p in proxy.passages if p.method == "chat.postMessage"] == list(
        range(1, part + 1)
    )

    jobs.clock.advance(timedelta(minutes=5))
    second = run_delivery(jobs.runtime, {"slack": messenger}, sleep=jobs.sleep)
    assert (second.sent, second.failed) == (1, 0)

    parts = delivered_parts(jobs)
    assert parts == Counter({("dm", n): 1 for n in range(PARTS)}), parts
    [(channel, messages)] = jobs.fake.history.items()
    head, *rest = messages
    assert "thread_ts" not in head and {m["thread_ts"] for m in rest} == {head["ts"]}
    taken = fault is not Fault.RESET_BEFORE
    looked = [c.method for c in jobs.fake.calls if c.method.startswith("conversations.")]
    assert looked, "the unsure part was not looked for"
    resent = len(jobs.fake.calls_to("chat.postMessage")) - PARTS
    assert resent == 0, f"{resent} extra posts (Slack {'took' if taken else 'missed'} the first)"


@pytest.mark.parametrize(("error", "status"), [("internal_error", 500), ("missing_scope", 200)])
def test_a_failed_lookup_sends_nothing_and_tries_again_later(
    jobs: JobWorld, proxy: FaultProxy, error: str, status: int
) -> None:
    put(jobs, "dm", f"slack:{OWNER}", [long_reminder(reminder_in_parts(2))])
    messenger = messenger_via(jobs, proxy)
    proxy.program("chat.postMessage", Fault.RESET_AFTER, at=2)
    run_delivery(jobs.runtime, {"slack": messenger}, sleep=jobs.sleep)
    jobs.fake.fail("conversations.replies", error=error, status=status)
    jobs.clock.advance(timedelta(minutes=5))
    unsure = run_delivery(jobs.runtime, {"slack": messenger}, sleep=jobs.sleep)
    assert (unsure.sent, unsure.rescheduled, unsure.failed) == (0, 1, 0)
    assert len(jobs.fake.calls_to("chat.postMessage")) == 2  # part 2 was not sent again
    jobs.clock.advance(timedelta(minutes=30))
    done = run_delivery(jobs.runtime, {"slack": messenger}, sleep=jobs.sleep)
    assert done.sent == 1
    assert delivered_parts(jobs) == Counter({("dm", 0): 1, ("dm", 1): 1})


def _nudge(url: str, api: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "test-secret",
        "SLACK_API_URL": api,
        "ACTIONBOT_ADMINS": "UADMIN",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "nudge", "--at", "2018-03-16T09:30"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_sweep_killed_between_send_and_commit_sends_each_part_once(
    jobs: JobWorld, proxy: FaultProxy, db_url: str
) -> None:
    # Two real `actionbot nudge` processes, each SIGKILLed while Slack's "ok" for a post is
    # on its way back; then a normal round finishes the job.
    for kill_at in (3, 4):
        proxy.rearm()
        proxy.program("chat.postMessage", Fault.HOLD_AFTER, at=kill_at)
        process = _nudge(db_url, proxy.base_url)
        assert proxy.accepted.wait(60), process.communicate(timeout=5)[0]
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL
        proxy.release()

    # The killed row's lease runs out; its unsure part is looked for, found, not sent again.
    jobs.clock.set(datetime.now(UTC) + timedelta(hours=1))
    stats = run_delivery(jobs.runtime, {"slack": messenger_via(jobs, proxy)}, sleep=jobs.sleep)
    assert stats.failed == 0

    states = sent_states(jobs)
    assert states and set(states.values()) == {"sent"}, states
    parts = delivered_parts(jobs)
    duplicates = {k: n for k, n in parts.items() if n > 1}
    assert not duplicates, duplicates
    assert {key for key, _ in parts} == set(states), "a delivery marked sent never reached Slack"
    assert len(parts) >= len(states) >= 15
