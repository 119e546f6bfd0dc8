"""An injectable clock, so jobs and tests decide "now" instead of the wall."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to; for tests, previews and `--at`."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)


class RunningClock:
    """Wall time, shifted to start at a chosen instant; each reading is later than the last.

    For `actionbot chat`: every line typed is its own instant (so five date moves are five
    moments in the history, not one), and `set` moves the whole clock (`:day +7`), which
    then runs on from there. `wall` is injected so tests move it by hand.
    """

    def __init__(self, at: datetime, *, wall: Clock | None = None) -> None:
        if at.tzinfo is None:
            raise ValueError("RunningClock needs an aware datetime")
        self._wall = wall or SystemClock()
        self._offset = at.astimezone(UTC) - self._wall.now()
        self._last: datetime | None = None

    def now(self) -> datetime:
        moment = self._wall.now() + self._offset
        if self._last is not None and moment <= self._last:
            moment = self._last + timedelta(microseconds=1)
        self._last = moment
        return moment

    def set(self, at: datetime) -> None:
        self._offset = at.astimezone(UTC) - self._wall.now()
        self._last = None
