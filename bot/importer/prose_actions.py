"""Actions read from prose (minutes, reports), and how they become a parsed plan.

The readers (`minutes`, `prose_report`) return a `ProseReading`: candidate actions, each
with the paragraph and words it came from, and the clauses or items that are not actions
with the reason. `prose_plan` turns it into the `ParsedPlan` every import applies, keeping
the source (file, page, sentence) in each action's `extra`, so an admin can check any
action against the paper, and flagging what an admin must check (no owner named, a date
that is only a month, "the next meeting" with no date given).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.importer.clauses import DatePhrase
from bot.importer.columns import ColumnMap
from bot.importer.dates import parse_date
from bot.importer.owners import OwnerSplit, owner_splitter, owner_vocabulary
from bot.importer.parsed import ParsedAction, ParsedPlan
from bot.importer.prose import NotAction, Paragraph

__all__ = ["Candidate", "NotAction", "ProseReading", "prose_plan"]

# Keys of the source in an action's extra (shown with the action, exported with it): the
# page of a PDF, or the paragraph of a Word document, which has no pages until laid out.
SOURCE_FILE = "Source file"
SOURCE_PAGE = "Source page"
SOURCE_PARAGRAPH = "Source paragraph"
SOURCE_TEXT = "Source text"
# Source text beyond this is cut (with an ellipsis): a clause, not a whole minute.
_SOURCE_CHARS = 1000


@dataclass
class Candidate:
    """An action read from prose, before it is matched to the register's owners."""

    ref: str
    title: str
    paragraph: Paragraph
    source: str  # the words it came from, as written (label included)
    theme: str | None = None
    section: str | None = None
    owners: list[str] = field(default_factory=list)
    # Another name for an owner, e.g. the person the attendance list gives for a role.
    aliases: dict[str, str] = field(default_factory=dict)
    date: DatePhrase | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ProseReading:
    kind: str  # "minutes" | "report"
    candidates: list[Candidate]
    not_actions: list[NotAction]
    # What was read, for the import report: "minutes (PDF, 3 pages): 14 minutes".
    described: str
    warnings: list[str] = field(default_factory=list)


def prose_plan(
    reading: ProseReading,
    *,
    file_name: str,
    today: date,
    known_owners: Collection[str] = (),
) -> ParsedPlan:
    """The candidates as a parsed plan, owners matched to the names the register knows."""
    known = {name.lower(): name for name in known_owners}
    cells = [owner for c in reading.candidates for owner in _chosen_owners(c, known)]
    split = owner_splitter(owner_vocabulary(cells, known=known_owners))
    plan = ParsedPlan(
        actions=[],
        columns=ColumnMap(headers=[]),
        encoding=reading.kind,
        delimiter="",
        warnings=list(reading.warnings),
        read_as=reading.described,
        kind=reading.kind,
        not_actions=list(reading.not_actions),
    )
    for number, candidate in enumerate(reading.candidates, start=1):
        plan.actions.append(
            _action(candidate, number, split=split, known=known, file_name=file_name, today=today)
        )
    return plan


def _chosen_owners(candidate: Candidate, known: Mapping[str, str]) -> list[str]:
    """The clause's owners; a role the register does not know but whose holder (from the
    attendance list) it does becomes that person."""
    chosen = []
    for owner in candidate.owners:
        alias = candidate.aliases.get(owner)
        if owner.lower() not in known and alias is not None and alias.lower() in known:
            chosen.append(known[alias.lower()])
        else:
            chosen.append(owner)
    return chosen


def _action(
    candidate: Candidate,
    number: int,
    *,
    split: Callable[[str], OwnerSplit],
    known: Mapping[str, str],
    file_name: str,
    today: date,
) -> ParsedAction:
    where = f"{candidate.ref} ({candidate.paragraph.where})"
    action = ParsedAction(row=number, ref=candidate.ref, title=candidate.title)
    action.source = candidate.paragraph.where
    action.theme = candidate.theme
    action.section = candidate.section
    owners = _chosen_owners(candidate, known)
    if owners:
        action.owners_text = "; ".join(owners)
        names: list[str] = []
        for owner in owners:
            for name in split(owner).names:
                if name not in names:
                    names.append(name)
        action.owners = names
    for note in candidate.notes:
        action.warnings.append(f"{where}: {note}")
    phrase = candidate.date
    if phrase is not None:
        action.target = phrase.parsed
        if phrase.parsed.value is None or phrase.parsed.flagged or phrase.parsed.note:
            detail = phrase.parsed.note or phrase.parsed.kind
            action.warnings.append(f"{where}: date {phrase.text!r}: {detail}")
    else:
        action.target = parse_date(None, reference=today)
    source = candidate.source
    if len(source) > _SOURCE_CHARS:
        source = source[: _SOURCE_CHARS - 1].rstrip() + "…"
    paragraph = candidate.paragraph
    place = (
        (SOURCE_PAGE, str(paragraph.page))
        if paragraph.page is not None
        else (SOURCE_PARAGRAPH, str(paragraph.number))
    )
    action.extra = {SOURCE_FILE: file_name, place[0]: place[1], SOURCE_TEXT: source}
    return action
