"""Nudge analytics on the benchmark register: 10,000 actions with a year of history.

Builds (with bulk inserts) 10,000 actions over 20 themes and 1,000 owners, and a year of
reminders (each action reminded about every six weeks, batched per owner per day, with full
reply payloads like the sweep writes) and answers (most within a week, some never; each
answer is a field event plus a note at the same instant), plus escalations. Then times
`nudge_stats` over everything, and `actionbot stats --json` as a person runs it.

    .venv/bin/python bench/stats_bench.py [--actions 10000] [--owners 1000]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from bot.core.calendar import calendar_for  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.runtime import open_runtime  # noqa: E402
from bot.reports.stats import nudge_stats  # noqa: E402
from store.models import Action, ActionOwner, Delivery, Event, Owner, Person, Plan  # noqa: E402

NOW = datetime(2018, 3, 16, 12, 0, tzinfo=UTC)
START = NOW - timedelta(days=365)


def _card(i: int, due: date) -> dict[str, object]:
    return {
        "action_id": i,
        "plan_code": "BIG",
        "ref": f"{i // 100}.{i % 100}",
        "title": f"Action {i}: a realistic length of title for an improvement plan action",
        "owners": [f"Owner {i % 1000}"],
        "due": due.isoformat(),
        "due_label": "due in 7 days",
        "status": "in_progress",
        "rag": "amber",
        "theme": f"Theme {i % 20}",
        "updates": [],
        "buttons": True,
    }


def populate(url: str, *, actions: int, owners: int) -> dict[str, int]:
    rng = random.Random(13)
    settings = Settings(_env_file=None, DATABASE_URL=url)  # type: ignore[call-arg]
    rt = open_runtime(settings)
    counts: dict[str, int] = {}
    with rt.sessions.begin() as session:
        plan = Plan(code="BIG", name="Benchmark plan", created_at=START, updated_at=START)
        session.add(plan)
        session.flush()
        session.execute(
            insert(Person),
            [
                {"id": i + 1, "email": f"o{i}@x.example", "created_at": START, "updated_at": START}
                for i in range(owners)
            ],
        )
        session.execute(
            insert(Owner),
            [
                {"id": i + 1, "name": f"Owner {i}", "person_id": i + 1, "created_at": START}
                for i in range(owners)
            ],
        )
        dues = [NOW.date() + timedelta(days=rng.randint(-60, 120)) for _ in range(actions)]
        session.execute(
            insert(Action),
            [
                {
                    "id": i + 1,
                    "plan_id": plan.id,
                    "ref": f"{i // 100}.{i % 100}",
                    "position": i,
                    "title": f"Action {i}",
                    "theme": f"Theme {i % 20}",
                    "tasks": [],
                    "milestones": [],
                    "flags": [],
                    "extra": {},
                    "due_date": dues[i],
                    "status": "in_progress",
                    "slip_count": rng.choice((0, 0, 0, 1, 2)),
                    "created_at": START,
                    "updated_at": START,
                }
                for i in range(actions)
            ],
        )
        owner_of = [rng.randrange(owners) for _ in range(actions)]
        session.execute(
            insert(ActionOwner),
            [
                {"action_id": i + 1, "owner_id": owner_of[i] + 1, "position": 0}
                for i in range(actions)
            ],
        )
        silent = {o for o in range(owners) if rng.random() < 0.1}
        batches: dict[tuple[int, date], list[int]] = defaultdict(list)
        events: list[dict[str, object]] = []
        for i in range(actions):
            day = START.date() + timedelta(days=rng.randint(0, 41))
            while day < NOW.date():
                batches[(owner_of[i], day)].append(i + 1)
                if owner_of[i] not in silent and rng.random() < 0.75:
                    answered = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
                        hours=9 + rng.randint(1, 24 * 6)
                    )
                    for field in ("rag", "note"):
                        events.append(_event(i + 1, plan.id, field, answered, "slack"))
                elif rng.random() < 0.1:
                    escalated = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
                    events.append(
                        _event(
                            i + 1, plan.id, "escalated_on", escalated + timedelta(days=14), "system"
                        )
                    )
                day += timedelta(days=rng.randint(35, 49))
        deliveries = []
        for n, ((owner, day), ids) in enumerate(sorted(batches.items())):
            sent = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
            deliveries.append(
                {
                    "key": f"person:{owner + 1}:nudge:{day.isoformat()}",
                    "platform": "slack",
                    "recipient": f"person:{owner + 1}",
                    "kind": "nudge",
                    "payload": {
                        "replies": [
                            {
                                "title": f"{len(ids)} actions to look at today",
                                "lines": ["Use the buttons, or `/action REF done` …"],
                                "public": False,
                                "cards": [_card(i, dues[i - 1]) for i in ids[:10]],
                            }
                        ],
                        "action_ids": ids,
                        "progress": {"sent": 1, "thread": None},
                    },
                    "state": "sent",
                    "attempts": 1,
                    "not_before": sent,
                    "created_at": sent,
                    "sent_at": sent,
                    "id": n + 1,
                }
            )
        for start in range(0, len(deliveries), 5000):
            session.execute(insert(Delivery), deliveries[start : start + 5000])
        for start in range(0, len(events), 20000):
            session.execute(insert(Event), events[start : start + 20000])
        counts = {
            "deliveries": len(deliveries),
            "reminders": sum(len(ids) for ids in batches.values()),
            "events": len(events),
        }
    rt.engine.dispose()
    return counts


def _event(
    action_id: int, plan_id: int, field: str, at: datetime, source: str
) -> dict[str, object]:
    return {
        "action_id": action_id,
        "plan_id": plan_id,
        "actor": "bench",
        "source": source,
        "field": field,
        "new_value": "x",
        "at": at,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--owners", type=int, default=1_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/stats.db"
        started = time.perf_counter()
        counts = populate(url, actions=args.actions, owners=args.owners)
        build_s = time.perf_counter() - started
        rt = open_runtime(Settings(_env_file=None, DATABASE_URL=url))  # type: ignore[call-arg]
        cal = calendar_for("GB-ENG")
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            with rt.sessions() as session:
                stats = nudge_stats(session, now=NOW, cal=cal)
            timings.append(time.perf_counter() - started)
        rt.engine.dispose()
        actionbot = str(Path(sys.executable).with_name("actionbot"))
        started = time.perf_counter()
        subprocess.run(
            [actionbot, "--database-url", url, "stats", "--json", "--at", NOW.isoformat()],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        cli_s = time.perf_counter() - started
    [plan] = stats.plans
    best = min(timings)
    print(
        f"register: {args.actions:,} actions, {args.owners:,} owners, a year of history: "
        f"{counts['deliveries']:,} reminder DMs about {counts['reminders']:,} reminders, "
        f"{counts['events']:,} events (built in {build_s:.1f} s, {url.split(':', 1)[0]})"
    )
    print(
        f"nudge_stats, all groups:     {best * 1000:8.1f} ms (best of 3)  "
        f"[aim < 2000 ms: {'met' if best < 2 else 'NOT met'}]"
    )
    print(f"`actionbot stats --json`:    {cli_s * 1000:8.1f} ms (whole process, start-up included)")
    print(
        f"  -> {plan.reminders:,} reminders, {plan.share_1:.0%} answered within 1 working day, "
        f"{plan.share_3:.0%} within 3, median {plan.median_days} days, "
        f"{plan.silent_owners} owners silent, "
        f"{len(stats.themes)} themes, {len(stats.owners)} owners"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
