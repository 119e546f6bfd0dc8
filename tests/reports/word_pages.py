"""How tall a Word document's first page of content is, worked out from the file alone
(python-docx) without Word or LibreOffice: each paragraph's lines, wrapped between words
with Arial's metrics (ReportLab's Helvetica), at single spacing, with the space before and
after it; each table row as tall as its tallest cell; each picture as tall as it is drawn.
An estimate a little on the generous side, so "fits" here means it fits on paper."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from docx.document import Document as DocumentType
from docx.oxml.ns import qn
from docx.shared import Length
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from reportlab.pdfbase.pdfmetrics import stringWidth

LEADING = 1.15  # Arial's single line (ascent, descent and line gap) per point of type
EMU_PER_POINT = 12700


def page_body(document: DocumentType) -> float:
    """Points between the first page's top and bottom margins."""
    section = document.sections[0]
    return points(section.page_height) - points(section.top_margin) - points(section.bottom_margin)


def before_page_break(document: DocumentType) -> Iterator[Paragraph | Table]:
    """The body's paragraphs and tables before the first that starts a new page."""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph) and block.paragraph_format.page_break_before:
            return
        yield block


def height(block: Paragraph | Table, width: float) -> float:
    if isinstance(block, Table):
        return table_height(block)
    return paragraph_height(block, width)


def table_height(table: Table) -> float:
    top, _ = cell_margins(table)
    total = 0.0
    for row in table.rows:
        tallest = 0.0
        for tc in row._tr.tc_lst:
            cell = _Cell(tc, table)
            _, side = cell_margins(table)
            inside = points(cell.width) - 2 * side
            tallest = max(tallest, sum(height(b, inside) for b in cell.iter_inner_content()))
        total += tallest + 2 * top + (1.0 if bordered(table) else 0.0)
    return total


def paragraph_height(paragraph: Paragraph, width: float) -> float:
    form, style = paragraph.paragraph_format, paragraph.style
    size = max(
        (points(r.font.size) for r in paragraph.runs if r.font.size is not None),
        default=style_size(style),
    )
    space = points(_first(form.space_before, style, "space_before")) + points(
        _first(form.space_after, style, "space_after")
    )
    pictures = [
        int(extent.get("cy")) / EMU_PER_POINT for extent in paragraph._p.iter(qn("wp:extent"))
    ]
    if pictures:
        return space + max(pictures) + size * LEADING / 3  # below the line the picture sits on
    spacing = _first(form.line_spacing, style, "line_spacing")
    if isinstance(spacing, Length):  # exact spacing (an empty paragraph kept small)
        return space + points(spacing)
    multiple = default_line_spacing(paragraph) if spacing is None else float(spacing)
    bold = any(r.bold for r in paragraph.runs) or bool(style.font.bold)
    count = lines(paragraph.text, width, size, bold=bold)
    return space + border_below(style) + count * size * LEADING * multiple


def default_line_spacing(paragraph: Paragraph) -> float:
    """The document's default line spacing (docDefaults), as a multiple of single."""
    styles = paragraph.part.styles.element
    spacing = styles.find(
        f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}"
    )
    if spacing is None or spacing.get(qn("w:lineRule"), "auto") != "auto":
        return 1.0
    return int(spacing.get(qn("w:line"), "240")) / 240


def border_below(style: object) -> float:
    """A style's rule under the paragraph (the Title's): its width and the space above it."""
    while style is not None:
        found = style.element.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")  # type: ignore[attr-defined]
        if found is not None:
            return int(found.get(qn("w:space"), "0")) + int(found.get(qn("w:sz"), "0")) / 8
        style = style.base_style  # type: ignore[attr-defined]
    return 0.0


def lines(text: str, width: float, size: float, *, bold: bool) -> int:
    font = "Helvetica-Bold" if bold else "Helvetica"
    count = 0
    for part in text.split("\n"):
        count += 1
        line = 0.0
        for word in part.split():
            span = stringWidth(word, font, size)
            if line and line + stringWidth(" ", font, size) + span > width:
                count, line = count + 1, span
            else:
                line += span + (stringWidth(" ", font, size) if line else 0.0)
    return count


def cell_margins(table: Table) -> tuple[float, float]:
    """(top, left) cell margins the table sets, in points."""
    margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
    if margins is None:
        return 0.0, 5.4  # Word's defaults
    top = int(margins.find(qn("w:top")).get(qn("w:w"))) / 20
    left = int(margins.find(qn("w:left")).get(qn("w:w"))) / 20
    return top, left


def bordered(table: Table) -> bool:
    return table.style is not None and table.style.name == "Table Grid"


def style_size(style: object) -> float:
    while style is not None:
        size = style.font.size  # type: ignore[attr-defined]
        if size is not None:
            return points(size)
        style = style.base_style  # type: ignore[attr-defined]
    return 10.0  # python-docx's default template


def _first(value: Any, style: object, name: str) -> Any:
    while value is None and style is not None:
        value = getattr(style.paragraph_format, name)  # type: ignore[attr-defined]
        style = style.base_style  # type: ignore[attr-defined]
    return value


def points(length: Length | None) -> float:
    return 0.0 if length is None else length / EMU_PER_POINT


def headings(
    document: DocumentType, blocks: Iterable[Paragraph | Table] | None = None
) -> list[str]:
    """Every "Heading 1" paragraph of `blocks` (the whole body by default) in reading
    order, those inside layout tables too."""
    elements = [b._element for b in blocks] if blocks is not None else [document.element.body]
    found = []
    for element in elements:
        for p in element.iter(qn("w:p")):
            paragraph = Paragraph(p, document._body)
            if paragraph.style is not None and paragraph.style.name == "Heading 1":
                found.append(paragraph.text)
    return found
