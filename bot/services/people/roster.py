"""Who answers for what over time: role holders and deputies, one-action assignments.

Rows of `Responsibility` are closed, never deleted, so "who was responsible for 2.4 on
1 March?" has an answer, for a past, present or future day: a handover dated ahead is a
row that ends on that day and one that starts on it, and nothing changes when the day
comes. `Owner.person_id` is the role's mapping before roles had history, and after it only
says the role has (or had) somebody: who holds it on a day is read from the rows
(`people_on`), never from that column, which nothing updates when a dated change starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.core.messages import Reply, reply_payload
from bot.services.audit import Actor, record
from bot.services.people.identity import Caller, Mentioned
from store.models import Action, Owner, Person, Responsibility
from store.outbox import enqueue
from store.queries import owners_by_name, person_by_email, person_by_platform_id


def person_label(person: Person) -> str:
    """How people read a person in replies and the audit trail."""
    if person.display_name and person.email:
        return f"{person.display_name} <{person.email}>"
    if person.display_name or person.email:
        return str(person.display_name or person.email)
    if person.slack_user_id:
        return f"Slack user {person.slack_user_id}"
    if person.teams_user_id:
        return f"Teams user {person.teams_user_id}"
    return f"person {person.id}"


class NoSuchPerson(LookupError):
    """A person reference that names nobody the register knows; the message says why."""


def resolve(
    session: Session,
    caller: Caller,
    ref: str,
    *,
    now: datetime,
    create: bool = False,
    today: date | None = None,
) -> Person:
    """The person behind a grammar person reference (see `bot.commands.grammar.person_ref`).

    A platform mention names a real platform user, so it may create the Person (as mapping an
    owner always has). A mention the register does not know yet, whose email the door looked
    up (`caller.mention_emails`), is the person with that email: linked, not duplicated.
    An email creates one only when `create` (setting up a role); `@name`
    must name an owner role with one holder, or a person by name or by the part of their
    email before the @.

    Raises:
        NoSuchPerson: nobody by that reference, or more than one.
    """
    if ref.startswith("<@") and ref.endswith(">"):
        return _mentioned(session, caller, ref[2:-1], now=now)
    if not ref.startswith("@"):
        person = person_by_email(session, email=ref)
        if person is None:
            if not create:
                raise NoSuchPerson(f"Nobody with the email {ref} is in the register.")
            person = Person(email=ref.lower(), created_at=now, updated_at=now)
            session.add(person)
            session.flush()
        return person
    name = ref[1:].strip()
    owner = owners_by_name(session, names=[name]).get(name.lower())
    if owner is not None:
        holders = current_people(session, owner, "holder", day=today or now.date())
        if len(holders) == 1:
            return holders[0]
        if holders:
            raise NoSuchPerson(
                f"{owner.name} has {len(holders)} holders; name one of them by email."
            )
    lowered = name.lower()
    matches = [
        p
        for p in session.scalars(select(Person))
        if (p.display_name or "").lower() == lowered
        or (p.email or "").lower().split("@")[0] == lowered
        or (p.slack_user_id or "").lower() == lowered
    ]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise NoSuchPerson(f"More than one person is called {name}; use their email.")
    raise NoSuchPerson(
        f"I don't know anyone called {name}: use an email, a mention, or an owner name "
        "with one holder."
    )


def _mentioned(session: Session, caller: Caller, user_id: str, *, now: datetime) -> Person:
    """The person a platform mention or pick names: by the id the register has, else by the
    email the door found for them, else a new person known by the id (and the name) until
    they write, when their email joins them to anybody the owners file named
    (bot/services/people/merge.py)."""
    platform = "teams" if caller.platform == "teams" else "slack"
    seen = caller.mentioned.get(user_id) or Mentioned()
    email = caller.mention_emails.get(user_id) or seen.email
    person = person_by_platform_id(session, platform=platform, user_id=user_id)
    if person is None and seen.entra_id:
        person = person_by_platform_id(session, platform=platform, user_id=seen.entra_id)
    if person is None and email:
        person = person_by_email(session, email=email)
    if person is None:
        person = Person(email=email.lower() if email else None, created_at=now, updated_at=now)
        session.add(person)
    _link_mention(session, person, platform, user_id, seen, now)
    session.flush()
    return person


def _link_mention(
    session: Session, person: Person, platform: str, user_id: str, seen: Mentioned, now: datetime
) -> None:
    """Fill in the ids and name the mention gave where the person has none (an id is never
    replaced, and one somebody else holds is left alone)."""
    if platform == "slack":
        if person.slack_user_id is None:
            person.slack_user_id = user_id
        person.updated_at = now
        return
    # A Teams pick gives the Entra object id; a mention the chat id (29:…), and the roster
    # or Graph the other.
    entra = seen.entra_id or (None if user_id.startswith("29:") else user_id)
    chat = user_id if user_id.startswith("29:") else None
    for attr, value in (("teams_user_id", entra), ("teams_chat_id", chat)):
        if value and getattr(person, attr) is None and not _taken(session, value, person):
            setattr(person, attr, value)
    if seen.name and not person.display_name:
        person.display_name = seen.name
    person.updated_at = now


def _taken(session: Session, user_id: str, person: Person) -> bool:
    other = person_by_platform_id(session, platform="teams", user_id=user_id)
    return other is not None and other is not person


def rows_of(session: Session, owner: Owner, duty: str) -> list[Responsibility]:
    return list(
        session.scalars(
            select(Responsibility)
            .where(Responsibility.owner_id == owner.id, Responsibility.duty == duty)
            .order_by(Responsibility.id)
        )
    )


def adopt_legacy_holder(session: Session, owner: Owner, now: datetime) -> None:
    """An owner mapped before roles had history: its one person held it from the start."""
    if owner.person_id is None or rows_of(session, owner, "holder"):
        return
    session.add(
        Responsibility(
            duty="holder", owner_id=owner.id, person_id=owner.person_id, since=None, created_at=now
        )
    )
    session.flush()


def current_people(session: Session, owner: Owner, duty: str, *, day: date) -> list[Person]:
    """Who holds (or deputises for) `owner` on `day`: past, today or ahead."""
    rows = rows_of(session, owner, duty)
    if duty == "holder" and not rows and owner.person is not None:
        return [owner.person]
    return [r.person for r in rows if r.on(day)]


def planned(session: Session, owner: Owner, duty: str, *, after: date) -> list[Responsibility]:
    """Terms that start after `after` (a handover dated ahead), in the order recorded."""
    return [r for r in rows_of(session, owner, duty) if r.since is not None and r.since > after]


def _labels(people: Iterable[Person]) -> str:
    return "; ".join(person_label(p) for p in people) or "nobody"


def set_role_people(
    session: Session,
    owner: Owner,
    duty: str,
    people: Sequence[Person],
    *,
    actor: Actor,
    now: datetime,
    today: date,
) -> tuple[list[Person], list[Person]]:
    """Make `people` the holders (or deputies) of `owner` from `today` on; one event.

    It says who holds the role from today with no end, so a change planned for a later day
    (a handover `--from` a date ahead) is withdrawn, and the event says so.

    Returns:
        (before, after): who held it today before and after.
    """
    adopt_legacy_holder(session, owner, now)
    wanted = {p.id for p in people}
    rows = rows_of(session, owner, duty)
    current = [r for r in rows if r.on(today)]
    ahead = [r for r in rows if r.since is not None and r.since > today]
    before = [r.person for r in current]
    withdrawn = [f"{person_label(r.person)} from {r.since.isoformat()}" for r in ahead if r.since]
    for row in ahead:
        session.delete(row)
    for row in current:
        if row.person_id not in wanted:
            _close(session, row, today)
        else:
            row.until = None  # stays on, past any end a planned handover had given it
    have = {r.person_id for r in current if r.person_id in wanted}
    for person in people:
        if person.id not in have:
            session.add(
                Responsibility(
                    duty=duty, owner_id=owner.id, person_id=person.id, since=today, created_at=now
                )
            )
    session.flush()
    if duty == "holder":
        owner.person = people[0] if people else None
    record(
        session,
        None,
        f"{'holders' if duty == 'holder' else 'deputies'}:{owner.name}",
        old=_labels(before),
        new=_labels(people),
        actor=actor,
        at=now,
        note=("withdraws the planned change: " + "; ".join(withdrawn)) if withdrawn else None,
    )
    return before, list(people)


def _close(session: Session, row: Responsibility, day: date) -> None:
    """End a row on `day`; a row that had not started by then never applied, so it goes."""
    if row.since is not None and row.since >= day:
        session.delete(row)
    else:
        row.until = day


@dataclass
class Handover:
    roles: list[str]
    deputy_roles: list[str]
    actions: list[str]

    @property
    def empty(self) -> bool:
        return not (self.roles or self.deputy_roles or self.actions)


def handover(
    session: Session,
    old: Person,
    new: Person,
    *,
    start: date,
    today: date,
    actor: Actor,
    now: datetime,
) -> Handover:
    """Every role `old` holds or deputises on or after `start`, and every open action assigned
    to them, passes to `new` from `start`. One event records it all.

    Each of `old`'s terms is cut at `start` and `new` gets the rest of it (from `start`, or
    from the term's own later start, until the term's own end): so a handover dated ahead
    changes nothing before its day, and who held what on any day stays answerable.
    """
    for owner in session.scalars(select(Owner).where(Owner.person_id == old.id)):
        adopt_legacy_holder(session, owner, now)
    rows = session.scalars(
        select(Responsibility)
        .where(
            Responsibility.person_id == old.id,
            or_(Responsibility.until.is_(None), Responsibility.until > start),
        )
        .order_by(Responsibility.id)
    ).all()
    done = Handover([], [], [])
    for row in rows:
        if row.action_id is not None:
            action = session.get(Action, row.action_id)
            if action is None or not action.is_open:
                continue
            done.actions.append(f"{action.plan.code}:{action.ref}")
        else:
            role = session.get(Owner, row.owner_id)
            assert role is not None
            (done.roles if row.duty == "holder" else done.deputy_roles).append(role.name)
            # The column follows only a change that applies today; a dated one is in the rows.
            if row.duty == "holder" and role.person_id == old.id and start <= today:
                role.person = new
        since = max(start, row.since) if row.since is not None else start
        until = row.until
        _close(session, row, start)
        if not _already(session, row, new, since):
            session.add(
                Responsibility(
                    duty=row.duty,
                    owner_id=row.owner_id,
                    action_id=row.action_id,
                    person_id=new.id,
                    since=since,
                    until=until,
                    created_at=now,
                )
            )
    session.flush()
    if not done.empty:
        record(
            session,
            None,
            "handover",
            old=person_label(old),
            new=person_label(new),
            actor=actor,
            at=now,
            note=f"from {start.isoformat()}: " + describe(done),
        )
    return done


def describe(done: Handover) -> str:
    parts = []
    if done.roles:
        parts.append("holds " + ", ".join(done.roles))
    if done.deputy_roles:
        parts.append("deputy for " + ", ".join(done.deputy_roles))
    if done.actions:
        parts.append("assigned " + ", ".join(done.actions))
    return "; ".join(parts)


def _already(session: Session, row: Responsibility, new: Person, start: date) -> bool:
    return (
        session.scalar(
            select(Responsibility.id).where(
                Responsibility.person_id == new.id,
                Responsibility.duty == row.duty,
                Responsibility.owner_id.is_(None)
                if row.owner_id is None
                else Responsibility.owner_id == row.owner_id,
                Responsibility.action_id.is_(None)
                if row.action_id is None
                else Responsibility.action_id == row.action_id,
                or_(Responsibility.until.is_(None), Responsibility.until > start),
            )
        )
        is not None
    )


def assignee(session: Session, action: Action, *, day: date | None = None) -> Person | None:
    rows = session.scalars(
        select(Responsibility)
        .where(Responsibility.action_id == action.id)
        .order_by(Responsibility.id.desc())
    ).all()
    for row in rows:
        if row.on(day) if day else row.until is None:
            return row.person
    return None


def assign(
    session: Session,
    action: Action,
    person: Person,
    *,
    actor: Actor,
    now: datetime,
    today: date,
) -> Person | None:
    """Give `action` to `person` from `today` on (a handover of it planned for later is
    withdrawn). Returns who had it today before."""
    before = None
    for row in session.scalars(
        select(Responsibility)
        .where(
            Responsibility.action_id == action.id,
            or_(Responsibility.until.is_(None), Responsibility.until > today),
        )
        .order_by(Responsibility.id)
    ):
        if row.on(today):
            before = row.person
        _close(session, row, today)
    session.add(
        Responsibility(
            duty="assignee", action_id=action.id, person_id=person.id, since=today, created_at=now
        )
    )
    session.flush()
    record(
        session,
        action,
        "assignee",
        old=person_label(before) if before else None,
        new=person_label(person),
        actor=actor,
        at=now,
    )
    action.updated_at = now
    return before


def notify(
    session: Session,
    person: Person,
    reply: Reply,
    *,
    key: str,
    platform: str,
    now: datetime,
) -> None:
    """A direct message through the outbox, sent by the next delivery round."""
    enqueue(
        session,
        key=key,
        platform=platform,
        recipient=f"person:{person.id}",
        kind="notice",
        payload=reply_payload([reply]),
        not_before=now,
        now=now,
    )


def responsible_on(session: Session, action: Action, day: date) -> list[tuple[str, Person]]:
    """Who answered for `action` on `day`: its assignee, else each owner role's holders."""
    found = assignee(session, action, day=day)
    if found is not None:
        return [("assigned", found)]
    out: list[tuple[str, Person]] = []
    for owner in action.owners:
        rows = rows_of(session, owner, "holder")
        if not rows and owner.person is not None:
            out.append((owner.name, owner.person))
        out.extend((owner.name, r.person) for r in rows if r.on(day))
    return out
