"""Who an owner name is: importing the owners file and listing reachability."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.when import day, moment
from bot.importer.errors import ImportFileError
from bot.importer.reader import decode, sniff_delimiter
from bot.services.audit import Actor
from bot.services.people.leave import absences_of
from bot.services.people.roster import (
    adopt_legacy_holder,
    current_people,
    person_label,
    rows_of,
    set_role_people,
)
from store.models import Event, Owner, Person
from store.queries import holders_by_owner, owner_action_counts, owners_by_name, person_by_email

OWNER_COLUMNS = (
    "owner",
    "email",
    "slack_id",
    "teams_id",
    "tz",
    "escalate_to",
    "preferred_platform",
    "deputy",
)
PLATFORMS = ("slack", "teams")
IMPORT_ACTOR = Actor(name="owners file", source="cli")


@dataclass
class OwnersReport:
    added: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class OwnerRow:
    name: str
    actions: int
    email: str | None
    slack_user_id: str | None
    teams_user_id: str | None
    escalate_to: str | None

    @property
    def reachable(self) -> str:
        if self.slack_user_id or self.teams_user_id:
            return "yes"
        if self.email:
            return "by email (looked up in Slack, or linked when they first message in Teams)"
        return "no: add an email, Slack id or Teams id with `actionbot owners import`"


def read_owners_file(path: Path) -> list[dict[str, str]]:
    """Rows of an owners CSV (owner,email[,slack_id,teams_id,tz,escalate_to]), validated."""
    if not path.is_file():
        raise ImportFileError(f"no such file: {path}")
    data = path.read_bytes()
    if not data.strip():
        raise ImportFileError(f"{path.name} is empty")
    if b"\x00" in data[:65536]:
        raise ImportFileError(f"{path.name} is not a text file")
    text, _, _ = decode(data, name=path.name)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    if "owner" not in headers:
        raise ImportFileError(f"{path.name} needs an 'owner' column; it has {headers}", row=1)
    rows: list[dict[str, str]] = []
    for number, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not row.get("owner"):
            if any(row.values()):
                raise ImportFileError("no owner name", row=number, column="owner")
            continue
        email = row.get("email", "")
        if email and "@" not in email:
            raise ImportFileError(f"{email!r} is not an email address", row=number, column="email")
        for deputy in _deputies(row):
            if "@" not in deputy:
                raise ImportFileError(
                    f"deputy {deputy!r} is not an email address", row=number, column="deputy"
                )
        tz = row.get("tz", "")
        if tz:
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ImportFileError(f"unknown time zone {tz!r}", row=number, column="tz") from exc
        preferred = row.get("preferred_platform", "").lower()
        if preferred and preferred not in PLATFORMS:
            raise ImportFileError(
                f"preferred_platform must be slack or teams, not {preferred!r}",
                row=number,
                column="preferred_platform",
            )
        row["preferred_platform"] = preferred
        rows.append(row)
    return rows


def import_owners(session: Session, *, rows: list[dict[str, str]], now: datetime) -> OwnersReport:
    owners = owners_by_name(session)
    report = OwnersReport(0, 0, 0)
    for row in rows:
        owner = owners.get(row["owner"].lower())
        is_new = owner is None
        if owner is None:
            owner = Owner(name=row["owner"], created_at=now)
            session.add(owner)
            owners[owner.name.lower()] = owner
        before: tuple[object, ...] = (
            owner.person_id,
            owner.escalate_to,
            _person_state(owner.person),
        )
        mapped_before = owner.person_id
        if not is_new:
            # The person the owner had until now held it from the start: kept in its history.
            adopt_legacy_holder(session, owner, now)
        person = _person_for(session, row, owner, now=now)
        today = now.date()
        session.flush()  # a person just created has no id until then
        if person is not None and person.id != mapped_before:
            if is_new or not rows_of(session, owner, "holder"):
                owner.person = person  # nobody held it before: no history to keep
            else:
                set_role_people(
                    session, owner, "holder", [person], actor=IMPORT_ACTOR, now=now, today=today
                )
        if row.get("escalate_to"):
            owner.escalate_to = row["escalate_to"]
        session.flush()
        deputies = [_person_by_email(session, email, now) for email in _deputies(row)]
        deputies_before = current_people(session, owner, "deputy", day=today)
        if "deputy" in row and deputies != deputies_before:
            set_role_people(
                session, owner, "deputy", deputies, actor=IMPORT_ACTOR, now=now, today=today
            )
        after: tuple[object, ...] = (
            owner.person_id,
            owner.escalate_to,
            _person_state(owner.person),
            [p.id for p in current_people(session, owner, "deputy", day=today)],
        )
        before = (*before, [p.id for p in deputies_before])
        if is_new:
            report.added += 1
        elif before != after:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _deputies(row: dict[str, str]) -> list[str]:
    return [e.strip() for e in row.get("deputy", "").split(";") if e.strip()]


def _person_by_email(session: Session, email: str, now: datetime) -> Person:
    person = person_by_email(session, email=email)
    if person is None:
        person = Person(email=email.lower(), created_at=now, updated_at=now)
        session.add(person)
        session.flush()
    return person


def _person_state(person: Person | None) -> tuple[str | None, ...]:
    if person is None:
        return ()
    return (
        person.email,
        person.slack_user_id,
        person.teams_user_id,
        person.tz,
        person.preferred_platform,
    )


def _person_for(
    session: Session, row: dict[str, str], owner: Owner, *, now: datetime
) -> Person | None:
    email = row.get("email") or None
    person = person_by_email(session, email=email) if email else owner.person
    if person is None and not (email or row.get("slack_id") or row.get("teams_id")):
        return None
    if person is None:
        person = Person(email=email, created_at=now, updated_at=now)
        session.add(person)
    for attr, key in (
        ("slack_user_id", "slack_id"),
        ("teams_user_id", "teams_id"),
        ("tz", "tz"),
        ("preferred_platform", "preferred_platform"),
    ):
        value = row.get(key)
        if value and getattr(person, attr) != value:
            setattr(person, attr, value)
            person.updated_at = now
    return person


def list_owners(session: Session, *, today: date) -> list[OwnerRow]:
    """Every owner name, with its first holder on `today` (how it is reached)."""
    counts = owner_action_counts(session)
    held = holders_by_owner(session, day=today)
    rows = []
    for owner in sorted(owners_by_name(session).values(), key=lambda o: o.name.lower()):
        person = session.get(Person, held[owner.id][0]) if held.get(owner.id) else None
        rows.append(
            OwnerRow(
                name=owner.name,
                actions=counts.get(owner.id, 0),
                email=person.email if person else None,
                slack_user_id=person.slack_user_id if person else None,
                teams_user_id=person.teams_user_id if person else None,
                escalate_to=owner.escalate_to,
            )
        )
    return rows


@dataclass(frozen=True)
class OwnerDetail:
    name: str
    holders: list[str]
    deputies: list[str]
    absences: list[str]
    history: list[str]


def owner_detail(
    session: Session, *, name: str, today: date, tz: str = "Europe/London"
) -> OwnerDetail | None:
    """Holders, deputies, their leave from today on, and who held the role when (dates
    and times as people read them, times on the council's clock `tz`)."""
    owner = owners_by_name(session, names=[name]).get(name.lower())
    if owner is None:
        return None
    holders = current_people(session, owner, "holder", day=today)
    deputies = current_people(session, owner, "deputy", day=today)
    absences = []
    for person in [*holders, *deputies]:
        for absence in absences_of(session, person.id):
            if absence.last_day >= today:
                note = f" ({absence.note})" if absence.note else ""
                absences.append(
                    f"{person_label(person)}: {day(absence.first_day, today)} to "
                    f"{day(absence.last_day, today)}{note}"
                )
    history = []
    for duty in ("holder", "deputy"):
        for row in rows_of(session, owner, duty):
            since = day(row.since, today) if row.since else "the start"
            until = f" until {day(row.until, today)}" if row.until else " (now)"
            history.append(f"{duty} {person_label(row.person)}: from {since}{until}")
    events = session.scalars(
        select(Event)
        .where(Event.field.in_([f"holders:{owner.name}", f"deputies:{owner.name}"]))
        .order_by(Event.id)
    )
    for event in events:
        history.append(
            f"{moment(event.at, tz, today)} {event.field.split(':')[0]}: {event.old_value or '-'}"
            f" → {event.new_value or '-'} by {event.actor} via {event.source}"
        )
    return OwnerDetail(
        owner.name,
        [person_label(p) for p in holders],
        [person_label(p) for p in deputies],
        absences,
        history,
    )
