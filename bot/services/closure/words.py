"""The history's sentences for closure steps: evidence, verification, new dates asked for."""

from __future__ import annotations

from datetime import date

from bot.core.messages import theirs
from bot.core.when import day

CLOSURE_FIELDS = frozenset({"verification", "extension", "evidence", "review_escalated"})


def _day(value: str | None, today: date) -> str:
    if not value:
        return "no date"
    try:
        return day(date.fromisoformat(value[:10]), today)
    except ValueError:
        return theirs(value)


def closure_sentence(
    field: str, old: str | None, new: str | None, note: str | None, who: str, today: date
) -> str:
    """`who` is already escaped for the reply markup; everything else is escaped here."""
    why = f": “{theirs(note)}”" if note else ""
    if field == "evidence":
        return f"{who} added evidence: {theirs(new or '')}"
    if field == "review_escalated":
        what = "its verification" if new == "verify" else "its new date"
        told = f" ({theirs(note)})" if note else ""
        return f"{who} escalated {what} as waiting with no decision{told}"
    if field == "verification":
        said = {
            "requested": "said it is implemented, for verification",
            "accepted": "verified it as done",
            "rejected": "rejected it as not done",
        }.get(new or "", f"set verification to {theirs(new or '')}")
        return f"{who} {said}{why}"
    if new == "approved":
        return f"{who} approved the new date{why}"
    if new == "declined":
        return f"{who} declined the new date{why}"
    return f"{who} asked to move the due date from {_day(old, today)} to {_day(new, today)}{why}"
