"""Import options a message names, kept apart from how each door spells them.

The importer's messages tell the admin which option to use ("name the sheet with
--sheet"). The command line spells that `--sheet 2`; in chat it is the message sent with the
file (`NCC sheet 2`). So a message is written as parts: text, and `Option`s each door phrases
its own way. As a plain `str` a message reads as the command line spells it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "MappingError",
    "Option",
    "Part",
    "Phrased",
    "Phrasing",
    "command_line",
    "in_words",
    "parse_mapping",
    "phrased",
]


@dataclass(frozen=True)
class Option:
    """An import option as a message names it.

    `value`: the sheet ("2", "all", a name) or the header a field is mapped to; None when
    the message names the option itself. `advice`: the message tells the admin to use it
    (rather than quoting one they gave).
    """

    name: Literal["sheet", "map"]
    value: str | None = None
    field: str | None = None
    advice: bool = False


Part = str | Option
Phrasing = Callable[[Option], str]


def command_line(option: Option) -> str:
    """The option as `actionbot import` takes it: `--sheet 2`, `--map ref="Action Ref."`."""
    if option.name == "sheet":
        if option.value is None:
            return "--sheet"
        plain = (
            option.value.isdecimal() and option.value.isascii()
        ) or option.value.lower() == "all"
        return f"--sheet {option.value if plain else repr(option.value)}"
    if option.field is None:
        return "--map"
    if option.advice:
        return f'--map {option.field}="{option.value or ""}"'
    # What the admin gave, echoed as the messages always have.
    return f"--map {option.field}={option.value!r}"


def in_words(parts: Iterable[Part], phrase: Phrasing) -> str:
    return "".join(p if isinstance(p, str) else phrase(p) for p in parts)


class Phrased(str):
    """Text naming import options (a warning such as "--sheet all imports every one"): as
    a `str` the command line's spelling, `.phrased(phrase)` any door's."""

    parts: tuple[Part, ...]

    def __new__(cls, *parts: Part) -> Phrased:
        text = super().__new__(cls, in_words(parts, command_line))
        text.parts = parts
        return text

    def phrased(self, phrase: Phrasing) -> str:
        return in_words(self.parts, phrase)


def phrased(text: str, phrase: Phrasing) -> str:
    """`text` in `phrase`'s spelling when it names options; otherwise as it is."""
    return text.phrased(phrase) if isinstance(text, Phrased) else text


class MappingError(ValueError):
    """A column mapping that is not `field="Header"`."""

    def __init__(self, pair: str) -> None:
        super().__init__(pair)
        self.pair = pair


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """`field="Header in file"` pairs (as a shell or the chat message passes them, quotes
    removed or not) as field → header; the command line and chat both read them here.

    Raises:
        MappingError: a pair without a field, an `=` or a header.
    """
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise MappingError(pair)
        mapping[name.strip().lower()] = header.strip().strip('"')
    return mapping
