"""Who is asking: platform user → Person, and whether they may change an action."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from store.models import Action, Person
from store.queries import owner_ids_of_person, person_by_email, person_by_platform_id


@dataclass(frozen=True)
class Caller:
    platform: str  # slack | teams | console
    user_id: str
    person_id: int | None = None
    email: str | None = None
    is_admin: bool = False
    owner_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def actor(self) -> str:
        """How the audit trail names this caller."""
        who = f"{self.platform}:{self.user_id}"
        return f"{who} ({self.email})" if self.email else who

    def owns(self, action: Action) -> bool:
        return any(link.owner_id in self.owner_ids for link in action.owner_links)

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
) -> Caller:
    """Find (and link) the Person behind a platform user.

    A person first known only by email (from the owners file) gets the platform id
    stored the first time they speak, so later lookups need no Web API call.
    """
    person = person_by_platform_id(session, platform=platform, user_id=user_id)
    if person is None and email:
        person = person_by_email(session, email=email)
        if person is not None:
            _link(person, platform, user_id, now)
    if person is not None and email and not person.email:
        person.email = email
    if person is not None and tz and not person.tz:
        # Reminders go at 09:00 in this zone; an owners-file zone, if any, is kept.
        person.tz = tz
    email = email or (person.email if person else None)
    # An admin listed by email stays one once linked, when the door no longer looks it up.
    is_admin = user_id.lower() in admins or bool(email and email.lower() in admins)
    owner_ids = (
        frozenset(owner_ids_of_person(session, person_id=person.id)) if person else frozenset()
    )
    return Caller(
        platform=platform,
        user_id=user_id,
        person_id=person.id if person else None,
        email=email,
        is_admin=is_admin,
        owner_ids=owner_ids,
    )


def _link(person: Person, platform: str, user_id: str, now: datetime) -> None:
    if platform == "teams":
        person.teams_user_id = user_id
    else:
        person.slack_user_id = user_id
    person.updated_at = now
