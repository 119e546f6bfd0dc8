"""What a plan file was read as: its actions, each value beside the text it was read from.

Every reader (a table's rows, minutes or a report read as prose) produces these, and every
import applies them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.importer.columns import ColumnMap
from bot.importer.dates import ParsedDate, parse_date
from bot.importer.prose import NotAction
from bot.importer.status import ParsedStatus


@dataclass
class ParsedAction:
    row: int
    ref: str
    title: str = ""
    tasks: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    owners_text: str | None = None
    theme: str | None = None
    section: str | None = None
    outcome: str | None = None
    update: str | None = None
    target: ParsedDate = field(default_factory=lambda: parse_date(None))
    revised: ParsedDate = field(default_factory=lambda: parse_date(None))
    status: ParsedStatus | None = None
    rag: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Where the row is beyond its number: "" in a CSV, "sheet 'Plan' " in a workbook.
    place: str = ""
    # Where an action read from prose was found instead of a row: "page 2", "paragraph 41".
    source: str | None = None

    @property
    def label(self) -> str:
        return self.source or f"{self.place}row {self.row}"


@dataclass
class ParsedPlan:
    actions: list[ParsedAction]
    columns: ColumnMap
    encoding: str
    delimiter: str
    warnings: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    # How the file was read: "utf-8, delimiter ','", "an Excel workbook, sheet 'Plan'".
    read_as: str = ""
    # "table" for a plan's rows; "minutes" or "report" for actions read from prose, which
    # always get a preview, and list what was read but is not an action.
    kind: str = "table"
    not_actions: list[NotAction] = field(default_factory=list)

    @property
    def from_prose(self) -> bool:
        return self.kind != "table"

    @property
    def has_status(self) -> bool:
        return "status" in self.columns.fields or "rag" in self.columns.fields
