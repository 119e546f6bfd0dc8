"""How much one plan file may hold, for every reader (CSV, Excel, Word, and any added).

A council's action plan has tens or hundreds of rows. The limits below are far above that
and far below what takes a server down: a file over one is refused with a sentence naming
the limit, and reading stops there. Inside `actionbot serve`, where an admin's upload is
previewed, the reading also runs in a child process with a memory and time budget
(`bot/importer/bounded.py`), so no file can take the bot down for everyone.
"""

from __future__ import annotations

from bot.importer.errors import ImportFileError

# The file as sent.
MAX_BYTES = 25 * 1024 * 1024
# An .xlsx or .docx is a zip: all its parts unpacked, and any one XML part (a worksheet, the
# shared strings, the document body: each is parsed whole or nearly).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_XML_PART_BYTES = 40 * 1024 * 1024
# Rows that hold anything, across the file (all sheets of a workbook, all tables).
MAX_ROWS = 5_000
# What a workbook may make openpyxl build: rows present in its sheets (empty formatted ones
# too) and cells (empty formatted ones too), across all sheets.
MAX_SHEET_ROWS = 100_000
MAX_CELLS = 500_000
MAX_COLUMNS = 500
# The child process that reads an upload inside `serve`.
READ_SECONDS = 60
READ_MEMORY_BYTES = 1536 * 1024 * 1024


def too_many_rows(name: str, *, what: str = "rows") -> ImportFileError:
    """The refusal for a file with more than MAX_ROWS rows (`what`: "rows with content")."""
    return ImportFileError(
        f"{name} has more than {MAX_ROWS:,} {what}; an action plan has tens or hundreds. "
        f"Files over {MAX_ROWS:,} rows are refused: split it, or delete what is not "
        "actions, and import again"
    )


def too_big(name: str, what: str, size: int, limit: int) -> ImportFileError:
    return ImportFileError(
        f"{name}: {what} is {size / 1024 / 1024:.0f} MB; more than "
        f"{limit // 1024 // 1024} MB is refused (is this really an action plan?)"
    )
