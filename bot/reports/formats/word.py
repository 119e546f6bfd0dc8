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

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.shared import Cm, Inches, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from bot.reports.content import FILLS, Cell, Chart, Paper, Section, Table
from bot.reports.formats.layout import chart_png, point_widths

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Cm(29.7), Cm(21.0), Cm(1.5)
CONTENT_PT = (PAGE_WIDTH - 2 * MARGIN) / 12700  # EMU → points
FONT = "Arial"
TABLE_SIZE = 7.5
CELL_MARGIN = 60  # twentieths of a point, left and right of a cell's text (3 pt)
CELL_PADDING = 2 * CELL_MARGIN / 20 + 2  # both margins and the rules, points
GAP_PT = 14.0
HEADER_FILL = "1F3864"


def render_docx(paper: Paper) -> bytes:
    document = Document()
    _page(document, paper)
    document.add_heading(paper.title, level=0)
    kind = document.add_paragraph()
    kind.add_run(paper.kind + (f" for {paper.meeting}" if paper.meeting else "")).bold = True
    document.add_paragraph(f"{paper.position} {paper.changes}")
    part = "summary"
    for section in paper.sections:
        heading = document.add_heading(section.heading, level=1)
        if section.part != part:  # the detail starts on a page of its own
            heading.paragraph_format.page_break_before = True
            part = section.part
        document.add_paragraph(section.intro).paragraph_format.keep_with_next = True
        if section.beside:
            _beside(document, section)
        else:
            for table in section.tables:
                _table(document, table, CONTENT_PT)
        if section.after:
            document.add_paragraph(section.after)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page(document: DocumentType, paper: Paper) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    section.top_margin = Cm(1.8)
    section.header_distance = section.footer_distance = Cm(0.7)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(9)
    normal.paragraph_format.space_after = Pt(3)

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


def _beside(document: DocumentType, section: Section) -> None:
    """The section's tables and chart side by side, in a borderless layout table."""
    parts = len(section.tables) + (section.chart is not None)
    room = CONTENT_PT - GAP_PT * (parts - 1)
    widths = [sum(_widths(t, room / parts, stretch=False)) for t in section.tables]
    if section.chart is not None:
        widths.append(CONTENT_PT - sum(widths) - GAP_PT * (parts - 1))
    layout = document.add_table(rows=1, cols=2 * parts - 1)
    layout.autofit = False
    _margins(layout, 0, 0)
    layout.alignment = WD_TABLE_ALIGNMENT.LEFT
    spans = [w for pair in zip(widths, [GAP_PT] * parts, strict=True) for w in pair][:-1]
    for index, width in enumerate(spans):
        layout.columns[index].width = Pt(width)
        layout.rows[0].cells[index].width = Pt(width)
    for index, table in enumerate(section.tables):
        _table(layout.rows[0].cells[2 * index], table, widths[index])
    if section.chart is not None:
        _chart(layout.rows[0].cells[-1], section.chart, widths[-1])


def _chart(cell: _Cell, chart: Chart, width: float) -> None:
    png = chart_png(chart, dpi=110)
    run = cell.paragraphs[0].add_run()
    shape = run.add_picture(io.BytesIO(png), width=Pt(width))
    # The figures in words for screen readers (the picture's description).
    shape._inline.docPr.set("descr", chart.alt)


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
