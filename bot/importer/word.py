"""Reading a plan from a Word document (.docx) into the rows the CSV path reads.

Every table whose header row names plan columns is read, in document order; a table
with no header that follows one with the same number of columns is its continuation (a
table split across pages). The nearest heading above a table is the section of its rows.
Paragraphs and bullets inside a cell become the `<p>`/`<li>` the HTML cleaner already
reads, so they turn into tasks and owners exactly as in a CSV exported from the web.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

from docx import Document
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from bot.importer.columns import find_header_row, has_plan_header
from bot.importer.errors import ImportFileError
from bot.importer.limits import MAX_ROWS, too_many_rows
from bot.importer.reader import RawTable

__all__ = ["read_document"]

WIDE = 3


def read_document(path: Path, *, overrides: Mapping[str, str] | None = None) -> list[RawTable]:
    """Every plan table of the document, in order.

    Raises:
        ImportFileError: the document cannot be read or holds no plan table.
    """
    try:
        document = Document(str(path))
        blocks = list(document.iter_inner_content())
    # python-docx raises whatever its XML parsing hits on a damaged file.
    except Exception as exc:  # noqa: BLE001
        raise ImportFileError(
            f"{path.name} could not be read as a Word document ({type(exc).__name__}: {exc})"
        ) from exc
    heading: str | None = None
    heading_changed = False
    tables: list[RawTable] = []
    skipped: list[str] = []
    previous_header: list[str] | None = None
    number = read = 0
    for block in blocks:
        if isinstance(block, Paragraph):
            if _is_heading(block) and block.text.strip():
                heading, heading_changed = " ".join(block.text.split()), True
            continue
        number += 1
        read += len(block.rows)
        if read > MAX_ROWS:
            raise too_many_rows(path.name, what="table rows")
        rows, wide = _rows(block)
        place = f"table {number} "
        if has_plan_header(rows, overrides):
            previous_header = _header(rows)
            tables.append(_raw(rows, wide, place, heading, first=1))
        elif (
            previous_header is not None
            and not heading_changed
            and rows
            and len(rows[0]) == len(previous_header)
        ):
            # The header is row 0 of this piece; the table's own rows count from 1.
            tables.append(_raw([previous_header, *rows], {w + 1 for w in wide}, place, heading, 0))
        else:
            skipped.append(f"{number} ({len(rows)} rows)")
            continue
        heading_changed = False
    if not tables:
        raise ImportFileError(
            f"{path.name} has no plan table: no table has a header row with a reference "
            "column ('Ref', 'Action Ref.', 'No.'...) beside 'Action', 'Owner'... "
            f"({number} table(s) looked at)"
        )
    if skipped:
        tables[0].warnings.append(
            "tables with no plan header, not imported: table " + ", ".join(skipped)
        )
    return tables


def _raw(
    rows: list[list[str]], wide: set[int], place: str, heading: str | None, first: int
) -> RawTable:
    return RawTable(
        rows=rows,
        encoding="docx",
        delimiter="",
        place=place,
        first_row_number=first,
        section=heading,
        wide_rows=frozenset(wide),
        read_as="a Word document",
    )


def _header(rows: list[list[str]]) -> list[str]:
    return rows[find_header_row(rows)]


def _is_heading(paragraph: Paragraph) -> bool:
    name = paragraph.style.name if paragraph.style is not None else ""
    return (name or "").lower().startswith("heading")


def _rows(table: Table) -> tuple[list[list[str]], set[int]]:
    rows: list[list[str]] = []
    wide: set[int] = set()
    for index, row in enumerate(table.rows):
        texts = [""] * row.grid_cols_before
        previous: _Cell | None = None
        span = 0
        for cell in row.cells:
            # A cell spanning several grid columns comes back once per column: its text
            # belongs to the first.
            if previous is not None and cell._tc is previous._tc:
                texts.append("")
                span += 1
                if span >= WIDE:
                    wide.add(index)
                continue
            previous, span = cell, 1
            texts.append(_cell_text(cell))
        rows.append(texts)
    return rows, wide


def _cell_text(cell: _Cell) -> str:
    paragraphs = [(" ".join(p.text.split()), _is_list_item(p)) for p in cell.paragraphs]
    paragraphs = [(text, listed) for text, listed in paragraphs if text]
    if not any(listed for _, listed in paragraphs):
        return "\n".join(text for text, _ in paragraphs)
    # Bullets are structure plain text cannot hold: say it in the HTML the CSV path reads.
    parts: list[str] = []
    in_list = False
    for text, listed in paragraphs:
        if listed and not in_list:
            parts.append("<ul>")
        elif not listed and in_list:
            parts.append("</ul>")
        in_list = listed
        tag = "li" if listed else "p"
        parts.append(f"<{tag}>{html.escape(text, quote=False)}</{tag}>")
    if in_list:
        parts.append("</ul>")
    return "".join(parts)


def _is_list_item(paragraph: Paragraph) -> bool:
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None:
        return True
    name = paragraph.style.name if paragraph.style is not None else ""
    return "list" in (name or "").lower()
