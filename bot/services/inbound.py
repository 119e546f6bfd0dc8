"""Inbound platform events seen before: retries of the same event must do nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from store.db import transaction
from store.models import InboundEvent


def first_time(
    sessions: sessionmaker[Session], *, platform: str, event_id: str, now: datetime
) -> bool:
    """Record `event_id`; False if it was already recorded (the unique key says so)."""
    try:
        with transaction(sessions) as session:
            session.add(InboundEvent(platform=platform, event_id=event_id, received_at=now))
    except IntegrityError:
        return False
    return True
