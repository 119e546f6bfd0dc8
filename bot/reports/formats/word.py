"""The pack as a Word document (python-docx): real headings and real tables, so a clerk can
restyle it with the council's template and screen readers find their way.

A4 landscape; the plan, the paper and its date in the running header, "Page 2 of 7" in the
footer (Word's PAGE and NUMPAGES fields); every table has fixed column widths worked out from
its words (`layout.fit_widths`), so no word is split across lines, and its header row
repeats on each page. RAG and overdue cells are shaded and worded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from itertools import takewhile

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT, WD_TAB_ALIGNMENT
from docx.image.image import Image as DocxImage
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.shared import Cm, Inches, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from bot.reports.content import FILLS, Cell, Chart, Paper, Section, Table
from bot.reports.formats.layout import (
    CHART_LEAST,
    CHART_TYPE,
    FIGURES_ALONE,
    FIGURES_WIDTH,
    chart_png,
    line_count,
    point_widths,
    text_width,
)

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(29.7), Cm(21.0), Cm(1.5)
TOP, BOTTOM = Cm(1.6), Cm(1.3)
CONTENT_PT = (PAGE_WIDTH - 2 * MARGIN) / 12700  # EMU → points
FONT = "Arial"
TABLE_SIZE = 7.5
CELL_MARGIN = 60  # twentieths of a point, left and right of a cell's text (3 pt)
CELL_PADDING = 2 * CELL_MARGIN / 20 + 2  # both margins and the rules, points
GAP_PT = 14.0
HEADER_FILL = "1F3864"
BODY_SIZE = 9.0
SUMMARY_HEADING = 10.5
SUMMARY_GAP = 5.0  # points above a summary section's heading
TABLE_GAP = 6.0  # points between tables one under the other
LEADING = 1.15  # Word's single line spacing for Arial, as a share of the type size
ROW_MARGINS = 1.5 + 1.0  # a row's top and bottom cell margins and its rule, points


def render_docx(paper: Paper) -> bytes:
    document = Document()
    _page(document, paper)
    _styles(document)
    _title(document, paper)
    summary = list(takewhile(lambda s: s.part == "summary", paper.sections))
    row = list(takewhile(lambda s: s.beside, summary))
    if len(row) > 1:
        _side_by_side(document, row)
    else:
        row = []
    for section in summary[len(row) :]:
        _section(document, section, CONTENT_PT, summary=True)
    for index, section in enumerate(paper.sections[len(summary) :]):
        heading = _section(document, section, CONTENT_PT)
        if index == 0:  # the detail starts on a page of its own
            heading.paragraph_format.page_break_before = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _styles(document: DocumentType) -> None:
    """The built-in Title (26 pt) and Heading 1 (14 pt, 24 pt above it) are made for
    portrait reports with room to spare; the pack's summary is one landscape page."""
    title = document.styles["Title"]
    title.font.size = Pt(16)
    title.paragraph_format.space_after = Pt(2)
    heading = document.styles["Heading 1"]
    heading.font.size = Pt(12)
    heading.paragraph_format.space_before = Pt(10)
    heading.paragraph_format.space_after = Pt(1)


def _title(document: DocumentType, paper: Paper) -> None:
    document.add_heading(paper.title, level=0)
    kind = document.add_paragraph()
    kind.add_run(paper.kind + (f" for {paper.meeting}" if paper.meeting else "")).bold = True
    kind.paragraph_format.space_after = Pt(1)
    document.add_paragraph(f"{paper.position} {paper.changes}")


def _section(
    parent: DocumentType | _Cell,
    section: Section,
    width: float,
    *,
    summary: bool = False,
    chart_height: float | None = None,
) -> Paragraph:
    """The section's heading, meaning, tables (side by side with its chart where it has
    one) and the line after them, in `width` points; returns the heading."""
    heading = _paragraph(parent, section.heading, "Heading 1")
    heading.paragraph_format.keep_with_next = True
    if summary:
        heading.paragraph_format.space_before = Pt(SUMMARY_GAP)
        _size(heading, SUMMARY_HEADING)
    _paragraph(parent, section.intro).paragraph_format.keep_with_next = True
    if section.chart is not None:
        _beside(parent, section, width, chart_height)
    else:
        for index, table in enumerate(section.tables):
            if index:
                _collapse(parent.add_paragraph(), TABLE_GAP)
            _table(parent, table, width)
    if section.after:
        parent.add_paragraph(section.after)
    return heading


def _paragraph(parent: DocumentType | _Cell, text: str, style: str | None = None) -> Paragraph:
    """A new paragraph; in a cell that holds only the empty paragraph every cell starts
    with, that one (an empty line at the top of the cell is room the page lacks)."""
    if isinstance(parent, _Cell) and _untouched(parent):
        paragraph: Paragraph = parent.paragraphs[0]
        paragraph.add_run(text)
        if style is not None:
            paragraph.style = style
        return paragraph
    added = parent.add_paragraph(text, style=style)
    assert isinstance(added, Paragraph)
    return added


def _untouched(cell: _Cell) -> bool:
    [*blocks] = cell._tc.xpath("./w:p | ./w:tbl")
    return len(blocks) == 1 and not blocks[0].xpath(".//w:r")


def _side_by_side(document: DocumentType, sections: list[Section]) -> None:
    """The summary's sections of figures side by side in one row, as in the PDF: one
    without a chart as narrow as its words allow, its tables one under the other; the one
    with the chart in the rest of the row, the chart as tall as the row."""
    plain = [s for s in sections if s.chart is None]
    widths = {
        s.key: max(sum(_widths(t, FIGURES_ALONE, stretch=False)) for t in s.tables) for s in plain
    }
    rest = (CONTENT_PT - sum(widths.values()) - GAP_PT * (len(sections) - 1)) / max(
        len(sections) - len(plain), 1
    )
    spans = [w for s in sections for w in (widths.get(s.key, rest), GAP_PT)][:-1]
    cells = _layout(document, spans)
    tall = max((_height(s, widths[s.key]) for s in plain), default=0.0)
    for index, section in enumerate(sections):
        cell = cells[2 * index]
        if section.chart is None:
            _section(cell, section, widths[section.key], summary=True)
        else:
            room = max(tall - _height(replace(section, tables=()), rest), CHART_LEAST)
            _section(cell, section, rest, summary=True, chart_height=room)
    for cell in cells:
        _tidy(cell)


def _beside(
    parent: DocumentType | _Cell, section: Section, total: float, chart_height: float | None
) -> None:
    """The section's tables and chart side by side, in a borderless layout table."""
    parts = len(section.tables) + (section.chart is not None)
    room = total - GAP_PT * (parts - 1)
    share = room / parts if chart_height is None else FIGURES_WIDTH
    widths = [sum(_widths(t, share, stretch=False)) for t in section.tables]
    if section.chart is not None:
        widths.append(total - sum(widths) - GAP_PT * (parts - 1))
    spans = [w for pair in zip(widths, [GAP_PT] * parts, strict=True) for w in pair][:-1]
    cells = _layout(parent, spans)
    for index, table in enumerate(section.tables):
        _table(cells[2 * index], table, widths[index])
    if section.chart is not None:
        height = chart_height or max(
            (_rows_height(t, _widths(t, widths[0])) for t in section.tables[:1]),
            default=CHART_LEAST,
        )
        _chart(cells[-1], section.chart, widths[-1], max(height, CHART_LEAST))
    for cell in cells:
        _tidy(cell)


def _layout(parent: DocumentType | _Cell, spans: Sequence[float]) -> list[_Cell]:
    """A borderless one-row table that only places what is put in its cells."""
    layout = parent.add_table(rows=1, cols=len(spans))
    layout.autofit = False
    _margins(layout, 0, 0)
    layout.alignment = WD_TABLE_ALIGNMENT.LEFT
    cells = [_Cell(tc, layout) for tc in layout._tbl.tr_lst[0].tc_lst]
    for index, width in enumerate(spans):
        layout.columns[index].width = Pt(width)
        cells[index].width = Pt(width)
    return cells


def _tidy(cell: _Cell) -> None:
    """Word wants a paragraph at the end of every cell, even one ending with a table: the
    empty ones take no room."""
    for paragraph in cell.paragraphs:
        if not paragraph.text and not paragraph._p.xpath(".//w:drawing"):
            _collapse(paragraph, 0)


def _collapse(paragraph: Paragraph, points: float) -> None:
    """An empty paragraph `points` tall (exactly)."""
    layout = paragraph.paragraph_format
    layout.space_before = layout.space_after = Pt(0)
    layout.line_spacing = Pt(max(points, 1))
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY


def _chart(cell: _Cell, chart: Chart, width: float, height: float) -> None:
    """The chart drawn for a place `width` × `height` points and shown that size: its type
    reads as the tables' beside it."""
    png = chart_png(chart, dpi=110, shape=(width / CHART_TYPE, height / CHART_TYPE))
    picture = DocxImage.from_blob(png)
    scale = min(width / picture.px_width, height / picture.px_height)
    paragraph = _paragraph(cell, "")
    run = paragraph.add_run()
    shape = run.add_picture(
        io.BytesIO(png), width=Pt(picture.px_width * scale), height=Pt(picture.px_height * scale)
    )
    # The figures in words for screen readers (the picture's description).
    shape._inline.docPr.set("descr", chart.alt)


def _height(section: Section, width: float) -> float:
    """About the points `section` takes in a column `width` wide (its heading, meaning and
    tables one under the other): how tall the chart beside it may be."""
    lines = _lines(section.heading, width, SUMMARY_HEADING, bold=True)
    height = SUMMARY_GAP + lines * SUMMARY_HEADING * LEADING + 1
    height += _lines(section.intro, width, BODY_SIZE) * BODY_SIZE * LEADING + 3
    for table in section.tables:
        height += _rows_height(table, _widths(table, width)) + TABLE_GAP
    return height


def _rows_height(table: Table, widths: Sequence[float]) -> float:
    rows = [tuple(Cell(c.header) for c in table.columns), *table.rows]
    return sum(
        max(_lines(c.text, w - CELL_PADDING, TABLE_SIZE) for c, w in zip(row, widths, strict=True))
        * TABLE_SIZE
        * LEADING
        + ROW_MARGINS
        for row in rows
    )


def _lines(text: str, width: float, size: float, *, bold: bool = False) -> int:
    return line_count(text, width, lambda words: text_width(words, size, bold=bold))


def _page(document: DocumentType, paper: Paper) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN
    # The running header and the footer are one small line each, 0.7 cm from the edge.
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.header_distance = section.footer_distance = Cm(0.7)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.0  # the template says 1.15: room a page lacks

    header = section.header.paragraphs[0]
    header.text = paper.running
    _size(header, 7.5)
    footer = section.footer.paragraphs[0]
    stops = footer.paragraph_format.tab_stops
    # The Footer style's own stops (centre 3.25", right 6.5") are for portrait Letter.
    for inches in (Inches(3.25), Inches(6.5)):
        stops.add_tab_stop(inches, WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(PAGE_WIDTH - 2 * MARGIN, WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(f"{paper.footer}\tPage ")
    _field(footer, "PAGE", 7.5)
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", 7.5)
    _size(footer, 7.5)


def _field(paragraph: Paragraph, code: str, points: float) -> None:
    """A Word field (PAGE, NUMPAGES): Word and LibreOffice fill in the number."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(round(points * 2)))
    properties.append(size)
    run.append(properties)
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    run.append(placeholder)
    field.append(run)
    paragraph._p.append(field)


def _size(paragraph: Paragraph, points: float) -> None:
    for run in paragraph.runs:
        run.font.size = Pt(points)


def _widths(table: Table, total: float, *, stretch: bool = True) -> list[float]:
    return point_widths(table, total=total, size=TABLE_SIZE, padding=CELL_PADDING, stretch=stretch)


def _table(parent: DocumentType | _Cell, table: Table, total: float) -> None:
    widths = _widths(table, total)
    rows = max(len(table.rows), 1) + 1
    grid = parent.add_table(rows=rows, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.autofit = False
    _margins(grid)
    for index, width in enumerate(widths):
        grid.columns[index].width = Pt(width)
    # Cells are reached through each row's XML: python-docx's `rows[i].cells` works out the
    # whole table's grid for every row (a 1,000-action register took minutes).
    rows_xml = grid._tbl.tr_lst
    _row(grid, rows_xml[0], [Cell(c.header) for c in table.columns], widths, header=True)
    _repeat_header(grid)
    if not table.rows:
        merged = grid.rows[1].cells[0].merge(grid.rows[1].cells[-1])
        merged.text = table.empty
        _size(merged.paragraphs[0], TABLE_SIZE)
    numbers = [c.kind in ("number", "change") for c in table.columns]
    for row_xml, cells in zip(rows_xml[1:], table.rows, strict=False):
        _row(grid, row_xml, cells, widths, numbers=numbers)


def _row(
    grid: DocxTable,
    row_xml: CT_Row,
    cells: Sequence[Cell],
    widths: Sequence[float],
    *,
    header: bool = False,
    numbers: Sequence[bool] = (),
) -> None:
    targets = [_Cell(tc, grid) for tc in row_xml.tc_lst]
    for position, (target, item) in enumerate(zip(targets, cells, strict=True)):
        target.width = Pt(widths[position])
        target.text = item.text
        paragraph = target.paragraphs[0]
        paragraph.paragraph_format.space_after = Pt(0)
        if numbers and numbers[position]:
            paragraph.alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT
        for run in paragraph.runs:
            run.font.size = Pt(TABLE_SIZE)
            if header:
                run.bold = True
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            elif item.tone in ("overdue", "red"):
                run.bold = True
        fill = HEADER_FILL if header else (FILLS[item.tone] if item.tone else None)
        if fill:
            _shade(target, fill)


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _margins(grid: DocxTable, side_margin: int = CELL_MARGIN, top_margin: int = 15) -> None:
    """Cell margins set on the table itself, so Word and LibreOffice agree (their defaults
    differ): narrow for the pack's tables, none for the layout table around tables side by
    side (a nested table then has exactly the width it was given)."""
    margins = OxmlElement("w:tblCellMar")
    for side, width in (
        ("top", top_margin),
        ("left", side_margin),
        ("bottom", top_margin),
        ("right", side_margin),
    ):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(width))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    properties = grid._tbl.tblPr
    # Schema order: tblCellMar comes after tblLayout and before tblLook.
    look = properties.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)
    else:
        properties.append(margins)


def _repeat_header(grid: DocxTable) -> None:
    """The header row again at the top of each page of a long table."""
    properties = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
