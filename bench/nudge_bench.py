"""Reminder sweep and delivery figures (issue: nudges and digest).

Prints: the time of one sweep over N actions (aim: under 1 s), and the delivery rate of
1,000 DMs against a fake Slack that answers HTTP 429 to every tenth call.

    .venv/bin/python bench/nudge_bench.py [--actions 10000] [--owners 1000] [--dms 1000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bot.core.clock import FixedClock  # noqa: E402
from bot.core.runtime import open_runtime  # noqa: E402
from bot.jobs.runner import run_delivery, run_sweep  # noqa: E402
from bot.messengers.slack import SlackMessenger, make_web_client  # noqa: E402
from store.models import Action, ActionOwner, Owner, Person, Plan  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.harness import TOKEN, make_settings  # noqa: E402

NOW = datetime(2018, 3, 16, 9, 30, tzinfo=UTC)  # a Friday


def populate(runtime_url: str, fake: FakeSlackAPI, *, actions: int, owners: int) -> None:
    rng = random.Random(7)
    rt = open_runtime(make_settings(runtime_url, fake))
    with rt.sessions.begin() as session:
        plan = Plan(code="BIG", name="Benchmark plan", created_at=NOW, updated_at=NOW)
        session.add(plan)
        session.flush()
        session.execute(
            insert(Person),
            [
                {
                    "id": i + 1,
                    "email": f"owner{i}@council.example",
                    "slack_user_id": f"U{i:05d}",
                    "tz": "Europe/London",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in range(owners)
            ],
        )
        session.execute(
            insert(Owner),
            [
                {"id": i + 1, "name": f"Owner {i}", "person_id": i + 1, "created_at": NOW}
                for i in range(owners)
            ],
        )
        start = date(2018, 3, 1)
        session.execute(
            insert(Action),
            [
                {
                    "id": i + 1,
                    "plan_id": plan.id,
                    "ref": f"{i // 100}.{i % 100}",
                    "position": i,
                    "title": f"Action {i}",
                    "tasks": [],
                    "milestones": [],
                    "flags": [],
                    "extra": {},
                    "due_date": start + timedelta(days=rng.randint(0, 120)),
                    "status": rng.choice(["not_started", "in_progress", "done"]),
                    "slip_count": 0,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in range(actions)
            ],
        )
        links = []
        for i in range(actions):
            for position, owner in enumerate(rng.sample(range(owners), rng.randint(1, 2))):
                links.append({"action_id": i + 1, "owner_id": owner + 1, "position": position})
        session.execute(insert(ActionOwner), links)
    rt.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--owners", type=int, default=1_000)
    parser.add_argument("--dms", type=int, default=1_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, FakeSlackAPI(bot_token=TOKEN) as fake:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        populate(url, fake, actions=args.actions, owners=args.owners)
        clock = FixedClock(NOW)
        rt = open_runtime(make_settings(url, fake), clock=clock)

        started = time.perf_counter()
        dry = run_sweep(rt, now=NOW, dry_run=True)
        sweep_s = time.perf_counter() - started
        started = time.perf_counter()
        real = run_sweep(rt, now=NOW)
        enqueue_s = time.perf_counter() - started

        # Delivery: top the outbox up to --dms messages, then send with every 10th call a 429.
        from bot.core.messages import Reply, reply_payload
        from store.outbox import enqueue

        with rt.sessions.begin() as session:
            for i in range(max(0, args.dms - real.enqueued)):
                enqueue(
                    session,
                    key=f"bench:{i}",
                    platform="slack",
                    recipient=f"slack:U{i % args.owners:05d}",
                    kind="bench",
                    payload=reply_payload([Reply(lines=[f"message {i}"])]),
                    not_before=NOW,
                    now=NOW,
                )
        fake.rate_limit_every(10, retry_after=0, methods={"chat.postMessage"})
        waits: list[float] = []
        messenger = SlackMessenger(make_web_client(rt.settings, TOKEN))
        started = time.perf_counter()
        stats = run_delivery(rt, {"slack": messenger}, sleep=waits.append)
        deliver_s = time.perf_counter() - started
        posted = [c for c in fake.calls_to("chat.postMessage") if c.status == 200]
        limited = [c for c in fake.calls_to("chat.postMessage") if c.status == 429]
        rt.engine.dispose()

    backend = url.split(":", 1)[0]
    print(f"register: {args.actions:,} actions, {args.owners:,} owners ({backend})")
    print(
        f"sweep (plan only, dry run):  {sweep_s * 1000:8.1f} ms  -> {len(dry.messages)} messages, "
        f"{sum(len(m.items) for m, _ in dry.messages):,} action mentions  [aim < 1000 ms: "
        f"{'met' if sweep_s < 1 else 'NOT met'}]"
    )
    print(f"sweep + outbox write:        {enqueue_s * 1000:8.1f} ms  -> {real.enqueued} deliveries")
    print(
        f"delivery: {stats.sent:,} sent in {deliver_s:.2f} s = "
        f"{stats.sent / deliver_s:,.0f} DMs/s; "
        f"{len(limited)} answered 429 and were retried ({len(waits)} Retry-After waits honoured); "
        f"{len(posted)} accepted by Slack; failed {stats.failed}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
