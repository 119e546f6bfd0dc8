"""The pack as an Excel workbook (openpyxl): a cover sheet, then one sheet per table, each
with a frozen header row, filters and column widths, and real date cells (dd/mm/yyyy)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.reports.chart import CATEGORIES, LABELS
from bot.reports.committee import Pack, PackAction, uk_date
from bot.reports.formats.columns import ACTION_COLUMNS, SECTION_COLUMNS, Column, sections

UK_DATE = "dd/mm/yyyy"
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def render_xlsx(pack: Pack) -> bytes:
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Summary"
    _cover(cover, pack)
    _table(book.create_sheet("Actions"), ACTION_COLUMNS, pack.actions)
    for heading, _, items in sections(pack):
        _table(book.create_sheet(heading), SECTION_COLUMNS, items)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cover(sheet: Worksheet, pack: Pack) -> None:
    sheet["A1"] = pack.title
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A2"] = f"Committee report produced {uk_date(pack.produced)}; changes {pack.since_label}."
    row = 4
    for heading, totals in (("Status", pack.by_status), ("RAG of open actions", pack.by_rag)):
        _header(sheet, row, [heading, "Now", "Then", "Change"])
        for total in totals:
            row += 1
            for col, value in enumerate([total.label, total.now, total.then, total.change], 1):
                sheet.cell(row=row, column=col, value=value)
        row += 2
    _header(sheet, row, ["Theme", *(LABELS[c] for c in CATEGORIES), "Total"])
    for theme in pack.themes:
        row += 1
        values: list[str | int] = [theme.theme, *(theme.counts[c] for c in CATEGORIES)]
        for col, value in enumerate([*values, theme.total], 1):
            sheet.cell(row=row, column=col, value=value)
    for col, width in enumerate([34, 10, 10, 10, 10, 10, 12, 10], 1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    if pack.chart_png:
        image = Image(io.BytesIO(pack.chart_png))
        image.width, image.height = int(image.width * 0.6), int(image.height * 0.6)
        sheet.add_image(image, f"A{row + 3}")


def _header(sheet: Worksheet, row: int, names: Sequence[str]) -> None:
    for col, name in enumerate(names, 1):
        cell = sheet.cell(row=row, column=col, value=name)
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT


def _table(sheet: Worksheet, columns: Sequence[Column], items: Sequence[PackAction]) -> None:
    _header(sheet, 1, [c.header for c in columns])
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, item in enumerate(items, 2):
        for c, column in enumerate(columns, 1):
            value = column.value(item)
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)  # Excel has no time zones
            cell = sheet.cell(row=r, column=c, value=value)
            cell.alignment = wrap
            if isinstance(value, date):
                cell.number_format = UK_DATE
    for c, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(c)].width = column.width
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{max(len(items) + 1, 1)}"
