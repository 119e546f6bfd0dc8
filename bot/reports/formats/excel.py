"""The pack as a working Excel workbook (openpyxl).

A Summary sheet holds the paper's heading and its summary (the status and RAG tables, RAG
by theme with the chart beside it, the longest overdue and the latest time extensions), each
table at the widths of its own content, as on the PDF's first page;
every full list (overdue, time extensions, completed, escalated, all actions) is a sheet of
its own in the paper's order, with its heading and
meaning above a header row that is frozen and filtered. Dates are Excel dates shown
dd/mm/yyyy, numbers are numbers, RAG and overdue cells are filled as well as worded. Every
text cell is written as text: `=HYPERLINK(...)` in a plan stays words and never runs as a
formula, and Excel keeps it text if someone edits the cell (its quote prefix). Sheets print
landscape, one page wide, with the plan, the date and "Page 1 of 3" in the header and footer.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.drawing.image import Image
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
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
# The Summary sheet's tables share its columns: a table's column may end up this much wider
# than its content (in Excel's units) where that saves a column of the sheet.
SNAP = 2.0
CHART_GAP = 12  # pixels between the RAG-by-theme table and its chart
EMU = 9525  # a drawing's unit: 914,400 an inch, 96 pixels an inch
# The chart's size in inches (drawn at 80 dpi, its type about the tables' size): about as
# tall as its table and its legend, where the chart's own default is sized for a phone.
CHART_INCHES, CHART_TOP, CHART_BAR = 6.5, 1.8, 0.45


def render_xlsx(paper: Paper) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    row = _heading(summary, paper)
    grid = _Grid()
    laid = [
        (section, [grid.place(_fit(t, stretch=False)) for t in section.tables])
        for section in paper.sections
        if all(t.figures for t in section.tables)
    ]
    grid.size(summary)
    for section, places in laid:
        row = _figures(summary, section, [grid.spans(p) for p in places], row)
    for section in paper.sections:
        if not all(t.figures for t in section.tables):
            for table in section.tables:
                _list_sheet(book.create_sheet(_sheet_name(book, table.name)), section, table)
    for sheet in book.worksheets:
        _print_setup(sheet, paper)
    summary.page_setup.fitToHeight = 1  # the summary is the paper's first page
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


Span = tuple[int, int]  # a table column's first and last column of the sheet


class _Grid:
    """The Summary sheet's columns. A sheet's columns run its whole height, and its tables
    (figures, a chart, lists of actions) want different widths: every table's column edges
    are edges of the sheet's columns, and a table's column that covers several of them is
    one merged cell. So each table has the widths of its own content (at most SNAP more)."""

    def __init__(self) -> None:
        self.edges = [0.0]

    def place(self, widths: Sequence[float]) -> list[tuple[float, float]]:
        """A table's columns from the sheet's left edge, as (left, right) edges."""
        placed: list[tuple[float, float]] = []
        left = 0.0
        for width in widths:
            right = left + width
            near = [e for e in self.edges if right <= e <= right + SNAP]
            if near:
                right = near[0]
            else:
                bisect.insort(self.edges, right)
            placed.append((left, right))
            left = right
        return placed

    def spans(self, placed: Sequence[tuple[float, float]]) -> list[Span]:
        return [(self.edges.index(left) + 1, self.edges.index(right)) for left, right in placed]

    def size(self, sheet: Worksheet) -> None:
        for index, (left, right) in enumerate(zip(self.edges, self.edges[1:], strict=False), 1):
            sheet.column_dimensions[get_column_letter(index)].width = round(right - left, 2)


def _heading(sheet: Worksheet, paper: Paper) -> int:
    meeting = f" for {paper.meeting}" if paper.meeting else ""
    lines = [(paper.title, 16), (paper.kind + meeting, 12), (paper.position, 0)]
    lines.append((paper.changes, 0))
    for row, (words, size) in enumerate(lines, 1):
        cell = _text(sheet, row, 1, Cell(words))
        if size:
            cell.font = Font(bold=True, size=size)
    return len(lines) + 2


def _figures(sheet: Worksheet, section: Section, spans: Sequence[list[Span]], row: int) -> int:
    """A summary section on the Summary sheet: heading, meaning, its tables one under the
    other from column A, the chart beside them."""
    _text(sheet, row, 1, Cell(section.heading)).font = Font(bold=True, size=13)
    _text(sheet, row + 1, 1, Cell(section.intro))
    top = bottom = row + 3
    right = 1
    for table, columns in zip(section.tables, spans, strict=True):
        _table(sheet, table, bottom, columns)
        bottom += max(len(table.rows), 1) + 2
        right = max(right, columns[-1][1] + 1)
    if section.after:
        _text(sheet, bottom - 1, 1, Cell(section.after))
        bottom += 1
    if section.chart is not None:
        bottom = max(bottom, top + _chart(sheet, section.chart, right, top))
    return bottom + 1


def _chart(sheet: Worksheet, chart: Chart, column: int, row: int) -> int:
    """The chart a little right of the left edge of `column`, its top at `row`; returns
    the rows it covers."""
    shape = (CHART_INCHES, CHART_TOP + CHART_BAR * max(len(chart.rows), 1))
    image = Image(io.BytesIO(chart_png(chart, dpi=80, shape=shape)))
    size = XDRPositiveSize2D(image.width * EMU, image.height * EMU)
    start = AnchorMarker(col=column - 1, colOff=CHART_GAP * EMU, row=row - 1)
    image.anchor = OneCellAnchor(_from=start, ext=size)
    sheet.add_image(image)
    return int(image.height / 20) + 1  # rows are 20 pixels high


def _list_sheet(sheet: Worksheet, section: Section, table: Table) -> None:
    _text(sheet, 1, 1, Cell(section.heading)).font = Font(bold=True, size=13)
    _text(sheet, 2, 1, Cell(section.intro))
    widths = _fit(table)
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = round(width, 1)
    _table(sheet, table, 3, [(i, i) for i in range(1, len(table.columns) + 1)])
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


def _table(sheet: Worksheet, table: Table, top: int, spans: Sequence[Span]) -> None:
    """The table from row `top`, each column over its span of the sheet's columns (already
    sized), one merged cell a row where a span is more than one column."""
    widths = [
        sum(sheet.column_dimensions[get_column_letter(c)].width or 10 for c in range(a, b + 1))
        for a, b in spans
    ]
    headers = [Cell(c.header) for c in table.columns]
    for (first, _), item in zip(spans, headers, strict=True):
        cell = _text(sheet, top, first, item)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _fit_height(sheet, top, headers, widths, bold=True)
    if not table.rows:
        _text(sheet, top + 1, spans[0][0], Cell(table.empty))
    for r, cells in enumerate(table.rows, top + 1):
        for (first, _), item, column in zip(spans, cells, table.columns, strict=True):
            _value(sheet, r, first, item, column.kind)
        _fit_height(sheet, r, cells, widths)
    for r in range(top, top + len(table.rows) + 1):
        for first, last in spans:
            if last > first:
                sheet.merge_cells(start_row=r, start_column=first, end_row=r, end_column=last)


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
    assert isinstance(cell, XlCell)  # written before its range is merged
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
