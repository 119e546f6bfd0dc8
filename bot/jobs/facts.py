"""Loading the register into the plain facts the planner and the digest builder take."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, overload

from sqlalchemy import bindparam, func, or_, select, true
from sqlalchemy.orm import Session

from bot.core.calendar import WorkingCalendar
from bot.core.schedule import parse_days
from bot.jobs.cover import LOOK_BACK, Leave, Roster, Term
from bot.jobs.planner import (
    CHECK_IN_AFTER_DAYS,
    ESCALATE_AFTER,
    ActionFacts,
    PersonFacts,
)
from store.models import OPEN_STATUSES as OPEN
from store.models import Absence, Action, ActionOwner, Event, Owner, Person, Plan, Responsibility
from store.sql import among


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


ACTION_COLUMNS = (
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
)
REGISTER_ORDER = (Action.plan_id, Action.position, Action.id)


def load_facts(
    session: Session, *, default_days: tuple[int, ...], open_only: bool = True
) -> RegisterFacts:
    """Read the register with three Core queries (no ORM objects: a digest reads every open
    action, and building 10,000 mapped objects costs more than the planning itself)."""
    plans = _plans(session)
    query = select(*ACTION_COLUMNS).order_by(*REGISTER_ORDER)
    if open_only:
        query = query.where(Action.status.in_(OPEN))
    rows = session.execute(query).all()
    link_query = (
        select(ActionOwner.action_id, Owner.name, Owner.person_id, Owner.escalate_to)
        .join(Owner, Owner.id == ActionOwner.owner_id)
        .order_by(ActionOwner.action_id, ActionOwner.position)
    )
    tzs: dict[int, str | None] = dict(session.execute(select(Person.id, Person.tz)).all())
    return _build(session, rows, session.execute(link_query), tzs, plans, default_days)


def sweep_facts(
    session: Session,
    *,
    default_days: tuple[int, ...],
    now: datetime,
    cal: WorkingCalendar,
) -> RegisterFacts:
    """The facts a reminder sweep at `now` needs, read through the due-date index.

    The open actions that can have a reason today (a reminder before or on the due date, a
    weekly overdue reminder, a monthly check-in, an escalation) on any local day `now` can
    be somewhere in the world, plus every open action of an owner nobody is mapped to (the
    admin summary counts them). A superset of what the planner picks, never the whole
    register: the planner (a pure function of facts and time) still decides.
    """
    plans = _plans(session)
    # Core on the session's connection: these are plain rows, and the ORM's result handling
    # would only add cost.
    conn = session.connection()
    rows: dict[int, Any] = {}
    for query in sweep_queries(session, plans=plans, default_days=default_days, now=now, cal=cal):
        for row in conn.execute(query):
            rows.setdefault(row.id, row)
    live = [row for row in rows.values() if row.plan_id in plans]
    ordered = sorted(live, key=lambda r: (r.plan_id, r.position, r.id))
    ids = sorted(row.id for row in live)
    dialect = conn.dialect.name
    link_rows: list[Any] = []
    owner_ids: set[int] = set()
    for condition in among(ActionOwner.action_id, ids, dialect=dialect):
        for action_id, owner_id, name, person_id, escalate_to in conn.execute(
            select(ActionOwner.action_id, Owner.id, Owner.name, Owner.person_id, Owner.escalate_to)
            .join(Owner, Owner.id == ActionOwner.owner_id)
            .where(condition)
            .order_by(ActionOwner.action_id, ActionOwner.position)
        ):
            link_rows.append((action_id, name, person_id, escalate_to))
            owner_ids.add(owner_id)
    # The roster of these actions' owners only (holders, deputies, assignees, their leave and
    # zones): a register of 100,000 owners costs a sweep no more than the owners it reminds.
    roster = load_roster(
        session,
        owner_ids=sorted(owner_ids),
        action_ids=ids,
        contacts={e.lower() for _, _, _, e in link_rows if e},
    )
    tzs = roster.person_tzs
    return _build(session, ordered, link_rows, tzs, plans, default_days, roster=roster)


CHUNK = 5_000  # ids per IN list: well under SQLite's and PostgreSQL's bound-parameter limits


def sweep_queries(
    session: Session,
    *,
    plans: dict[int, Any],
    default_days: tuple[int, ...],
    now: datetime,
    cal: WorkingCalendar,
) -> list[Any]:
    """The queries that together read every open action a sweep at `now` may plan for.

    Each is one index search, not an OR the database would answer by scanning: due dates
    through ix_action_due_open (status, due_date), owners' actions from the owner side.
    """
    columns = (*ACTION_COLUMNS, Action.position)
    # Written out, not bound: only then can the databases match the condition of the
    # partial index ix_action_open_due (open actions by due date).
    is_open = Action.status.in_(bindparam("open", list(OPEN), expanding=True, literal_execute=True))
    # Local days from UTC-12 to UTC+14: every day an owner can be living in at `now`.
    today = {(now + timedelta(hours=h)).date() for h in (-12, 0, 14)}
    # And the days whose reminders were held for somebody back from leave today: they get
    # them now (bot.jobs.cover), so the actions with a reason on those days are read too.
    days = sorted(today | held_days(session, first=min(today), last=max(today), cal=cal))
    longest = max(
        [*default_days, 0]
        + [
            max(parse_days(p.options["nudge_days"]), default=0)
            for p in plans.values()
            if p.options and p.options.get("nudge_days")
        ]
    )
    earliest = session.scalar(select(func.min(Action.due_date)).where(is_open))
    dates: set[date] = set()
    queries: list[Any] = []
    for day in days:
        # Days off after `day`: a reminder falling on one is sent on `day` instead.
        gap = 0
        while gap < 7 and not cal.is_working_day(day + timedelta(days=gap + 1)):
            gap += 1
        # Before and on the due date: the longest schedule, pulled back over days off.
        dates.update(day + timedelta(days=n) for n in range(longest + gap + 1))
        if earliest is not None and earliest < day:
            if gap >= 6:
                queries.append(select(*columns).where(is_open, Action.due_date < day))
            else:
                # Weekly while overdue: due a whole number of weeks before (or, pulled back
                # over days off, just after) this day.
                week = 7
                while day - timedelta(days=week) >= earliest - timedelta(days=gap):
                    back = day - timedelta(days=week)
                    dates.update(back + timedelta(days=n) for n in range(gap + 1))
                    week += 7
        if day == cal.first_working_day_of_month(day):
            # Monthly check-ins: actions with no date, and those more than 60 days away.
            far = day + timedelta(days=CHECK_IN_AFTER_DAYS)
            queries.append(select(*columns).where(is_open, Action.due_date > far))
            queries.append(select(*columns).where(is_open, Action.due_date.is_(None)))
    ordered = sorted(dates)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        queries.append(select(*columns).where(is_open, Action.due_date.in_(chunk)))
    # From the owner side: escalation candidates (at least ESCALATE_AFTER working days
    # overdue, not escalated since the due date, somebody to escalate to), and every open
    # action of an owner nobody is mapped to (the admin summary counts them).
    # Owners first (a short table), then their actions through the owner_id index.
    owned = select(*columns).join(ActionOwner, ActionOwner.action_id == Action.id).where(is_open)
    contacts = list(session.scalars(select(Owner.id).where(Owner.escalate_to.is_not(None))))
    unmapped = list(session.scalars(select(Owner.id).where(Owner.person_id.is_(None))))
    for start in range(0, len(contacts), CHUNK):
        queries.append(
            owned.where(
                ActionOwner.owner_id.in_(contacts[start : start + CHUNK]),
                Action.due_date <= days[-1] - timedelta(days=ESCALATE_AFTER),
                or_(Action.escalated_on.is_(None), Action.escalated_on <= Action.due_date),
            )
        )
    for start in range(0, len(unmapped), CHUNK):
        queries.append(owned.where(ActionOwner.owner_id.in_(unmapped[start : start + CHUNK])))
    return queries


HELD_GAP = 14  # days: the longest run of days off between leave and a first day back


def held_days(session: Session, *, first: date, last: date, cal: WorkingCalendar) -> set[date]:
    """Working days of leave (recorded before the day) ending shortly before [first, last],
    and of the leave just before those: the days a first day back may bring reminders from.
    Leave is a short table, read by date."""
    found: set[date] = set()
    since = first - timedelta(days=HELD_GAP)
    seen: set[int] = set()
    while True:
        rows = session.execute(
            select(Absence.id, Absence.first_day, Absence.last_day, Absence.recorded_on).where(
                Absence.last_day >= since, Absence.last_day <= last, Absence.first_day <= last
            )
        ).all()
        new = [r for r in rows if r.id not in seen]
        if not new:
            return found
        for absence_id, start, end, recorded in new:
            seen.add(absence_id)
            day = max(start, recorded + timedelta(days=1))
            while day <= min(end, last):
                if cal.is_working_day(day):
                    found.add(day)
                day += timedelta(days=1)
        earliest = min(r.first_day for r in new) - timedelta(days=HELD_GAP)
        if earliest >= since or (first - earliest).days > LOOK_BACK:
            return found
        since = earliest


def _plans(session: Session) -> dict[int, Any]:
    """The plans reminders and digests are about: every plan but the archived ones."""
    query = select(Plan.id, Plan.code, Plan.name, Plan.options).where(Plan.archived_at.is_(None))
    return {row.id: row for row in session.execute(query)}


def _build(
    session: Session,
    rows: Iterable[Any],
    link_rows: Iterable[Any],
    tzs: dict[int, str | None],
    plans: dict[int, Any],
    default_days: tuple[int, ...],
    *,
    roster: Roster | None = None,
) -> RegisterFacts:
    links: dict[int, list[tuple[str, int | None, str | None]]] = defaultdict(list)
    for action_id, name, person_id, escalate_to in link_rows:
        links[action_id].append((name, person_id, escalate_to))

    by_person: dict[int, list[ActionFacts]] = defaultdict(list)
    unreachable: dict[str, list[ActionFacts]] = defaultdict(list)
    contacts: dict[int, tuple[str, ...]] = {}
    facts: list[ActionFacts] = []
    created: dict[int, datetime] = {}
    # A plan's code and reminder schedule, worked out once per plan, not once per action.
    schedules = {
        plan_id: (
            plan.code,
            parse_days(plan.options["nudge_days"])
            if plan.options and plan.options.get("nudge_days")
            else default_days,
        )
        for plan_id, plan in plans.items()
    }
    for row in rows:
        # Unpacked by position (ACTION_COLUMNS' order): a sweep builds thousands of these.
        (aid, plan_id, ref, title, due, status, rag, theme, snoozed, last, escalated) = row[:11]
        if plan_id not in schedules:
            continue  # an archived plan's action
        latest_update, slip_count, created_at = row[11:14]
        code, days = schedules[plan_id]
        owners = links.get(aid, [])
        fact = ActionFacts(
            action_id=aid,
            plan_code=code,
            ref=ref,
            title=title,
            due=due,
            status=status,
            rag=rag,
            owners=tuple(name for name, _, _ in owners),
            theme=theme,
            snoozed_until=snoozed,
            last_update=last,
            escalated_on=escalated,
            days=days,
            latest_update=latest_update,
            slip_count=slip_count,
        )
        facts.append(fact)
        created[aid] = created_at
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
            contacts[aid] = tuple(dict.fromkeys(escalate))
    people = [
        PersonFacts(recipient=f"person:{pid}", tz=tzs.get(pid) or "", actions=tuple(items))
        for pid, items in sorted(by_person.items())
    ]
    if roster is None:
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


@dataclass(frozen=True)
class SweepRoster(Roster):
    """A roster narrowed to some owners, with the zones of the people in it (person id →)."""

    person_tzs: dict[int, str | None] = field(default_factory=dict)


@overload
def load_roster(session: Session, *, tzs: dict[int, str | None]) -> Roster: ...


@overload
def load_roster(
    session: Session,
    *,
    owner_ids: list[int],
    action_ids: list[int],
    contacts: set[str],
    person_ids: Iterable[int] = (),
) -> SweepRoster: ...


def load_roster(
    session: Session,
    *,
    tzs: dict[int, str | None] | None = None,
    owner_ids: list[int] | None = None,
    action_ids: list[int] | None = None,
    contacts: set[str] | None = None,
    person_ids: Iterable[int] = (),
) -> Roster:
    """Holders, deputies, assignees and leave, as plain data for `bot.jobs.cover`. An owner
    mapped to one person before roles had history is held by that person throughout.

    With `tzs`, everybody's. With `owner_ids`, only what those owner roles and the actions
    `action_ids` need: their holders, deputies and assignees, those people's leave, zones
    and names, and the people behind the escalation `contacts` (lower-cased emails) and
    `person_ids`, each read through an index.
    """
    conn = session.connection()
    dialect = conn.dialect.name
    narrow = owner_ids is not None

    def where(column: Any, values: list[int] | None) -> list[Any]:
        return among(column, values or [], dialect=dialect) if narrow else [true()]

    holders: dict[str, list[Term]] = defaultdict(list)
    deputies: dict[str, list[Term]] = defaultdict(list)
    assignees: dict[int, list[Term]] = defaultdict(list)
    names: dict[int, str] = {}
    mapped: dict[int, int] = {}  # owner id → the person it was mapped to before roles
    for condition in where(Owner.id, owner_ids):
        for oid, name, person_id in conn.execute(
            select(Owner.id, Owner.name, Owner.person_id).where(condition)
        ):
            names[oid] = name
            if person_id is not None:
                mapped[oid] = person_id
    duties = select(
        Responsibility.id,
        Responsibility.duty,
        Responsibility.owner_id,
        Responsibility.action_id,
        Responsibility.person_id,
        Responsibility.since,
        Responsibility.until,
    )
    rows: dict[int, Any] = {}
    conditions = (
        [*where(Responsibility.owner_id, owner_ids), *where(Responsibility.action_id, action_ids)]
        if narrow
        else [true()]
    )
    wanted = set(action_ids or ())
    for condition in conditions:
        rows.update((row[0], row) for row in conn.execute(duties.where(condition)))
    people: set[int] = set(mapped.values()) | set(person_ids)
    for _, duty, owner_id, action_id, person_id, since, until in sorted(rows.values()):
        term = Term(f"person:{person_id}", since, until)
        people.add(person_id)
        if action_id is not None:
            if not narrow or action_id in wanted:
                assignees[action_id].append(term)
        elif owner_id in names:
            (holders if duty == "holder" else deputies)[names[owner_id]].append(term)
    for oid, person_id in mapped.items():
        if names[oid] not in holders:
            holders[names[oid]].append(Term(f"person:{person_id}"))
    person_rows: dict[int, Any] = {}
    person_query = select(Person.id, Person.email, Person.display_name, Person.tz)
    if narrow:
        for condition in among(Person.id, sorted(people), dialect=dialect):
            person_rows.update((r[0], r) for r in conn.execute(person_query.where(condition)))
        if contacts:
            found = person_query.where(func.lower(Person.email).in_(sorted(contacts)))
            person_rows.update((r[0], r) for r in conn.execute(found))
    else:
        person_rows.update((r[0], r) for r in conn.execute(person_query))
    leave: dict[str, list[Leave]] = defaultdict(list)
    absences = select(
        Absence.person_id, Absence.first_day, Absence.last_day, Absence.recorded_on, Absence.note
    ).order_by(Absence.first_day, Absence.id)
    for condition in where(Absence.person_id, sorted(person_rows)):
        for person_id, first, last, recorded, note in conn.execute(absences.where(condition)):
            leave[f"person:{person_id}"].append(Leave(first, last, recorded, note))
    labels: dict[str, str] = {}
    emails: dict[str, str] = {}
    for pid, email, display, _ in person_rows.values():
        labels[f"person:{pid}"] = display or email or f"person {pid}"
        if email:
            emails[email.lower()] = f"person:{pid}"
    zones = tzs if tzs is not None else {pid: row[3] for pid, row in person_rows.items()}
    roster = Roster(
        holders={k: tuple(v) for k, v in holders.items()},
        deputies={k: tuple(v) for k, v in deputies.items()},
        assignees={k: tuple(v) for k, v in assignees.items()},
        leave={k: tuple(v) for k, v in leave.items()},
        tz={f"person:{pid}": tz or "" for pid, tz in zones.items()},
        names=labels,
        emails=emails,
    )
    if narrow:
        return SweepRoster(**vars(roster), person_tzs=zones)
    return roster


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
