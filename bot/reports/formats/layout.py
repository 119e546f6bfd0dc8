"""Column widths that fit their content, the same way in every format.

Each column is given at least the width of its longest word (so no word is broken in the
middle, "organisatio n") and, room permitting, the width of its longest line; what is left of
the page goes to the columns with most text. A single word wider than a third of the page
(a long web address) is the one thing allowed to break.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from bot.reports.chart import render_chart
from bot.reports.content import Chart, Table

Measure = Callable[[str], float]
_WORDS = re.compile(r"\S+")
# The widest a single word may make a column, and the widest a column's lines may ask for,
# as shares of the page.
MAX_WORD = 1 / 3
MAX_LINE = 1 / 2
BOLD_TONES = frozenset({"red", "overdue"})
CHART_INCHES = 7.5  # the pack's chart sits beside a table, on half a page
CHART_LEAST = 150.0  # points: the summary's chart, however few rows its table has
# The summary's chart is drawn this many times larger than its place (in inches, 72
# points each) and shown shrunk: its 15-point type then reads as 7.5 points, as the tables.
CHART_TYPE = 72 / 2.0
# The most a table of figures takes in the summary's first row, beside a chart or not:
# its headers wrap, its words do not.
FIGURES_WIDTH = 340.0
FIGURES_ALONE = 200.0


def font_file(bold: bool = False) -> Path:
    """DejaVu Sans, shipped with matplotlib (a dependency already): it draws every letter
    of the languages councils write in, £, –, "…" and "�"."""
    import matplotlib

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def font_name(bold: bool = False) -> str:
    """DejaVu Sans (bold) registered with ReportLab: its name there."""
    return _font(bold)


@cache
def _font(bold: bool) -> str:
    from reportlab.pdfbase import pdfmetrics

    name = "PackSansBold" if bold else "PackSans"
    pdfmetrics.registerFont(_pack_font(name, font_file(bold)))
    return name


def _pack_font(name: str, path: Path) -> Any:
    """The font registered with ReportLab, keeping every character of the text as written.

    A character DejaVu Sans has no glyph for (most emoji: "🎉") is drawn as the font's
    missing-character box, and the PDF's text layer still holds the character itself, so
    copying, searching or a screen reader gets "🎉" (ReportLab would map every such character
    to one code that says nothing). And ReportLab (5.1) writes each character into the
    text layer's map (ToUnicode) as four hex digits, so "😀" (U+1F600, which DejaVu draws)
    comes out as "<1F600>", read back as U+1F60 "ὠ"; the map wants it as its two UTF-16
    halves, "<D83DDE00>": those entries are rewritten once ReportLab has made the map."""
    from reportlab.pdfbase.pdfdoc import PDFDocument
    from reportlab.pdfbase.ttfonts import TTFont

    class PackFont(TTFont):  # type: ignore[misc]
        def __init__(self, name: str, path: str) -> None:
            super().__init__(name, path)
            face = self.face
            face.charToGlyph = _EveryCharacter(face.charToGlyph, face.charToGlyph[0x200B])
            face.charWidths = _Widths(face.charWidths, face.defaultWidth)

        def addObjects(self, doc: PDFDocument) -> None:  # noqa: N802 - ReportLab's name
            super().addObjects(doc)
            for key, item in doc.idToObject.items():
                if isinstance(key, str) and key.startswith("toUnicodeCMap:"):
                    item.content = _ASTRAL.sub(_utf16, item.content)

    return PackFont(name, str(path))


def _invisible(code: int) -> bool:
    """A joiner, a variation selector, a tag (the letters of a flag): part of the emoji
    before it, never drawn on its own."""
    return unicodedata.category(chr(code)) in ("Mn", "Me", "Cf")


class _EveryCharacter(dict[int, int]):
    """A font's character → glyph map that has every character: those the font lacks get
    glyph 0, the missing-character box (or, when invisible, the zero-width space's), and
    keep their own code in the PDF's text layer."""

    def __init__(self, glyphs: dict[int, int], nothing: int) -> None:
        super().__init__(glyphs)
        self.nothing = nothing

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int)

    def __missing__(self, code: int) -> int:
        return self.nothing if _invisible(code) else 0


class _Widths(dict[int, float]):
    """Widths to match: an invisible character the font lacks takes no room."""

    def __init__(self, widths: dict[int, float], missing: float) -> None:
        super().__init__(widths)
        self.missing = missing

    def get(self, code: int, default: float | None = None) -> float:  # type: ignore[override]
        if code in self:
            return self[code]
        return 0.0 if _invisible(code) else self.missing


_ASTRAL = re.compile(r"<([0-9A-F]{2})> <([0-9A-F]{5,6})>")


def _utf16(entry: re.Match[str]) -> str:
    halves = chr(int(entry[2], 16)).encode("utf-16-be").hex().upper()
    return f"<{entry[1]}> <{halves}>"


def drawable(text: str) -> str:
    """`text` with each character matplotlib's font cannot draw written by its Unicode name
    in brackets, for the chart's theme names: "🎉" becomes "[party popper]" (a picture has
    no text layer, so a missing glyph would be an empty box nobody can read; the chart's
    description and the table beside it keep the name as written)."""
    known = _glyphs()
    if all(ord(c) in known or c in "\n\t" for c in text):
        return text
    return "".join(c if ord(c) in known or c in "\n\t" else _name(c) for c in text)


def _name(character: str) -> str:
    if unicodedata.category(character) in ("Mn", "Me", "Cf"):
        return ""  # a joiner or variation selector: part of the emoji before it
    name = unicodedata.name(character, "")
    return f"[{name.lower()}]" if name else "\ufffd"


@cache
def _glyphs() -> frozenset[int]:
    from reportlab.pdfbase import pdfmetrics

    return frozenset(pdfmetrics.getFont(_font(False)).face.charToGlyph)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Points `text` takes in DejaVu Sans at `size` (a little wider than Arial or Calibri,
    so a width measured here is enough for Word's fonts too)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, _font(bold), size))


def line_count(text: str, width: float, measure: Measure) -> int:
    """Lines `text` wraps to in `width` (the unit of `measure`), broken between words as
    Word, Excel and browsers break them; a line break starts a new line."""
    count = 0
    for part in text.split("\n"):
        count += 1
        line = 0.0
        for word in _WORDS.findall(part):
            span = measure(word)
            if line and line + measure(" ") + span > width:
                count, line = count + 1, span
            else:
                line += span + (measure(" ") if line else 0.0)
    return count


def fit_widths(
    table: Table,
    *,
    total: float,
    measure: Measure,
    header: Measure,
    padding: float,
    stretch: bool = True,
) -> list[float]:
    """Widths for `table`'s columns (the unit of `measure`), adding up to `total`; with
    `stretch` False, a table narrower than `total` keeps its own width.

    Dates and numbers are kept on one line; headers and text wrap between words.
    """
    least: list[float] = []
    wanted: list[float] = []
    for index, column in enumerate(table.columns):
        cells = [row[index] for row in table.rows]
        # Toned cells (RAG, overdue) are bold in print: measured as the header is.
        sizes = [(c.text, header if c.tone in BOLD_TONES else measure) for c in cells]
        longest_line = max(
            (size(line) for text, size in sizes for line in text.split("\n")), default=0.0
        )
        if column.kind in ("date", "number", "change"):
            shortest = longest_line
        else:
            shortest = max(
                (size(w) for text, size in sizes for w in _WORDS.findall(text)), default=0.0
            )
        head = max(header(w) for w in _WORDS.findall(column.header) or [""])
        least.append(min(max(shortest, head), total * MAX_WORD) + padding)
        line = max(longest_line, header(column.header))
        wanted.append(max(least[-1], min(line, total * MAX_LINE) + padding))
    if not stretch and sum(wanted) <= total:
        return wanted
    return _share(least, wanted, total, [c.weight for c in table.columns])


def point_widths(
    table: Table, *, total: float, size: float, padding: float, stretch: bool = True
) -> list[float]:
    """`fit_widths` in points, for text set in DejaVu Sans at `size` (headers bold)."""
    return fit_widths(
        table,
        total=total,
        measure=lambda s: text_width(s, size),
        header=lambda s: text_width(s, size, bold=True),
        padding=padding,
        stretch=stretch,
    )


def _share(
    least: Sequence[float], wanted: Sequence[float], total: float, weights: Sequence[float]
) -> list[float]:
    if sum(wanted) <= total:
        # Everything fits on one line: the spare width goes to the columns with most text.
        spare = total - sum(wanted)
        weight = sum(wanted) or 1.0
        return [w + spare * w / weight for w in wanted]
    if sum(least) >= total:
        scale = total / (sum(least) or 1.0)
        return [w * scale for w in least]

    # Every column grows from its least width in proportion to its text (and weight), and
    # stops growing once its longest line fits: short columns are settled first, the rest
    # share what is left (the level `rate` is found by bisection).
    def widths(rate: float) -> list[float]:
        return [min(w, m + rate * w * k) for m, w, k in zip(least, wanted, weights, strict=True)]

    low, high = 0.0, 1.0 / min(weights)
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if sum(widths(middle)) < total else (low, middle)
    return widths(high)


def chart_png(chart: Chart, *, dpi: int, shape: tuple[float, float] | None = None) -> bytes:
    """The pack's chart (no title: the section's heading says what it shows), its theme
    names drawable by matplotlib's font (DejaVu Sans, as in the PDF); `shape` (width,
    height) in inches for a place of that shape."""
    rows = chart.theme_rows()
    for row in rows:
        row.theme = drawable(row.theme)
    width, height = shape or (CHART_INCHES, None)
    return render_chart(rows, title="", dpi=dpi, width=width, height=height)
