"""The message an admin sends with a plan file in chat: the plan's code, then how to read
the file, as `actionbot import` offers it on the command line.

    NCC                                  the plan (or `import NCC`)
    NCC sheet 2 | sheet "Action plan" | sheet all      = --sheet
    NCC map ref="Action Ref." map owners="Lead Officer"  = --map (the same fields)
    NCC due 2027-03-31                                  = --default-due

`--archive-missing` has no chat form on purpose: it cancels actions; it stays on the
command line. Mappings are read by the command line's own reader (`parse_mapping`).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, replace
from datetime import date

from bot.importer.columns import FIELDS, check_field
from bot.importer.errors import ImportFileError
from bot.importer.hints import MappingError, Option, Phrasing, parse_mapping

__all__ = [
    "ImportRequest",
    "MessageError",
    "ReadOptions",
    "chat_phrasing",
    "read_message",
]

CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
FILLER = {"/action", "action", "admin", "import", "plan", "into", "to", "for"}
# The command line's spellings are understood too, for admins who know them.
_WORDS = {
    "sheet": "sheet",
    "--sheet": "sheet",
    "map": "map",
    "--map": "map",
    "due": "due",
    "--default-due": "due",
    "default-due": "due",
}
# What Slack and Teams clients make of a typed `"`.
_SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"'})


@dataclass(frozen=True)
class ReadOptions:
    """How to read the file: `actionbot import`'s --sheet, --map and --default-due."""

    sheet: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()
    default_due: date | None = None

    @property
    def overrides(self) -> dict[str, str] | None:
        return dict(self.mapping) or None

    def to_json(self) -> str:
        """As kept with a pending import (and hashed into its preview's digest)."""
        return json.dumps(
            {
                "sheet": self.sheet,
                "map": [list(pair) for pair in self.mapping],
                "due": self.default_due.isoformat() if self.default_due else None,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | None) -> ReadOptions:
        if not text:
            return cls()
        doc = json.loads(text)
        due = doc.get("due")
        return cls(
            sheet=doc.get("sheet"),
            mapping=tuple((str(f), str(h)) for f, h in doc.get("map") or []),
            default_due=date.fromisoformat(due) if due else None,
        )

    def words(self) -> str:
        """The options as the chat message writes them ("" for none)."""
        parts = [chat_form(Option("sheet", self.sheet))] if self.sheet is not None else []
        parts += [chat_form(Option("map", h, field=f)) for f, h in self.mapping]
        if self.default_due is not None:
            parts.append(f"due {self.default_due.isoformat()}")
        return " ".join(parts)


@dataclass(frozen=True)
class ImportRequest:
    """What the message asked for: the plan (None: go by the file's name) and the options."""

    code: str | None
    options: ReadOptions


class MessageError(ValueError):
    """The message cannot be read; `str()` says why, in the chat's own terms."""


def chat_form(option: Option) -> str:
    """The option as the chat message writes it: `sheet 2`, `map ref="Action Ref."`; with
    no value, a placeholder for the admin to fill in (no sheet number that may not exist)."""
    if option.name == "sheet":
        if option.value is None:
            return 'sheet "<sheet name or number>"'
        plain = (
            option.value.isdecimal() and option.value.isascii()
        ) or option.value.lower() == "all"
        return f"sheet {option.value}" if plain else f'sheet "{option.value}"'
    if option.field is None:
        return 'map ref="<header>"'
    return f'map {option.field}="{option.value or ""}"'


def chat_phrasing(code: str, given: ReadOptions | None = None) -> Phrasing:
    """How the importer's messages name an option in chat: one the admin gave, as they
    wrote it (`sheet 3`); one to use, as the whole message to send the file with: what they
    `given` with the advice added, so following it keeps their other choices."""

    def phrase(option: Option) -> str:
        if option.advice:
            return f"the message `{code} {_advised(given or ReadOptions(), option)}`"
        if option.value is None and option.field is None:
            return f"`{option.name}`"
        return f"`{chat_form(option)}`"

    return phrase


def _advised(given: ReadOptions, option: Option) -> str:
    """The options `given`, with `option` (advice) in place of what it replaces."""
    if option.name == "sheet" and option.value is not None:
        return replace(given, sheet=option.value).words()
    if option.name == "map" and option.field is not None:
        kept = tuple(pair for pair in given.mapping if pair[0] != option.field)
        return replace(given, mapping=(*kept, (option.field, option.value or ""))).words()
    rest = replace(given, sheet=None) if option.name == "sheet" else given
    return " ".join(filter(None, [chat_form(option), rest.words()]))


def words_of(comment: str) -> list[str]:
    """The message as words; `"…"` (or “…”) keeps a name with spaces together.

    Only double quotes quote: an apostrophe (`Children's Services`) is a letter.

    Raises:
        MessageError: a quote is not closed.
    """
    # Any Unicode space (a no-break space that a chat composer put in) separates words,
    # as str.split() did before options were read; shlex knows only ASCII whitespace.
    text = re.sub(r"\s", " ", comment.replace("`", " ").translate(_SMART_QUOTES))
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.escape = ""
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as exc:
        raise MessageError(
            f'a quote is not closed in {comment[:80]!r}; write a name with spaces in "double '
            'quotes", e.g. `NCC sheet "Action plan"`'
        ) from exc


def read_message(comment: str) -> ImportRequest:
    """The plan code and options in the message sent with a file.

    Raises:
        MessageError: the message is not a plan code followed by options.
    """
    words = words_of(comment)
    while words and words[0].lower() in FILLER:
        words = words[1:]
    code: str | None = None
    if words and not (words[0].lower() in _WORDS and len(words) > 1):
        first = words.pop(0)
        if not CODE.match(first):
            raise MessageError(
                f"it starts with the plan's code, and {first[:80]!r} is not one (one word, "
                "letters and digits)"
            )
        code = first
    sheet: str | None = None
    mapping: dict[str, str] = {}
    due: date | None = None
    while words:
        word = words.pop(0)
        # A typed `--sheet` that the client's autocorrect turned into `—sheet`.
        kind = _WORDS.get(re.sub(r"^[\u2013\u2014]", "--", word.lower()))
        if kind is None:
            read = f"I took {code!r} as the plan's code; after it, " if code else ""
            raise MessageError(
                f"{read}{word[:80]!r} is not one of `sheet`, `map` or `due` "
                "(the plan's code comes first, then those, e.g. `NCC sheet 2`)"
            )
        if not words:
            raise MessageError(f"`{word}` needs a value: {_EXAMPLES[kind]}")
        value = words.pop(0)
        if kind == "sheet":
            if sheet is not None:
                raise MessageError("name one sheet (or `sheet all` for every plan sheet)")
            sheet = value
        elif kind == "map":
            mapping.update(_mapping(value))
        else:
            if due is not None:
                raise MessageError("give one `due` date")
            due = _day(value)
    return ImportRequest(code, ReadOptions(sheet, tuple(mapping.items()), due))


_EXAMPLES = {
    "sheet": '`sheet 2`, `sheet "Action plan"` or `sheet all`',
    "map": '`map ref="Action Ref."`',
    "due": "`due 2027-03-31`",
}


def _mapping(value: str) -> dict[str, str]:
    try:
        mapping = parse_mapping([value])
    except MappingError as exc:
        raise MessageError(
            f'`map` wants field="Header in file", got {exc.pair[:80]!r}: e.g. '
            f'`map ref="Action Ref."`; fields are: {", ".join(FIELDS)}'
        ) from exc
    for name in mapping:
        try:
            check_field(name)
        except ImportFileError as exc:
            raise MessageError(exc.phrased(chat_phrasing("NCC"))) from exc
    return mapping


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise MessageError(
            f"`due` wants a date as YYYY-MM-DD (the date every action with no date of its "
            f"own is due), got {value[:40]!r}"
        ) from exc
