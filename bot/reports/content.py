"""What a committee pack says, as one neutral model that every format draws.

A `Paper` is a list of `Section`s in reading order (the summary first, then the detail). A
section is a heading, a sentence saying what it shows, and tables and charts, laid one
beside the other where the format can (`beside`). Every cell carries the words it shows and,
for the spreadsheet, its typed value (a date, a number); RAG and overdue cells also carry a
`tone`, which each format turns into a fill colour, while the words stay in the cell for
colour-blind readers and black-and-white printing.

The formats (`bot/reports/formats/`) know nothing about actions: they draw headings, tables,
cells and charts. So a new section is one function in `bot/reports/committee.py`, and every
format shows it. An issued pack keeps its `Paper` as JSON, so it can be made again in any
format, word for word.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from pydantic import TypeAdapter

from bot.reports.chart import ThemeRow

Tone = Literal["green", "amber", "red", "none", "overdue", "done"]
# What the cell's tone fills it with: light enough for black text, and told apart by its
# words as well (the RAG cell says "Red (off track)", an overdue one says "overdue").
FILLS: dict[str, str] = {
    "green": "C6EFCE",
    "amber": "FFEB9C",
    "red": "FFC7CE",
    "none": "E7E6E6",
    "overdue": "F2C4DE",
    "done": "CFE2F3",
}
# Column kinds: how a cell is aligned and measured; "date", "number" and "change" (a number
# written "+2", "−6", "no change") cells are typed in the spreadsheet.
Kind = Literal["text", "short", "number", "date", "change"]


@dataclass(frozen=True)
class Cell:
    text: str
    number: int | None = None
    day: date | None = None
    tone: Tone | None = None


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    # How much more of a crowded page this column's text gets than the others' (the
    # action itself and what people wrote matter more than a list of owners).
    weight: float = 1.0


@dataclass(frozen=True)
class Table:
    name: str  # the spreadsheet's sheet name for a table of its own
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str = "None."
    # A small table of the summary (its figures, the first few of a list): the spreadsheet
    # keeps it on the summary sheet rather than a sheet of its own.
    figures: bool = False


@dataclass(frozen=True)
class ThemeCounts:
    theme: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Chart:
    """The RAG-by-theme chart, kept as its figures (drawn when a format needs the picture)."""

    rows: tuple[ThemeCounts, ...]
    alt: str

    def theme_rows(self) -> list[ThemeRow]:
        rows = []
        for item in self.rows:
            row = ThemeRow(item.theme)
            row.counts.update(item.counts)
            rows.append(row)
        return rows


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    intro: str
    tables: tuple[Table, ...] = ()
    chart: Chart | None = None
    beside: bool = False  # the tables and chart side by side, where the page allows
    part: Literal["summary", "detail"] = "summary"
    # A line under the tables: where the rest of a summary list is ("and 31 more: …").
    after: str = ""


@dataclass(frozen=True)
class Paper:
    plan_code: str
    title: str  # the plan's name
    kind: str  # "Committee pack" or "Draft committee pack (not issued)"
    meeting: str | None
    as_at: datetime  # council time
    position: str  # "Position at 16 Apr 2018, 10:00."
    changes: str  # "Changes since the pack issued for Audit Committee … (5 Mar 2018)."
    running: str  # the running header on every page
    footer: str  # beside the page number
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def map_text(self, change: Callable[[str], str]) -> Paper:
        """The same paper with `change` applied to every piece of text in it."""
        return _ADAPTER.validate_python(_map(_ADAPTER.dump_python(self), change))

    def json(self) -> str:
        return _ADAPTER.dump_json(self).decode("utf-8")

    @staticmethod
    def from_json(text: str) -> Paper:
        return _ADAPTER.validate_json(text)


_ADAPTER = TypeAdapter(Paper)


def _map(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _map(item, change) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_map(item, change) for item in value]
    return value
