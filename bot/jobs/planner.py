"""Who hears about what today: a pure function of (register facts, time).

No database, no platform: the same facts and the same instant always give the same
messages, which is what makes `--dry-run`, tests and restarts safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.calendar import WorkingCalendar
from bot.core.schedule import DEFAULT_DAYS
from bot.core.when import day as day_label
from bot.core.when import plural, relative

CHECK_IN_AFTER_DAYS = 60
ESCALATE_AFTER = 10  # working days overdue without an update: tell the escalation contact
DIGEST_ESCALATE_AFTER = 20  # … and list it in the digest's escalations section


@dataclass(frozen=True)
class ActionFacts:
    action_id: int
    plan_code: str
    ref: str
    title: str
    due: date | None
    status: str
    rag: str | None
    owners: tuple[str, ...]
    theme: str | None = None
    snoozed_until: date | None = None
    last_update: datetime | None = None
    escalated_on: date | None = None
    days: tuple[int, ...] = DEFAULT_DAYS  # the plan's reminder schedule
    latest_update: str | None = None
    slip_count: int = 0

    @property
    def is_open(self) -> bool:
        return self.status in ("not_started", "in_progress", "blocked")


@dataclass(frozen=True)
class PersonFacts:
    """Somebody who owns actions, with the time zone their day runs in."""

    recipient: str  # "person:<id>"
    tz: str
    actions: tuple[ActionFacts, ...]


@dataclass(frozen=True)
class NudgeItem:
    action_id: int
    reason: str  # "due in 14 days", "due today", "overdue by 9 days", "monthly check-in"
    kind: str  # before | on_day | overdue | check_in


@dataclass
class PlannedMessage:
    recipient: str
    kind: str  # nudge | escalation | unreachable
    day: date
    items: list[NudgeItem] = field(default_factory=list)
    note: str | None = None

    @property
    def key(self) -> str:
        """The outbox key: one message of a kind per recipient per day, ever."""
        return f"{self.recipient}:{self.kind}:{self.day.isoformat()}"


@dataclass(frozen=True)
class Escalation:
    action_id: int
    contact: str  # "email:<address>"
    day: date
    working_days_overdue: int


def local_day(now: datetime, tz: str) -> tuple[date, int]:
    local = now.astimezone(ZoneInfo(tz))
    return local.date(), local.hour


def reason_today(action: ActionFacts, day: date, cal: WorkingCalendar) -> NudgeItem | None:
    """Why the owner should hear about `action` on `day`, or None."""
    if not action.is_open:
        return None
    if action.snoozed_until is not None and day < action.snoozed_until:
        return None
    due = action.due
    if due is None:
        if day == cal.first_working_day_of_month(day):
            return NudgeItem(action.action_id, "monthly check-in (no due date)", "check_in")
        return None
    if day > due:
        over = (day - due).days
        # Weekly while overdue, each reminder moved back to a working day when it falls on one off.
        for week in (over // 7, over // 7 + 1):
            if week >= 1 and cal.on_or_before(due + timedelta(days=7 * week)) == day:
                return NudgeItem(action.action_id, f"overdue by {plural(over, 'day')}", "overdue")
        return None
    for days_before in action.days:
        if days_before == 0:
            when = cal.on_or_before(due)
        elif days_before == 1:
            when = cal.previous_working_day(due)
        else:
            when = cal.on_or_before(due - timedelta(days=days_before))
        if when == day:
            left = (due - day).days
            if left == 0:
                return NudgeItem(action.action_id, "due today", "on_day")
            kind = "on_day" if days_before == 0 else "before"
            return NudgeItem(
                action.action_id, f"due {relative(due, day)} ({day_label(due, day)})", kind
            )
    if (due - day).days > CHECK_IN_AFTER_DAYS and day == cal.first_working_day_of_month(day):
        return NudgeItem(
            action.action_id, "monthly check-in: one line and a RAG, please", "check_in"
        )
    return None


def plan_nudges(
    people: list[PersonFacts], *, now: datetime, cal: WorkingCalendar, hour: int = 9
) -> list[PlannedMessage]:
    """One message per person for today (their local day), once it is `hour` o'clock there.

    A sweep later the same day plans the same messages again; the outbox key makes that a no-op,
    and a sweep missed at 09:00 is caught up by any later sweep that day.
    """
    messages = []
    for person in people:
        day, local_hour = local_day(now, person.tz)
        if local_hour < hour or not cal.is_working_day(day):
            continue
        items = [item for a in person.actions if (item := reason_today(a, day, cal)) is not None]
        if items:
            messages.append(PlannedMessage(person.recipient, "nudge", day, _ordered(items, person)))
    return messages


def _ordered(items: list[NudgeItem], person: PersonFacts) -> list[NudgeItem]:
    due = {a.action_id: a.due or date.max for a in person.actions}
    rank = {"overdue": 0, "on_day": 1, "before": 2, "check_in": 3}
    return sorted(items, key=lambda i: (rank[i.kind], due[i.action_id]))


def in_digest_escalations(action: ActionFacts, today: date, cal: WorkingCalendar) -> bool:
    """The ladder's second rung: DIGEST_ESCALATE_AFTER working days overdue with no update
    since the due date, listed in the weekly digest (leave does not stop this clock)."""
    if action.due is None or action.due >= today:
        return False
    if action.last_update is not None and action.last_update.date() > action.due:
        return False
    return cal.working_days_after(action.due, today) >= DIGEST_ESCALATE_AFTER


def escalations(
    actions: list[ActionFacts],
    contacts: dict[int, tuple[str, ...]],
    *,
    today: date,
    cal: WorkingCalendar,
    paused: Callable[[ActionFacts, date, date], set[date]] | None = None,
) -> list[Escalation]:
    """Overdue actions with no update for ESCALATE_AFTER working days, not yet escalated.

    `paused(action, first, last)` names the days in [first, last] the action's owners were
    away and said so; those days do not count (bot.jobs.cover.paused_days).
    """
    found = []
    for action in actions:
        if not action.is_open or action.due is None or action.due >= today:
            continue
        if action.last_update is not None and action.last_update.date() > action.due:
            continue
        if action.escalated_on is not None and action.escalated_on > action.due:
            continue
        overdue = cal.working_days_after(action.due, today)
        if paused is not None and overdue >= ESCALATE_AFTER:
            away = paused(action, action.due + timedelta(days=1), today)
            overdue -= sum(1 for d in away if cal.is_working_day(d))
        if overdue >= ESCALATE_AFTER:
            for contact in contacts.get(action.action_id, ()):
                found.append(Escalation(action.action_id, contact, today, overdue))
    return found
