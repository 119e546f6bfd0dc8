"""From rows of text to parsed actions: nothing here touches the database.

Every value keeps its original text beside the parsed one, and every guess or
failure to read becomes a warning naming the row, so an admin sees it before import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.importer.columns import ColumnMap, find_header_row, map_columns
from bot.importer.dates import ParsedDate, parse_date
from bot.importer.errors import ImportFileError
from bot.importer.formula_guard import restore
from bot.importer.html_text import clean_html, html_parts, list_items
from bot.importer.owners import OwnerSplit, owner_splitter, owner_vocabulary
from bot.importer.reader import RawTable, read_table
from bot.importer.status import ParsedStatus, parse_status

# A lone cell in the reference column is a ref only if it looks like one: it has a digit
# and is not a numbered heading. "BUDGET DELEGATION" or "2. Staffing" alone in column A
# are section headings; "1.1", "IA/01" or "Minute 23" are refs.
_REFLIKE = re.compile(r"^(?=.*\d)(?!\d+[.)]?\s+[^\W\d]{3})[\w.()/\- ]{1,20}$")


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


@dataclass
class ParsedPlan:
    actions: list[ParsedAction]
    columns: ColumnMap
    encoding: str
    delimiter: str
    warnings: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)

    @property
    def has_status(self) -> bool:
        return "status" in self.columns.fields or "rag" in self.columns.fields


def parse_plan_file(
    path: Path,
    *,
    today: date,
    known_owners: Collection[str] = (),
    overrides: Mapping[str, str] | None = None,
) -> ParsedPlan:
    """Read and interpret a plan file. Raises ImportFileError, writing nothing."""
    return parse_table(
        read_table(path), today=today, known_owners=known_owners, overrides=overrides
    )


def parse_table(
    table: RawTable,
    *,
    today: date,
    known_owners: Collection[str] = (),
    overrides: Mapping[str, str] | None = None,
) -> ParsedPlan:
    # A cell an export neutralised ("'=1+1", "'-12") reads back as it was in the register.
    rows = [[restore(cell) for cell in row] for row in table.rows]
    header_index = find_header_row(rows)
    columns = map_columns(rows[header_index] if rows else [], overrides)
    body = rows[header_index + 1 :]
    if not any(any(c.strip() for c in r) for r in body):
        raise ImportFileError("the file has a header but no actions", row=header_index + 1)

    plan = ParsedPlan(
        actions=[], columns=columns, encoding=table.encoding, delimiter=table.delimiter
    )
    plan.warnings += table.warnings + columns.warnings
    _keep_unheaded_columns(columns, body, plan.warnings)
    if header_index:
        plan.warnings.append(
            f"rows 1-{header_index} above the header were read as a title and not imported: "
            + " | ".join(" ".join(c for c in r if c.strip()) for r in rows[:header_index])[:200]
        )
    owner_col = columns.fields.get("owners")
    split = owner_splitter(
        owner_vocabulary(
            (r[owner_col] for r in body if owner_col is not None and owner_col < len(r)),
            known=known_owners,
        )
    )
    seen: dict[str, int] = {}
    current_heading: str | None = None
    ref_col = columns.fields["ref"]
    for offset, row in enumerate(body):
        number = header_index + 2 + offset
        cells = [c.strip() for c in row]
        filled = [i for i, c in enumerate(cells) if c]
        notes = table.row_notes.get(header_index + 1 + offset, [])
        if not filled:
            plan.warnings += [f"row {number}: {note}" for note in notes]
            continue
        ref = clean_html(cells[ref_col]) if ref_col < len(cells) else ""
        if len(filled) == 1 and not (filled[0] == ref_col and _REFLIKE.match(ref)):
            current_heading = clean_html(cells[filled[0]])
            plan.sections.append(current_heading)
            plan.warnings += [f"row {number}: {note}" for note in notes]
            continue
        if not ref:
            plan.warnings += [f"row {number}: {note}" for note in notes]
            plan.warnings.append(
                f"row {number}: has text but no reference in column "
                f"{columns.headers[ref_col]!r}; not imported: "
                + " | ".join(clean_html(cells[i])[:60] for i in filled)
            )
            continue
        if ref in seen:
            raise ImportFileError(
                f"reference {ref!r} appears twice (rows {seen[ref]} and {number}); "
                "refs must be unique within a plan",
                row=number,
                column=columns.headers[ref_col],
            )
        seen[ref] = number
        action = _parse_row(cells, number, ref, columns, today, split, current_heading)
        action.warnings += [f"row {number}, ref {ref}: {note}" for note in notes]
        plan.actions.append(action)
    if not plan.actions:
        raise ImportFileError("no actions found: no row has a reference")
    return plan


def _keep_unheaded_columns(columns: ColumnMap, body: list[list[str]], warnings: list[str]) -> None:
    """A column with values but no header is kept in `extra` as "(column N)", not dropped."""
    for index, header in enumerate(columns.headers):
        if header or index in columns.fields.values():
            continue
        if any(index < len(row) and row[index].strip() for row in body):
            name = f"(column {index + 1})"
            columns.extra[index] = name
            warnings.append(f"column {index + 1} has values but no header: kept as {name!r}")


def _cell(cells: list[str], columns: ColumnMap, name: str) -> str | None:
    index = columns.fields.get(name)
    if index is None or index >= len(cells):
        return None
    return cells[index] or None


def _parse_row(
    cells: list[str],
    number: int,
    ref: str,
    columns: ColumnMap,
    today: date,
    split_owners: Callable[[str], OwnerSplit],
    heading: str | None,
) -> ParsedAction:
    action = ParsedAction(row=number, ref=ref)
    where = f"row {number}, ref {ref}"

    def text(name: str) -> str | None:
        raw = _cell(cells, columns, name)
        return clean_html(raw) or None if raw else None

    action.title = text("title") or ""
    if not action.title:
        action.warnings.append(f"{where}: no title")
    raw_tasks = _cell(cells, columns, "tasks")
    if raw_tasks:
        action.tasks = list_items(raw_tasks) or html_parts(raw_tasks)
    section_col = text("section")
    action.section = section_col or heading
    action.theme = text("theme") or action.section
    action.outcome = text("outcome")
    action.update = text("update")

    raw_owners = _cell(cells, columns, "owners")
    if raw_owners:
        action.owners_text = raw_owners
        owners = split_owners(raw_owners)
        action.owners = owners.names
        action.warnings += [f"{where}: {w}" for w in owners.warnings]
    else:
        action.warnings.append(f"{where}: no owner")

    for name in ("target", "revised"):
        raw = _cell(cells, columns, name)
        parsed = parse_date(clean_html(raw) if raw else None, reference=today)
        setattr(action, name, parsed)
        # An exact date picked out of a sentence carries a note: still a guess to report.
        if parsed.flagged or parsed.note:
            header = columns.headers[columns.fields[name]]
            detail = parsed.note or parsed.kind
            action.warnings.append(f"{where}: {header} {parsed.original!r}: {detail}")

    raw_status = _cell(cells, columns, "status")
    if raw_status:
        action.status = parse_status(clean_html(raw_status))
        if not action.status.recognised:
            action.warnings.append(
                f"{where}: status {action.status.original!r} not understood; kept as text"
            )
    raw_rag = _cell(cells, columns, "rag")
    if raw_rag:
        rag = parse_status(clean_html(raw_rag))
        action.rag = rag.rag
        if rag.rag is None:
            action.warnings.append(f"{where}: RAG {raw_rag!r} not understood; kept as text")
            action.extra[columns.headers[columns.fields["rag"]]] = raw_rag
    for index, header in columns.extra.items():
        if index < len(cells) and cells[index]:
            action.extra[header] = cells[index]
    if len(cells) > len(columns.headers):
        spill = [c for c in cells[len(columns.headers) :] if c]
        if spill:
            action.extra["(cells beyond the header)"] = " | ".join(spill)
            action.warnings.append(f"{where}: {len(spill)} cell(s) beyond the last header kept")
    return action
