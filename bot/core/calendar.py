"""Working days: weekends and bank holidays (England and Wales by default) are days off."""

from __future__ import annotations

from bisect import bisect_right
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
        self._off_by_year: dict[int, list[date]] = {}

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
        """Working days in (start, end]: how many working days `end` is past `start`.

        Weekdays by arithmetic, less the bank holidays on weekdays: a sweep asks for
        thousands of overdue spans, and counting them day by day was a tenth of its time.
        """
        if end <= start:
            return 0
        return _weekdays_to(end) - _weekdays_to(start) - self._holidays_in(start, end)

    def _holidays_in(self, start: date, end: date) -> int:
        """Weekday bank holidays in (start, end]."""
        count = 0
        for year in range(start.year, end.year + 1):
            off = self._weekday_holidays(year)
            count += bisect_right(off, end) - bisect_right(off, start)
        return count

    def _weekday_holidays(self, year: int) -> list[date]:
        found = self._off_by_year.get(year)
        if found is None:
            first = date(year, 1, 1)
            days = (first + timedelta(days=n) for n in range(366))
            found = self._off_by_year[year] = [
                d for d in days if d.year == year and d.weekday() < 5 and not self.is_working_day(d)
            ]
        return found


def _weekdays_to(day: date) -> int:
    """Weekdays from 1 January 1970 (a Thursday) up to `day`: only differences matter."""
    weeks, rest = divmod((day - date(1970, 1, 1)).days, 7)
    return weeks * 5 + sum(1 for n in range(1, rest + 1) if (3 + n) % 7 < 5)


@lru_cache(maxsize=8)
def calendar_for(region: str) -> WorkingCalendar:
    return WorkingCalendar(region)
