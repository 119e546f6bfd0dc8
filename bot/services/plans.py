"""Plan-level settings: a plan's own reminder schedule, its default due date, and which
plans have actions with no date at all (so nothing can remind anyone about them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from bot.core.messages import plan_label
from bot.core.schedule import parse_days
from bot.core.when import plural
from bot.services.audit import Actor, record, set_field
from store.models import OPEN_STATUSES, Action, Event, Plan
from store.queries import actions_of_plan

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


def set_default_due(session: Session, plan: Plan, day: date, *, actor: Actor, now: datetime) -> int:
    """Give `plan` a default due date, and with it every action the plan gives no date.

    An action's own target or revised date always wins (as on import). The plan's change and
    each action's new due date are recorded as events.

    Returns:
        How many actions' due dates changed.
    """
    old = plan.default_due
    if old != day:
        plan.default_due = day
        plan.updated_at = now
        record(
            session,
            None,
            "plan.default_due",
            old=old,
            new=day,
            actor=actor,
            at=now,
            plan_id=plan.id,
        )
    changed = 0
    for action in actions_of_plan(session, plan_id=plan.id):
        due = action.revised_target_date or action.target_date or day
        if set_field(
            session,
            action,
            "due_date",
            due,
            actor=actor,
            at=now,
            note="the plan's default due date",
        ):
            changed += 1
    return changed


def undated_plans(session: Session) -> dict[str, int]:
    """Plan code → how many open actions have no due date, for plans where no open action
    has one: those get only a monthly check-in, never a reminder before a date."""
    rows = session.execute(
        select(Plan.code, func.count(Action.id), func.count(Action.due_date))
        .join(Action, Action.plan_id == Plan.id)
        .where(Action.status.in_(OPEN_STATUSES), Plan.archived_at.is_(None))
        .group_by(Plan.code)
        .order_by(Plan.code)
    ).all()
    return {code: int(total) for code, total, dated in rows if total and not dated}


def default_due_fix(code: str) -> str:
    """The command that gives an undated plan's actions a date (the admin picks the date)."""
    return f"actionbot plans default-due {code} YYYY-MM-DD"


@dataclass(frozen=True)
class Restaged:
    """What `restage` did, for the demo to say it."""

    moved: int  # actions given a new due date
    dated: int  # open actions that had a date of their own
    undated: int  # open actions given one, three days apart after the dated ones
    squeezed: bool  # the plan's own gaps did not fit: dated actions spread evenly instead
    last: date | None  # the last new due date


def restage(
    session: Session,
    plan: Plan,
    *,
    first_due: date,
    actor: Actor,
    now: datetime,
    within: timedelta | None = None,
) -> Restaged:
    """Move a plan's open actions' due dates so that the earliest falls on `first_due`,
    keeping the gaps between them, or, when those span more than `within`, spreading them
    evenly across it in the same order; actions with no date are spread three days apart
    after the dated ones. For playing a plan's story now (`actionbot demo`); recorded as
    events."""
    actions = [a for a in actions_of_plan(session, plan_id=plan.id) if a.is_open]
    dated = sorted((a for a in actions if a.due_date), key=lambda a: (a.due_date, a.position))
    undated = [a for a in actions if not a.due_date]
    wanted: dict[int, date] = {}
    squeezed = False
    if dated:
        earliest, latest = dated[0].due_date, dated[-1].due_date
        assert earliest is not None and latest is not None
        squeezed = within is not None and latest - earliest > within
        for n, a in enumerate(dated):
            assert a.due_date is not None
            if squeezed and within is not None:
                step = within.days * n // max(len(dated) - 1, 1)
                wanted[a.id] = first_due + timedelta(days=step)
            else:
                wanted[a.id] = a.due_date + (first_due - earliest)
    start = max(wanted.values(), default=first_due - timedelta(days=3)) + timedelta(days=3)
    for n, a in enumerate(undated):
        wanted[a.id] = start + timedelta(days=3 * n)
    moved = 0
    for a in actions:
        # The plan's own dates move with the due date, so `show` and the digest agree.
        delta = wanted[a.id] - a.due_date if a.due_date else None
        if delta and a.target_date:
            set_field(session, a, "target_date", a.target_date + delta, actor=actor, at=now)
        if delta and a.revised_target_date:
            new = a.revised_target_date + delta
            set_field(session, a, "revised_target_date", new, actor=actor, at=now)
        note = "demo: the plan's dates moved to start now"
        if set_field(session, a, "due_date", wanted[a.id], actor=actor, at=now, note=note):
            moved += 1
    return Restaged(moved, len(dated), len(undated), squeezed, max(wanted.values(), default=None))


# -- archiving and deleting a plan ------------------------------------------------------------


def archived_note(code: str) -> str:
    """What an archived plan means, said wherever one is met."""
    return (
        f"{code} is archived: kept for audit, but its actions get no reminders and are left "
        f"out of digests, reports and lists of open actions "
        f"(`actionbot plans unarchive {code}` brings it back)."
    )


def archive_plan(session: Session, plan: Plan, *, actor: Actor, now: datetime) -> bool:
    """Archive `plan` (recorded); False when it already was."""
    if plan.archived_at is not None:
        return False
    plan.archived_at = now
    plan.updated_at = now
    record(session, None, "plan.archived", old=None, new=now, actor=actor, at=now, plan_id=plan.id)
    return True


def unarchive_plan(session: Session, plan: Plan, *, actor: Actor, now: datetime) -> bool:
    """Bring an archived plan back (recorded); False when it was not archived."""
    if plan.archived_at is None:
        return False
    old = plan.archived_at
    plan.archived_at = None
    plan.updated_at = now
    record(session, None, "plan.archived", old=old, new=None, actor=actor, at=now, plan_id=plan.id)
    return True


@dataclass(frozen=True)
class DeletedPlan:
    code: str
    name: str
    actions: int
    events: int


def delete_plan(
    session: Session, plan: Plan, *, actor: Actor, now: datetime, exported_to: str
) -> DeletedPlan:
    """Delete `plan`, its actions and their history, for good; the deletion itself is
    recorded (the plan, its counts and where it was exported to), as the plan's events go
    with it. The caller exports the plan first: this is the only copy left."""
    action_ids = select(Action.id).where(Action.plan_id == plan.id)
    events = session.scalar(
        select(func.count())
        .select_from(Event)
        .where(or_(Event.plan_id == plan.id, Event.action_id.in_(action_ids)))
    )
    count = session.scalar(
        select(func.count()).select_from(Action).where(Action.plan_id == plan.id)
    )
    gone = DeletedPlan(plan.code, plan.name, int(count or 0), int(events or 0))
    # The database's ON DELETE CASCADE takes the actions, their owners' links, assignments and
    # events with the plan, in one statement.
    session.execute(delete(Plan).where(Plan.id == plan.id))
    session.expunge(plan)
    record(
        session,
        None,
        "plan.deleted",
        old=plan.code,
        new=None,
        actor=actor,
        at=now,
        note=(
            f"{plan_label(plan.code, plan.name)}: {plural(gone.actions, 'action')} and "
            f"{plural(gone.events, 'event')} of history deleted; exported first to {exported_to}"
        ),
    )
    return gone
