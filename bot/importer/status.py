"""Read the free-text status and RAG (red/amber/green) cells of improvement plans.

``parse_status("Amber - in progress")`` gives status ``"in_progress"`` and RAG
``"amber"``. Matching ignores case and punctuation. It never raises on any ``str``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["ParsedStatus", "Rag", "Status", "parse_status"]

Status = Literal["not_started", "in_progress", "done", "blocked", "cancelled"]
Rag = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class ParsedStatus:
    """What a status cell says.

    ``original`` is the text as given (``""`` for ``None``). ``status`` and ``rag`` are
    ``None`` when the cell does not say. ``recognised`` is False only when the cell
    has text but none of it was understood, so an admin should look at it.
    """

    original: str
    status: Status | None
    rag: Rag | None
    recognised: bool


_STATUS_PHRASES: dict[Status, tuple[str, ...]] = {
    "done": (
        "complete", "completed", "done", "closed", "achieved", "finished", "delivered",
        "implemented", "blue",
    ),
    "in_progress": (
        "in progress", "ongoing", "on going", "underway", "under way", "started",
        "progressing", "in hand", "work in progress", "wip",
        # Negated or partial completion must not be read as "complete".
        "not complete", "not completed", "not yet complete", "not yet completed",
        "incomplete", "partially complete", "partially completed", "partly complete",
        "partly completed", "not done", "not yet done",
    ),
    "not_started": ("not started", "not yet started", "open", "to do", "todo", "yet to start"),
    "blocked": ("on hold", "blocked", "paused", "stalled", "suspended"),
    "cancelled": (
        "cancelled", "canceled", "withdrawn", "superseded", "no longer required",
        "no longer needed", "abandoned", "dropped",
    ),
}  # fmt: skip
_RAG_PHRASES: dict[Rag, tuple[str, ...]] = {
    "green": ("green", "on track", "on target"),
    "amber": ("amber", "at risk", "yellow"),
    "red": ("red", "off track", "delayed", "overdue", "behind schedule", "off target"),
}
# When a cell names several statuses the most final one wins: "in progress - on hold"
# is blocked, "started, now complete" is done, "closed - superseded" is cancelled.
_STATUS_PRECEDENCE: tuple[Status, ...] = (
    "cancelled",
    "done",
    "blocked",
    "in_progress",
    "not_started",
)
# "Amber/Green" hedges, so the more worrying colour is the safer reading.
_RAG_PRECEDENCE: tuple[Rag, ...] = ("red", "amber", "green")
_RAG_LETTERS: dict[str, Rag] = {"g": "green", "a": "amber", "r": "red"}
_PLACEHOLDERS = frozenset({"na", "n a", "none", "nil", "tbc", "tba", "tbd"})
# Dashes and dots are how spreadsheets leave a cell empty; other lone punctuation such as
# "?" says something we cannot read, so it is not treated as blank.
_BLANK = re.compile(r"[\s\-\u2013\u2014.]*")


def _phrase_meanings() -> dict[str, tuple[Status | None, Rag | None]]:
    meanings: dict[str, tuple[Status | None, Rag | None]] = {}
    for status, status_phrases in _STATUS_PHRASES.items():
        for phrase in status_phrases:
            meanings[phrase] = (status, None)
    for rag, rag_phrases in _RAG_PHRASES.items():
        for phrase in rag_phrases:
            meanings[phrase] = (None, rag)
    return meanings


_PHRASE_MEANING = _phrase_meanings()
# Longest first so "not started" wins over "started" at the same position.
_PHRASE = re.compile(
    r"(?<!\S)(?:"
    + "|".join(re.escape(p) for p in sorted(_PHRASE_MEANING, key=len, reverse=True))
    + r")(?!\S)"
)
_NON_WORD = re.compile(r"[\W_]+")
# A lone letter is too ambiguous in prose ("A delay ..."), so G/A/R only count as RAG
# when they stand alone, follow "RAG", are set off by punctuation at the start
# ("G - complete") or sit in brackets ("Complete (G)").
_RAG_LETTER = re.compile(
    r"^\s*(?:rag\s*(?:status|rating)?\s*[:=-]?\s*)?([gar])\s*(?:$|[-:/|(\u2013])"
    r"|\(\s*([gar])\s*\)"
    r"|\brag\s*(?:status|rating)?\s*[:=-]?\s*([gar])\b",
    re.IGNORECASE,
)


def parse_status(text: str | None) -> ParsedStatus:
    """Read a status cell such as ``"Complete (Green)"`` or ``"RAG: Red"``.

    Blank cells and placeholders (``N/a``, ``-``, ``None``, ``TBC``) give status and
    RAG ``None`` with ``recognised`` True. When several statuses are named the most
    final wins (cancelled, then done, blocked, in progress, not started); when several
    RAG colours are named the worst wins (red, then amber, then green).
    """
    original = "" if text is None else text
    normalised = _NON_WORD.sub(" ", original.lower()).strip()
    if normalised in _PLACEHOLDERS or _BLANK.fullmatch(original):
        return ParsedStatus(original=original, status=None, rag=None, recognised=True)

    statuses: set[Status] = set()
    rags: set[Rag] = set()
    for match in _PHRASE.finditer(normalised):
        status, rag = _PHRASE_MEANING[match.group()]
        if status is not None:
            statuses.add(status)
        if rag is not None:
            rags.add(rag)
    if normalised in _RAG_LETTERS:
        rags.add(_RAG_LETTERS[normalised])
    else:
        for letter_match in _RAG_LETTER.finditer(original):
            letter = next(g for g in letter_match.groups() if g is not None)
            rags.add(_RAG_LETTERS[letter.lower()])

    chosen_status = next((s for s in _STATUS_PRECEDENCE if s in statuses), None)
    chosen_rag = next((r for r in _RAG_PRECEDENCE if r in rags), None)
    return ParsedStatus(
        original=original,
        status=chosen_status,
        rag=chosen_rag,
        recognised=chosen_status is not None or chosen_rag is not None,
    )
