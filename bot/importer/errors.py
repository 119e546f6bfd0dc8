"""Errors an import can stop with. Each names where in the file the trouble is."""

from __future__ import annotations

from collections.abc import Sequence

from bot.importer.hints import Part, Phrasing, command_line, in_words


class ImportFileError(Exception):
    """The file cannot be imported; nothing was written.

    The message may name import options (`Option` parts): `str(error)` spells them as the
    command line does, `phrased(phrase)` as another door does.

    Attributes:
        row: 1-based line of the file's data (the header is row 1), when known.
        column: the column's header as written in the file, when known.
        place: the sheet or table the row is in ("sheet 'Plan'", "table 2"), if any.
        parts: the whole message (place, row and column included) as text and options.
    """

    def __init__(
        self,
        message: str | Sequence[Part],
        *,
        row: int | None = None,
        column: str | None = None,
        place: str | None = None,
    ) -> None:
        body: list[Part] = [message] if isinstance(message, str) else list(message)
        where = [place] if place else []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        self.parts: tuple[Part, ...] = (f"{', '.join(where)}: ", *body) if where else tuple(body)
        super().__init__(in_words(self.parts, command_line))
        self.row = row
        self.column = column
        self.place = place

    @property
    def options(self) -> tuple[Part, ...]:
        """The options the message names (empty for most errors)."""
        return tuple(p for p in self.parts if not isinstance(p, str))

    def phrased(self, phrase: Phrasing) -> str:
        return in_words(self.parts, phrase)
