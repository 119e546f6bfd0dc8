"""Split a plan's "owner" cell into the owners it names.

Owner cells mix several styles: one owner per ``<p>``/``<li>``/line
(``<p>Finance</p> <p>BI&amp;PM</p>``), names run together with only spaces
(``Business Intelligence Finance Management Team Directors``), names joined by words
(``Learning and Development with Finance``), or a single team or person whose name
itself contains "and", "&" or a comma (``Finance & Comms``, ``Jon Lee, Head of
Finance``). Telling these apart needs a vocabulary of owner names:
:func:`owner_vocabulary` builds one from the owners file and the plan itself, and
:func:`split_owners` uses it on each cell.

Nothing is invented and no text is dropped silently: every owner returned is either a
vocabulary name found in the cell or a piece of the cell's own text, and a piece kept
whole that mentions known owners comes with a warning for an admin.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from bot.importer.html_text import html_parts

__all__ = ["OwnerSplit", "owner_vocabulary", "split_owners"]


@dataclass(frozen=True)
class OwnerSplit:
    """The owners named in one cell.

    ``names`` are in cell order with repeats removed (first occurrence kept); a name
    from the vocabulary is spelt as the vocabulary spells it. ``warnings`` are
    sentences for an admin about pieces that may hold several owners.
    """

    names: list[str]
    warnings: list[str]


# Hard separators always end an owner: block tags and newlines (handled by html_parts),
# semicolons, and a slash with spaces round it ("Finance / Audit", but not "BI/PM").
_HARD_SPLIT = re.compile(r"\s*;\s*|\s+/\s+")
# Words, keeping "BI&PM" or "Co-ordinator" whole, then any single other character.
_TOKEN = re.compile(r"[^\W_]+(?:[&'.\-][^\W_]+)*|[^\w\s]")
# Joining words allowed between two owner names; "and" and "&" are the same word.
_SOFT_SEPARATORS = frozenset({"&", "with", ","})
_SAME_WORD = {"and": "&", "+": "&"}
_EDGE_PUNCTUATION = ",;:"

_Key = tuple[str, ...]


class _Piece:
    """Text split into matching tokens, remembering where each token sits."""

    __slots__ = ("keys", "spans", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.keys: list[str] = []
        self.spans: list[tuple[int, int]] = []
        for match in _TOKEN.finditer(text):
            word = match.group().lower()
            self.keys.append(_SAME_WORD.get(word, word))
            self.spans.append(match.span())

    @property
    def key(self) -> _Key:
        return tuple(self.keys)

    def collapse_repeats(self) -> _Piece:
        """The piece with an exact repetition ("Finance Finance") reduced to one copy."""
        count = len(self.keys)
        for period in range(1, count // 2 + 1):
            if count % period == 0 and self.keys == self.keys[:period] * (count // period):
                return _Piece(self.text[: self.spans[period - 1][1]])
        return self


class _Vocabulary:
    """Owner names indexed by first token, longest first, for greedy matching."""

    def __init__(self, names: Iterable[str]) -> None:
        self.spelling: dict[_Key, str] = {}
        for name in names:
            cleaned = " ".join(name.split())
            key = _Piece(cleaned).key
            if key and key not in self.spelling:
                self.spelling[key] = cleaned
        self.by_first: dict[str, list[_Key]] = {}
        for key in sorted(self.spelling, key=len, reverse=True):
            self.by_first.setdefault(key[0], []).append(key)

    def matches_at(self, keys: list[str], position: int) -> list[_Key]:
        """Vocabulary names that start at ``position``, longest first."""
        return [
            key
            for key in self.by_first.get(keys[position], ())
            if tuple(keys[position : position + len(key)]) == key
        ]

    def segment(self, keys: list[str]) -> list[_Key] | None:
        """Read ``keys`` entirely as vocabulary names, optionally joined by soft
        separators; None when that is impossible. Longer names are preferred."""
        count = len(keys)
        # Worked backwards so each position knows whether the rest can be read; this
        # gives the same answer as a longest-first search without deep recursion.
        steps: list[tuple[_Key, int] | None] = [None] * count
        readable = [False] * count + [True]
        for start in range(count - 1, -1, -1):
            for key in self.matches_at(keys, start):
                following = self._skip_separators(keys, start + len(key))
                if following is not None and readable[following]:
                    steps[start] = (key, following)
                    readable[start] = True
                    break
        names: list[_Key] = []
        step = steps[0] if count else None
        while step is not None:
            key, following = step
            names.append(key)
            step = steps[following] if following < count else None
        return names or None

    @staticmethod
    def _skip_separators(keys: list[str], position: int) -> int | None:
        """Where the next name must start after a name ending at ``position``; None
        when only separators are left, as a cell may not end with "and"."""
        if position == len(keys):
            return position
        while position < len(keys) and keys[position] in _SOFT_SEPARATORS:
            position += 1
        return position if position < len(keys) else None

    def mentioned(self, keys: list[str]) -> list[_Key]:
        """Vocabulary names found anywhere in ``keys``, left to right, not overlapping."""
        found: list[_Key] = []
        position = 0
        while position < len(keys):
            matches = self.matches_at(keys, position)
            if matches:
                found.append(matches[0])
                position += len(matches[0])
            else:
                position += 1
        return found


def owner_vocabulary(cells: Iterable[str], *, known: Iterable[str] = ()) -> set[str]:
    """Return the owner names to split a plan's owner cells with.

    The vocabulary is every ``known`` name (from the owners file or the database)
    plus each *simple* owner seen in ``cells``. A cell offers as candidates each of
    its hard-separated parts (``<p>``, ``<li>``, ``<br>``, newline, ``;``, `` / ``),
    or its whole text when it has one part, with exact repeats collapsed
    ("Procurement Procurement" offers "Procurement"). A candidate is kept only when
    it contains no other known name or candidate, so compounds such as
    "Management Team BI&PM" or "Scrutiny Finance" are left for :func:`split_owners`
    to take apart rather than becoming names themselves. A known name is always
    kept, even when it contains another ("Finance & Comms").

    Names that differ only in case, spacing or "and"/"&" count as one; the spelling
    of ``known`` wins, then the first spelling seen in ``cells``.
    """
    vocabulary = _Vocabulary(known)
    known_keys = set(vocabulary.spelling)
    # A plan repeats the same few owner cells on row after row: read each distinct one once
    # (first-seen order kept, so the first spelling still wins).
    candidates = _Vocabulary(
        part.text for cell in dict.fromkeys(cells) for part in _hard_parts(cell) if _has_text(part)
    )
    everything = _Vocabulary([*vocabulary.spelling.values(), *candidates.spelling.values()])
    names = set(vocabulary.spelling.values())
    for key, spelling in candidates.spelling.items():
        if key not in known_keys and not _contains_other(everything, key):
            names.add(spelling)
    return names


def split_owners(cell: str, *, known: Collection[str]) -> OwnerSplit:
    """Split one owner cell into owner names using the vocabulary ``known``.

    ``known`` is normally the result of :func:`owner_vocabulary`; matching is
    case-insensitive, ignores spacing and treats "and" and "&" as the same word.
    When two spellings of one name are given, the first in iteration order is used.

    1. The cell is cut at hard separators (HTML blocks, newlines, ``;`` and `` / ``).
    2. Each part has exact repeats collapsed ("Procurement Procurement" is
       "Procurement") and is kept if it is a vocabulary name.
    3. Otherwise, if the whole part reads as two or more vocabulary names, run
       together or joined by "and", "&", "with" or a comma, it is split into them
       ("Commercial Director Finance" or "Learning and Development with Finance").
    4. Otherwise the part is kept whole as one owner, with a warning when it
       mentions vocabulary names ("Directorates (BI&PM Finance Support)").
    """
    return owner_splitter(known)(cell)


def owner_splitter(known: Collection[str]) -> Callable[[str], OwnerSplit]:
    """:func:`split_owners` with the vocabulary indexed once, for splitting many cells."""
    vocabulary = _Vocabulary(known)
    # A plan names the same few owners on row after row: split each distinct cell once.
    done: dict[str, OwnerSplit] = {}

    def split(cell: str) -> OwnerSplit:
        found = done.get(cell)
        if found is None:
            found = done[cell] = _split(cell, vocabulary)
        return OwnerSplit(names=list(found.names), warnings=list(found.warnings))

    return split


def _split(cell: str, vocabulary: _Vocabulary) -> OwnerSplit:
    names: dict[_Key, str] = {}
    warnings: list[str] = []
    for part in _hard_parts(cell):
        if not _has_text(part):
            warnings.append(f"'{part.text}' has no letters or digits; not taken as an owner")
            continue
        key = part.key
        if key in vocabulary.spelling:
            names.setdefault(key, vocabulary.spelling[key])
            continue
        segments = vocabulary.segment(part.keys)
        if segments is not None:
            for segment in segments:
                names.setdefault(segment, vocabulary.spelling[segment])
            continue
        names.setdefault(key, part.text)
        mentioned = list(dict.fromkeys(vocabulary.mentioned(part.keys)))
        if mentioned:
            listed = ", ".join(vocabulary.spelling[found] for found in mentioned)
            noun = "owners" if len(mentioned) > 1 else "owner"
            warnings.append(
                f"'{part.text}' kept as one owner; it mentions known {noun} {listed} — check it"
            )
    return OwnerSplit(names=list(names.values()), warnings=warnings)


def _hard_parts(cell: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    for block in html_parts(cell):
        for raw in _HARD_SPLIT.split(block):
            text = raw.strip().strip(_EDGE_PUNCTUATION).strip()
            if text:
                pieces.append(_Piece(text).collapse_repeats())
    return pieces


def _has_text(piece: _Piece) -> bool:
    return any(character.isalnum() for character in piece.text)


def _contains_other(vocabulary: _Vocabulary, key: _Key) -> bool:
    """True when a vocabulary name other than ``key`` occurs inside ``key``."""
    keys = list(key)
    for position in range(len(keys)):
        for found in vocabulary.matches_at(keys, position):
            if found != key:
                return True
    return False
