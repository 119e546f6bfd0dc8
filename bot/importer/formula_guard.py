"""Keeping spreadsheet formulas out of the CSV files actionbot writes (CSV injection).

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after
a tab or carriage return, whatever follows) as a formula, so an owner's note such as
``=HYPERLINK(...)`` would run in the committee clerk's spreadsheet. OWASP's rule is to
prefix such a cell with ``'``. A cell that already starts with quotes before one of those
characters gets one more, so :func:`restore` (run by the importer on every cell) gives
back exactly what was exported, ``-12`` and ``'=x`` included.
"""

from __future__ import annotations

import re

__all__ = ["TRIGGERS", "neutralise", "restore"]

TRIGGERS = frozenset("=+-@\t\r")
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def neutralise(cell: str) -> str:
    """The cell as it must be written to a CSV file: ``'`` first if a spreadsheet would
    read it as a formula (``-12`` becomes ``'-12``)."""
    return "'" + cell if _NEEDS_QUOTE.match(cell) else cell


def restore(cell: str) -> str:
    """Undo :func:`neutralise`: one leading ``'`` comes off a cell it would have quoted."""
    return cell[1:] if cell[:1] == "'" and _QUOTED.match(cell) else cell
