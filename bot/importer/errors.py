"""Errors an import can stop with. Each names where in the file the trouble is."""

from __future__ import annotations


class ImportFileError(Exception):
    """The file cannot be imported; nothing was written.

    Attributes:
        row: 1-based line of the file's data (the header is row 1), when known.
        column: the column's header as written in the file, when known.
        place: the sheet or table the row is in ("sheet 'Plan'", "table 2"), if any.
    """

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        place: str | None = None,
    ) -> None:
        where = [place] if place else []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.row = row
        self.column = column
        self.place = place
