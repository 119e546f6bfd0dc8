"""Recording changes: every change of an action is an Event (who, when, via what, old → new)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from store.models import Action, Event


@dataclass(frozen=True)
class Actor:
    """Who did something and through which door."""

    name: str
    source: str  # one of store.models.SOURCES


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def set_field(
    session: Session,
    action: Action,
    field: str,
    new: Any,
    *,
    actor: Actor,
    at: datetime,
    note: str | None = None,
) -> bool:
    """Set `action.field` to `new`, recording an Event if the value changes.

    Returns:
        True when the value changed (and an event was written).
    """
    old = getattr(action, field)
    if old == new:
        return False
    setattr(action, field, new)
    action.updated_at = at
    record(session, action, field, old=old, new=new, actor=actor, at=at, note=note)
    return True


def record(
    session: Session,
    action: Action | None,
    field: str,
    *,
    old: Any = None,
    new: Any = None,
    actor: Actor,
    at: datetime,
    note: str | None = None,
    plan_id: int | None = None,
) -> Event:
    event = Event(
        action=action,
        **event_values(
            field,
            plan_id=plan_id if plan_id is not None else (action.plan_id if action else None),
            old=old,
            new=new,
            actor=actor,
            at=at,
            note=note,
        ),
    )
    session.add(event)
    return event


def event_values(
    field: str,
    *,
    plan_id: int | None,
    old: Any = None,
    new: Any = None,
    actor: Actor,
    at: datetime,
    note: str | None = None,
) -> dict[str, Any]:
    """An Event's columns, for bulk inserts that bypass the ORM unit of work."""
    return {
        "plan_id": plan_id,
        "actor": actor.name,
        "source": actor.source,
        "field": field,
        "old_value": as_text(old),
        "new_value": as_text(new),
        "note": note,
        "at": at,
    }
