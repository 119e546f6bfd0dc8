"""`/action mine` latency over real HTTP, beside bare Bolt apps that only ack.

    .venv/bin/python bench/slack_latency.py [--requests 200] [--actions 10000]
        [--owners 1000] [--database-url URL]

Builds a register (a fresh SQLite file unless --database-url names an empty, migratable
database), serves the real actionbot ASGI app (inline=False, as in production) and two bare
slack_bolt AsyncApps whose /action listener only calls `await ack(answer)`, all under uvicorn
on loopback and talking to the fake Slack Web API. The floor is Bolt as it comes
(process_before_response=False), which answers on a 10 ms poll for the ack; the second bare
app (process_before_response=True) answers at once, which is what actionbot does
(bot/handlers/slack/answer.py), and shows the cost of everything but our own work. Sends
signed `/action mine` slash commands from random owners over keep-alive HTTP, taking the
apps in turn so all see the same machine state, and prints p50/p90/p99/max per app.

Client and servers share one process (and one GIL), as they do in tests/harness.py: the
figures include that contention for both apps alike. The script prints figures; it never
fails because of them (exit 0), only when an answer is wrong.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, insert, select, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.app.asgi import build_app
from bot.app.serve import freeze_startup_heap
from bot.core.clock import FixedClock
from bot.core.runtime import open_runtime
from store.db import make_engine, make_session_factory, transaction, upgrade
from store.models import OPEN_STATUSES, Action, ActionOwner, Owner, Person, Plan

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/slack_latency.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

from tests.fakes.signing import sign, slash_command_body  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.harness import SECRET, TOKEN, make_settings, serve_in_thread  # noqa: E402

Serve = Callable[[Any], AbstractContextManager[str]]

AIM_P99_MS = 50.0
SLACK_LIMIT_MS = 3000.0
WARMUP = 10
SEED = 20180115

# (status, weight): half of all actions open, as in a live register.
STATUS_WEIGHTS = (
    ("not_started", 25),
    ("in_progress", 20),
    ("blocked", 5),
    ("done", 40),
    ("cancelled", 10),
)
RAG_WEIGHTS = ((None, 40), ("green", 35), ("amber", 18), ("red", 7))
OWNERS_PER_ACTION = ((1, 35), (2, 35), (3, 30))  # ~1.95 owners per action
ROLES = (
    "Head of Finance",
    "Service Manager",
    "Procurement Lead",
    "Programme Officer",
    "Data Protection Officer",
    "Assistant Director",
    "Team Leader",
    "Business Partner",
)
AREAS = (
    "Adult Social Care",
    "Children's Services",
    "Highways",
    "Housing",
    "Libraries",
    "Planning",
    "Revenues and Benefits",
    "Waste",
)
VERBS = ("Review", "Agree", "Publish", "Implement", "Report on", "Reconcile", "Train staff on")
OBJECTS = (
    "the budget monitoring process",
    "the medium-term financial strategy",
    "contract register entries",
    "the debt recovery policy",
    "savings delivery plans",
    "the capital programme",
    "month-end closedown",
    "the scheme of delegation",
)


@dataclass(frozen=True)
class Register:
    plans: int
    actions: int
    open_actions: int
    open_links: int
    owners: int
    links: int
    slack_users: list[str]


@dataclass(frozen=True)
class Figures:
    name: str
    samples_ms: list[float]

    def pct(self, q: float) -> float:
        """Nearest-rank percentile (p99 of 200 samples is the 198th fastest)."""
        ordered = sorted(self.samples_ms)
        rank = max(1, math.ceil(q * len(ordered)))
        return ordered[rank - 1]

    @property
    def p50(self) -> float:
        return self.pct(0.50)

    @property
    def p90(self) -> float:
        return self.pct(0.90)

    @property
    def p99(self) -> float:
        return self.pct(0.99)

    @property
    def max(self) -> float:
        return max(self.samples_ms)


def _weighted(rng: random.Random, table: Sequence[tuple[Any, int]]) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


# -- the register ----------------------------------------------------------------------------


def build_register(url: str, *, actions: int, owners: int, today: date, seed: int) -> Register:
    """Migrate `url` and fill it with bulk inserts: plans, people, owners, actions, links."""
    rng = random.Random(seed)
    engine = make_engine(url)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
        plan_count = max(1, min(5, actions // 200))
        with transaction(sessions) as session:
            if session.scalar(select(func.count()).select_from(Action)):
                raise SystemExit(f"{url} already holds actions: give an empty database")
            # Ids given, not returned: the database is empty, and a plain executemany of
            # 100,000 rows is many times faster than one that must hand every id back.
            plan_ids = list(range(1, plan_count + 1))
            session.execute(
                insert(Plan),
                [
                    {
                        "id": plan_ids[p],
                        "code": f"BENCH{p + 1}",
                        "name": f"Improvement plan {p + 1}",
                        "source_file": f"bench-plan-{p + 1}.csv",
                        "default_due": today + timedelta(days=180),
                        "created_at": now,
                        "updated_at": now,
                    }
                    for p in range(plan_count)
                ],
            )
            slack_users = [f"U{i:04d}" for i in range(owners)]
            person_ids = list(range(1, owners + 1))
            session.execute(
                insert(Person),
                [
                    {
                        "id": person_ids[i],
                        "email": f"owner{i:04d}@council.example",
                        "display_name": f"Owner {i:04d}",
                        "slack_user_id": slack_users[i],
                        # People who have used actionbot in Slack before, the steady state:
                        # a person's very first command records the platform, once.
                        "last_platform": "slack",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(owners)
                ],
            )
            owner_names = [
                f"{ROLES[i % len(ROLES)]}, {AREAS[(i // len(ROLES)) % len(AREAS)]} ({i:04d})"
                for i in range(owners)
            ]
            owner_ids = list(range(1, owners + 1))
            session.execute(
                insert(Owner),
                [
                    {
                        "id": owner_ids[i],
                        "name": owner_names[i],
                        "person_id": person_ids[i],
                        "created_at": now,
                    }
                    for i in range(owners)
                ],
            )
            action_rows: list[dict[str, Any]] = []
            chosen_owners: list[list[int]] = []
            open_count = open_links = 0
            for n in range(actions):
                plan_index = n % plan_count
                position = n // plan_count
                status = _weighted(rng, STATUS_WEIGHTS)
                picked = rng.sample(range(owners), min(owners, _weighted(rng, OWNERS_PER_ACTION)))
                if status in OPEN_STATUSES:
                    open_count += 1
                    open_links += len(picked)
                due = (
                    None if rng.random() < 0.05 else today + timedelta(days=rng.randint(-120, 365))
                )
                chosen_owners.append(picked)
                action_rows.append(
                    {
                        "id": n + 1,
                        "plan_id": plan_ids[plan_index],
                        "ref": f"{position // 20 + 1}.{position % 20 + 1}",
                        "position": position,
                        "title": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} "
                        f"in {rng.choice(AREAS)}",
                        "tasks": [],
                        "theme": rng.choice(AREAS),
                        "section": f"Section {position // 20 + 1}",
                        "owners_text": "; ".join(owner_names[i] for i in picked),
                        "target_date": due,
                        "target_text": due.isoformat() if due else "TBC",
                        "milestones": [],
                        "due_date": due,
                        "slip_count": 0,
                        "status": status,
                        "rag": _weighted(rng, RAG_WEIGHTS),
                        "flags": [],
                        "extra": {},
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            session.execute(insert(Action), action_rows)
            action_ids = [row["id"] for row in action_rows]
            links = [
                {"action_id": action_id, "owner_id": owner_ids[i], "position": position}
                for action_id, picked in zip(action_ids, chosen_owners, strict=True)
                for position, i in enumerate(picked)
            ]
            session.execute(insert(ActionOwner), links)
            if engine.dialect.name == "postgresql":
                # Ids were given: move each sequence past them, as inserts by the app expect.
                for table in ("plan", "person", "owner", "action"):
                    session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
        if engine.dialect.name == "postgresql":
            # A live register's tables have statistics (autovacuum analyzes them); a freshly
            # loaded one has none, and PostgreSQL then plans `/action mine`'s two joins as
            # scans: 18-23 ms per request instead of 4-5 ms. As sweep_bench does.
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE"
                )
        return Register(
            plans=plan_count,
            actions=actions,
            open_actions=open_count,
            open_links=open_links,
            owners=owners,
            links=len(links),
            slack_users=slack_users,
        )
    finally:
        engine.dispose()


# -- serving -----------------------------------------------------------------------------------


# -- the two apps ------------------------------------------------------------------------------


def floor_answer(cards: int = 10) -> dict[str, Any]:
    """What the floor acks with: a `/action mine`-sized message (`cards` action cards),
    rendered once at start, so both apps send answers of the same size class."""
    from bot.core.messages import ActionCard, Reply
    from bot.render.blocks import reply_message

    sample = Reply(
        title=f"{cards} open actions of yours",
        cards=[
            ActionCard(
                action_id=n,
                plan_code="NCC",
                ref=f"{n}.1",
                title="Review the corporate risk register with every service area " * 2,
                owners=["Head of Finance, Corporate Services (0001)"],
                due=None,
                due_label="due in 3 weeks (Mon 14 Dec)",
                status="in_progress",
                rag="amber",
            )
            for n in range(1, cards + 1)
        ],
    )
    return reply_message(sample)


def bare_bolt_app(fake: FakeSlackAPI, *, process_before_response: bool = False) -> Starlette:
    """The floor: Bolt + Starlette adapter + signature check, a listener that only acks,
    with a ready-made answer the size of actionbot's (see `floor_answer`). Bolt's default
    (False) answers on its first 10 ms poll after the ack; True answers at the ack."""
    answer = floor_answer()
    bolt = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=fake.base_url),
        signing_secret=SECRET,
        process_before_response=process_before_response,
    )

    async def ack_only(ack: AsyncAck) -> None:
        await ack(response_type="ephemeral", **answer)

    bolt.command("/action")(ack_only)
    handler = AsyncSlackRequestHandler(bolt)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", slack_events, methods=["POST"])])


UNPOLLED = "bare Bolt at the ack"


@dataclass(frozen=True)
class Latency:
    bot: Figures  # actionbot
    bare: Figures  # the floor: Bolt as it comes, answering on its 10 ms poll for the ack
    unpolled: Figures  # Bolt with process_before_response=True: answers at the ack


@dataclass
class Target:
    name: str
    base: str
    http: httpx.Client
    expect_blocks: bool
    samples_ms: list[float]

    def hit(self, user: str, response_url: str) -> float:
        """One signed `/action mine`; checks the answer; returns wall time in ms."""
        body = slash_command_body("mine", user_id=user, response_url=response_url)
        headers = sign(body, secret=SECRET, timestamp=int(time.time()))
        url, content = f"{self.base}/slack/events", body.encode()
        started = time.perf_counter()
        response = self.http.post(url, content=content, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"{self.name}: HTTP {response.status_code} for {user}")
        if self.expect_blocks:
            blocks = response.json().get("blocks") if response.content else None
            if not blocks:
                raise RuntimeError(f"{self.name}: no blocks in the answer to {user}")
        return elapsed


@contextmanager
def _client() -> Iterator[httpx.Client]:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with httpx.Client(timeout=10, limits=limits) as client:
        yield client


def measure(
    url: str, register: Register, *, requests: int, today: date, seed: int, serve: Serve
) -> Latency:
    rng = random.Random(seed + 1)
    clock = FixedClock(
        datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    )
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        for i, user in enumerate(register.slack_users):
            fake.add_user(user, email=f"owner{i:04d}@council.example")
        runtime = open_runtime(make_settings(url, fake), clock=clock)
        try:
            service = build_app(runtime, inline=False)
            freeze_startup_heap()  # as `actionbot serve` does once started
            with (
                serve(service.asgi) as bot_base,
                serve(bare_bolt_app(fake)) as bare_base,
                serve(bare_bolt_app(fake, process_before_response=True)) as unpolled_base,
                _client() as bot_http,
                _client() as bare_http,
                _client() as unpolled_http,
            ):
                targets = [
                    Target("actionbot /action mine", bot_base, bot_http, True, []),
                    Target("bare Bolt ack(answer)", bare_base, bare_http, True, []),
                    Target(UNPOLLED, unpolled_base, unpolled_http, True, []),
                ]
                response_url = fake.response_url("bench")
                for n in range(WARMUP + requests):
                    user = rng.choice(register.slack_users)
                    # Rotate who goes first, so no app always follows another.
                    turn = n % len(targets)
                    for target in targets[turn:] + targets[:turn]:
                        elapsed = target.hit(user, response_url)
                        if n >= WARMUP:
                            target.samples_ms.append(elapsed)
        finally:
            runtime.engine.dispose()
        if fake.server_errors:
            raise RuntimeError(f"fake Slack raised: {fake.server_errors[0]!r}")
    bot, bare, unpolled = (Figures(t.name, t.samples_ms) for t in targets)
    return Latency(bot, bare, unpolled)


# -- report ------------------------------------------------------------------------------------


def report(register: Register, latency: Latency, *, database: str, server: str) -> str:
    bot, bare = latency.bot, latency.bare
    lines = [
        f"register: {register.actions:,} actions ({register.open_actions:,} open) in "
        f"{register.plans} plans, {register.owners:,} owners linked to Slack users, "
        f"{register.links:,} owner links ({register.links / register.owners:.1f} actions "
        f"per owner, {register.open_links / register.owners:.1f} of them open)",
        f"database: {database}",
        f"requests: {len(bot.samples_ms)} per app after {WARMUP} warm-up, signed, over "
        "keep-alive HTTP on loopback, apps alternating",
        f"server: uvicorn in a thread, {server}",
        "",
        f"{'app':<24} {'requests':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}",
    ]
    for figures in (bot, bare, latency.unpolled):
        lines.append(
            f"{figures.name:<24} {len(figures.samples_ms):>8} {figures.p50:>8.1f} "
            f"{figures.p90:>8.1f} {figures.p99:>8.1f} {figures.max:>8.1f}"
        )
    verdict = "meets" if bot.p99 < AIM_P99_MS else "MISSES"
    lines += [
        "",
        f"actionbot p99 {bot.p99:.1f} ms {verdict} the {AIM_P99_MS:.0f} ms aim "
        f"(bare Bolt p99 {bare.p99:.1f} ms, {latency.unpolled.p99:.1f} ms answering at the "
        f"ack; Slack allows {SLACK_LIMIT_MS:,.0f} ms)",
    ]
    return "\n".join(lines)


def run(
    database_url: str | None,
    *,
    actions: int,
    owners: int,
    requests: int,
    seed: int = SEED,
    serve: Serve = serve_in_thread,
) -> tuple[Register, Latency, float]:
    """Build a register (in `database_url`, an empty database, or a temporary SQLite file)
    and time the apps; returns the register, the apps' figures and the build time."""
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory(prefix="actionbot-bench-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'register.db'}"
        started = time.perf_counter()
        register = build_register(url, actions=actions, owners=owners, today=today, seed=seed)
        built = time.perf_counter() - started
        gc.collect()  # the builder's garbage is not the server's to collect mid-measurement
        latency = measure(url, register, requests=requests, today=today, seed=seed, serve=serve)
    return register, latency, built


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--owners", type=int, default=1_000)
    parser.add_argument(
        "--database-url", default=None, help="an empty database (default: temp SQLite)"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.requests < 1 or args.actions < 1 or args.owners < 1:
        parser.error("--requests, --actions and --owners must be positive")
    register, latency, built = run(
        args.database_url,
        actions=args.actions,
        owners=args.owners,
        requests=args.requests,
        seed=args.seed,
    )
    database = "temporary SQLite file" if args.database_url is None else "--database-url"
    server = "TCP_NODELAY socket as under `actionbot serve`"
    print(report(register, latency, database=f"{database} (built in {built:.1f} s)", server=server))
    return 0


if __name__ == "__main__":
    sys.exit(main())
