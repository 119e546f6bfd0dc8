"""How far each sheet of a workbook reaches, read from its XML as a stream, before openpyxl
builds any of it.

openpyxl's normal mode (which the import needs: merged cells, comments, hidden rows) builds an
object for every row and cell a file holds, formatted empty ones included, and even its
read-only mode reads a whole sheet before the first row when the sheet does not declare its
size. This scan reads `<row>` and `<c>` elements one at a time with the standard library's
streaming parser, counts them against the limits (`bot.importer.limits`) and stops at the
first one passed; within them it says where each sheet's last value is, so the import reads no
further.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import iterparse

from bot.importer.errors import ImportFileError
from bot.importer.limits import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_SHEET_ROWS, too_many_rows

_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class _Count:
    rows: int = 0  # rows with content, all sheets
    cells: int = 0  # cells, empty formatted ones too, all sheets


def scan_workbook(archive: zipfile.ZipFile, name: str) -> dict[str, tuple[int, int]]:
    """Each worksheet's title → (last row, last column) holding a value, 1-based.

    Raises:
        ImportFileError: more than MAX_ROWS rows with content, or more than MAX_SHEET_ROWS
            rows, MAX_COLUMNS columns or MAX_CELLS cells (empty formatted ones count).
    """
    count = _Count()
    extents: dict[str, tuple[int, int]] = {}
    titles = _sheet_parts(archive)
    parts = sorted(
        n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
    )
    for part in parts:
        title = titles.get(part, part)
        with archive.open(part) as stream:
            extents[title] = _scan_sheet(_elements(stream), count, name, title)
    return extents


def _elements(stream: IO[bytes]) -> Iterator[Element]:
    """Closed elements in document order; each row is emptied once read (memory stays flat)."""
    for _, element in iterparse(stream, events=("end",)):
        yield element
        if _local(element.tag) == "row":
            element.clear()


def _scan_sheet(
    elements: Iterator[Element], count: _Count, name: str, title: str
) -> tuple[int, int]:
    row_number = last_row = last_column = 0
    column = 0
    filled = False
    for element in elements:
        tag = _local(element.tag)
        if tag == "c":
            count.cells += 1
            column = _column(element.get("r"), column)
            if column > MAX_COLUMNS or count.cells > MAX_CELLS:
                raise _too_large(name, title)
            if any(_local(child.tag) in ("v", "is") for child in element):
                filled, last_column = True, max(last_column, column)
        elif tag == "row":
            row_number = _row(element.get("r"), row_number)
            if row_number > MAX_SHEET_ROWS:
                raise _too_large(name, title)
            if filled:
                count.rows += 1
                if count.rows > MAX_ROWS:
                    raise too_many_rows(name, what="rows with content")
                last_row = row_number
            column, filled = 0, False
    return last_row, last_column


def _column(ref: str | None, previous: int) -> int:
    found = _REF.match(ref or "")
    if found is None:
        return previous + 1
    number = 0
    for letter in found.group(1):
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _row(ref: str | None, previous: int) -> int:
    return int(ref) if ref and ref.isdecimal() and len(ref) <= 9 else previous + 1


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet title, from xl/workbook.xml and its relationships; empty when
    the workbook is laid out otherwise (then no sheet is cut short by the scan)."""
    try:
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            targets = {
                e.get("Id"): posixpath.normpath(posixpath.join("xl", e.get("Target", "")))
                for _, e in iterparse(stream)
                if _local(e.tag) == "Relationship"
            }
        with archive.open("xl/workbook.xml") as stream:
            sheets = [e for _, e in iterparse(stream) if _local(e.tag) == "sheet"]
    except (KeyError, SyntaxError, ValueError):
        return {}
    return {targets[s.get(_REL)]: s.get("name", "") for s in sheets if s.get(_REL) in targets}


def _too_large(name: str, sheet: str) -> ImportFileError:
    return ImportFileError(
        f"{name}: sheet {sheet!r} reaches further than a plan does (more than "
        f"{MAX_SHEET_ROWS:,} rows, {MAX_COLUMNS} columns or {MAX_CELLS:,} cells in all, "
        "counting empty formatted ones). Delete the empty rows and columns below and beside "
        "the plan, or copy the plan alone into a new workbook, and import that"
    )
