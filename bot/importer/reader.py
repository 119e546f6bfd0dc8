"""Turning the bytes of an exported plan into rows of text.

Admins send whatever Excel or Word produced: UTF-8 with or without a BOM, cp1252 from
Windows Excel, comma, semicolon or tab separated, CRLF, quoted cells spanning lines.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from bot.importer.columns import field_for
from bot.importer.errors import ImportFileError
from bot.importer.limits import MAX_BYTES as MAX_BYTES
from bot.importer.limits import MAX_ROWS, too_many_rows

DELIMITERS = ",;\t|"


# A non-ASCII character that decoded as UTF-8 (surrogate escapes are the bytes that did not).
_DECODED_UTF8 = re.compile(r"[^\x00-\x7f\udc80-\udcff]")


@dataclass(frozen=True)
class RawTable:
    """The rows of a plan as text, the same for every kind of file.

    `row_notes` maps a row's index in `rows` to what the reader noticed about it (a broken
    character, a hidden row, a cell comment); `warnings` is about the file as a whole.
    """

    rows: list[list[str]]
    encoding: str
    delimiter: str
    warnings: list[str] = field(default_factory=list)
    row_notes: dict[int, list[str]] = field(default_factory=dict)
    # Where the rows come from, for messages: "" for a CSV, "sheet 'Plan' " for a workbook.
    place: str = ""
    # The number an admin sees for rows[0] (1 = the first line or sheet row).
    first_row_number: int = 1
    # Theme of every row unless a theme column says otherwise (the sheet, with --sheet all).
    theme: str | None = None
    # Section of the rows above any section row (the Word heading above the table).
    section: str | None = None
    # Rows holding a cell merged across the table: a heading, whatever its text looks like.
    wide_rows: frozenset[int] = frozenset()
    # Real dates behind cells, by (row, column) index: no day/month guessing needed.
    dates: dict[tuple[int, int], date] = field(default_factory=dict)
    # Cell comments by (row, column) index.
    comments: dict[tuple[int, int], str] = field(default_factory=dict)
    # How the file was read, for the import report.
    read_as: str = ""
    # Tables in Word documents and PDFs are often notes of a meeting (No. | Item |
    # Discussion | Action | Lead): a row naming no action, task, owner or date there is
    # discussion, reported and not imported.
    skip_rows_without_action: bool = False

    def described(self) -> str:
        return self.read_as or f"{self.encoding}, delimiter {self.delimiter!r}"


def parse_bytes(data: bytes, *, name: str = "the file") -> RawTable:
    if not data.strip():
        raise ImportFileError(f"{name} is empty")
    if b"\x00" in data[:65536]:
        raise ImportFileError(
            f"{name} is not a text file, an Excel workbook (.xlsx) or a Word document (.docx)"
        )
    text, encoding, warnings = decode(data, name=name)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        # One past the limit is enough to refuse: the rest is not even parsed.
        rows.extend(islice(reader, MAX_ROWS + 1))
    except csv.Error as exc:
        # The row is the record being read (as Excel numbers rows); the line is where
        # the reader gave up, which for an unclosed quote is the end of the file.
        raise ImportFileError(
            f"{name} is not valid CSV: {exc} (at line {reader.line_num})", row=len(rows) + 1
        ) from exc
    if len(rows) > MAX_ROWS:
        raise too_many_rows(name)
    notes = {len(rows) - 1: warnings} if warnings and rows else {}
    return RawTable(rows=rows, encoding=encoding, delimiter=delimiter, row_notes=notes)


def decode(data: bytes, *, name: str) -> tuple[str, str, list[str]]:
    """UTF-8 (BOM stripped) when it decodes, else cp1252, as Windows Excel writes.

    A UTF-8 file cut short inside its last character is still UTF-8: the broken character
    becomes U+FFFD and a warning names its byte. Reading it all as cp1252 instead would turn
    every "£" into "Â£" without a word. A file that is UTF-8 but for a byte in the middle
    (two encodings pasted together) is refused, naming the byte, since either reading
    mangles part of it.

    Returns:
        (text, encoding, warnings about the last row).
    """
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode(encoding), encoding, []
    except UnicodeDecodeError as exc:
        problem = exc
    # Everything before the first bad byte is valid UTF-8; one character there that
    # needed several bytes shows the file was written as UTF-8.
    looks_utf8 = _DECODED_UTF8.search(data[: problem.start].decode("utf-8")) is not None
    at_end = problem.reason == "unexpected end of data"
    line = data[: problem.start].count(b"\n") + 1
    if at_end and looks_utf8:
        warning = (
            f"the file ends part-way through a character (byte {problem.start}, line {line}): "
            "it may have been cut short; the broken character is shown as \ufffd"
        )
        return data.decode(encoding, errors="replace"), encoding, [warning]
    if looks_utf8:
        raise ImportFileError(
            f"{name} is UTF-8 except byte {problem.start} (line {line}), which is not: "
            "parts of it were saved in different encodings; save it again as 'CSV UTF-8' "
            "from Excel"
        )
    warnings = []
    if at_end:
        warnings.append(
            f"the only non-ASCII byte is the last one (byte {problem.start}, line {line}): "
            "read as Windows-1252; if the file was saved as UTF-8 it was cut short"
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"{name} is neither UTF-8 nor Windows-1252 text (byte {exc.start}, line {line}); "
            "save it as 'CSV UTF-8' from Excel"
        ) from exc
    return text, "cp1252", warnings


def sniff_delimiter(text: str) -> str:
    """The separator of the header area; csv.Sniffer misreads cells full of commas."""
    sample = text[:65536]
    by_header = _delimiter_naming_columns(sample)
    if by_header is not None:
        return by_header
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=DELIMITERS)
        candidate = dialect.delimiter
    except csv.Error:
        candidate = ""
    first_line = _first_logical_line(sample)
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    # Trust the header line when the sniffer's pick does not even appear in it.
    if not candidate or counts.get(candidate, 0) == 0 or counts[best] > counts[candidate]:
        return best if counts[best] else ","
    return candidate


def _delimiter_naming_columns(sample: str, *, scan: int = 20) -> str | None:
    """The one delimiter that splits a row near the top into the most known headers.

    A title line above the header ("Financial Improvement Plan 2017") holds no
    delimiter at all, so the first line alone cannot tell a semicolon or tab file
    from a comma one. None when no delimiter finds two known headers, or two tie.
    """
    scores: dict[str, int] = {}
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        best = 0
        try:
            for row in islice(reader, scan):
                best = max(best, len({field_for(cell) for cell in row} - {None}))
        except csv.Error:
            pass
        scores[delimiter] = best
    top = max(scores.values())
    winners = [d for d, score in scores.items() if score == top]
    return winners[0] if top >= 2 and len(winners) == 1 else None


def _first_logical_line(sample: str) -> str:
    for line in sample.splitlines():
        if line.strip().strip(",;\t|"):
            return line
    return ""
