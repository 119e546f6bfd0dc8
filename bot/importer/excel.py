"""Reading a plan from an Excel workbook (.xlsx, .xlsm) into the rows the CSV path reads.

A workbook is read twice. First its sheets' XML is streamed (`workbook_scan`), which costs
little whatever the file holds and stops at the first limit it passes (`bot.importer.limits`):
more rows with content than a plan has, or more rows and cells than openpyxl may build. Then,
only when it is within them, in openpyxl's normal mode, because read-only worksheets have no
merged cells, comments or hidden-row flags, all of which a plan uses; and only as far as the
last row and column holding a value. Values are read, not formulas (the value Excel last
calculated). Each cell becomes the text Excel shows (`cell_text.displayed`), so the ref
`2.10` stays `2.10`; real dates also travel as dates.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.when import plural
from bot.importer.cell_text import displayed
from bot.importer.columns import has_plan_header
from bot.importer.errors import ImportFileError
from bot.importer.hints import Option, Phrased
from bot.importer.reader import RawTable
from bot.importer.workbook_scan import scan_workbook

__all__ = ["read_workbook"]

# A merged cell this wide (in columns) on a row of its own is a section heading.
WIDE = 3


def read_workbook(
    path: Path, *, sheet: str | None, overrides: Mapping[str, str] | None = None
) -> list[RawTable]:
    """The plan's sheet(s) as tables: the sheet with a plan header, `sheet` by name or
    1-based number, or with "all" every sheet that has a plan header, each its own theme.

    Raises:
        ImportFileError: the workbook cannot be read, or holds no plan where looked.
    """
    try:
        # A handle, not the path: openpyxl refuses names not ending .xlsx, and the kind
        # was already decided from the content.
        # What openpyxl warns about (a date cell out of range, an unknown extension) is
        # something the admin should see in the report, not on the server's stderr.
        with path.open("rb") as handle, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with zipfile.ZipFile(handle) as archive:
                extents = scan_workbook(archive, path.name)
            handle.seek(0)
            workbook = load_workbook(handle, data_only=True, keep_links=False, keep_vba=False)
    except ImportFileError:
        raise
    # openpyxl raises whatever its XML parsing hits on a damaged file; any of it means
    # "not a readable workbook", and the admin needs that sentence, not a traceback.
    except Exception as exc:  # noqa: BLE001
        raise ImportFileError(
            f"{path.name} could not be read as an Excel workbook ({type(exc).__name__}: {exc})"
        ) from exc
    noticed = list(dict.fromkeys(f"the workbook: {w.message}" for w in caught))
    try:
        sheets: list[Worksheet] = [ws for ws in workbook.worksheets if isinstance(ws, Worksheet)]
        names = ", ".join(repr(ws.title) for ws in sheets)
        if sheet is not None and sheet.lower() != "all":
            chosen = _named_sheet(sheets, sheet, names)
            return _noticed([_table(chosen, theme=None, extent=extents.get(chosen.title))], noticed)
        tables = [
            (ws, _table(ws, theme=ws.title if sheet else None, extent=extents.get(ws.title)))
            for ws in sheets
            if sheet or ws.sheet_state == "visible"
        ]
        plans = [(ws, t) for ws, t in tables if has_plan_header(t.rows, overrides)]
        if not plans:
            raise ImportFileError(
                [
                    f"no sheet of {path.name} has a plan header row (a reference column such "
                    f"as 'Ref' or 'Action Ref.' beside 'Action', 'Owner'...); sheets: {names}. "
                    "Name the sheet with ",
                    Option("sheet", advice=True),
                    ", and the columns with ",
                    Option("map", advice=True),
                ]
            )
        skipped = [ws.title for ws, _ in tables if not any(ws is p for p, _ in plans)]
        if sheet:  # all
            found = [t for _, t in plans]
            for ws, table in plans:
                if ws.sheet_state != "visible":
                    table.warnings.append(f"sheet {ws.title!r} is hidden in the workbook; imported")
            if skipped:
                found[0].warnings.append(
                    "sheets with no plan header, not imported: "
                    + ", ".join(repr(n) for n in skipped)
                )
            return _noticed(found, noticed)
        first = plans[0][1]
        if len(plans) > 1:
            first.warnings.append(
                Phrased(
                    f"only sheet {plans[0][0].title!r} was imported; "
                    + ", ".join(repr(ws.title) for ws, _ in plans[1:])
                    + " also look like plans (",
                    Option("sheet", "all", advice=True),
                    " imports every one)",
                )
            )
        return _noticed([first], noticed)
    finally:
        workbook.close()


def _noticed(tables: list[RawTable], noticed: list[str]) -> list[RawTable]:
    tables[0].warnings[:0] = noticed
    return tables


def _named_sheet(sheets: list[Worksheet], wanted: str, names: str) -> Worksheet:
    if wanted.isdecimal() and wanted.isascii():
        number = int(wanted)
        if 1 <= number <= len(sheets):
            return sheets[number - 1]
        raise ImportFileError(
            [Option("sheet", wanted), f": the workbook has {plural(len(sheets), 'sheet')}: {names}"]
        )
    for ws in sheets:
        if ws.title.strip().lower() == wanted.strip().lower():
            return ws
    raise ImportFileError([Option("sheet", wanted), f": no such sheet; sheets: {names}"])


def _table(ws: Worksheet, *, theme: str | None, extent: tuple[int, int] | None) -> RawTable:
    rows: list[list[str]] = []
    dates: dict[tuple[int, int], date] = {}
    comments: dict[tuple[int, int], str] = {}
    # No further than the last value: openpyxl makes a cell for every place asked for.
    last_row, width = extent if extent is not None else (ws.max_row, ws.max_column)
    for r, row in enumerate(
        ws.iter_rows(min_row=1, max_row=max(last_row, 1), max_col=max(width, 1))
    ):
        texts: list[str] = []
        for c, cell in enumerate(row):
            value: Any = cell.value
            if value is None:
                texts.append("")
            elif isinstance(value, str):
                texts.append(value)  # text shows as itself whatever the cell's format
            else:
                texts.append(displayed(value, cell.number_format))
                if isinstance(value, datetime):
                    dates[r, c] = value.date()
                elif isinstance(value, date):
                    dates[r, c] = value
            comment = getattr(cell, "comment", None)
            if comment is not None and comment.text.strip():
                comments[r, c] = comment.text.strip()
        rows.append(texts)
    wide = _spread_merged_cells(ws, rows, dates)
    notes: dict[int, list[str]] = {}
    for number, dimension in ws.row_dimensions.items():
        if dimension.hidden and number <= len(rows):
            notes.setdefault(number - 1, []).append("hidden in the workbook; imported")
    place = f"sheet {ws.title!r} "
    warnings = []
    hidden = _hidden_columns(ws, width)
    if hidden:
        warnings.append(
            f"{place}has hidden {'column' if len(hidden) == 1 else 'columns'} "
            f"{', '.join(hidden)}: imported like the others"
        )
    return RawTable(
        rows=rows,
        encoding="xlsx",
        delimiter="",
        warnings=warnings,
        row_notes=notes,
        place=place,
        theme=theme,
        wide_rows=frozenset(wide),
        dates=dates,
        comments=comments,
        read_as="an Excel workbook",
    )


def _spread_merged_cells(
    ws: Worksheet, rows: list[list[str]], dates: dict[tuple[int, int], date]
) -> set[int]:
    """A merged theme, section or owner cell applies to every row it spans; a cell merged
    across the table stays on its first row and marks that row as a heading."""
    wide: set[int] = set()
    for merged in ws.merged_cells.ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(rows) or left >= len(rows[top]):
            continue
        if merged.max_col - merged.min_col + 1 >= WIDE:
            wide.add(top)
            continue
        for r in range(top + 1, min(merged.max_row, len(rows))):
            rows[r][left] = rows[top][left]
            if (top, left) in dates:
                dates[r, left] = dates[top, left]
    return wide


def _hidden_columns(ws: Worksheet, width: int) -> list[str]:
    hidden: set[int] = set()
    for dimension in ws.column_dimensions.values():
        if dimension.hidden and dimension.min is not None and dimension.max is not None:
            hidden.update(range(dimension.min, min(dimension.max, width) + 1))
    return [get_column_letter(c) for c in sorted(hidden)]
