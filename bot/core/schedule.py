"""A reminder schedule: the days before a due date on which an owner is reminded, as settings
and plans write it ("30,14,7,1,0"). Read here for the settings, the plans and the jobs alike."""

from __future__ import annotations

DEFAULT_DAYS: tuple[int, ...] = (14, 7, 1, 0)


def parse_days(text: str | None) -> tuple[int, ...]:
    if not text:
        return DEFAULT_DAYS
    return tuple(sorted({int(p) for p in text.replace(" ", "").split(",") if p}, reverse=True))
