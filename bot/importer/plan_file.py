"""From rows of text to parsed actions: nothing here touches the database.

Every value keeps its original text beside the parsed one, and every guess or
failure to read becomes a warning naming the row, so an admin sees it before import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.core.when import plural
from bot.importer.columns import ColumnMap, find_header_row, map_columns, normalise_header
from bot.importer.dates import NumericOrder, ParsedDate, numeric_order, parse_date
from bot.importer.errors import ImportFileError
from bot.importer.formula_guard import restore
from bot.importer.html_text import clean_html, html_parts, list_items
from bot.importer.owners import OwnerSplit, owner_splitter, owner_vocabulary
from bot.importer.parsed import ParsedAction, ParsedPlan
from bot.importer.reader import RawTable
from bot.importer.sources import read_source
from bot.importer.status import parse_status

# A lone cell in the reference column is a ref only if it looks like one: it has a digit
# and is not a numbered heading. "BUDGET DELEGATION" or "2. Staffing" alone in column A
# are section headings; "1.1", "IA/01" or "Minute 23" are refs.
_REFLIKE = re.compile(r"^(?=.*\d)(?!\d+[.)]?\s+[^\W\d]{3})[\w.()/\- ]{1,20}$")


def parse_plan_file(
    path: Path,
    *,
    today: date,
    known_owners: Collection[str] = (),
    overrides: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> ParsedPlan:
    """Read and interpret a plan file (CSV or text, Excel, Word, PDF): its plan table, or
    the actions minutes or a report set out in prose (`ParsedPlan.from_prose`).

    Raises:
        ImportFileError: the file cannot be read or holds no plan; nothing is written.
    """
    source = read_source(path, today=today, sheet=sheet, overrides=overrides)
    if not isinstance(source, list):
        from bot.importer.prose_actions import prose_plan

        return prose_plan(source, file_name=path.name, today=today, known_owners=known_owners)
    return parse_tables(source, today=today, known_owners=known_owners, overrides=overrides)


def parse_table(
    table: RawTable,
    *,
    today: date,
    known_owners: Collection[str] = (),
    overrides: Mapping[str, str] | None = None,
) -> ParsedPlan:
    return parse_tables([table], today=today, known_owners=known_owners, overrides=overrides)


@dataclass
class _Segment:
    """One table of a plan (a CSV, a sheet, a Word table) with its own header row."""

    table: RawTable
    rows: list[list[str]]
    header_index: int
    columns: ColumnMap
    # The table's real dates and comments grouped by row: {row: {column: value}}.
    dates: dict[int, dict[int, date]] = field(default_factory=dict)
    comments: dict[int, dict[int, str]] = field(default_factory=dict)

    @property
    def body(self) -> list[list[str]]:
        return self.rows[self.header_index + 1 :]

    def label(self, index: int) -> str:
        """How an admin finds rows[index]: "row 5", "sheet 'Plan' row 5"."""
        return f"{self.table.place}row {self.table.first_row_number + index}"


def _segment(table: RawTable, overrides: Mapping[str, str] | None) -> _Segment:
    # A cell an export neutralised ("'=1+1", "'-12") reads back as it was in the register.
    rows = [[restore(cell) for cell in row] for row in table.rows]
    header_index = find_header_row(rows)
    try:
        columns = map_columns(rows[header_index] if rows else [], overrides)
    except ImportFileError as exc:
        if not table.place:
            raise
        raise ImportFileError([f"{table.place.strip()}: ", *exc.parts]) from exc
    segment = _Segment(table, rows, header_index, columns)
    for (row, column), day in table.dates.items():
        segment.dates.setdefault(row, {})[column] = day
    for (row, column), comment in table.comments.items():
        segment.comments.setdefault(row, {})[column] = comment
    return segment


def parse_tables(
    tables: Sequence[RawTable],
    *,
    today: date,
    known_owners: Collection[str] = (),
    overrides: Mapping[str, str] | None = None,
) -> ParsedPlan:
    """Interpret the tables of one plan: every table has its own header row; refs are
    unique across them all, and owners are split with the whole plan's vocabulary."""
    segments = [_segment(t, overrides) for t in tables]
    first = segments[0]
    plan = ParsedPlan(
        actions=[],
        columns=first.columns,
        encoding=first.table.encoding,
        delimiter=first.table.delimiter,
        read_as=_read_as(tables),
    )
    owner_cells = [
        row[seg.columns.fields["owners"]]
        for seg in segments
        if "owners" in seg.columns.fields
        for row in seg.body
        if seg.columns.fields["owners"] < len(row)
    ]
    split = owner_splitter(owner_vocabulary(owner_cells, known=known_owners))
    seen: dict[str, str] = {}
    for seg in segments:
        _parse_segment(seg, plan, seen, today=today, split=split, alone=len(segments) == 1)
    if not plan.actions:
        raise ImportFileError("no actions found: no row has a reference")
    return plan


def _read_as(tables: Sequence[RawTable]) -> str:
    first = tables[0]
    if not first.read_as:
        return first.described()
    return f"{first.read_as}, " + ", ".join(t.place.strip() for t in tables)


def _parse_segment(
    seg: _Segment,
    plan: ParsedPlan,
    seen: dict[str, str],
    *,
    today: date,
    split: Callable[[str], OwnerSplit],
    alone: bool,
) -> None:
    table, rows, header_index, columns = seg.table, seg.rows, seg.header_index, seg.columns
    body = seg.body
    place = table.place
    plan.warnings += table.warnings
    if not any(any(c.strip() for c in r) for r in body):
        if alone:
            raise ImportFileError(
                "the file has a header but no actions",
                row=header_index + table.first_row_number,
                place=place.strip() or None,
            )
        plan.warnings.append(f"{place}has a header but no actions")
        return
    plan.warnings += [f"{place}{w}" for w in columns.warnings]
    _keep_unheaded_columns(columns, body, plan.warnings)
    if header_index:
        first, last = table.first_row_number, table.first_row_number + header_index - 1
        rows_above = (
            f"row {first} above the header was"
            if first == last
            else (f"rows {first}-{last} above the header were")
        )
        plan.warnings.append(
            f"{place}{rows_above} read as a title and not imported: "
            + " | ".join(" ".join(c for c in r if c.strip()) for r in rows[:header_index])[:200]
        )
    for index in range(header_index + 1):
        _report_comments(seg, index, plan.warnings)
    header = [normalise_header(h) for h in rows[header_index]]
    orders: dict[str, list[tuple[str, str, NumericOrder]]] = {"target": [], "revised": []}
    current_heading = table.section
    ref_col = columns.fields["ref"]
    for index in range(header_index + 1, len(rows)):
        label = seg.label(index)
        cells = [c.strip() for c in rows[index]]
        filled = [i for i, c in enumerate(cells) if c]
        notes = table.row_notes.get(index, [])
        if not filled or _repeats_header(rows[index], rows[header_index], header, ref_col):
            # Blank, or the header again (Word repeats it on each page of a long table).
            plan.warnings += [f"{label}: {note}" for note in notes]
            continue
        ref = clean_html(cells[ref_col]) if ref_col < len(cells) else ""
        lone = len(filled) == 1
        if lone and (
            index in table.wide_rows or not (filled[0] == ref_col and _REFLIKE.match(ref))
        ):
            current_heading = clean_html(cells[filled[0]])
            plan.sections.append(current_heading)
            plan.warnings += [f"{label}: {note}" for note in notes]
            _report_comments(seg, index, plan.warnings)
            continue
        if not ref:
            plan.warnings += [f"{label}: {note}" for note in notes]
            plan.warnings.append(
                f"{label}: has text but no reference in column "
                f"{columns.headers[ref_col]!r}; not imported: "
                + " | ".join(clean_html(cells[i])[:60] for i in filled)
            )
            _report_comments(seg, index, plan.warnings)
            continue
        if table.skip_rows_without_action and not any(
            _cell(cells, columns, name) for name in _ACTION_FIELDS
        ):
            plan.warnings += [f"{label}: {note}" for note in notes]
            plan.warnings.append(
                f"{label}, ref {ref}: no action, owner or date; not imported: "
                + " | ".join(clean_html(cells[i])[:60] for i in filled)
            )
            continue
        if ref in seen:
            both = (
                f"rows {seen[ref][4:]} and {label[4:]}" if not place else f"{seen[ref]} and {label}"
            )
            raise ImportFileError(
                f"reference {ref!r} appears twice ({both}); refs must be unique within a plan",
                row=table.first_row_number + index,
                column=columns.headers[ref_col],
                place=place.strip() or None,
            )
        seen[ref] = label
        action = _parse_row(
            cells,
            table.first_row_number + index,
            ref,
            columns,
            today,
            split,
            current_heading,
            place=place,
            theme=table.theme,
            cell_dates=seg.dates.get(index, {}),
        )
        for column, comment in seg.comments.get(index, {}).items():
            action.extra[f"{_header_of(columns, column)} (comment)"] = comment
        action.warnings += [f"{label}, ref {ref}: {note}" for note in notes]
        plan.actions.append(action)
        for name, found in orders.items():
            typed = name in columns.fields and columns.fields[name] not in seg.dates.get(index, {})
            order = numeric_order(getattr(action, name).original) if typed else None
            if order is not None:
                found.append((f"row {action.row}", getattr(action, name).original, order))
    for name, found in orders.items():
        if any(order == "month-first" for _, _, order in found):
            header_text = columns.headers[columns.fields[name]]
            plan.warnings.append(f"{place}{_month_first_warning(header_text, found)}")


def _month_first_warning(header: str, found: list[tuple[str, str, NumericOrder]]) -> str:
    """One column's dates that look written month first (06/30/2026), with their rows."""

    def rows(order: NumericOrder) -> str:
        cells = [f"{row} {text!r}" for row, text, o in found if o == order]
        shown = ", ".join(cells[:10])
        return shown + (f" and {len(cells) - 10} more" if len(cells) > 10 else "")

    either = [text for _, text, o in found if o == "either"]
    message = (
        f"column {header!r} looks written month first (US style), but dates are read day "
        f"first (UK): {rows('month-first')} cannot be read day first, so not read"
    )
    if either:
        read = parse_date(either[0]).value
        example = f" ({either[0]!r} as {read.day} {read:%B %Y})" if read else ""
        message += f"; {rows('either')} read day first{example}: check them"
    return message + ". Write the column's dates day first (30/06/2026) or as 2026-06-30."


# What makes a row an action rather than a note: one of these filled.
_ACTION_FIELDS = ("title", "tasks", "owners", "target", "revised")


def _repeats_header(row: list[str], raw_header: list[str], header: list[str], ref: int) -> bool:
    # The cheap test first: a data row almost never has the header's text in the ref column.
    if ref >= len(row) or ref >= len(raw_header) or row[ref].strip() != raw_header[ref].strip():
        return False
    return [normalise_header(c) for c in row] == header


def _header_of(columns: ColumnMap, index: int) -> str:
    if index < len(columns.headers) and columns.headers[index]:
        return columns.headers[index]
    return f"(column {index + 1})"


def _report_comments(seg: _Segment, index: int, warnings: list[str]) -> None:
    for column, comment in seg.comments.get(index, {}).items():
        warnings.append(
            f"{seg.label(index)}: comment on column {column + 1} not imported: {comment!r}"
        )


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
    *,
    place: str = "",
    theme: str | None = None,
    cell_dates: Mapping[int, date] | None = None,
) -> ParsedAction:
    action = ParsedAction(row=number, ref=ref, place=place)
    where = f"{place}row {number}, ref {ref}"

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
    action.theme = text("theme") or theme or action.section
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
        day = (cell_dates or {}).get(columns.fields.get(name, -1))
        if raw and day is not None:
            # A real Excel date: no guessing; what the sheet shows is kept as the text.
            parsed = ParsedDate(original=clean_html(raw), value=day, kind="exact")
        else:
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
            beyond = plural(len(spill), "cell")
            action.warnings.append(f"{where}: {beyond} beyond the last header kept")
    return action
