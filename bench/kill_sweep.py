"""The duplicate window, measured: a 300-DM delivery round SIGKILLed again and again.

    .venv/bin/python bench/kill_sweep.py [--dms 300] [--kills 16] [--database-url URL]

Puts N DMs in the outbox (every tenth one long enough to be four messages in a thread),
then runs real `actionbot nudge` processes against the fake Slack through the fault proxy
(tests/fakes/fault_proxy.py). Each process is SIGKILLed at a random post while Slack's
"ok" for it is on its way back: Slack has the message, actionbot has not recorded it. After
the kills a normal round finishes the job. Counted from what the fake Slack holds: every
(delivery, part) must be there exactly once. Prints the figures; exit 1 if any part was
lost or repeated.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core.clock import FixedClock  # noqa: E402
from bot.core.messages import Reply, reply_payload  # noqa: E402
from bot.core.runtime import open_runtime  # noqa: E402
from bot.jobs.runner import run_delivery  # noqa: E402
from bot.messengers.slack import DELIVERY_EVENT, SlackMessenger, make_web_client  # noqa: E402
from bot.render.blocks import reply_pages  # noqa: E402
from store.models import Delivery  # noqa: E402
from store.outbox import enqueue  # noqa: E402
from tests.fakes.fault_proxy import Fault, FaultProxy  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.harness import TOKEN, make_settings  # noqa: E402
from tests.jobs.test_delivery import long_reminder  # noqa: E402

SEED = 16


def fill_outbox(url: str, fake: FakeSlackAPI, dms: int) -> int:
    """N DMs due now; returns how many messages (parts) they make in all."""
    now = datetime.now(UTC) - timedelta(minutes=1)
    runtime = open_runtime(make_settings(url, fake))
    parts = 0
    with runtime.sessions.begin() as session:
        for i in range(dms):
            user = f"U{i:05d}"
            fake.add_user(user)
            reply = long_reminder(12) if i % 10 == 0 else Reply(lines=[f"Reminder {i}"])
            parts += len(reply_pages(reply))
            enqueue(
                session,
                key=f"slack:{user}:bench:{i}",
                platform="slack",
                recipient=f"slack:{user}",
                kind="bench",
                payload=reply_payload([reply]),
                not_before=now,
                now=now,
            )
    runtime.engine.dispose()
    return parts


def killed_round(url: str, api: str, proxy: FaultProxy, at: int) -> bool:
    """One `actionbot nudge`, SIGKILLed at its `at`-th post; False if it finished first."""
    proxy.rearm()
    proxy.program("chat.postMessage", Fault.HOLD_AFTER, at=at)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "bench-secret",
        "SLACK_API_URL": api,
        "ACTIONBOT_ADMINS": "UADMIN",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "nudge"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    while not proxy.accepted.wait(0.2):
        if process.poll() is not None:
            return False
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    proxy.release()
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dms", type=int, default=300)
    parser.add_argument("--kills", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="an empty database")
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    with (
        tempfile.TemporaryDirectory(prefix="actionbot-kill-") as tmp,
        FakeSlackAPI(bot_token=TOKEN) as fake,
        FaultProxy(fake.base_url) as proxy,
    ):
        fake.add_user("UADMIN")
        url = args.database_url or f"sqlite:///{Path(tmp) / 'register.db'}"
        parts = fill_outbox(url, fake, args.dms)
        started = time.perf_counter()
        kills = 0
        for _ in range(args.kills):
            # Somewhere in what is left, so the kills spread over the whole round.
            left = parts - sum(len(m) for m in fake.history.values())
            if left <= 1:
                break
            kills += killed_round(url, proxy.base_url, proxy, rng.randint(1, min(left, 40)))
        # The rows the killed processes held are leased for 15 minutes: finish an hour on.
        runtime = open_runtime(
            make_settings(url, fake), clock=FixedClock(datetime.now(UTC) + timedelta(hours=1))
        )
        messenger = SlackMessenger(make_web_client(runtime.settings, TOKEN))
        stats = run_delivery(runtime, {"slack": messenger}, sleep=lambda _: None)
        elapsed = time.perf_counter() - started
        with runtime.sessions() as session:
            states = Counter(d.state for d in session.query(Delivery) if d.kind == "bench")
        runtime.engine.dispose()
        held: Counter[tuple[str, int]] = Counter()
        for messages in fake.history.values():
            for message in messages:
                meta = message.get("metadata") or {}
                if meta.get("event_type") == DELIVERY_EVENT:
                    payload = meta["event_payload"]
                    held[(payload["key"], payload["part"])] += 1
        lookups = sum(1 for c in fake.calls if c.method.startswith("conversations."))
    duplicates = sum(n - 1 for n in held.values() if n > 1)
    lost = parts - len(held)
    print(
        f"{args.dms} DMs ({parts} messages), {kills} `actionbot nudge` processes SIGKILLed "
        f"between Slack's ok and the commit, then one normal round ({elapsed:.1f} s in all)"
    )
    print(
        f"delivered: {len(held)} of {parts} messages; duplicates {duplicates}; lost {lost}; "
        f"rows {dict(states)}; look-ups in Slack {lookups}; last round: {stats}"
    )
    return 1 if duplicates or lost else 0


if __name__ == "__main__":
    sys.exit(main())
