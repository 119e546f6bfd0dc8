"""The digest's word on leave: who is away this week, and which actions nobody can take."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.messages import theirs
from bot.core.when import day as day_label
from bot.jobs.cover import Roster, nobody_available
from bot.jobs.planner import ActionFacts


def away_this_week(roster: Roster, today: date) -> list[str]:
    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    lines = []
    for person, leave in roster.away_between(monday, sunday):
        note = f" ({theirs(leave.note)})" if leave.note else ""
        lines.append(
            f"• {theirs(roster.names.get(person, person))}: {day_label(leave.first, today)} to "
            f"{day_label(leave.last, today)}{note}"
        )
    return lines


def unavailable_lines(actions: list[ActionFacts], roster: Roster, today: date) -> list[str]:
    """Open actions whose holders (or assignee) are all away today with no deputy covering:
    their reminders wait until someone is back."""
    lines = []
    for action in nobody_available(actions, roster, today):
        waiting = sorted(roster.names.get(p, p) for p in roster.route(action, today).held)
        lines.append(
            f"• {theirs(f'{action.plan_code}:{action.ref} {action.title[:80]}')}: "
            f"{theirs(', '.join(waiting))} away, no deputy"
        )
    return lines
