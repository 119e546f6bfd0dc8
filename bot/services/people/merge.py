"""Two people who turn out to be one: merged, never left as duplicates.

Teams names a person picked in a card or @mentioned in a personal chat by an id only (the
people picker gives Entra object ids; a mention a chat id), and where neither the team's
roster nor Microsoft Graph can say who that is, the register holds them by that id alone.
When they first write to actionbot, Teams gives their email: if the owners file already
named somebody with it, that is the same person, and the id-only one is folded into them
(their roles, assignments, leave and queued messages move across).

Platform ids are never overwritten: if both carry a different id for the same platform they
are two people after all, and nothing is merged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.services.audit import Actor, record
from store.models import Absence, Delivery, Owner, Person, Responsibility

MERGER = Actor(name="actionbot", source="system")
# Copied to the person kept when they have none; the first three are unique per person.
_IDS = ("slack_user_id", "teams_user_id", "teams_chat_id")
_REACH = (
    "teams_conversation_id",
    "teams_service_url",
    "teams_tenant_id",
    "display_name",
    "tz",
    "preferred_platform",
    "last_platform",
)


def _label(person: Person) -> str:
    ids = [getattr(person, attr) for attr in ("email", *_IDS) if getattr(person, attr)]
    return f"{person.display_name or 'person'} {person.id} ({', '.join(ids) or 'no ids'})"


def mergeable(keep: Person, gone: Person) -> bool:
    """True when no platform id of one contradicts the other's."""
    for attr in _IDS:
        a, b = getattr(keep, attr), getattr(gone, attr)
        if a and b and a.lower() != b.lower():
            return False
    return not (keep.email and gone.email and keep.email.lower() != gone.email.lower())


def merge_people(session: Session, *, keep: Person, gone: Person, now: datetime) -> Person | None:
    """Fold `gone` into `keep`; returns `keep`, or None when they cannot be one person."""
    if keep.id == gone.id:
        return keep
    if not mergeable(keep, gone):
        return None
    before = _label(keep)
    moved = {attr: getattr(gone, attr) for attr in (*_IDS, *_REACH)}
    for table in (Responsibility, Absence):
        session.execute(update(table).where(table.person_id == gone.id).values(person_id=keep.id))
    session.execute(update(Owner).where(Owner.person_id == gone.id).values(person_id=keep.id))
    pending = session.scalars(
        select(Delivery).where(
            Delivery.recipient == f"person:{gone.id}", Delivery.state == "pending"
        )
    )
    for delivery in pending:
        delivery.recipient = f"person:{keep.id}"
    gone_label = _label(gone)
    session.delete(gone)
    session.flush()  # its unique ids are free before the kept person takes them
    for attr, value in moved.items():
        if value and not getattr(keep, attr):
            setattr(keep, attr, value)
    keep.updated_at = now
    record(
        session,
        None,
        "person merged",
        old=gone_label,
        new=before,
        actor=MERGER,
        at=now,
        note="the same Teams user, known by id before their email",
    )
    session.flush()
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Responsibility | Absence | Owner):
            session.expire(loaded)  # their `person` may still be the one deleted
    return keep
