"""Plan-level settings: today, a plan's own reminder schedule."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.jobs.facts import parse_days
from bot.services.audit import Actor, record
from store.models import Plan

MAX_DAYS_BEFORE = 365


class ScheduleError(ValueError):
    """The reminder days could not be read; nothing was changed."""


def read_nudge_days(text: str) -> str:
    """'30, 14,7,1,0' → '30,14,7,1,0' (sorted, unique), or ScheduleError."""
    try:
        days = parse_days(text) if text.strip() else ()
    except ValueError:
        days = ()
    if not days or any(d < 0 or d > MAX_DAYS_BEFORE for d in days):
        raise ScheduleError(
            f"{text!r}: give whole days from 0 to {MAX_DAYS_BEFORE} separated by commas"
        )
    return ",".join(str(d) for d in days)


def set_nudge_days(
    session: Session, plan: Plan, days: str | None, *, actor: Actor, now: datetime
) -> bool:
    """Give `plan` its own reminder days (None: back to the default); recorded as an event.

    Returns:
        True when the schedule changed.
    """
    options = dict(plan.options or {})
    old = options.get("nudge_days")
    if old == days:
        return False
    if days is None:
        options.pop("nudge_days", None)
    else:
        options["nudge_days"] = days
    plan.options = options
    record(
        session, None, "plan.nudge_days", old=old, new=days, actor=actor, at=now, plan_id=plan.id
    )
    return True
