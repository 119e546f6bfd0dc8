"""Runs of a PDF page gathered into lines of text, top to bottom.

Shared by the table reader (`pdf_tables`) and the prose reader (`pdf_prose`). A line is
every run whose middle sits within half a character's height of the line's: a minute
number and its heading, or the cells of one table row, are one line with gaps in it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.importer.pdf_text import PdfPage, Run

__all__ = [
    "Layout",
    "Line",
    "body_size",
    "join_runs",
    "layout_of",
    "lines_of",
    "running_lines",
    "would_fit",
]


class Line:
    """Runs on one line, left to right, with the measures every reader asks for, taken
    once (a 100-page pack has some 10,000 lines, each looked at many times)."""

    __slots__ = (
        "baseline", "bold", "bottom", "italic", "middle", "page", "runs", "size", "text",
        "top", "x0", "x1",
    )  # fmt: skip

    def __init__(self, runs: list[Run], page: int) -> None:
        runs = sorted(runs, key=lambda r: r.x0)
        self.runs = runs
        self.page = page
        self.text = join_runs(runs)
        self.x0 = runs[0].x0
        self.x1 = max(r.x1 for r in runs)
        self.top = min(r.top for r in runs)
        self.bottom = max(r.bottom for r in runs)
        self.middle = (self.top + self.bottom) / 2
        # The baseline of the longest run (a bullet may sit on its own).
        self.baseline = max(runs, key=lambda r: len(r.text)).baseline
        # The size, weight and slant most of the line's characters are set in.
        sizes: Counter[float] = Counter()
        bold = italic = total = 0
        for run in runs:
            length = len(run.text)
            sizes[round(run.size, 1)] += length
            total += length
            bold += length if run.bold else 0
            italic += length if run.italic else 0
        self.size = sizes.most_common(1)[0][0]
        self.bold = total > 0 and bold >= 0.9 * total
        self.italic = total > 0 and italic >= 0.9 * total


def join_runs(runs: Iterable[Run]) -> str:
    """Runs left to right as text: a space where they do not touch."""
    parts: list[str] = []
    previous: Run | None = None
    for run in runs:
        if previous is not None and (
            previous.spaced or run.x0 - previous.x1 > 0.15 * min(run.size, previous.size)
        ):
            parts.append(" ")
        parts.append(run.text)
        previous = run
    return "".join(parts)


def lines_of(runs: Iterable[Run], page: int) -> list[Line]:
    """`runs` (of one page) as lines, top to bottom, each line's runs left to right."""
    groups: list[list[Run]] = []
    middle = size = 0.0
    for run in sorted(runs, key=lambda r: (r.middle, r.x0)):
        if groups and abs(run.middle - middle) <= 0.5 * min(run.size, size):
            groups[-1].append(run)
            continue
        groups.append([run])
        middle, size = run.middle, run.size
    return [Line(group, page) for group in groups]


def would_fit(line: Line, after: Line, right: float) -> bool:
    """Whether the first word of `line` would have fitted at the end of `after` before
    `right`, with room to spare: if so, `after` was not wrapped there, and `line` starts
    a paragraph. The word's width is estimated from its share of its run (spaces count
    about half a letter), so a word that only just fits is not trusted."""
    run = line.runs[0]
    words = run.text.split()
    if not words:
        return False
    letters = len(run.text) - run.text.count(" ") + 0.5 * run.text.count(" ")
    width = (run.x1 - run.x0) * len(words[0]) / max(letters, 1.0)
    return after.x1 + 0.3 * after.size + width + 0.5 * after.size <= right


def body_size(lines: Iterable[Line]) -> float:
    """The size most of the document's text is set in."""
    sizes: Counter[float] = Counter()
    for line in lines:
        for run in line.runs:
            sizes[round(run.size, 1)] += len(run.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*\d+(?:\s*(?:of|/)\s*\d+)?|[-–—]?\s*\d{1,4}\s*[-–—]?|\d+\s*(?:of|/)\s*\d+)$", re.I
)
# Running heads and feet sit in the top or bottom part of the page.
_MARGIN_SHARE = 0.12


def running_lines(
    pages: Sequence[PdfPage], lines: dict[int, list[Line]], *, body: float
) -> set[int]:
    """ids of the lines that are running heads or feet: page numbers, and text repeated
    near the same edge (top or bottom) of at least half the pages (digits aside: "Page 3
    of 10"). A paragraph's line that ends one page and starts the next is body text,
    however alike. A heading larger than the body text repeated above a table on every
    page is kept."""
    marginal: dict[int, list[tuple[str, Line]]] = {}
    for page in pages:
        band = page.height * _MARGIN_SHARE
        marginal[page.number] = [
            ("top" if line.bottom <= band else "foot", line)
            for line in lines.get(page.number, [])
            if (line.bottom <= band or line.top >= page.height - band) and line.size <= body + 0.5
        ]
    seen: Counter[tuple[str, str]] = Counter()
    for page_lines in marginal.values():
        for key in {_key(edge, line) for edge, line in page_lines}:
            seen[key] += 1
    with_text = sum(1 for p in pages if p.has_text)
    repeated = {key for key, n in seen.items() if n >= 2 and n * 2 >= with_text}
    found: set[int] = set()
    for page_lines in marginal.values():
        for edge, line in page_lines:
            if _PAGE_NUMBER.match(line.text.strip()) or _key(edge, line) in repeated:
                found.add(id(line))
    return found


def _key(edge: str, line: Line) -> tuple[str, str]:
    return edge, _DIGITS.sub("#", line.text.strip().lower())


@dataclass(frozen=True)
class Layout:
    """A PDF's lines page by page, its body text size and its running heads and feet:
    worked out once, read by the table reader and the prose reader alike."""

    lines: dict[int, list[Line]]
    body: float
    running: frozenset[int]  # ids of the lines that are running heads or feet

    def content(self, page: int) -> list[Line]:
        """The page's lines, running heads and feet left out."""
        return [line for line in self.lines.get(page, []) if id(line) not in self.running]


def layout_of(pages: Sequence[PdfPage]) -> Layout:
    by_page = {page.number: lines_of(page.runs, page.number) for page in pages}
    body = body_size(line for lines in by_page.values() for line in lines)
    return Layout(by_page, body, frozenset(running_lines(pages, by_page, body=body)))
