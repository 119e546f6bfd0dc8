"""The text layer of a PDF as positioned runs of text, and its ruling lines.

PDFium (pypdfium2, which pdfplumber itself is built on for rendering) reads the page:
it is a C library, about thirty times faster than pdfplumber's pure-Python parser, which
is what keeps a 100-page agenda pack within seconds. A *run* is the text of one text
object (one Tj/TJ operator: a line, or part of one, in one font), with its box, size and
weight; ruling lines are the thin stroked or filled paths tables are drawn with.
Coordinates are points with the origin at the top left of the page, as pdfplumber uses.

Nothing here interprets the page; `pdf_layout`, `pdf_tables` and `prose` do.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from bot.core.when import plural
from bot.importer.errors import ImportFileError

__all__ = ["MAX_PDF_PAGES", "Edge", "PdfPage", "Run", "read_pdf"]

# The byte cap is the one every plan file has (reader.MAX_BYTES, checked in sources); a
# small file can still hold thousands of pages, so pages are capped too.
MAX_PDF_PAGES = 1000

# A path this thin (points) is a rule; this long, a table's border rather than a dash.
_RULE_THICKNESS = 2.0
_RULE_MIN_LENGTH = 4.0
# FontDescriptor flags (PDF 32000-1, 9.8.2).
_ITALIC_FLAG = 1 << 6
_FORCE_BOLD_FLAG = 1 << 18
_NULL = bytes(ctypes.sizeof(ctypes.c_void_p))
_HYPHENS = str.maketrans({"\ufffe": "-", "\u00ad": "-", "\u0002": "-"})
_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demibold", "demi")
_ITALIC_NAMES = ("italic", "oblique")


@dataclass(frozen=True, slots=True)
class Run:
    """Text in one font on one line: `text` has no leading or trailing white space."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    # Where the text sits: the baseline, in the same top-down coordinates.
    baseline: float = 0.0
    bold: bool = False
    italic: bool = False
    # The text object ended in white space: a word gap follows even if the next run touches.
    spaced: bool = False

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class Edge:
    """A ruling line: `orientation` "h" (x0..x1 at top) or "v" (top..bottom at x0)."""

    orientation: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class PdfPage:
    number: int  # 1-based, as a PDF viewer numbers pages
    width: float
    height: float
    runs: list[Run] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    # Text objects PDFium gives no characters for (a colour emoji font, a symbol font
    # without a text mapping): what they show is missing from `runs`, so it is reported.
    unread: int = 0

    @property
    def has_text(self) -> bool:
        return bool(self.runs)


def read_pdf(path: Path) -> list[PdfPage]:
    """Every page's runs and rules.

    Raises:
        ImportFileError: the PDF is password-protected, damaged, too long, or has no text
            layer at all (a scan).
    """
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ImportFileError(
                f"{path.name} is a password-protected PDF; open it, save a copy without the "
                "password (or print it to PDF), and import that"
            ) from exc
        raise ImportFileError(f"{path.name} could not be read as a PDF ({exc})") from exc
    try:
        count = len(document)
        if count > MAX_PDF_PAGES:
            raise ImportFileError(
                f"{path.name} has {count} pages; PDFs longer than {MAX_PDF_PAGES} pages are "
                "refused (import the part that holds the plan or the minutes)"
            )
        pages = [_page(document, index) for index in range(count)]
    except pdfium.PdfiumError as exc:
        raise ImportFileError(f"{path.name} could not be read as a PDF ({exc})") from exc
    finally:
        document.close()
    if not any(page.has_text for page in pages):
        raise ImportFileError(
            f"this PDF has no text: run OCR first ({path.name} has {plural(count, 'page')} of "
            "images only, as a scanner makes; save it with text recognition (OCR) and "
            "import that)"
        )
    return pages


def _page(document: pdfium.PdfDocument, index: int) -> PdfPage:
    page = document[index]
    try:
        left, bottom, right, top = page.get_mediabox()
        result = PdfPage(number=index + 1, width=right - left, height=top - bottom)
        textpage = page.get_textpage()
        try:
            result.runs = list(_runs(textpage, origin_x=left, origin_top=top))
            result.edges, result.unread = _objects(page, textpage, origin_x=left, origin_top=top)
        finally:
            textpage.close()
        return result
    finally:
        page.close()


def _object_spans(raw: object, count: int) -> Iterator[tuple[int, int]]:
    """[first, end) of each run of characters from one text object (one font and size).

    Characters of an object are consecutive, and the spaces and line breaks PDFium infers
    between objects belong to none: so each run's end is found by galloping then halving
    rather than by asking every character (a 100-page pack has some 400,000). A space
    PDFium infers inside an object stays inside its run, as text. Object identity is the
    pointer's bytes: cheaper than casting every pointer to an int; null is all zeros.
    """
    text_object = pdfium_c.FPDFText_GetTextObject

    def object_at(index: int) -> bytes:
        return bytes(text_object(raw, index))

    start = 0
    while start < count:
        current = object_at(start)
        step, end = 1, start + 1
        while end < count and object_at(end) == current:
            step *= 2
            end = min(start + step, count)
        if end < count or object_at(end - 1) != current:
            low, high = start + step // 2, end  # object_at(low) == current != object_at(high)
            while high - low > 1:
                middle = (low + high) // 2
                if object_at(middle) == current:
                    low = middle
                else:
                    high = middle
            end = high
        if current != _NULL:
            yield start, end
        start = end


def _runs(textpage: pdfium.PdfTextPage, *, origin_x: float, origin_top: float) -> Iterator[Run]:
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if count <= 0:
        return
    left, top, right, bottom = (ctypes.c_double() for _ in range(4))
    origin_x_, origin_y_ = ctypes.c_double(), ctypes.c_double()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    # One call for the page's text when it maps one to one onto the characters (it
    # nearly always does), rather than one per run.
    whole = textpage.get_text_range(0, count)
    whole = whole if len(whole) == count else None
    for first, end in _object_spans(raw, count):
        text = (
            whole[first:end] if whole is not None else textpage.get_text_range(first, end - first)
        )
        # PDFium reports a hyphen that ends a line as U+FFFE; a soft hyphen may show too.
        stripped = " ".join(text.translate(_HYPHENS).split())
        if not stripped:
            continue
        boxes = pdfium_c.FPDFText_CountRects(raw, first, end - first)
        if boxes <= 0:
            continue
        x0 = y_bottom = float("inf")
        x1 = y_top = float("-inf")
        for box in range(boxes):
            pdfium_c.FPDFText_GetRect(
                raw, box, ctypes.byref(left), ctypes.byref(top), ctypes.byref(right),
                ctypes.byref(bottom),
            )  # fmt: skip
            x0, x1 = min(x0, left.value), max(x1, right.value)
            y_top, y_bottom = max(y_top, top.value), min(y_bottom, bottom.value)
        size = pdfium_c.FPDFText_GetFontSize(raw, first)
        pdfium_c.FPDFText_GetFontInfo(raw, first, name, len(name), ctypes.byref(flags))
        font = name.value.decode("latin-1").lower()
        weight = pdfium_c.FPDFText_GetFontWeight(raw, first)
        height = y_top - y_bottom
        pdfium_c.FPDFText_GetCharOrigin(
            raw, first, ctypes.byref(origin_x_), ctypes.byref(origin_y_)
        )
        yield Run(
            text=stripped,
            x0=x0 - origin_x,
            x1=x1 - origin_x,
            top=origin_top - y_top,
            bottom=origin_top - y_bottom,
            # Some writers set size 1 and scale the text matrix instead.
            size=size if size >= 2 else max(height, 1.0),
            baseline=origin_top - origin_y_.value,
            bold=weight >= 600
            or bool(flags.value & _FORCE_BOLD_FLAG)
            or any(word in font for word in _BOLD_NAMES),
            italic=bool(flags.value & _ITALIC_FLAG) or any(word in font for word in _ITALIC_NAMES),
            spaced=text[-1:].isspace(),
        )


def _objects(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, *, origin_x: float, origin_top: float
) -> tuple[list[Edge], int]:
    """The page's rules, and how many of its text objects PDFium reads no text from, in
    one pass over its objects."""
    edges: list[Edge] = []
    unread = 0
    kinds = [pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_TEXT]
    for obj in page.get_objects(filter=kinds, max_depth=1):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:
            # The length in bytes of the object's text as UTF-16, its terminator included.
            if pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0) <= 2:
                unread += 1
            continue
        edges.extend(_edges(obj, origin_x=origin_x, origin_top=origin_top))
    return edges, unread


def _edges(obj: pdfium.PdfObject, *, origin_x: float, origin_top: float) -> Iterator[Edge]:
    """Rules from a path object: a thin path is a line; a filled box (a shaded cell) has
    four sides that bound cells as lines do, as pdfplumber reads rectangles."""
    left, bottom, right, top = obj.get_bounds()
    x0, x1 = left - origin_x, right - origin_x
    y0, y1 = origin_top - top, origin_top - bottom
    width, height = x1 - x0, y1 - y0
    if height <= _RULE_THICKNESS and width >= _RULE_MIN_LENGTH:
        middle = (y0 + y1) / 2
        yield Edge("h", x0, x1, middle, middle)
    elif width <= _RULE_THICKNESS and height >= _RULE_MIN_LENGTH:
        middle = (x0 + x1) / 2
        yield Edge("v", middle, middle, y0, y1)
    elif width >= _RULE_MIN_LENGTH and height >= _RULE_MIN_LENGTH:
        yield Edge("h", x0, x1, y0, y0)
        yield Edge("h", x0, x1, y1, y1)
        yield Edge("v", x0, x0, y0, y1)
        yield Edge("v", x1, x1, y0, y1)
