"""Teams figures: card rendering and `mine` over real HTTP with JWT validation on.

    .venv/bin/python bench/teams_bench.py [--requests 100]

Renders a 60-action reminder and a 300-action digest as Adaptive Cards (cards, largest
card in bytes, milliseconds), then serves the real actionbot ASGI app with the sample
register against the loopback fake Bot Framework and sends signed `mine` messages from one
owner, printing p50/p90/p99/max of the whole round trip (token check, the register, the
reply posted to the fake connector). Prints figures; never fails because of them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.core.clock import FixedClock  # noqa: E402
from bot.core.messages import ActionCard, Reply  # noqa: E402
from bot.jobs.digest import Section, digest_replies  # noqa: E402
from bot.render.cards import card_size, reply_cards  # noqa: E402
from tests.harness import seed_sample  # noqa: E402
from tests.teams_harness import teams_world  # noqa: E402


def _render_figures() -> None:
    cards = [
        ActionCard(
            action_id=i,
            plan_code="NCC",
            ref=f"9.{i}",
            title=f"Reconcile the contract register entries for service area {i}",
            owners=["Finance", "Procurement"],
            due=date(2018, 3, 31),
            due_label="due 31 Mar 2018 (in 5 days)",
            status="in_progress",
            rag="amber",
            updates=[f"15 Jan 2018 teams:someone: latest update on {i}"],
        )
        for i in range(60)
    ]
    today = date(2018, 4, 16)
    lines = [
        f"• *NCC:{i}.1* Overdue action {i} about the medium-term financial strategy: "
        f"Finance, due {today - timedelta(days=i):%d %b %Y} ({i} days ago)"
        for i in range(300)
    ]
    cases = {
        "60-action reminder": [Reply(title="60 actions to look at today", cards=cards)],
        "300-action digest": digest_replies(
            [Section("All overdue, oldest first (300)", lines)], title="Weekly digest"
        ),
    }
    for name, replies in cases.items():
        start = time.perf_counter()
        rendered = [c for r in replies for c in reply_cards(r)]
        took = (time.perf_counter() - start) * 1000
        biggest = max(card_size(c) for c in rendered)
        print(f"{name}: {len(rendered)} cards, largest {biggest:,} bytes, {took:.1f} ms")


def _latency(requests: int) -> None:
    clock = FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
    with (
        tempfile.TemporaryDirectory() as tmp,
        teams_world(f"sqlite:///{tmp}/register.db", clock=clock) as world,
    ):
        seed_sample(world.runtime, clock.now())
        owner = world.fake.add_user(
            "aaaaaaaa-0000-0000-0000-00000000f1a0", name="Fiona", email="finance@northants.example"
        )
        for _ in range(5):
            world.say(owner, "mine")  # warm up: links the owner, fetches the JWKS once
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = world.say(owner, "mine")
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"unexpected answer {response.status_code}: {response.text}")
    times.sort()
    quantiles = statistics.quantiles(times, n=100)
    print(
        f"Teams `mine` round trip, {requests} signed requests: p50 {quantiles[49]:.1f} ms, "
        f"p90 {quantiles[89]:.1f} ms, p99 {quantiles[98]:.1f} ms, max {times[-1]:.1f} ms"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args(argv)
    _render_figures()
    _latency(max(args.requests, 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
