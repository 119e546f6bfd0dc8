"""The pack as a working Excel workbook (openpyxl).

A Summary sheet holds the paper's heading and its summary (the status and RAG tables, RAG
by theme with the chart beside it, the longest overdue and the latest time extensions);
every full list (overdue, time extensions, completed, escalated, all actions) is a sheet of
its own in the paper's order, with its heading and
meaning above a header row that is frozen and filtered. Dates are Excel dates shown
dd/mm/yyyy, numbers are numbers, RAG and overdue cells are filled as well as worded. Every
text cell is written as text: `=HYPERLINK(...)` in a plan stays words and never runs as a
formula, and Excel keeps it text if someone edits the cell (its quote prefix). Sheets print
landscape, one page wide, with the plan, the date and "Page 1 of 3" in the header and footer.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from bot.reports.content import FILLS, Cell, Chart, Paper, Section, Table
from bot.reports.formats.layout import chart_png, fit_widths, line_count, text_width

UK_DATE = "dd/mm/yyyy"
CHANGE = '+#,##0;\u2212#,##0;"no change"'  # a number, read as the paper words it
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOP_WRAP = Alignment(wrap_text=True, vertical="top")
MAX_CELL = 32_767  # characters Excel keeps in one cell
WIDEST_SHEET = 190  # characters across the columns of a list, printed one page wide
SHEET_NAME_CHARS = 31
LINE_HEIGHT = 15.0  # points, a line of Calibri 11
# Excel's unit of column width: the width of "0" in Calibri 11, 7 pixels (5.25 points).
# Text is measured in DejaVu Sans, wider than Calibri: a width worked out here is enough.
UNIT = 5.25
FONT_SIZE = 11
MAX_ROW_HEIGHT = 409.0  # Excel's limit


def render_xlsx(paper: Paper) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    row = _heading(summary, paper)
    for section in paper.sections:
        if all(t.figures for t in section.tables):
            row = _figures(summary, section, row)
        else:
            for table in section.tables:
                _list_sheet(book.create_sheet(_sheet_name(book, table.name)), section, table)
    for sheet in book.worksheets:
        _print_setup(sheet, paper)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _heading(sheet: Worksheet, paper: Paper) -> int:
    meeting = f" for {paper.meeting}" if paper.meeting else ""
    lines = [(paper.title, 16), (paper.kind + meeting, 12), (paper.position, 0)]
    lines.append((paper.changes, 0))
    for row, (words, size) in enumerate(lines, 1):
        cell = _text(sheet, row, 1, Cell(words))
        if size:
            cell.font = Font(bold=True, size=size)
    return len(lines) + 2


def _figures(sheet: Worksheet, section: Section, row: int) -> int:
    """A summary section on the Summary sheet: heading, meaning, its tables one under the
    other from column A (a spreadsheet's columns are shared by everything in them), the
    chart to their right."""
    _text(sheet, row, 1, Cell(section.heading)).font = Font(bold=True, size=13)
    _text(sheet, row + 1, 1, Cell(section.intro))
    top = bottom = row + 3
    right = 1
    for table in section.tables:
        widths = _fit(table, stretch=False)
        for offset, width in enumerate(widths):
            letter = get_column_letter(1 + offset)
            current = sheet.column_dimensions[letter].width or 0
            sheet.column_dimensions[letter].width = max(current, min(width, 45))
        _table(sheet, table, bottom, 1)
        bottom += max(len(table.rows), 1) + 2
        right = max(right, len(table.columns) + 2)
    if section.after:
        _text(sheet, bottom - 1, 1, Cell(section.after))
        bottom += 1
    if section.chart is not None:
        anchor = f"{get_column_letter(right)}{top}"
        bottom = max(bottom, top + _chart(sheet, section.chart, anchor))
    return bottom + 1


def _chart(sheet: Worksheet, chart: Chart, anchor: str) -> int:
    """The chart placed at `anchor`; returns the rows it covers."""
    image = Image(io.BytesIO(chart_png(chart, dpi=80)))
    sheet.add_image(image, anchor)
    return int(image.height / 20) + 1  # rows are 20 pixels high


def _list_sheet(sheet: Worksheet, section: Section, table: Table) -> None:
    _text(sheet, 1, 1, Cell(section.heading)).font = Font(bold=True, size=13)
    _text(sheet, 2, 1, Cell(section.intro))
    widths = _fit(table)
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = round(width, 1)
    _table(sheet, table, 3, 1)
    sheet.freeze_panes = "A4"
    last = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A3:{last}{3 + max(len(table.rows), 1)}"
    sheet.print_title_rows = "3:3"


def _units(text: str, *, bold: bool = False) -> float:
    return text_width(text, FONT_SIZE, bold=bold) / UNIT


def _fit(table: Table, *, stretch: bool = True) -> list[float]:
    """Column widths in Excel's units: every header word and the longest word of each
    column on one line (headers are bold), room permitting its longest line."""
    return fit_widths(
        table,
        total=WIDEST_SHEET,
        measure=_units,
        header=lambda words: _units(words, bold=True),
        padding=1.5,
        stretch=stretch,
    )


def _table(sheet: Worksheet, table: Table, top: int, left: int) -> None:
    """The table with its top left corner at (top, left), in columns already sized."""
    widths = [
        sheet.column_dimensions[get_column_letter(left + offset)].width or 10
        for offset in range(len(table.columns))
    ]
    headers = [Cell(c.header) for c in table.columns]
    for offset, item in enumerate(headers):
        cell = _text(sheet, top, left + offset, item)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _fit_height(sheet, top, headers, widths, bold=True)
    if not table.rows:
        _text(sheet, top + 1, left, Cell(table.empty))
    for r, cells in enumerate(table.rows, top + 1):
        for offset, item in enumerate(cells):
            _value(sheet, r, left + offset, item, table.columns[offset].kind)
        _fit_height(sheet, r, cells, widths)


def _fit_height(
    sheet: Worksheet,
    row: int,
    cells: Sequence[Cell],
    widths: Sequence[float],
    *,
    bold: bool = False,
) -> None:
    """A row tall enough for its wrapped text: neither Excel nor LibreOffice grows a row
    for wrapped text in a file they open, only when someone edits it."""
    lines = max(
        (
            line_count(item.text, width - 1, lambda words: _units(words, bold=bold))
            for item, width in zip(cells, widths, strict=True)
        ),
        default=1,
    )
    if lines > 1:
        sheet.row_dimensions[row].height = min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT)


def _value(sheet: Worksheet, row: int, column: int, item: Cell, kind: str) -> None:
    if item.day is not None:
        cell = sheet.cell(row=row, column=column, value=item.day)
        cell.number_format = UK_DATE
    elif item.number is not None:
        cell = sheet.cell(row=row, column=column, value=item.number)
        if kind == "change":
            cell.number_format = CHANGE
    else:
        cell = _text(sheet, row, column, item)
    cell.alignment = TOP_WRAP
    if item.tone is not None:
        cell.fill = PatternFill("solid", fgColor=FILLS[item.tone])


def _text(sheet: Worksheet, row: int, column: int, item: Cell) -> XlCell:
    words = item.text if len(item.text) <= MAX_CELL else item.text[: MAX_CELL - 1] + "…"
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, XlCell)  # never inside a merged range: the pack merges none
    cell.value = words
    # Text, whatever it starts with: openpyxl would make "=…" a formula and "#N/A" an error.
    cell.data_type = "s"
    if words[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True
    return cell


def _sheet_name(book: Workbook, name: str) -> str:
    base = name[:SHEET_NAME_CHARS]
    taken = set(book.sheetnames)
    candidate, n = base, 2
    while candidate in taken:
        suffix = f" ({n})"
        candidate, n = base[: SHEET_NAME_CHARS - len(suffix)] + suffix, n + 1
    return candidate


def _print_setup(sheet: Worksheet, paper: Paper) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    header, footer = HeaderFooterItem(), HeaderFooterItem()
    # "&" starts a code in Excel's header text: a plan's "&" is written "&&".
    header.left.text = paper.running.replace("&", "&&")
    footer.left.text = paper.footer.replace("&", "&&")
    footer.right.text = "Page &P of &N"
    for part in (header.left, footer.left, footer.right):
        part.size = 8
    sheet.oddHeader, sheet.oddFooter = header, footer
