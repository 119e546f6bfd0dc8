"""Working days: weekends and bank holidays (England and Wales by default) are days off."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache


class WorkingCalendar:
    """Answers "is this a working day?" for one holiday region, e.g. "GB-ENG" or "GB-SCT"."""

    def __init__(self, region: str = "GB-ENG") -> None:
        # The holidays package is large; only commands that plan or send anything load it.
        import holidays

        country, _, subdiv = region.partition("-")
        try:
            self._holidays = holidays.country_holidays(country, subdiv=subdiv or None)
        except NotImplementedError as exc:
            raise ValueError(
                f"unknown holiday region {region!r} (e.g. GB-ENG, GB-SCT, IE)"
            ) from exc
        self.region = region
        self._known: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        # A sweep asks about the same few dozen days thousands of times.
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = day.weekday() < 5 and day not in self._holidays
        return known

    def on_or_before(self, day: date) -> date:
        """The working day itself, or the last working day before it."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def previous_working_day(self, day: date) -> date:
        return self.on_or_before(day - timedelta(days=1))

    def first_working_day_of_month(self, day: date) -> date:
        first = day.replace(day=1)
        while not self.is_working_day(first):
            first += timedelta(days=1)
        return first

    def working_days_after(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days `end` is past `start`."""
        if end <= start:
            return 0
        return sum(
            1
            for n in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=n))
        )


@lru_cache(maxsize=8)
def calendar_for(region: str) -> WorkingCalendar:
    return WorkingCalendar(region)
