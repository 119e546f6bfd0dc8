"""Loading the register into the plain facts the planner and the digest builder take."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.jobs.cover import Leave, Roster, Term
from bot.jobs.planner import DEFAULT_DAYS, ActionFacts, PersonFacts
from store.models import OPEN_STATUSES as OPEN
from store.models import Absence, Action, ActionOwner, Event, Owner, Person, Plan, Responsibility


@dataclass
class RegisterFacts:
    actions: list[ActionFacts]
    people: list[PersonFacts]
    # Owners with no person to reach: owner name → their open actions.
    unreachable: dict[str, list[ActionFacts]]
    # Escalation contacts of each action's owners ("email:…").
    contacts: dict[int, tuple[str, ...]]
    plans: dict[str, str] = field(default_factory=dict)  # code → name
    created: dict[int, datetime] = field(default_factory=dict)
    roster: Roster = field(default_factory=Roster)


def parse_days(text: str | None) -> tuple[int, ...]:
    if not text:
        return DEFAULT_DAYS
    return tuple(sorted({int(p) for p in text.replace(" ", "").split(",") if p}, reverse=True))


def load_facts(
    session: Session, *, default_days: tuple[int, ...], open_only: bool = True
) -> RegisterFacts:
    """Read the register with three Core queries (no ORM objects: a sweep reads every open
    action, and building 10,000 mapped objects costs more than the planning itself)."""
    plans = {
        row.id: row for row in session.execute(select(Plan.id, Plan.code, Plan.name, Plan.options))
    }
    query = select(
        Action.id,
        Action.plan_id,
        Action.ref,
        Action.title,
        Action.due_date,
        Action.status,
        Action.rag,
        Action.theme,
        Action.snoozed_until,
        Action.last_update_at,
        Action.escalated_on,
        Action.latest_update,
        Action.slip_count,
        Action.created_at,
    ).order_by(Action.plan_id, Action.position, Action.id)
    if open_only:
        query = query.where(Action.status.in_(OPEN))
    rows = session.execute(query).all()
    links: dict[int, list[tuple[str, int | None, str | None]]] = defaultdict(list)
    link_query = (
        select(ActionOwner.action_id, Owner.name, Owner.person_id, Owner.escalate_to)
        .join(Owner, Owner.id == ActionOwner.owner_id)
        .order_by(ActionOwner.action_id, ActionOwner.position)
    )
    for action_id, name, person_id, escalate_to in session.execute(link_query):
        links[action_id].append((name, person_id, escalate_to))
    tzs: dict[int, str | None] = {}
    for pid, tz in session.execute(select(Person.id, Person.tz)):
        tzs[pid] = tz

    by_person: dict[int, list[ActionFacts]] = defaultdict(list)
    unreachable: dict[str, list[ActionFacts]] = defaultdict(list)
    contacts: dict[int, tuple[str, ...]] = {}
    facts: list[ActionFacts] = []
    created: dict[int, datetime] = {}
    for row in rows:
        plan = plans[row.plan_id]
        options = plan.options or {}
        days = parse_days(options["nudge_days"]) if options.get("nudge_days") else default_days
        owners = links.get(row.id, [])
        fact = ActionFacts(
            action_id=row.id,
            plan_code=plan.code,
            ref=row.ref,
            title=row.title,
            due=row.due_date,
            status=row.status,
            rag=row.rag,
            owners=tuple(name for name, _, _ in owners),
            theme=row.theme,
            snoozed_until=row.snoozed_until,
            last_update=row.last_update_at,
            escalated_on=row.escalated_on,
            days=days,
            latest_update=row.latest_update,
            slip_count=row.slip_count,
        )
        facts.append(fact)
        created[row.id] = row.created_at
        if not fact.is_open:
            continue
        people_here: set[int] = set()
        escalate: list[str] = []
        for name, person_id, escalate_to in owners:
            if person_id is not None and person_id in tzs:
                people_here.add(person_id)
            else:
                unreachable[name].append(fact)
            if escalate_to:
                escalate.append(f"email:{escalate_to.lower()}")
        for person_id in people_here:
            by_person[person_id].append(fact)
        if escalate:
            contacts[row.id] = tuple(dict.fromkeys(escalate))
    people = [
        PersonFacts(recipient=f"person:{pid}", tz=tzs.get(pid) or "", actions=tuple(items))
        for pid, items in sorted(by_person.items())
    ]
    roster = load_roster(session, tzs=tzs)
    for name in [n for n in unreachable if any(t.until is None for t in roster.holders.get(n, ()))]:
        del unreachable[name]
    return RegisterFacts(
        facts,
        people,
        dict(unreachable),
        contacts,
        {p.code: p.name for p in plans.values()},
        created,
        roster,
    )


def load_roster(session: Session, *, tzs: dict[int, str | None]) -> Roster:
    """Holders, deputies, assignees and leave, as plain data for `bot.jobs.cover`. An owner
    mapped to one person before roles had history is held by that person throughout."""
    holders: dict[str, list[Term]] = defaultdict(list)
    deputies: dict[str, list[Term]] = defaultdict(list)
    assignees: dict[int, list[Term]] = defaultdict(list)
    names: dict[int, str] = {}
    for oid, name in session.execute(select(Owner.id, Owner.name)):
        names[oid] = name
    query = select(
        Responsibility.duty,
        Responsibility.owner_id,
        Responsibility.action_id,
        Responsibility.person_id,
        Responsibility.since,
        Responsibility.until,
    ).order_by(Responsibility.id)
    for duty, owner_id, action_id, person_id, since, until in session.execute(query):
        term = Term(f"person:{person_id}", since, until)
        if action_id is not None:
            assignees[action_id].append(term)
        elif owner_id in names:
            (holders if duty == "holder" else deputies)[names[owner_id]].append(term)
    for name, mapped in session.execute(
        select(Owner.name, Owner.person_id).where(Owner.person_id.is_not(None))
    ):
        if name not in holders:
            holders[name].append(Term(f"person:{mapped}"))
    leave: dict[str, list[Leave]] = defaultdict(list)
    for absence in session.scalars(select(Absence).order_by(Absence.first_day)):
        leave[f"person:{absence.person_id}"].append(
            Leave(absence.first_day, absence.last_day, absence.recorded_on, absence.note)
        )
    labels: dict[str, str] = {}
    emails: dict[str, str] = {}
    for pid, email, display in session.execute(
        select(Person.id, Person.email, Person.display_name)
    ):
        labels[f"person:{pid}"] = display or email or f"person {pid}"
        if email:
            emails[email.lower()] = f"person:{pid}"
    return Roster(
        holders={k: tuple(v) for k, v in holders.items()},
        deputies={k: tuple(v) for k, v in deputies.items()},
        assignees={k: tuple(v) for k, v in assignees.items()},
        leave={k: tuple(v) for k, v in leave.items()},
        tz={f"person:{pid}": tz or "" for pid, tz in tzs.items()},
        names=labels,
        emails=emails,
    )


@dataclass(frozen=True)
class EventFacts:
    action_id: int | None
    field: str
    old: str | None
    new: str | None
    note: str | None
    at: datetime
    actor: str


def events_since(session: Session, *, since: datetime) -> list[EventFacts]:
    rows = session.scalars(select(Event).where(Event.at >= since).order_by(Event.id))
    return [
        EventFacts(e.action_id, e.field, e.old_value, e.new_value, e.note, e.at, e.actor)
        for e in rows
    ]
