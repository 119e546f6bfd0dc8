"""From a path to tables of text rows, whatever the file: CSV or text, Excel, Word, PDF.

The kind is decided from the bytes (`file_kind`), never from the name. Old binary
.xls/.doc files are converted by LibreOffice when it is installed (and the import says
so); otherwise the admin is told how to save them in a form actionbot reads. A Word
document or PDF without a plan table may be minutes or a report: then what its prose
lists is returned instead of tables (`documents`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from bot.importer.errors import ImportFileError
from bot.importer.file_kind import HEAD_BYTES, FileKind, file_kind
from bot.importer.hints import Option
from bot.importer.limits import MAX_BYTES, MAX_UNPACKED_BYTES, MAX_XML_PART_BYTES, too_big
from bot.importer.reader import RawTable, parse_bytes

if TYPE_CHECKING:
    from bot.importer.prose_actions import ProseReading

__all__ = ["CONVERT_TIMEOUT_S", "Source", "read_source"]

# A plan's tables, or the actions read from a document's prose (minutes, a report).
Source: TypeAlias = "list[RawTable] | ProseReading"

CONVERT_TIMEOUT_S = 120


def read_source(
    path: Path,
    *,
    today: date,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Source:
    """The plan's tables of text rows (or what a document's prose lists), or
    ImportFileError saying why the file cannot be read. `today` places dates a report
    writes without a year."""
    if not path.exists():
        raise ImportFileError(f"no such file: {path}")
    if not path.is_file():
        raise ImportFileError(f"not a file: {path}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFileError(
            f"{path.name} is {size / 1024 / 1024:.1f} MB; plans larger than "
            f"{MAX_BYTES // 1024 // 1024} MB are refused (is this really an action plan?)"
        )
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    kind = file_kind(path, head)
    if kind is FileKind.text:
        if sheet is not None:
            raise ImportFileError(
                [Option("sheet"), f" is for Excel workbooks; {path.name} is a text file"]
            )
        return [parse_bytes(path.read_bytes(), name=path.name)]
    if kind is FileKind.pdf:
        if sheet is not None:
            raise ImportFileError(
                [Option("sheet"), f" is for Excel workbooks; {path.name} is a PDF"]
            )
        from bot.importer.documents import read_pdf_source

        return read_pdf_source(path, overrides=overrides, today=today)
    if kind in (FileKind.xls, FileKind.doc):
        return _converted(path, kind, sheet=sheet, overrides=overrides, today=today)
    _check_unpacked_size(path)
    if kind is FileKind.xlsx:
        return _read_workbook(path, sheet=sheet, overrides=overrides)
    if sheet is not None:
        raise ImportFileError(
            [Option("sheet"), f" is for Excel workbooks; {path.name} is a Word document"]
        )
    return _read_document(path, overrides=overrides, today=today)


def _read_workbook(
    path: Path, *, sheet: str | None, overrides: Mapping[str, str] | None
) -> list[RawTable]:
    # openpyxl and python-docx load only when a workbook or document is read: every other
    # command (and a CSV import) starts without them.
    from bot.importer.excel import read_workbook

    return read_workbook(path, sheet=sheet, overrides=overrides)


def _read_document(path: Path, *, overrides: Mapping[str, str] | None, today: date) -> Source:
    from bot.importer.documents import read_docx_source

    return read_docx_source(path, overrides=overrides, today=today)


def _check_unpacked_size(path: Path) -> None:
    """An Office file is a zip: a small file can unpack into gigabytes of XML (a zip bomb).
    The sizes its directory declares are checked before anything is unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(f"{path.name} is a damaged Office file ({exc})") from exc
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            f"{path.name} unpacks to {unpacked / 1024 / 1024:.0f} MB; files that unpack to "
            f"more than {MAX_UNPACKED_BYTES // 1024 // 1024} MB are refused "
            "(is this really an action plan?)"
        )
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and info.file_size > MAX_XML_PART_BYTES:
            raise too_big(
                path.name, f"its part {info.filename}", info.file_size, MAX_XML_PART_BYTES
            )


def _converted(
    path: Path,
    kind: FileKind,
    *,
    sheet: str | None,
    overrides: Mapping[str, str] | None,
    today: date,
) -> Source:
    old, new = (".xls", "xlsx") if kind is FileKind.xls else (".doc", "docx")
    what = "an old Excel workbook (.xls)" if kind is FileKind.xls else "an old Word document (.doc)"
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ImportFileError(
            f"{path.name} is {what}; open it and save it as .{new}, then import that "
            f"(or install LibreOffice, and actionbot converts {old} files itself)"
        )
    with tempfile.TemporaryDirectory(prefix="actionbot-convert-") as tmp:
        source = Path(tmp) / f"plan{old}"
        source.write_bytes(path.read_bytes())
        # A private profile, so a LibreOffice the admin has open does not swallow the job.
        command = [
            soffice,
            f"-env:UserInstallation=file://{tmp}/profile",
            "--headless",
            "--convert-to",
            new,
            "--outdir",
            tmp,
            str(source),
        ]
        try:
            subprocess.run(  # noqa: S603 (a fixed program, our own temporary paths)
                command, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=True
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise ImportFileError(
                f"{path.name} is {what}; LibreOffice could not convert it ({exc}); "
                f"open it and save it as .{new}, then import that"
            ) from exc
        converted = Path(tmp) / f"plan.{new}"
        if not converted.is_file():
            raise ImportFileError(
                f"{path.name} is {what}; LibreOffice did not convert it; "
                f"open it and save it as .{new}, then import that"
            )
        found: Source
        if kind is FileKind.xls:
            found = _read_workbook(converted, sheet=sheet, overrides=overrides)
        else:
            found = _read_document(converted, overrides=overrides, today=today)
    note = f"{path.name} is {what}: converted to .{new} with LibreOffice ({Path(soffice).name})"
    (found[0].warnings if isinstance(found, list) else found.warnings).insert(0, note)
    return found
