"""PDFs and Word documents: a plan table if they hold one, else minutes, else a report.

A document is read the first way that finds something, in this order:

1. plan tables, found by their header row (`pdf_tables`, `word`); a table of actions
   with no reference column ('Action | Lead | Target date') is given refs made from
   its actions' words, as a report's listed actions are;
2. minutes: resolutions ("RESOLVED that ...") whose clauses ask someone to act (`minutes`);
3. a report's action lists ("Actions carried forward", "Next steps", targets with a
   bracketed date) (`prose_report`).

A document with none of these is refused with one message naming all three.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.when import plural
from bot.importer.columns import field_for, find_header_row, normalise_header
from bot.importer.errors import ImportFileError
from bot.importer.html_text import clean_html
from bot.importer.minutes import read_minutes
from bot.importer.prose import Paragraph
from bot.importer.prose_actions import ProseReading
from bot.importer.prose_report import read_report, report_ref
from bot.importer.reader import RawTable

if TYPE_CHECKING:
    from bot.importer.pdf_text import PdfPage

__all__ = ["nothing_found", "read_docx_source", "read_pdf_source", "read_prose"]

# The header of the reference column made for a table of actions that has none.
REF_HEADER = "Ref"


def read_pdf_source(
    path: Path, *, overrides: Mapping[str, str] | None, today: date
) -> list[RawTable] | ProseReading:
    """The PDF's plan tables, or what its prose lists.

    Raises:
        ImportFileError: a scan without text, a password, damage, or nothing found.
    """
    from bot.importer.pdf_lines import layout_of
    from bot.importer.pdf_prose import pdf_paragraphs
    from bot.importer.pdf_tables import read_pdf_tables
    from bot.importer.pdf_text import read_pdf

    pages = read_pdf(path)
    layout = layout_of(pages)
    missing = _missing_text(pages)
    tables = read_pdf_tables(pages, overrides=overrides, layout=layout)
    if tables:
        found = _with_refs(tables, overrides)
        found[0].warnings[:0] = missing
        return found
    reading = read_prose(
        pdf_paragraphs(pages, layout=layout),
        name=path.name,
        described=f"a PDF, {plural(len(pages), 'page')}",
        today=today,
    )
    reading.warnings[:0] = missing
    return reading


def _missing_text(pages: list[PdfPage]) -> list[str]:
    """What of the PDF could not be read as text, for the import's warnings: pages with
    none (scanned), and text PDFium gives no characters for (an emoji or symbol font)."""
    warnings = []
    blank = [p.number for p in pages if not p.has_text]
    if blank:
        warnings.append(
            f"{_page_word(blank)} {_pages(blank)} {'has' if len(blank) == 1 else 'have'} no text "
            "(scanned?): nothing on them was read; run OCR"
        )
    unread = [p for p in pages if p.unread]
    if unread:
        count = sum(p.unread for p in unread)
        warnings.append(
            f"{_page_word(unread)} {_pages([p.number for p in unread])}: "
            f"{plural(count, 'piece')} of text could not "
            "be read as characters (an emoji or a symbol font) and are missing from what was "
            "read: check the text against the page"
        )
    return warnings


def _pages(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:10])) + (" ..." if len(numbers) > 10 else "")


def read_docx_source(
    path: Path, *, overrides: Mapping[str, str] | None, today: date
) -> list[RawTable] | ProseReading:
    """The Word document's plan tables, or what its prose lists.

    Raises:
        ImportFileError: the document cannot be read, or nothing was found.
    """
    from bot.importer.docx_prose import docx_paragraphs
    from bot.importer.word import plan_tables

    tables, looked_at = plan_tables(path, overrides=overrides)
    if tables:
        return _with_refs(tables, overrides)
    return read_prose(
        docx_paragraphs(path),
        name=path.name,
        described=f"a Word document ({plural(looked_at, 'table')} without a plan header)"
        if looked_at
        else "a Word document",
        today=today,
    )


def read_prose(
    paragraphs: list[Paragraph], *, name: str, described: str, today: date
) -> ProseReading:
    """Minutes if the document has resolutions, else a report's action lists.

    Raises:
        ImportFileError: neither was found.
    """
    minutes = read_minutes(paragraphs, described=f"minutes, read from {described}")
    if minutes is not None and (minutes.candidates or minutes.not_actions):
        return minutes
    report = read_report(paragraphs, described=f"a report, read from {described}", today=today)
    if report is not None:
        return report
    raise nothing_found(name)


def _with_refs(tables: list[RawTable], overrides: Mapping[str, str] | None) -> list[RawTable]:
    """Tables of actions without a reference column get one: a ref made from each action's
    words and the heading above the table (`report_ref`), so the next issue of the report,
    rows added or dates moved, updates the same actions."""
    if overrides and "ref" in overrides:
        return tables
    taken: set[str] = set()
    made = 0
    found: list[RawTable] = []
    for table in tables:
        at = find_header_row(table.rows)
        header = table.rows[at]
        fields = [field_for(cell) for cell in header]
        if "ref" in fields or "title" not in fields:
            found.append(table)
            continue
        title = fields.index("title")
        heading = [normalise_header(cell) for cell in header]
        rows: list[list[str]] = []
        for index, row in enumerate(table.rows):
            words = clean_html(row[title]) if title < len(row) else ""
            if index == at or [normalise_header(cell) for cell in row] == heading:
                ref = REF_HEADER
            elif index < at or index in table.wide_rows or not words:
                ref = ""
            else:
                ref = report_ref(table.section, words, taken)
                made += 1
            rows.append([ref, *row])
        found.append(replace(table, rows=rows))
    if made:
        found[0].warnings.append(
            f"no reference column: {plural(made, 'ref')} made from each action's words and the "
            "heading above its table, the same on every import of the same words"
        )
    return found


def nothing_found(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} has no plan table, no minutes with resolutions and no list of actions. "
        "Looked for: a table whose header row names a reference column ('Ref', 'Action "
        "Ref.', 'No.') beside 'Action', 'Owner'...; minutes with 'RESOLVED' or 'AGREED' "
        "clauses; lists under headings such as 'Actions carried forward', 'Next steps' or "
        "'Recommendations', or items ending in a target date in brackets ('(June 2026)')"
    )


def _page_word(pages: Sequence[object]) -> str:
    return "page" if len(pages) == 1 else "pages"
