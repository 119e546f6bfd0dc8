"""A document as paragraphs: the common ground of PDF and Word for reading prose.

Minutes (`minutes`) and reports (`prose_report`) are read from a list of `Paragraph`s,
whatever the file was: `pdf_prose` builds them from positioned text, `docx_prose` from a
Word document's paragraphs and tables. A paragraph knows where it is (page, or its
number in the document), whether it looks like a heading, and the label it starts with
(a bullet, "(a)", "2.1", "23/26"), so the readers never look at a file format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NotAction", "Paragraph", "label_kind", "split_label"]

# The label a paragraph starts with: a bullet, a lettered, roman or numbered clause, a
# section number. Minute numbers are read by `minutes`, which knows their forms.
_LABEL = re.compile(
    r"^\s*(?P<label>"
    r"[•●▪■◦○·‣⁃∙➢➤►✓✔\uf0b7\uf0a7\uf0d8\uf076-]"  # bullets (also Symbol/Wingdings ones)
    r"|[–—](?=\s)"
    r"|\(\s*(?:[a-z]{1,2}|[ivxlc]{1,6}|\d{1,3})\s*\)"  # (a) (ii) (3)
    r"|(?:[a-z]|[ivxlc]{1,6}|\d{1,3})\)"  # a) ii) 3)
    r"|\d{1,3}(?:\.\d{1,3}){1,3}\.?"  # 2.1  2.1.3
    r"|\d{1,3}\."  # 3.
    r"|[a-z]\.(?=\s)"  # a.
    r")(?:\s+|(?=[A-Z(\"'“‘]))"
)
_BULLETS = frozenset("•●▪■◦○·‣⁃∙➢➤►✓✔\uf0b7\uf0a7\uf0d8\uf076-–—")
_ROMAN = re.compile(r"^[ivxlc]+$")


@dataclass
class Paragraph:
    """One paragraph of a document, its label still at the front of `text`.

    Attributes:
        text: the paragraph's words, single-spaced, label included ("(b) the Head of ...").
        number: its place in the document, from 1 (how a Word paragraph is found).
        page: the PDF page it starts on; None for a Word document.
        heading: set in a heading style, or in bold or larger type and short.
        bold, italic: all (or almost all) of it is.
        indent: where the text after the label starts, in points from the left edge;
            0 when unknown. Clauses and bullets sit further right than what leads them.
    """

    text: str
    number: int
    page: int | None = None
    heading: bool = False
    bold: bool = False
    italic: bool = False
    indent: float = 0.0

    @property
    def where(self) -> str:
        """How an admin finds it: "page 2" or "paragraph 41"."""
        return f"page {self.page}" if self.page is not None else f"paragraph {self.number}"

    @property
    def label(self) -> str | None:
        return split_label(self.text)[0]

    @property
    def body(self) -> str:
        return split_label(self.text)[1]


@dataclass(frozen=True)
class NotAction:
    """Text that reads like an action but is not one, and why: shown in every preview."""

    ref: str | None
    text: str
    why: str
    where: str


def split_label(text: str) -> tuple[str | None, str]:
    """("(b)", "the Head of ...") from "(b) the Head of ..."; (None, text) unlabelled."""
    match = _LABEL.match(text)
    if match is None or match.end() >= len(text.rstrip()):
        return None, text.strip()
    return match.group("label"), text[match.end() :].strip()


def label_kind(label: str) -> str:
    """ "bullet", "letter", "roman", "number" or "section" (2.1): what a list counts in."""
    bare = label.strip("()").strip(".").strip()
    if label in _BULLETS:
        return "bullet"
    if re.fullmatch(r"\d+(?:\.\d+)+", bare):
        return "section"
    if bare.isdigit():
        return "number"
    if _ROMAN.match(bare) and bare not in ("c", "l"):
        return "roman"
    return "letter"
