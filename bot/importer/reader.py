"""Turning the bytes of an exported plan into rows of text.

Admins send whatever Excel or Word produced: UTF-8 with or without a BOM, cp1252 from
Windows Excel, comma, semicolon or tab separated, CRLF, quoted cells spanning lines.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from bot.importer.columns import field_for
from bot.importer.errors import ImportFileError

MAX_BYTES = 25 * 1024 * 1024
DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class RawTable:
    rows: list[list[str]]
    encoding: str
    delimiter: str


def read_table(path: Path) -> RawTable:
    """Read a plan file into rows, or raise ImportFileError saying why it cannot be read."""
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
    return parse_bytes(path.read_bytes(), name=path.name)


def parse_bytes(data: bytes, *, name: str = "the file") -> RawTable:
    if not data.strip():
        raise ImportFileError(f"{name} is empty")
    if b"\x00" in data[:65536]:
        hint = " (an Excel workbook? save it as CSV first)" if data[:2] == b"PK" else ""
        raise ImportFileError(f"{name} is not a text file{hint}")
    text, encoding = decode(data, name=name)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        # The row is the record being read (as Excel numbers rows); the line is where
        # the reader gave up, which for an unclosed quote is the end of the file.
        raise ImportFileError(
            f"{name} is not valid CSV: {exc} (at line {reader.line_num})", row=len(rows) + 1
        ) from exc
    return RawTable(rows=rows, encoding=encoding, delimiter=delimiter)


def decode(data: bytes, *, name: str) -> tuple[str, str]:
    """UTF-8 (BOM stripped) when it decodes, else cp1252, as Windows Excel writes."""
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(
            b"\xef\xbb\xbf"
        ) else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"{name} is neither UTF-8 nor Windows-1252 text (byte {exc.start}, line {line}); "
            "save it as 'CSV UTF-8' from Excel"
        ) from exc
    return text, "cp1252"


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
