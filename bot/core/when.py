"""Dates as people read them: one style for every message on every platform.

`Sat 31 Mar 2018`, the year dropped only within the current year; relative words with
correct plurals ("in 1 day", "2 days ago", "today", "tomorrow"). Machine output (JSON, CSV
exports, outbox payloads) keeps ISO dates and never comes through here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`plural(1, "day")` → "1 day"; `plural(2, "day")` → "2 days"."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def day(value: date | datetime, today: date | None = None) -> str:
    """`Sat 31 Mar 2018`; `Sat 31 Mar` when `value` falls in `today`'s year.

    Without `today` the year is always written (a page read outside any "now").
    """
    if isinstance(value, datetime):
        value = value.date()
    text = f"{value:%a} {value.day} {value:%b}"
    if today is None or value.year != today.year:
        text += f" {value.year}"
    return text


def moment(value: datetime, tz: str, today: date | None = None) -> str:
    """`Mon 7 Dec 2026 02:25`: an instant (UTC when it says no zone, as the register keeps
    them) as the council's clock (`tz`) shows it, the year dropped as `day` drops it."""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(ZoneInfo(tz))
    return f"{day(local, today)} {local:%H:%M}"


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def day_text(value: str, today: date | None = None) -> str:
    """A value from a record (an export, an event) as people read it: an ISO date becomes
    `Sat 31 Mar 2018`; anything else is shown as it is."""
    if _ISO_DAY.fullmatch(value):
        try:
            return day(date.fromisoformat(value), today)
        except ValueError:
            return value
    return value


def relative(value: date, today: date) -> str:
    """ "today", "tomorrow", "yesterday", "in 5 days", "3 days ago"."""
    days = (value - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if days > 0:
        return f"in {plural(days, 'day')}"
    return f"{plural(-days, 'day')} ago"


def due_phrase(due: date | None, today: date) -> str:
    """How a due date reads on a card: "due tomorrow (Sat 31 Mar)", "overdue by 3 days
    (due Wed 28 Mar)", "no due date"."""
    if due is None:
        return "no due date"
    days = (due - today).days
    if days < 0:
        return f"overdue by {plural(-days, 'day')} (due {day(due, today)})"
    if days == 0:
        return f"due today ({day(due, today)})"
    return f"due {relative(due, today)} ({day(due, today)})"


def stored_day(value: str | None, today: date) -> str:
    """A date as an event keeps it (ISO text, or nothing), as people read it; text that is
    no date is shown as written."""
    if not value:
        return "no date"
    try:
        return day(date.fromisoformat(value[:10]), today)
    except ValueError:
        return value
