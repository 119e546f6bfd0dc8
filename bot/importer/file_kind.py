"""What kind of file a plan is, from its bytes: never from its name.

A workbook renamed ``plan.csv`` or a CSV saved as ``plan.xlsx`` is read as what it is.
Office files are zip archives told apart by their members (``xl/workbook.xml``,
``word/document.xml``); the old binary ``.xls``/``.doc`` and password-protected Office
files are OLE2 compound files told apart by the names of their streams. A PDF starts
``%PDF-`` (within its first kilobyte, as readers allow).
"""

from __future__ import annotations

import zipfile
from enum import StrEnum
from pathlib import Path

from bot.importer.errors import ImportFileError

__all__ = ["HEAD_BYTES", "FileKind", "file_kind"]

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_PDF = b"%PDF-"
# How much of the start of a file `file_kind` needs to see.
HEAD_BYTES = 1024


class FileKind(StrEnum):
    text = "text"
    xlsx = "xlsx"
    docx = "docx"
    xls = "xls"  # old binary Excel: converted by LibreOffice where installed
    doc = "doc"  # old binary Word: likewise
    pdf = "pdf"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def file_kind(path: Path, head: bytes) -> FileKind:
    """The kind of plan file whose first bytes are `head`.

    Raises:
        ImportFileError: an Office file actionbot cannot read, saying what to do instead.
    """
    if head.startswith(_ZIP):
        return _zip_kind(path)
    if head.startswith(_OLE2):
        return _ole2_kind(path)
    if _PDF in head[:HEAD_BYTES]:
        return FileKind.pdf
    return FileKind.text


def _zip_kind(path: Path) -> FileKind:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = (
                archive.read("mimetype").decode("ascii", "replace").strip()
                if ("mimetype" in names)
                else ""
            )
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(
            f"{path.name} looks like a zip archive but is damaged: {exc}"
        ) from exc
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            raise ImportFileError(
                f"{path.name} is an Excel binary workbook (.xlsb); save it as .xlsx "
                "(Excel Workbook) and import that"
            )
        return FileKind.xlsx
    if "word/document.xml" in names:
        return FileKind.docx
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        kind = "spreadsheet" if "spreadsheet" in mimetype else "document"
        target = ".xlsx" if kind == "spreadsheet" else ".docx"
        raise ImportFileError(
            f"{path.name} is an OpenDocument {kind} (LibreOffice); save it as {target} "
            "and import that"
        )
    shown = ", ".join(sorted(names)[:5]) + (" ..." if len(names) > 5 else "")
    raise ImportFileError(
        f"{path.name} is a zip archive, not an Excel workbook or Word document "
        f"(it holds {shown or 'nothing'}); import the plan itself (.xlsx, .docx, .pdf or .csv)"
    )


def _ole2_kind(path: Path) -> FileKind:
    data = path.read_bytes()[: 4 * 1024 * 1024]
    if _utf16("EncryptedPackage") in data:
        raise ImportFileError(
            f"{path.name} is password-protected; open it, remove the password "
            "(File > Info > Protect > Encrypt with Password, clear it), save, and import again"
        )
    if _utf16("WordDocument") in data:
        return FileKind.doc
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return FileKind.xls
    raise ImportFileError(
        f"{path.name} is an old Microsoft Office file actionbot cannot read; "
        "save it as .xlsx or .docx and import that"
    )
