"""Who is asking: platform user → Person, and whether they may change an action."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from hashlib import sha256

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.messages import theirs
from bot.services.people.merge import merge_people
from store.models import Action, Person
from store.notices import add_new_notices
from store.queries import (
    holders_by_owner,
    owners_by_name,
    person_by_email,
    person_by_platform_id,
    responsibilities_of_person,
)

log = logging.getLogger(__name__)

# Whoever sits at the terminal with the register's database already holds every action;
# `actionbot chat --as admin` names them.
CONSOLE_ADMIN = "admin"
PLATFORM_NAMES = {"slack": "Slack", "teams": "Teams"}
LINK_REFUSED = (
    "I could not link your {platform} account to the action register: its email address "
    "belongs to someone who is already linked to a different {platform} account. Nothing "
    "was changed, and actionbot's admins have been told. If this account is now really "
    "yours, ask an admin to record it."
)


@dataclass(frozen=True)
class LinkConflict:
    """A platform id that arrived with the email of a person already linked to another id
    of that platform: it is not linked (an admin decides), and admins are told."""

    platform: str
    user_id: str
    email: str
    person_id: int
    linked_to: str  # the id the person has

    @property
    def notice(self) -> tuple[str, str, str]:
        """(key, fingerprint, text) for the admins' daily summary (store/notices.py)."""
        name = PLATFORM_NAMES.get(self.platform, self.platform)
        column = "slack_id" if self.platform == "slack" else "teams_id"
        user, email, linked = theirs(self.user_id), theirs(self.email), theirs(self.linked_to)
        text = (
            f"• {name} user `{user}` has the email {email}, which is already linked to "
            f"{name} user `{linked}`: actionbot did not link them and refused their requests. "
            f"Fix: if `{user}` is really theirs now, put it in the owners file's {column} "
            "column and run `actionbot owners import OWNERS.csv`; if not, nothing: find out "
            "why that account shows their email."
        )
        cause = f"{self.person_id}|{self.linked_to}"
        return (
            f"link:{self.platform}:{self.user_id}"[:300],
            sha256(cause.encode()).hexdigest(),
            text,
        )


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
    # Why this caller was not linked to the person their email names (LINK_REFUSED): every
    # door says this instead of doing anything. The admins' notice is already written.
    unlinked: str | None = None
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
    already linked to another id of the platform keeps it: an email match never moves a
    platform identity (a stranger's directory may give them anybody's email). The caller is
    then nobody (`Caller.unlinked` says why) and admins get a notice, in this session:
    the caller's transaction must be committed for it to be kept. A person first known only
    by a platform id (picked or mentioned where no email could be found) is merged into the
    person with their email when they first write and it is known (merging never overwrites
    a platform id either).
    `name` (as the platform shows it) names a person who has no name yet.
    """
    # The console has no user ids of its own: it knows people by email, and links nothing.
    console = platform == "console"
    person = None if console else person_by_platform_id(session, platform=platform, user_id=user_id)
    conflict: LinkConflict | None = None
    if person is None and alias and not console:
        # Teams: an owners file may name the chat id (29:…) instead of the AAD object id.
        person = person_by_platform_id(session, platform=platform, user_id=alias)
        if person is not None:
            conflict = _link(person, platform, user_id, email=email, alias=alias, now=now)
    if person is None and email:
        person = person_by_email(session, email=email)
        if person is not None and not console:
            conflict = _link(person, platform, user_id, email=email, alias=alias, now=now)
    if conflict is not None:
        return _refused(session, conflict, admins=admins, now=now)
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


def _link(
    person: Person,
    platform: str,
    user_id: str,
    *,
    email: str | None,
    alias: str | None,
    now: datetime,
) -> LinkConflict | None:
    """Give `person` the platform id they do not have yet; the same id again (or, on Teams,
    the chat id the same user was first known by) is no change. A different id is a
    conflict: nothing is changed."""
    if platform == "teams":
        same = {user_id.lower(), *([alias.lower()] if alias else [])}
        stored = person.teams_user_id
        if stored and stored.lower() not in same:
            return _conflict(person, platform, user_id, email, stored)
        if not stored and alias and person.teams_chat_id and person.teams_chat_id != alias:
            # Known by another chat id (a mention): another Teams user.
            return _conflict(person, platform, user_id, email, person.teams_chat_id)
        person.teams_user_id = user_id
    else:
        if person.slack_user_id and person.slack_user_id != user_id:
            return _conflict(person, platform, user_id, email, person.slack_user_id)
        person.slack_user_id = user_id
    person.updated_at = now
    return None


def _conflict(
    person: Person, platform: str, user_id: str, email: str | None, stored: str
) -> LinkConflict:
    return LinkConflict(platform, user_id, email or person.email or "", person.id, stored)


def _refused(
    session: Session, conflict: LinkConflict, *, admins: frozenset[str], now: datetime
) -> Caller:
    """The caller a conflicting platform id is: nobody, admin only if listed by that id."""
    add_new_notices(session, [conflict.notice], now=now)
    log.warning(
        "did not link %s user %s to person %s by their email: that person is linked to %s "
        "(refused; admins are told)",
        conflict.platform,
        conflict.user_id,
        conflict.person_id,
        conflict.linked_to,
    )
    name = PLATFORM_NAMES.get(conflict.platform, conflict.platform)
    return Caller(
        platform=conflict.platform,
        user_id=conflict.user_id,
        is_admin=conflict.user_id.lower() in admins,
        unlinked=LINK_REFUSED.format(platform=name),
    )


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
