"""The paragraphs of a Word document (.docx), with the numbers Word draws in front of them.

Minutes written in Word often number their minutes and lettered clauses automatically:
the "23." or "(b)" an admin sees is not in the paragraph's text but drawn from the
document's numbering definitions, so python-docx's ``paragraph.text`` lacks it. The
labels are rendered here (`_Numbering`) from ``word/numbering.xml`` as Word counts them.
Tables are read cell by cell; a row whose first cell holds only a number ("23/26", "(a)")
puts it in front of the next cell's first paragraph, as minutes laid out in a table read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph

from bot.importer.docx_styles import StyleIndex
from bot.importer.errors import ImportFileError
from bot.importer.prose import Paragraph

__all__ = ["docx_paragraphs"]

_HEADING_WORDS = 20
_BULLET = "•"
# A cell holding only a minute or clause number: "23/26", "AGC/23/26", "23.", "(a)", "Min 4".
_NUMBER_CELL = re.compile(
    r"^(?:(?:minute|min\.?|item|no\.?)\s*)?(?:[A-Z]{1,6}[/.\s-]?)?\d{1,4}(?:[./]\d{1,4})*\.?$"
    r"|^\(?(?:[a-z]{1,3}|\d{1,3})\)$",
    re.IGNORECASE,
)


def docx_paragraphs(path: Path) -> list[Paragraph]:
    """Every paragraph of the document's body, tables included, in order.

    Raises:
        ImportFileError: the document cannot be read.
    """
    try:
        document = Document(str(path))
        numbering = _Numbering(document, StyleIndex(document))
        texts = list(_texts(document, numbering))
    # python-docx raises whatever its XML parsing hits on a damaged file.
    except Exception as exc:  # noqa: BLE001
        raise ImportFileError(
            f"{path.name} could not be read as a Word document ({type(exc).__name__}: {exc})"
        ) from exc
    paragraphs: list[Paragraph] = []
    for text, heading, bold, italic in texts:
        paragraphs.append(
            Paragraph(
                text=text,
                number=len(paragraphs) + 1,
                heading=heading,
                bold=bold,
                italic=italic,
            )
        )
    return paragraphs


_Text = tuple[str, bool, bool, bool]  # text, heading, bold, italic


def _texts(document: DocumentObject, numbering: _Numbering) -> Iterator[_Text]:
    for block in document.iter_inner_content():
        if isinstance(block, DocxParagraph):
            found = _paragraph(block, numbering)
            if found is not None:
                yield found
        else:
            yield from _table(block, numbering)


def _table(table: Table, numbering: _Numbering) -> Iterator[_Text]:
    for row in table.rows:
        cells: list[list[_Text]] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell comes back once per grid column
                continue
            seen.add(id(cell._tc))
            texts: list[_Text] = []
            for block in cell.iter_inner_content():
                if isinstance(block, DocxParagraph):
                    found = _paragraph(block, numbering)
                    if found is not None:
                        texts.append(found)
                else:
                    texts.extend(_table(block, numbering))
            if texts:
                cells.append(texts)
        if len(cells) >= 2 and len(cells[0]) == 1 and _NUMBER_CELL.match(cells[0][0][0]):
            text, heading, bold, italic = cells[1][0]
            merged = (f"{cells[0][0][0]} {text}", heading, bold, italic)
            cells = [[merged, *cells[1][1:]], *cells[2:]]
        for texts in cells:
            yield from texts


def _paragraph(paragraph: DocxParagraph, numbering: _Numbering) -> _Text | None:
    text = " ".join(paragraph.text.split())
    label = numbering.label(paragraph)
    if label:
        text = f"{label} {text}" if text else ""
    if not text:
        return None
    runs = [r for r in paragraph.runs if r.text.strip()]
    style = numbering.styles.of(paragraph)
    style_bold = _style_flag(style, "bold")
    style_italic = _style_flag(style, "italic")
    bold = bool(runs) and all(r.bold if r.bold is not None else style_bold for r in runs)
    italic = bool(runs) and all(r.italic if r.italic is not None else style_italic for r in runs)
    name = (style.name if style is not None else "") or ""
    styled = name.lower().startswith(("heading", "title"))
    short = len(text.split()) <= _HEADING_WORDS and not text.endswith((".", ";", ",", "?"))
    return text, styled or (bold and short), bold, italic


def _style_flag(style: ParagraphStyle | None, name: str) -> bool:
    while style is not None:
        value = getattr(style.font, name)
        if value is not None:
            return bool(value)
        style = style.base_style
    return False


class _Numbering:
    """Word's automatic numbering, counted as Word counts it while reading in order.

    A list (``w:num``) points at a definition (``w:abstractNum``) giving each level's start,
    format (decimal, lowerLetter, upperRoman, bullet...) and text ("%1.", "(%2)"). Lists
    sharing a definition continue one count unless a list restarts it (startOverride).
    """

    def __init__(self, document: DocumentObject, styles: StyleIndex) -> None:
        self.styles = styles
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.lists: dict[str, tuple[str, dict[int, int]]] = {}
        self.counts: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels: dict[int, tuple[int, str, str]] = {}
            for level in abstract.findall(qn("w:lvl")):
                levels[int(level.get(qn("w:ilvl"), "0"))] = (
                    int(_value(level, "w:start") or "1"),
                    _value(level, "w:numFmt") or "decimal",
                    _value(level, "w:lvlText") or "",
                )
            self.levels[abstract.get(qn("w:abstractNumId"), "")] = levels
        for num in root.findall(qn("w:num")):
            abstract_id = _value(num, "w:abstractNumId") or ""
            overrides: dict[int, int] = {}
            for override in num.findall(qn("w:lvlOverride")):
                start = _value(override, "w:startOverride")
                if start is not None:
                    overrides[int(override.get(qn("w:ilvl"), "0"))] = int(start)
            self.lists[num.get(qn("w:numId"), "")] = (abstract_id, overrides)

    def label(self, paragraph: DocxParagraph) -> str | None:
        found = _num_properties(paragraph, self.styles.of(paragraph))
        if found is None:
            return None
        num_id, level = found
        if num_id not in self.lists:
            return None
        abstract_id, overrides = self.lists[num_id]
        levels = self.levels.get(abstract_id, {})
        if level not in levels:
            return None
        counts = self.counts.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for restart, start in overrides.items():
                counts[restart] = start - 1
        start, fmt, _ = levels[level]
        counts[level] = counts.get(level, start - 1) + 1
        for deeper in [d for d in counts if d > level]:
            del counts[deeper]
        if fmt == "bullet":
            return _BULLET
        if fmt == "none":
            return None
        text = levels[level][2]
        for shown in range(level + 1):
            if f"%{shown + 1}" in text:
                shown_start, shown_fmt, _ = levels.get(shown, (1, "decimal", ""))
                value = counts.get(shown, shown_start)
                text = text.replace(f"%{shown + 1}", _formatted(value, shown_fmt))
        return text.strip() or None


def _value(element: BaseOxmlElement, tag: str) -> str | None:
    child = element.find(qn(tag))
    return None if child is None else child.get(qn("w:val"))


def _num_properties(
    paragraph: DocxParagraph, style: ParagraphStyle | None
) -> tuple[str, int] | None:
    """(numId, level) of the paragraph's numbering, its own or its style's."""
    properties = paragraph._p.pPr
    # python-docx types numPr as its descriptor, not the element it returns.
    num_pr: Any = properties.numPr if properties is not None else None
    while num_pr is None and style is not None:
        style_pr = style.element.pPr
        num_pr = style_pr.numPr if style_pr is not None else None
        style = style.base_style
    if num_pr is None or num_pr.numId is None:
        return None
    level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    return str(num_pr.numId.val), int(level)


def _formatted(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        while value > 0:
            value, rest = divmod(value - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.upper() if fmt == "upperRoman" else roman
    return str(value)


def _roman(value: int) -> str:
    numerals = (
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
        (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    )  # fmt: skip
    out = ""
    for amount, numeral in numerals:
        while value >= amount:
            out += numeral
            value -= amount
    return out
