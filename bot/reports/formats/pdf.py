"""The pack as PDF, laid out with ReportLab's platypus: A4 landscape, the running header and
"Page 2 of 7" drawn on every page, tables whose header row repeats on each page, RAG and
overdue cells filled, DejaVu Sans embedded for any letter a plan holds.

ReportLab directly rather than xhtml2pdf (which draws with ReportLab too, from HTML): its
tables are laid out again for every page they run to, so a 200-action register took a minute
and a 1,000-action one five; `LongTable` lays out each row once (the 1,000-action pack takes
seconds). It also gives exact column widths and a conditional page break, so a section's
heading never sits alone at the foot of a page.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from bot.reports.content import FILLS, Cell, Chart, Paper, Section
from bot.reports.content import Table as PackTable
from bot.reports.formats.layout import BOLD_TONES, chart_png, drawable, point_widths
from bot.reports.formats.layout import font_name as font

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 34.0
TOP, BOTTOM = 50.0, 44.0  # room for the running header and the footer
CONTENT = PAGE_WIDTH - 2 * MARGIN
SIZE = 7.5  # table text
PADDING = 3.0  # either side of a cell's text
GAP = 14.0  # between blocks side by side
NAVY = colors.HexColor("#1F3864")
RULE = colors.HexColor("#999999")
# Room a list needs below its heading (heading, meaning, header row, a row or two): with
# less left on the page the section starts on the next one.
HEADING_ROOM = 110.0
LONG_CELL = 600  # characters: even in a narrow column, well under a page of lines
CHART_HEIGHT = PAGE_HEIGHT - TOP - BOTTOM - 70  # under the section's heading and meaning


def render_pdf(paper: Paper) -> bytes:
    paper = paper.map_text(drawable)  # what the font cannot draw, named (see `drawable`)
    registerFontFamily(font(), normal=font(), bold=font(bold=True))
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        title=f"{paper.title}: {paper.kind}",
        author=paper.footer,
        creator="actionbot",
        invariant=1,  # the same paper gives the same bytes: no creation time, no random id
    )
    frame = Frame(MARGIN, BOTTOM, CONTENT, PAGE_HEIGHT - TOP - BOTTOM, 0, 0, 0, 0, id="body")
    document.addPageTemplates([PageTemplate("page", [frame], onPage=_running(paper))])
    document.build(_story(paper), canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _style(name: str, size: float, **more: Any) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font(), fontSize=size, leading=size * 1.25, **more)


TITLE = _style("title", 18, textColor=NAVY, spaceAfter=4)
KIND = _style("kind", 12, spaceAfter=6)
BODY = _style("body", 8.5, spaceAfter=4)
HEADING = _style("heading", 12, textColor=NAVY, spaceBefore=12, spaceAfter=1)
INTRO = _style("intro", 8.5, textColor=colors.HexColor("#333333"), spaceAfter=4)
CELL = _style("cell", SIZE)
NUMBER = _style("number", SIZE, alignment=TA_RIGHT)
RUNNING = _style("running", 7.5, textColor=colors.HexColor("#333333"))


def _text(words: str, style: ParagraphStyle, *, bold: bool = False) -> Paragraph:
    """Plan text as a paragraph: escaped once here (ReportLab reads `<b>` and `&amp;` as
    markup), line breaks kept."""
    marked = escape(words).replace("\n", "<br/>")
    return Paragraph(f"<b>{marked}</b>" if bold else marked, style)


def _story(paper: Paper) -> list[Flowable]:
    meeting = f" for {paper.meeting}" if paper.meeting else ""
    story: list[Flowable] = [
        _text(paper.title, TITLE, bold=True),
        _text(paper.kind + meeting, KIND, bold=True),
        _text(f"{paper.position} {paper.changes}", BODY),
    ]
    for section in paper.sections:
        heading = [_text(section.heading, HEADING, bold=True), _Rule(), _text(section.intro, INTRO)]
        if section.part == "detail":
            story.append(PageBreak())
        if section.beside:
            story.append(KeepTogether([*heading, _beside(section)]))
        else:
            story.append(CondPageBreak(HEADING_ROOM))
            story += heading
            story += [_table(t, CONTENT) for t in section.tables]
    return story


class _Rule(Flowable):  # type: ignore[misc]
    """The line under a section's heading."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, 3.0

    def draw(self) -> None:
        self.canv.setStrokeColor(NAVY)
        self.canv.setLineWidth(0.75)
        self.canv.line(0, 2.0, self.width, 2.0)


def _widths(table: PackTable, total: float, *, stretch: bool = True) -> list[float]:
    return point_widths(table, total=total, size=SIZE, padding=2 * PADDING + 1, stretch=stretch)


def _table(table: PackTable, total: float, *, stretch: bool = True) -> Table:
    widths = _widths(table, total, stretch=stretch)
    numbers = [c.kind in ("number", "change") for c in table.columns]
    header_white = ParagraphStyle("header", parent=CELL, textColor=colors.white)
    header_right = ParagraphStyle("header-right", parent=NUMBER, textColor=colors.white)
    rows: list[list[Any]] = [
        [
            _text(c.header, header_right if n else header_white, bold=True)
            for c, n in zip(table.columns, numbers, strict=True)
        ]
    ]
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font(), SIZE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("BACKGROUND", (0, 0), (-1, 0), NAVY),
        ("GRID", (0, 1), (-1, -1), 0.5, RULE),
    ]
    for r, cells in enumerate(table.rows, 1):
        rows.append(
            [_cell(item, NUMBER if n else CELL) for item, n in zip(cells, numbers, strict=True)]
        )
        for c, item in enumerate(cells):
            if item.tone is not None:
                style.append(
                    ("BACKGROUND", (c, r), (c, r), colors.HexColor("#" + FILLS[item.tone]))
                )
    if not table.rows:
        rows.append([_text(table.empty, CELL), *([""] * (len(widths) - 1))])
        style.append(("SPAN", (0, 1), (-1, 1)))
    # A row moves whole to the next page, unless some cell could be taller than a page (a
    # pasted report of hundreds of characters): only then may rows split.
    tall = any(len(item.text) > LONG_CELL for cells in table.rows for item in cells)
    return LongTable(
        rows,
        colWidths=widths,
        repeatRows=1,
        splitInRow=int(tall),
        style=TableStyle(style),
        hAlign="LEFT",
    )


def _cell(item: Cell, style: ParagraphStyle) -> Paragraph:
    return _text(item.text, style, bold=item.tone in BOLD_TONES)


def _beside(section: Section) -> Table:
    """The section's tables and chart side by side, in a borderless layout table."""
    parts = len(section.tables) + (section.chart is not None)
    room = CONTENT - GAP * (parts - 1)
    blocks: list[Flowable] = []
    widths: list[float] = []
    for table in section.tables:
        width = sum(_widths(table, room / parts, stretch=False))
        blocks.append(_table(table, width))
        widths.append(width)
    if section.chart is not None:
        width = CONTENT - sum(widths) - GAP * (parts - 1)
        blocks.append(_chart(section.chart, width))
        widths.append(width)
    cells: list[Any] = []
    spans: list[float] = []
    for block, width in zip(blocks, widths, strict=True):
        cells += [block, ""]
        spans += [width, GAP]
    layout = Table([cells[:-1]], colWidths=spans[:-1], hAlign="LEFT")
    layout.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return layout


def _chart(chart: Chart, width: float) -> Image:
    """The chart in `width`, or narrower where twelve themes would make it taller than a page
    holds under its heading."""
    png = chart_png(chart, dpi=150)
    picture = Image(io.BytesIO(png))
    scale = min(width / picture.imageWidth, CHART_HEIGHT / picture.imageHeight)
    picture.drawWidth, picture.drawHeight = picture.imageWidth * scale, picture.imageHeight * scale
    picture.hAlign = "LEFT"
    return picture


def _running(paper: Paper) -> Any:
    def draw(canvas: Canvas, document: BaseDocTemplate) -> None:
        canvas.saveState()
        header = _text(paper.running, RUNNING)
        _, height = header.wrap(CONTENT, TOP)
        header.drawOn(canvas, MARGIN, PAGE_HEIGHT - 22 - height)
        canvas.setStrokeColor(NAVY)
        canvas.setLineWidth(0.5)
        canvas.line(
            MARGIN, PAGE_HEIGHT - 26 - height, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 26 - height
        )
        footer = _text(paper.footer, RUNNING)
        footer.wrap(CONTENT * 0.75, BOTTOM)
        footer.drawOn(canvas, MARGIN, 20)
        canvas.restoreState()

    return draw


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Writes "Page n of N" at the foot of every page once N is known (at the end)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        count = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(font(), 7.5)
            self.setFillColor(colors.HexColor("#333333"))
            self.drawRightString(PAGE_WIDTH - MARGIN, 20 + 2, f"Page {self._pageNumber} of {count}")
            super().showPage()
        super().save()
