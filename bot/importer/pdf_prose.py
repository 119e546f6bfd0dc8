"""The paragraphs of a PDF, in reading order, from its lines of text.

A PDF has no paragraphs, only lines placed on a page. A new paragraph starts where the
layout says so: more space above the line than between the lines of a paragraph, a label
at the left of the text ("•", "(b)", "23/26"), a change of type (a bold heading, then body
text), or a line that starts left of the text above it. A paragraph carries on over a page
break when it had not ended (no full stop) and the next page goes on at the same indent.
Running heads and feet (the report's title, "Page 2 of 3") are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.importer.pdf_lines import Layout, Line, layout_of, would_fit
from bot.importer.pdf_text import PdfPage
from bot.importer.prose import Paragraph, split_label

__all__ = ["pdf_paragraphs"]

_ENDS_SENTENCE = re.compile(r"[.:;?!]['\"’”)]?$")
_HEADING_WORDS = 20
# How far (points) a line may sit from the text above it and still continue it.
_ALIGN = 4.0


class _Builder:
    def __init__(self, body: float, pitch: float) -> None:
        self.body = body
        # Baseline to baseline, in font sizes, within a paragraph.
        self.pitch = pitch
        # Where the text of each page stops on the right (its right margin).
        self.right_edge: dict[int, float] = {}
        self.paragraphs: list[Paragraph] = []
        self.lines: list[Line] = []
        self.first_x = 0.0
        self.text_x = 0.0

    def flush(self) -> None:
        if not self.lines:
            return
        text = _joined(self.lines)
        bold = sum(len(r.text) for ln in self.lines for r in ln.runs if r.bold)
        italic = sum(len(r.text) for ln in self.lines for r in ln.runs if r.italic)
        total = sum(len(r.text) for ln in self.lines for r in ln.runs) or 1
        size = max(ln.size for ln in self.lines)
        is_bold = bold / total >= 0.9
        short = len(text.split()) <= _HEADING_WORDS and not text.rstrip().endswith((".", ";", ","))
        self.paragraphs.append(
            Paragraph(
                text=text,
                number=len(self.paragraphs) + 1,
                page=self.lines[0].page,
                heading=short and (is_bold or size >= self.body + 1.5),
                bold=is_bold,
                italic=italic / total >= 0.9,
                indent=self.text_x,
            )
        )
        self.lines = []

    def start(self, line: Line) -> None:
        self.flush()
        self.lines = [line]
        self.first_x = line.x0
        label, _ = split_label(line.text)
        # The text after a label that is a run of its own ("(b)", then the clause).
        self.text_x = (
            line.runs[1].x0
            if label and len(line.runs) > 1 and (line.runs[0].text == label)
            else line.x0
        )

    def continues(self, line: Line, previous: Line, *, new_page: bool) -> bool:
        """Whether `line` carries on the paragraph `previous` is the last line of."""
        if not self.lines:
            return False
        if abs(line.size - previous.size) > 1.0 or line.bold != previous.bold:
            return False
        label, _ = split_label(line.text)
        if label is not None and abs(line.x0 - self.text_x) > _ALIGN:
            return False
        if line.x0 < self.first_x - _ALIGN:
            return False
        # Back out to the left after the paragraph's own second line: a new paragraph
        # (the lines of a hanging indent stay in; the first line alone may sit left).
        if len(self.lines) > 1 and line.x0 < previous.x0 - _ALIGN:
            return False
        if new_page:
            # A paragraph cut by the page break filled its last line: the next page's
            # first word would not have fitted at its end.
            edge = self.right_edge.get(previous.page, 0.0)
            full = previous.x1 >= edge - 2 * previous.size or not would_fit(line, previous, edge)
            return full and not _ENDS_SENTENCE.search(previous.text.rstrip())
        pitch = (line.baseline - previous.baseline) / max(line.size, 1.0)
        return 0 < pitch <= self.pitch + 0.2


def pdf_paragraphs(pages: Sequence[PdfPage], *, layout: Layout | None = None) -> list[Paragraph]:
    """The paragraphs of every page, in order; running heads and feet left out."""
    layout = layout or layout_of(pages)
    body = layout.body
    by_page = {page.number: layout.content(page.number) for page in pages}
    builder = _Builder(body, _typical_pitch(list(by_page.values())))
    builder.right_edge = _right_edges(pages, by_page)
    previous: Line | None = None
    new_page = False
    for page in pages:
        new_page = previous is not None
        for line in by_page[page.number]:
            if previous is not None and builder.continues(line, previous, new_page=new_page):
                builder.lines.append(line)
            else:
                builder.start(line)
            previous = line
            new_page = False
    builder.flush()
    return builder.paragraphs


def _right_edges(pages: Sequence[PdfPage], by_page: dict[int, list[Line]]) -> dict[int, float]:
    """Where the text column stops on the right of each page: the furthest any line
    reaches on a page of the same width. A page of short lines (an agenda's front sheet)
    does not reach the margin, and its last line is no fuller for that."""
    widest: dict[int, float] = {}
    for page in pages:
        reach = max((line.x1 for line in by_page[page.number]), default=0.0)
        width = round(page.width)
        widest[width] = max(widest.get(width, 0.0), reach)
    return {page.number: widest[round(page.width)] for page in pages}


def _typical_pitch(pages: Sequence[Sequence[Line]]) -> float:
    """The usual distance from one baseline to the next within a paragraph, in font sizes:
    the smallest that is common, as space between paragraphs only adds to it."""
    pitches: list[float] = []
    for lines in pages:
        for above, below in zip(lines, lines[1:], strict=False):
            if abs(above.size - below.size) <= 0.5:
                pitch = (below.baseline - above.baseline) / max(below.size, 1.0)
                if 0.8 <= pitch <= 2.5:
                    pitches.append(round(pitch, 2))
    if not pitches:
        return 1.2
    pitches.sort()
    # The 25th percentile: most line pairs are inside paragraphs, but not all.
    return pitches[len(pitches) // 4]


def _joined(lines: Sequence[Line]) -> str:
    """The lines as one text: a word broken at a hyphen or slash at a line end is joined."""
    text = ""
    for line in lines:
        part = line.text.strip()
        if not text:
            text = part
        elif text.endswith(("-", "/")) and not text.endswith((" -", " /")):
            text += part
        else:
            text += " " + part
    return " ".join(text.split())
