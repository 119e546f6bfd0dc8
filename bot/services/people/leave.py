"""Leave: people say when they are away, so reminders wait for them or go to their deputies.

The rules live here, so every door keeps them: the last day may not lie in the past (the
first may: sickness is often recorded late), and one absence covers at most a year. Leave
recorded again with the same first day changes that absence's last day (shortened or
lengthened); `back` or `away cancel` withdraws leave that has not started, and ends early
leave that has. Every change is an event, old → new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.when import day as day_label
from bot.services.audit import Actor, record
from bot.services.people.roster import person_label
from store.models import Absence, Person

MAX_DAYS = 366


class LeaveRefused(ValueError):
    """Why an absence cannot be recorded; nothing was changed."""


def span(first: date, last: date, today: date) -> str:
    return f"{day_label(first, today)} to {day_label(last, today)}"


def add_absence(
    session: Session,
    person: Person,
    *,
    first: date,
    last: date,
    note: str | None,
    today: date,
    actor: Actor,
    now: datetime,
) -> Absence:
    """Record `person` away from `first` to `last`, both days included.

    Raises:
        LeaveRefused: the last day is past, the first is after the last, or it is over a year.
    """
    if last < today:
        raise LeaveRefused(
            f"{day_label(last, today)} is in the past; the last day away must be today or later."
        )
    if first > last:
        raise LeaveRefused(
            f"The first day ({day_label(first, today)}) is after the last "
            f"({day_label(last, today)})."
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise LeaveRefused(
            f"That is {(last - first).days + 1} days; one absence can be at most a year. "
            "Record the first year now and the rest later."
        )
    same = next(
        (
            a
            for a in absences_of(session, person.id)
            if a.first_day == first and a.last_day >= today
        ),
        None,
    )
    if same is not None:
        old = f"{same.first_day.isoformat()} to {same.last_day.isoformat()}"
        same.last_day = last
        same.note = note or same.note
        session.flush()
        record(
            session,
            None,
            f"away:{person_label(person)}",
            old=old,
            new=f"{first.isoformat()} to {last.isoformat()}",
            actor=actor,
            at=now,
            note="changed" + (f": {note}" if note else ""),
        )
        return same
    absence = Absence(
        person_id=person.id,
        first_day=first,
        last_day=last,
        note=note,
        recorded_on=today,
        created_at=now,
    )
    session.add(absence)
    session.flush()
    record(
        session,
        None,
        f"away:{person_label(person)}",
        old=None,
        new=f"{first.isoformat()} to {last.isoformat()}",
        actor=actor,
        at=now,
        note=note,
    )
    return absence


def absences_of(session: Session, person_id: int) -> Sequence[Absence]:
    return session.scalars(
        select(Absence).where(Absence.person_id == person_id).order_by(Absence.first_day)
    ).all()


def away_on(session: Session, person_id: int, day: date) -> Absence | None:
    return session.scalar(
        select(Absence)
        .where(Absence.person_id == person_id, Absence.first_day <= day, Absence.last_day >= day)
        .order_by(Absence.last_day.desc())
        .limit(1)
    )


def come_back(
    session: Session, person: Person, *, today: date, actor: Actor, now: datetime
) -> list[tuple[date, date]]:
    """End every absence that covers today: it ends yesterday (one that starts today is
    withdrawn). Returns the spans that changed; empty when the person was not away."""
    changed = []
    for absence in absences_of(session, person.id):
        if absence.first_day <= today <= absence.last_day:
            changed.append(_withdraw(session, person, absence, today, actor, now, "back"))
    session.flush()
    return changed


@dataclass(frozen=True)
class Withdrawn:
    first: date
    last: date
    cancelled: bool  # True: it had not started and is gone; False: it ended yesterday


def cancel_leave(
    session: Session,
    person: Person,
    *,
    day: date | None,
    today: date,
    actor: Actor,
    now: datetime,
) -> Withdrawn:
    """Withdraw one absence that has not ended: the one covering `day` or starting on it
    (None: the one covering today, else the only one ahead). Not started: it is removed;
    under way: it ends yesterday, as `back` does (the days away were real).

    Raises:
        LeaveRefused: no such absence, or several ahead and no `day` to choose one.
    """
    live = [a for a in absences_of(session, person.id) if a.last_day >= today]
    if day is not None:
        found = [a for a in live if a.first_day <= day <= a.last_day]
    else:
        found = [a for a in live if a.first_day <= today] or live
    if not found:
        on = f" on {day_label(day, today)}" if day is not None else ""
        raise LeaveRefused(f"No leave from today on is recorded{on}.")
    if len(found) > 1:
        spans = "; ".join(span(a.first_day, a.last_day, today) for a in found)
        raise LeaveRefused(
            f"There is more than one absence ({spans}): say which with `away cancel` and any "
            f"day of it, e.g. `away cancel {found[0].first_day.isoformat()}`."
        )
    absence = found[0]
    first, last = absence.first_day, absence.last_day
    _withdraw(session, person, absence, today, actor, now, "cancelled")
    session.flush()
    return Withdrawn(first, last, cancelled=first >= today)


def _withdraw(
    session: Session,
    person: Person,
    absence: Absence,
    today: date,
    actor: Actor,
    now: datetime,
    why: str,
) -> tuple[date, date]:
    """End `absence` yesterday, or remove it if it starts today or later; one event."""
    old = f"{absence.first_day.isoformat()} to {absence.last_day.isoformat()}"
    spanned = (absence.first_day, absence.last_day)
    new: str | None
    if absence.first_day >= today:
        session.delete(absence)
        new = None
    else:
        absence.last_day = today - timedelta(days=1)
        new = f"{absence.first_day.isoformat()} to {absence.last_day.isoformat()}"
    record(
        session,
        None,
        f"away:{person_label(person)}",
        old=old,
        new=new,
        actor=actor,
        at=now,
        note=why,
    )
    return spanned
