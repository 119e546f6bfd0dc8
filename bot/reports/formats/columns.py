"""The action table's columns, shared by every format so they all say the same thing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.reports.committee import Pack, PackAction, uk_date

Cell = str | int | date | datetime | None


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[PackAction], Cell]
    width: int  # characters, for the spreadsheet


ACTION_COLUMNS: tuple[Column, ...] = (
    Column("Ref", lambda a: a.ref, 8),
    Column("Action", lambda a: a.title, 50),
    Column("Owners", lambda a: a.owners, 24),
    Column("Theme", lambda a: a.theme, 22),
    Column("Original target", lambda a: a.original_target or a.original_text, 14),
    Column("Revised target", lambda a: a.revised_target, 14),
    Column("Slips", lambda a: a.slips, 7),
    Column("Reasons for slips", lambda a: a.reasons_text, 36),
    Column("Status", lambda a: a.status_label, 13),
    Column("RAG", lambda a: a.rag_label, 16),
    Column("Latest update", lambda a: a.latest_update, 50),
    Column("Last updated", lambda a: a.last_updated, 14),
)

# The short table used for the sections (completed, slipped, overdue, escalated).
SECTION_COLUMNS: tuple[Column, ...] = (
    ACTION_COLUMNS[0],
    ACTION_COLUMNS[1],
    ACTION_COLUMNS[2],
    Column("Due", lambda a: a.due, 14),
    ACTION_COLUMNS[6],
    ACTION_COLUMNS[8],
    ACTION_COLUMNS[9],
)


def as_text(value: Cell) -> str:
    """A cell for a text format: UK dates, empty for nothing."""
    if value is None:
        return ""
    if isinstance(value, date):  # datetime is a date too
        return uk_date(value)
    return str(value)


def sections(pack: Pack) -> list[tuple[str, str, list[PackAction]]]:
    """(heading, what it means, actions) for each list after the register."""
    since = pack.since_label
    return [
        ("Completed", f"Actions marked done {since}.", pack.completed),
        ("Slipped", f"Actions whose target date was revised {since}.", pack.slipped),
        ("Overdue", f"Open actions past their due date on {uk_date(pack.today)}.", pack.overdue),
        ("Escalated", f"Overdue actions escalated to a manager {since}.", pack.escalated),
    ]
