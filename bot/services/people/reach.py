"""How to reach a person again later: the conversation reference a platform hands us.

Teams can only start a proactive message from what an earlier activity told us: the
regional service URL, the tenant, the user's chat id (29:…) and, for a personal chat, its
conversation id. Doors pass them here on every message and install, so they stay fresh.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.services.conversation import Who
from bot.services.people.identity import Caller, identify
from store.db import transaction
from store.models import Person
from store.queries import person_by_platform_id


@dataclass(frozen=True)
class TeamsReference:
    service_url: str
    tenant_id: str | None
    chat_id: str  # from.id, "29:…"
    conversation_id: str | None  # only for a personal (1:1) chat


def remember_teams(
    sessions: sessionmaker[Session],
    who: Who,
    reference: TeamsReference,
    *,
    admins: frozenset[str],
    now: datetime,
) -> bool:
    """Link `who` to a person (by id or email) and keep the reference; False if unknown."""
    with transaction(sessions) as session:
        caller = identify(
            session,
            platform=who.platform,
            user_id=who.user_id,
            email=who.email,
            tz=who.tz,
            alias=who.alias,
            name=who.name,
            admins=admins,
            now=now,
        )
        if caller.person_id is None and caller.is_admin:
            # An admin named by email (or id) in ACTIONBOT_ADMINS whom no owners file lists:
            # kept, so the admins' summary can reach them here.
            caller = _admin_person(session, who, caller, now)
        if caller.person_id is None:
            return False
        person = session.get(Person, caller.person_id)
        assert person is not None
        before = _state(person)
        person.teams_service_url = reference.service_url
        person.teams_tenant_id = reference.tenant_id or person.teams_tenant_id
        person.teams_chat_id = reference.chat_id
        if reference.conversation_id:
            person.teams_conversation_id = reference.conversation_id
        person.teams_removed_at = None  # they are talking to actionbot again
        if _state(person) != before:
            person.updated_at = now
        return True


def forget_teams(sessions: sessionmaker[Session], who: Who, *, now: datetime) -> bool:
    """`who` removed actionbot in Teams: nothing more is sent to them there until they add it
    again or write to it (their reference is kept: a re-install reuses the same chat).
    False when the register does not know them."""
    with transaction(sessions) as session:
        person = None
        for user_id in (who.user_id, who.alias):
            if user_id and person is None:
                person = person_by_platform_id(session, platform="teams", user_id=user_id)
        if person is None:
            return False
        person.teams_removed_at = now
        person.updated_at = now
        return True


def _admin_person(session: Session, who: Who, caller: Caller, now: datetime) -> Caller:
    person = Person(
        email=who.email.lower() if who.email else None,
        display_name=who.name,
        teams_user_id=who.user_id,
        teams_chat_id=who.alias,
        created_at=now,
        updated_at=now,
    )
    session.add(person)
    session.flush()
    return replace(caller, person_id=person.id)


def _state(person: Person) -> tuple[str | None, ...]:
    return (
        person.teams_service_url,
        person.teams_tenant_id,
        person.teams_chat_id,
        person.teams_conversation_id,
        str(person.teams_removed_at),
    )
