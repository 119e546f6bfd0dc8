"""Rules every door enforces the same way, whatever form its input takes.

A door with a form (Slack's modals, Teams' cards) asks these first, to show each problem
beside its field; the services apply the same rules again to every command, so a door
that forgot cannot let a bad change through.
"""

from __future__ import annotations

from datetime import date

from bot.commands.types import MAX_NOTE
from bot.importer.dates import typed_date, typed_dates

NO_DATE = "Pick the new date."
PAST_DATE = "Pick a date that is not in the past."
ONLY_DATE = "Only the date goes here: put \u201c{rest}\u201d in the reason."
NO_REASON = "Say why it is moving: leadership sees this."
NO_NOTE = "Write the update."
TOO_LONG = f"Keep it under {MAX_NOTE:,} characters."


def revision_problems(picked: str | None, reason: str, *, today: date) -> dict[str, str]:
    """Problems with a new target date and its reason, by field ("date", "reason").

    The date field is read as `/action REF date …` reads a date (a picker sends
    YYYY-MM-DD; a card shown as a text box may hold anything), and holds the date alone:
    words typed after it are refused, never taken into the date nor dropped."""
    problems: dict[str, str] = {}
    readings = typed_dates(picked or "", today=today)
    if not readings:
        problems["date"] = NO_DATE
    elif readings[0].rest:
        problems["date"] = ONLY_DATE.format(rest=readings[0].rest)
    elif readings[0].value < today:
        problems["date"] = PAST_DATE
    if not reason.strip():
        problems["reason"] = NO_REASON
    elif len(reason.strip()) > MAX_NOTE:
        problems["reason"] = TOO_LONG
    return problems


def picked_date(picked: str | None, *, today: date) -> date | None:
    """The date a form's date field holds, read as `revision_problems` reads it."""
    return typed_date(picked or "", today=today)


def revision_problem(new: date, reason: str, *, today: date) -> str | None:
    """The first problem with a parsed revision, for services checking any command."""
    problems = revision_problems(new.isoformat(), reason, today=today)
    return next(iter(problems.values()), None)


def note_problems(note: str) -> dict[str, str]:
    if not note.strip():
        return {"note": NO_NOTE}
    if len(note.strip()) > MAX_NOTE:
        return {"note": TOO_LONG}
    return {}
