"""Reading a plan from a Word document (.docx) into the rows the CSV path reads.

Every table whose header row names plan columns is read, in document order; a table
with no header that follows one with the same number of columns is its continuation (a
table split across pages). The nearest heading above a table is the section of its rows.
Paragraphs and bullets inside a cell become the `<p>`/`<li>` the HTML cleaner already
reads, so they turn into tasks and owners exactly as in a CSV exported from the web.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from docx import Document
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from bot.importer.columns import find_header_row, has_plan_header
from bot.importer.docx_styles import StyleIndex
from bot.importer.errors import ImportFileError
from bot.importer.html_text import cell_html
from bot.importer.limits import MAX_ROWS, too_many_rows
from bot.importer.reader import RawTable

__all__ = ["plan_tables"]

WIDE = 3


def plan_tables(
    path: Path, *, overrides: Mapping[str, str] | None = None
) -> tuple[list[RawTable], int]:
    """(every plan table of the document in order, how many tables it has): no plan
    table is not an error here, as the document may be minutes or a report.

    Raises:
        ImportFileError: the document cannot be read.
    """
    try:
        document = Document(str(path))
        blocks = list(document.iter_inner_content())
        styles = StyleIndex(document)
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
            if _is_heading(block, styles) and block.text.strip():
                heading, heading_changed = " ".join(block.text.split()), True
            continue
        number += 1
        read += len(block.rows)
        if read > MAX_ROWS:
            raise too_many_rows(path.name, what="table rows")
        rows, wide = _rows(block, styles)
        place = f"table {number} "
        if has_plan_header(rows, overrides, ref_optional=True):
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
    if tables and skipped:
        tables[0].warnings.append(
            "tables with no plan header, not imported: table " + ", ".join(skipped)
        )
    return tables, number


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
        skip_rows_without_action=True,
    )


def _header(rows: list[list[str]]) -> list[str]:
    return rows[find_header_row(rows)]


def _is_heading(paragraph: Paragraph, styles: StyleIndex) -> bool:
    return styles.name(paragraph).lower().startswith("heading")


def _rows(table: Table, styles: StyleIndex) -> tuple[list[list[str]], set[int]]:
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
            texts.append(_cell_text(cell, styles))
        rows.append(texts)
    return rows, wide


def _cell_text(cell: _Cell, styles: StyleIndex) -> str:
    paragraphs = [(" ".join(p.text.split()), _is_list_item(p, styles)) for p in cell.paragraphs]
    paragraphs = [(text, listed) for text, listed in paragraphs if text]
    return cell_html(paragraphs)


def _is_list_item(paragraph: Paragraph, styles: StyleIndex) -> bool:
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None:
        return True
    return "list" in styles.name(paragraph).lower()
