"""Who is asking: platform user → Person, and whether they may change an action."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.merge import merge_people
from store.models import Action, Person
from store.queries import (
    holders_by_owner,
    owners_by_name,
    person_by_email,
    person_by_platform_id,
    responsibilities_of_person,
)

# Whoever sits at the terminal with the register's database already holds every action;
# `actionbot chat --as admin` names them.
CONSOLE_ADMIN = "admin"


@dataclass(frozen=True)
class Mentioned:
    """What a door learned about a person a request @mentions or picks (Teams: from the
    team's roster or Microsoft Graph, or only the name the mention showed)."""

    name: str | None = None
    email: str | None = None
    entra_id: str | None = None  # the Entra (AAD) object id, when the id given was a 29: id


@dataclass(frozen=True)
class Caller:
    platform: str  # slack | teams | console
    user_id: str
    person_id: int | None = None
    email: str | None = None
    is_admin: bool = False
    owner_ids: frozenset[int] = field(default_factory=frozenset)
    assigned_ids: frozenset[int] = field(default_factory=frozenset)  # actions given to them
    tz: str | None = None  # the person's own time zone, when the register has one
    # People this request @mentions whom the door could name by email: platform id → email.
    mention_emails: Mapping[str, str] = field(default_factory=dict, compare=False)
    # The same people with what else the door knows of them (names, Entra ids): id → Mentioned.
    mentioned: Mapping[str, Mentioned] = field(default_factory=dict, compare=False)

    @property
    def actor(self) -> str:
        """How the audit trail names this caller."""
        who = f"{self.platform}:{self.user_id}"
        return f"{who} ({self.email})" if self.email else who

    def owns(self, action: Action) -> bool:
        return action.id in self.assigned_ids or any(
            link.owner_id in self.owner_ids for link in action.owner_links
        )

    def may_change(self, action: Action) -> bool:
        return self.is_admin or self.owns(action)


def identify(
    session: Session,
    *,
    platform: str,
    user_id: str,
    email: str | None,
    admins: frozenset[str],
    now: datetime,
    tz: str | None = None,
    alias: str | None = None,
    today: date | None = None,
    mention_emails: Mapping[str, str] | None = None,
    mentioned: Mapping[str, Mentioned] | None = None,
    name: str | None = None,
) -> Caller:
    """Find (and link) the Person behind a platform user.

    A person first known only by email (from the owners file) gets the platform id
    stored the first time they speak, so later lookups need no Web API call. A person
    first known only by a platform id (picked or mentioned where no email could be found)
    is merged into the person with their email when they first write and it is known.
    `name` (as the platform shows it) names a person who has no name yet.
    """
    # The console has no user ids of its own: it knows people by email, and links nothing.
    console = platform == "console"
    person = None if console else person_by_platform_id(session, platform=platform, user_id=user_id)
    if person is None and alias and not console:
        # Teams: an owners file may name the chat id (29:…) instead of the AAD object id.
        person = person_by_platform_id(session, platform=platform, user_id=alias)
        if person is not None:
            _link(person, platform, user_id, now)
    if person is None and email:
        person = person_by_email(session, email=email)
        if person is not None and not console:
            _link(person, platform, user_id, now)
    if person is not None and email and not person.email:
        person = _take_email(session, person, email, now)
    if person is not None and name and not person.display_name:
        person.display_name = name
    if person is not None and tz and not person.tz:
        # Reminders go at 09:00 in this zone; an owners-file zone, if any, is kept.
        person.tz = tz
    if person is not None and person.last_platform != platform and platform != "console":
        person.last_platform = platform
    email = email or (person.email if person else None)
    # An admin listed by email stays one once linked, when the door no longer looks it up.
    is_admin = user_id.lower() in admins or bool(email and email.lower() in admins)
    # What they answer for today: a handover dated ahead has not moved anything yet.
    day = today or now.date()
    owner_ids, assigned = (
        responsibilities_of_person(session, person_id=person.id, day=day) if person else ([], [])
    )
    return Caller(
        platform=platform,
        user_id=user_id,
        person_id=person.id if person else None,
        email=email,
        is_admin=is_admin,
        owner_ids=frozenset(owner_ids),
        assigned_ids=frozenset(assigned),
        tz=person.tz if person else None,
        mention_emails=dict(mention_emails or {}),
        mentioned=dict(mentioned or {}),
    )


def _take_email(session: Session, person: Person, email: str, now: datetime) -> Person:
    """The email the platform gives for `person`; if the register already has somebody with
    it (the owners file's person), the two are one: merged into that one."""
    holder = person_by_email(session, email=email)
    if holder is None:
        person.email = email
        return person
    return merge_people(session, keep=holder, gone=person, now=now) or person


def _link(person: Person, platform: str, user_id: str, now: datetime) -> None:
    if platform == "teams":
        person.teams_user_id = user_id
    else:
        person.slack_user_id = user_id
    person.updated_at = now


@dataclass(frozen=True)
class ConsoleUser:
    """Who a console session speaks as: an email (or the terminal's admin), and a name."""

    user_id: str
    email: str | None
    name: str


class UnknownPerson(LookupError):
    """`--as` names nobody the register knows; the message says who it does know."""


def _held(session: Session, day: date) -> dict[int, list[str]]:
    """Person id → the owner names they hold on `day`."""
    names = {o.id: o.name for o in owners_by_name(session).values()}
    found: dict[int, list[str]] = {}
    for owner_id, people in holders_by_owner(session, day=day).items():
        for person_id in people:
            found.setdefault(person_id, []).append(names[owner_id])
    return found


def console_user(session: Session, spec: str, *, day: date) -> ConsoleUser:
    """`admin`, an email, or an owner name (from the plan or the owners file): its first
    holder on `day`.

    Raises:
        UnknownPerson: no owner by that name, or the owner has nobody with an email.
    """
    spec = spec.strip()
    if spec.lower() == CONSOLE_ADMIN:
        return ConsoleUser(CONSOLE_ADMIN, None, "admin")
    if "@" in spec:
        person = person_by_email(session, email=spec)
        names = _held(session, day).get(person.id, []) if person else []
        return ConsoleUser(spec.lower(), spec.lower(), ", ".join(sorted(names)) or spec)
    owner = owners_by_name(session, names=[spec]).get(spec.lower())
    if owner is None:
        known = sorted(o.name for o in owners_by_name(session).values())
        hint = ", ".join(known[:8]) + ("…" if len(known) > 8 else "")
        raise UnknownPerson(f"no owner called {spec!r}; owners include: {hint or 'none yet'}")
    holders = [session.get(Person, i) for i in holders_by_owner(session, day=day).get(owner.id, [])]
    first = next((p for p in holders if p is not None and p.email), None)
    if first is None or not first.email:
        raise UnknownPerson(
            f"{owner.name} has no email in the register; add it with `actionbot owners import`"
        )
    email = first.email.lower()
    return ConsoleUser(email, email, owner.name)


def owner_names_by_email(session: Session, *, day: date) -> dict[str, str]:
    """Lower-cased email → the owner names that person holds on `day`, to head a DM."""
    emails: dict[int, str | None] = dict(session.execute(select(Person.id, Person.email)).all())
    names: dict[str, list[str]] = {}
    for person_id, found in _held(session, day).items():
        email = emails.get(person_id)
        if email:
            names.setdefault(email.lower(), []).extend(found)
    return {email: ", ".join(sorted(found)) for email, found in names.items()}


def recipient_labels(session: Session, recipients: list[str], *, day: date) -> dict[str, str]:
    """How a person reads an outbox recipient: "person:4" → "Finance <finance@…>"."""
    labels: dict[str, str] = {}
    names = owner_names_by_person(session, day=day)
    for recipient in recipients:
        kind, _, target = recipient.partition(":")
        person: Person | None = None
        if kind == "person" and target.isdigit():
            person = session.get(Person, int(target))
        elif kind == "email":
            person = person_by_email(session, email=target)
        if person is None:
            labels[recipient] = {
                "email": target,
                "slack": f"Slack user {target}",
                "channel": f"channel {target}",
            }.get(kind, recipient)
            continue
        ids = [
            i
            for i in (
                person.email,
                person.slack_user_id and f"Slack {person.slack_user_id}",
                person.teams_user_id and f"Teams {person.teams_user_id}",
            )
            if i
        ]
        name = names.get(person.id) or person.display_name or ""
        where = ", ".join(ids) or f"person {person.id}, no email or platform id"
        labels[recipient] = f"{name} <{where}>" if name else where
    return labels


def owner_names_by_person(session: Session, *, day: date) -> dict[int, str]:
    return {pid: ", ".join(sorted(found)) for pid, found in _held(session, day).items()}
