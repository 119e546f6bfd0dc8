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
from itertools import takewhile
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
    KeepInFrame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from bot.reports.content import FILLS, Cell, Chart, Paper, Section
from bot.reports.content import Table as PackTable
from bot.reports.formats.layout import (
    BOLD_TONES,
    CHART_LEAST,
    CHART_TYPE,
    FIGURES_ALONE,
    FIGURES_WIDTH,
    chart_png,
    point_widths,
)
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
BODY_HEIGHT = PAGE_HEIGHT - TOP - BOTTOM
CHART_HEIGHT = BODY_HEIGHT - 70  # under the section's heading and meaning


def render_pdf(paper: Paper) -> bytes:
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
    frame = Frame(MARGIN, BOTTOM, CONTENT, BODY_HEIGHT, 0, 0, 0, 0, id="body")
    document.addPageTemplates([PageTemplate("page", [frame], onPage=_running(paper))])
    document.build(_story(paper), canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _style(name: str, size: float, **more: Any) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font(), fontSize=size, leading=size * 1.25, **more)


TITLE = _style("title", 16, textColor=NAVY, spaceAfter=2)
KIND = _style("kind", 11, spaceAfter=2)
BODY = _style("body", 8.5, spaceAfter=2)
HEADING = _style("heading", 12, textColor=NAVY, spaceBefore=12, spaceAfter=1)
SUMMARY_HEADING = _style("summary-heading", 10.5, textColor=NAVY, spaceBefore=5, spaceAfter=1)
INTRO = _style("intro", 8.5, textColor=colors.HexColor("#333333"), spaceAfter=4)
AFTER = _style("after", 8.5, textColor=colors.HexColor("#333333"), spaceBefore=1.5)
CELL = _style("cell", SIZE)
NUMBER = _style("number", SIZE, alignment=TA_RIGHT)
RUNNING = _style("running", 7.5, textColor=colors.HexColor("#333333"))


def _text(words: str, style: ParagraphStyle, *, bold: bool = False) -> Paragraph:
    """Plan text as a paragraph: escaped once here (ReportLab reads `<b>` and `&amp;` as
    markup), line breaks kept."""
    marked = escape(words).replace("\n", "<br/>")
    return Paragraph(f"<b>{marked}</b>" if bold else marked, style)


def _story(paper: Paper) -> list[Flowable]:
    summary = list(takewhile(lambda s: s.part == "summary", paper.sections))
    detail: list[Flowable] = []
    for section in paper.sections[len(summary) :]:
        detail += [CondPageBreak(HEADING_ROOM), *_section(section)]
    # The summary is page 1, whatever the plan holds: drawn smaller, should a plan's text
    # need more than the page (its lists show a fixed few rows, so only text of hundreds of
    # characters can).
    page = KeepInFrame(CONTENT, BODY_HEIGHT, _summary(paper, summary), mode="shrink")
    return [page, PageBreak(), *detail[1:]]


def _summary(paper: Paper, sections: list[Section]) -> list[Flowable]:
    """The title, then the sections of figures (at a glance, RAG by theme) side by side in
    one row, then the summary's short lists across the page: what a landscape page holds."""
    meeting = f" for {paper.meeting}" if paper.meeting else ""
    story: list[Flowable] = [
        _text(paper.title, TITLE, bold=True),
        _text(paper.kind + meeting, KIND, bold=True),
        _text(f"{paper.position} {paper.changes}", BODY),
    ]
    row = list(takewhile(lambda s: s.beside, sections))
    if len(row) > 1:
        story.append(_row(row))
    for section in sections[len(row) if len(row) > 1 else 0 :]:
        story += _section(section, SUMMARY_HEADING)
    return story


def _section(section: Section, style: ParagraphStyle | None = None) -> list[Flowable]:
    heading = _heading(section, style or HEADING)
    if section.beside:
        together = [*heading, _beside(section, CONTENT)]
        return together if section.part == "summary" else [KeepTogether(together)]
    tables: list[Flowable] = [_table(t, CONTENT) for t in section.tables]
    if section.after:
        tables.append(_text(section.after, AFTER))
    return heading + tables


def _heading(section: Section, style: ParagraphStyle) -> list[Flowable]:
    return [_text(section.heading, style, bold=True), _Rule(), _text(section.intro, INTRO)]


def _row(sections: list[Section]) -> Table:
    """Sections side by side: one without a chart as narrow as its words allow, its tables
    one under the other; one with a chart in the rest of the row, the chart as tall as the
    row."""
    plain = [s for s in sections if s.chart is None]
    widths = {
        s.key: max(sum(_widths(t, FIGURES_ALONE, stretch=False)) for t in s.tables) for s in plain
    }
    rest = (CONTENT - sum(widths.values()) - GAP * (len(sections) - 1)) / max(
        len(sections) - len(plain), 1
    )
    blocks: dict[str, list[Flowable]] = {}
    for section in plain:
        tables: list[Flowable] = [_table(t, widths[section.key]) for t in section.tables]
        blocks[section.key] = (
            _heading(section, SUMMARY_HEADING)
            + [item for table in tables for item in (table, Spacer(0, 6))][:-1]
        )
    tall = max((_height(b, widths[k]) for k, b in blocks.items()), default=0.0)
    for section in sections:
        if section.chart is not None:
            heading = _heading(section, SUMMARY_HEADING)
            # As tall as the row, or as the tables beside it where they are taller (many
            # themes): a chart squeezed shorter than its table runs its names together.
            own = max(
                _height([_table(t, width)], width)
                for t in section.tables
                for width in [sum(_widths(t, FIGURES_WIDTH, stretch=False))]
            )
            room = max(tall - _height(heading, rest), own, CHART_LEAST)
            blocks[section.key] = [*heading, _beside(section, rest, room)]
            widths[section.key] = rest
    cells: list[Any] = []
    spans: list[float] = []
    for section in sections:
        cells += [blocks[section.key], ""]
        spans += [widths[section.key], GAP]
    return _layout([cells[:-1]], spans[:-1])


def _height(flowables: list[Flowable], width: float) -> float:
    return float(
        sum(
            f.wrap(width, BODY_HEIGHT)[1] + f.getSpaceBefore() + f.getSpaceAfter()
            for f in flowables
        )
    )


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
    dense = 1.0 if table.figures else 2.0  # the summary's tables: a page holds them all
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
        ("TOPPADDING", (0, 0), (-1, -1), dense),
        ("BOTTOMPADDING", (0, 0), (-1, -1), dense),
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
    return _Rows(
        rows,
        colWidths=widths,
        repeatRows=1,
        splitInRow=int(tall),
        style=TableStyle(style),
        hAlign="LEFT",
    )


class _Rows(LongTable):  # type: ignore[misc]
    """A table whose rows move whole to the next page, but for a row taller than a page,
    split where it starts.

    ReportLab first splits between rows and then, in the space left at the foot of the
    page, splits the rest of the table inside its first row: a long row went after a second
    header row in the middle of the page."""

    def split(self, available_width: float, available_height: float) -> list[Any]:
        self._calc(available_width, available_height)
        at = self._getFirstPossibleSplitRowPosition(available_height)
        heights = self._rowHeights
        inside = at < len(heights) and heights[at] > BODY_HEIGHT - heights[0]
        return list(self._splitRows(available_height, doInRowSplit=int(inside)))


def _cell(item: Cell, style: ParagraphStyle) -> Paragraph:
    return _text(item.text, style, bold=item.tone in BOLD_TONES)


def _beside(section: Section, total: float, chart_height: float | None = None) -> Table:
    """The section's tables and chart side by side in `total` points, in a borderless
    layout table; with `chart_height`, a chart that tall beside tables as narrow as their
    words allow."""
    parts = len(section.tables) + (section.chart is not None)
    room = total - GAP * (parts - 1)
    share = room / parts if chart_height is None else FIGURES_WIDTH
    blocks: list[Flowable] = []
    widths: list[float] = []
    for table in section.tables:
        width = sum(_widths(table, share, stretch=False))
        blocks.append(_table(table, width))
        widths.append(width)
    if section.chart is not None:
        width = total - sum(widths) - GAP * (parts - 1)
        blocks.append(_chart(section.chart, width, chart_height))
        widths.append(width)
    cells: list[Any] = []
    spans: list[float] = []
    for block, width in zip(blocks, widths, strict=True):
        cells += [block, ""]
        spans += [width, GAP]
    return _layout([cells[:-1]], spans[:-1])


def _layout(cells: list[list[Any]], widths: list[float]) -> Table:
    """A borderless table that only places its cells."""
    layout = Table(cells, colWidths=widths, hAlign="LEFT")
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


def _chart(chart: Chart, width: float, height: float | None = None) -> Image:
    """The chart in `width`, or narrower where twelve themes would make it taller than a page
    holds under its heading; drawn for a place `height` tall if given, its type the size of
    the tables' beside it."""
    if height is None:
        png = chart_png(chart, dpi=150)
    else:
        png = chart_png(chart, dpi=110, shape=(width / CHART_TYPE, height / CHART_TYPE))
    picture = Image(io.BytesIO(png))
    scale = min(width / picture.imageWidth, (height or CHART_HEIGHT) / picture.imageHeight)
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
