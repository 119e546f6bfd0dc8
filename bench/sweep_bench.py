"""Reminder sweep cost against register size (issue 15): plan + outbox write, rows read, RSS.

Each size gets a fresh register (the nudge bench's: due dates over four months, 1 owner per
10 actions); the sweep itself runs in a child process so its peak RSS is its own.

    .venv/bin/python bench/sweep_bench.py [--sizes 10000,100000] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, literal, literal_column, select  # noqa: E402

from bench.nudge_bench import NOW, populate  # noqa: E402
from bench.postgres import postgres  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.models import Action, ActionOwner, Owner, Person  # noqa: E402
from tests.fakes.slack_api import FakeSlackAPI  # noqa: E402
from tests.harness import TOKEN, make_settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def child(url: str) -> dict[str, Any]:
    """One dry sweep (planning), then one real sweep (planning + outbox write), timed."""
    from bot.core.calendar import calendar_for
    from bot.core.runtime import open_runtime
    from bot.core.schedule import parse_days
    from bot.jobs.facts import sweep_facts
    from bot.jobs.runner import run_sweep

    with FakeSlackAPI(bot_token=TOKEN) as fake:
        rt = open_runtime(make_settings(url, fake))
        with rt.sessions() as session:
            facts = sweep_facts(
                session,
                default_days=parse_days(rt.settings.nudge_days),
                now=NOW,
                cal=calendar_for(rt.settings.holiday_region),
            )
        started = time.perf_counter()
        dry = run_sweep(rt, now=NOW, dry_run=True)
        plan_s = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        real = run_sweep(rt, now=NOW)
        write_s = time.perf_counter() - started
        # This process's CPU: what a busy machine does not inflate (PostgreSQL's own work
        # is in its server's processes, so there it is the client's share only).
        write_cpu_s = time.process_time() - cpu
        rt.engine.dispose()
    return {
        "plan_s": plan_s,
        "write_s": write_s,
        "write_cpu_s": write_cpu_s,
        "messages": len(dry.messages),
        "enqueued": real.enqueued,
        "rows_read": len(facts.actions),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


BASE = 10_000  # actions written row by row; larger registers are copies of these, in SQL
SPREAD_ABOVE = 100_000  # beyond this, copies are history and future (see populate_scaled)


def populate_scaled(url: str, *, actions: int) -> int:
    """The nudge bench's register (1 owner per 10 actions, due dates over four months), grown
    by copying it in SQL: fast enough for a million actions in `make bench`. Returns owners.

    The first 100,000 actions are copies with the same due dates (the issue's case: a whole
    register due within four months). Past that, copies are history and future: even ones a
    year and more in the past and closed (done), odd ones a year and more ahead. So a
    1,000,000-action register has exactly the 100,000-action register's work today, inside
    ten times the rows: what the sweep costs then shows whether cost follows the work.
    """
    base = min(actions, BASE)
    base_owners = max(10, base // 10)
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        populate(url, fake, actions=base, owners=base_owners)
    copies = actions // base
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        for k in range(1, copies):
            past = False
            shift = 0
            if k * base >= SPREAD_ABOVE:
                past = k % 2 == 0
                shift = (365 + k * 7) * (-1 if past else 1)
            people, owners = k * base_owners, k * base_owners
            conn.execute(
                insert(Person).from_select(
                    ["id", "email", "slack_user_id", "tz", "created_at", "updated_at"],
                    select(
                        Person.id + people,
                        literal(f"c{k}.") + Person.email,
                        Person.slack_user_id + literal(f"C{k}"),
                        Person.tz,
                        Person.created_at,
                        Person.updated_at,
                    ).where(Person.id <= base_owners),
                )
            )
            conn.execute(
                insert(Owner).from_select(
                    ["id", "name", "person_id", "created_at"],
                    select(
                        Owner.id + owners,
                        Owner.name + literal(f" c{k}"),
                        Owner.person_id + people,
                        Owner.created_at,
                    ).where(Owner.id <= base_owners),
                )
            )
            due = (
                func.date(Action.due_date, f"{shift:+d} days")
                if sqlite
                else Action.due_date + literal_column(str(shift))
            )
            copied = [c.name for c in Action.__table__.columns]
            exprs = {
                "id": Action.id + k * base,
                "ref": Action.ref + literal(f"c{k}"),
                "position": Action.position + k * base,
                "due_date": due,
                "status": literal("done") if past else Action.status,
            }
            conn.execute(
                insert(Action).from_select(
                    copied,
                    select(*[exprs.get(name, Action.__table__.c[name]) for name in copied]).where(
                        Action.id <= base
                    ),
                )
            )
            conn.execute(
                insert(ActionOwner).from_select(
                    ["action_id", "owner_id", "position"],
                    select(
                        ActionOwner.action_id + k * base,
                        ActionOwner.owner_id + owners,
                        ActionOwner.position,
                    ).where(ActionOwner.action_id <= base),
                )
            )
        if not sqlite:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return base_owners * copies


def measure(url: str, *, actions: int) -> dict[str, Any]:
    started = time.perf_counter()
    owners = populate_scaled(url, actions=actions)
    setup_s = time.perf_counter() - started
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", url],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures.update(actions=actions, owners=owners, setup_s=setup_s)
    return figures


def line(backend: str, f: dict[str, Any]) -> str:
    return (
        f"{backend:10} {f['actions']:>9,} actions {f['owners']:>7,} owners: "
        f"plan {f['plan_s'] * 1000:7.0f} ms, plan + outbox write {f['write_s'] * 1000:7.0f} ms "
        f"({f['enqueued']:,} messages), rows read {f['rows_read']:,}, "
        f"peak RSS {f['rss_mb']:.0f} MB  [aim < 1000 ms at 100,000]"
    )


def run(sizes: list[int], *, pg_sizes: list[int]) -> dict[str, dict[int, dict[str, Any]]]:
    results: dict[str, dict[int, dict[str, Any]]] = {"sqlite": {}, "postgresql": {}}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            results["sqlite"][size] = measure(f"sqlite:///{tmp}/sweep.db", actions=size)
        print(line("sqlite", results["sqlite"][size]), flush=True)
    if pg_sizes:
        with postgres() as pg:
            for size in pg_sizes:
                results["postgresql"][size] = measure(pg.new_database(), actions=size)
                print(line("postgresql", results["postgresql"][size]), flush=True)
                pg.drop_all()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--pg-sizes", default="", help="PostgreSQL sizes (default: none)")
    parser.add_argument("--child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    pg_sizes = [int(s) for s in args.pg_sizes.split(",") if s]
    run(sizes, pg_sizes=pg_sizes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
