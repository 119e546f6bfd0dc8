"""The sweep reads only a window of the register, and plans exactly what a full read plans.

A mixed register (zones from Auckland to Los Angeles, a plan with its own schedule, undated,
snoozed, escalated and closed actions, owners nobody is mapped to) is swept day by day across
month starts, Easter and Christmas, at hours when owners' local days differ: the planner given
the windowed facts says the same as the planner given every open action.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.calendar import calendar_for
from bot.core.schedule import DEFAULT_DAYS
from bot.jobs.cover import plan_reminders
from bot.jobs.facts import RegisterFacts, load_facts, sweep_facts
from bot.jobs.planner import PersonFacts, escalations, local_day, plan_nudges
from store.db import make_engine, make_session_factory
from store.models import Absence, Action, ActionOwner, Owner, Person, Plan, Responsibility

NOW = datetime(2017, 11, 1, tzinfo=UTC)
ZONES = ("Europe/London", "Pacific/Auckland", "America/Los_Angeles", None)
STATUSES = ("not_started", "in_progress", "blocked", "done", "cancelled")


def _register(session: Session, rng: random.Random, actions: int = 400) -> None:
    session.add_all(
        [
            Plan(id=1, code="A", name="Plan A", created_at=NOW, updated_at=NOW),
            Plan(
                id=2,
                code="B",
                name="Plan B",
                options={"nudge_days": "30,14,1,0"},
                created_at=NOW,
                updated_at=NOW,
            ),
        ]
    )
    session.flush()
    session.execute(
        insert(Person),
        [
            {"id": i, "email": f"p{i}@x.example", "tz": ZONES[i % 4], "created_at": NOW}
            for i in range(1, 21)
        ],
    )
    session.execute(
        insert(Owner),
        [
            {
                "id": i,
                "name": f"Owner {i}",
                "person_id": i if i <= 20 else None,  # 21..24: nobody mapped
                "escalate_to": f"boss{i % 3}@x.example" if i % 5 == 0 else None,
                "created_at": NOW,
            }
            for i in range(1, 25)
        ],
    )
    rows, links = [], []
    for i in range(1, actions + 1):
        due = None if i % 17 == 0 else date(2017, 10, 1) + timedelta(days=rng.randint(0, 300))
        rows.append(
            {
                "id": i,
                "plan_id": 1 + i % 2,
                "ref": str(i),
                "position": rng.randint(0, 50),
                "title": f"Action {i}",
                "tasks": [],
                "milestones": [],
                "flags": [],
                "extra": {},
                "due_date": due,
                "status": rng.choice(STATUSES),
                "snoozed_until": date(2018, 1, 10) if i % 23 == 0 else None,
                "escalated_on": due + timedelta(days=15) if due and i % 7 == 0 else None,
                "last_update_at": (datetime(2017, 12, 1, tzinfo=UTC) if i % 11 == 0 else None),
                "slip_count": 0,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        for position, owner in enumerate(rng.sample(range(1, 25), rng.randint(1, 3))):
            links.append({"action_id": i, "owner_id": owner, "position": position})
    session.execute(insert(Action), rows)
    session.execute(insert(ActionOwner), links)


def _planned(facts: RegisterFacts, now: datetime) -> tuple[object, ...]:
    cal = calendar_for("GB-ENG")
    people = [PersonFacts(p.recipient, p.tz or "Europe/London", p.actions) for p in facts.people]
    nudges = [
        (m.recipient, m.kind, m.day, m.items) for m in plan_nudges(people, now=now, cal=cal, hour=9)
    ]
    today, _ = local_day(now, "Europe/London")
    found = escalations(facts.actions, facts.contacts, today=today, cal=cal)
    unreachable = {o: [a.action_id for a in acts] for o, acts in facts.unreachable.items()}
    return nudges, found, unreachable


def test_windowed_facts_plan_what_the_whole_register_plans(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions: sessionmaker[Session] = make_session_factory(engine)
    try:
        with sessions.begin() as session:
            _register(session, random.Random(15))
        cal = calendar_for("GB-ENG")
        days = [date(2017, 11, 27) + timedelta(days=n) for n in range(0, 150, 1)]
        compared = windowed = whole = 0
        with sessions() as session:
            total = session.scalar(select(func.count()).select_from(Action))
            for n, day in enumerate(days):
                # 09:30 and 23:30 UTC: London's morning, then Auckland already in tomorrow.
                hour = 9 if n % 2 else 23
                now = datetime.combine(day, datetime.min.time(), UTC).replace(hour=hour, minute=30)
                full = load_facts(session, default_days=DEFAULT_DAYS)
                window = sweep_facts(session, default_days=DEFAULT_DAYS, now=now, cal=cal)
                assert _planned(window, now) == _planned(full, now), now
                compared += 1
                windowed += len(window.actions)
                whole += len(full.actions)
        assert compared == len(days)
        assert total == 400
        # A window, not the register: on most days far fewer actions are read.
        assert windowed < whole * 0.6, (windowed, whole)
    finally:
        engine.dispose()


def _reminders(facts: RegisterFacts, now: datetime) -> list[tuple[object, ...]]:
    cal = calendar_for("GB-ENG")
    planned = plan_reminders(
        [a for a in facts.actions if a.is_open],
        facts.roster,
        now=now,
        cal=cal,
        default_tz="Europe/London",
    )
    return [(m.recipient, m.day, m.items, m.note) for m in planned]


def test_windowed_facts_and_roster_plan_what_the_whole_register_plans_with_leave(
    db_url: str,
) -> None:
    """Leave, deputies and held reminders: the sweep's narrowed roster (only the owners of
    the actions it read) and its window (the days held for people back today included)
    route exactly what every owner's roster and every open action route."""
    engine = make_engine(db_url)
    sessions: sessionmaker[Session] = make_session_factory(engine)
    try:
        with sessions.begin() as session:
            _register(session, random.Random(7), actions=250)
            rng = random.Random(8)
            absences = []
            for person in range(1, 21):
                start = date(2017, 12, 1) + timedelta(days=rng.randint(0, 40))
                length = rng.choice((1, 4, 9, 16))
                absences.append(
                    {
                        "person_id": person,
                        "first_day": start,
                        "last_day": start + timedelta(days=length),
                        "recorded_on": start - timedelta(days=rng.choice((-2, 3, 20))),
                        "created_at": NOW,
                    }
                )
            session.execute(insert(Absence), absences)
            session.execute(
                insert(Responsibility),
                [
                    {"duty": "deputy", "owner_id": o, "person_id": o % 20 + 1, "created_at": NOW}
                    for o in range(1, 25, 3)
                ],
            )
        cal = calendar_for("GB-ENG")
        held = 0
        with sessions() as session:
            for n in range(60):
                day = date(2017, 12, 1) + timedelta(days=n)
                now = datetime.combine(day, datetime.min.time(), UTC).replace(hour=10)
                full = load_facts(session, default_days=DEFAULT_DAYS)
                window = sweep_facts(session, default_days=DEFAULT_DAYS, now=now, cal=cal)
                whole = _reminders(full, now)
                assert _reminders(window, now) == whole, now
                held += sum(1 for *_, note in whole if note)
        assert held > 0  # some people came back to held reminders
    finally:
        engine.dispose()
