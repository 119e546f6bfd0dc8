"""WorkingCalendar: weekdays that are not bank holidays, with real 2018 UK dates.

2018 in England and Wales: New Year's Day Mon 1 Jan, Good Friday 30 Mar, Easter Monday 2 Apr,
May Day Mon 7 May, Spring bank holiday Mon 28 May, Summer bank holiday Mon 27 Aug,
Christmas Tue 25 Dec, Boxing Day Wed 26 Dec. Scotland differs: 2 Jan and 6 Aug are holidays,
Easter Monday and 27 Aug are not.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.calendar import WorkingCalendar, calendar_for

ENG = WorkingCalendar()  # GB-ENG by default
SCT = WorkingCalendar("GB-SCT")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2018, 3, 29), True),  # Thursday before Easter
        (date(2018, 3, 30), False),  # Good Friday
        (date(2018, 3, 31), False),  # Saturday
        (date(2018, 4, 1), False),  # Easter Sunday
        (date(2018, 4, 2), False),  # Easter Monday
        (date(2018, 4, 3), True),  # Tuesday after Easter
        (date(2018, 5, 4), True),  # Friday before May Day
        (date(2018, 5, 7), False),  # May Day
        (date(2018, 5, 8), True),
        (date(2018, 5, 28), False),  # Spring bank holiday
        (date(2018, 8, 27), False),  # Summer bank holiday (England)
        (date(2018, 8, 6), True),  # Summer bank holiday in Scotland only
        (date(2018, 12, 24), True),  # Christmas Eve is a working day
        (date(2018, 12, 25), False),
        (date(2018, 12, 26), False),
        (date(2018, 1, 1), False),
        (date(2018, 1, 2), True),  # a holiday in Scotland only
        (date(2018, 3, 17), False),  # plain Saturday
        (date(2018, 3, 18), False),  # plain Sunday
        (date(2018, 3, 19), True),  # plain Monday
    ],
)
def test_is_working_day_england(day: date, working: bool) -> None:
    assert ENG.is_working_day(day) is working


def test_default_region_is_england_and_wales() -> None:
    assert ENG.region == "GB-ENG"
    assert not ENG.is_working_day(date(2018, 4, 2))  # Easter Monday: England only


@pytest.mark.parametrize(
    ("day", "england", "scotland"),
    [
        (date(2018, 1, 2), True, False),  # 2 January
        (date(2018, 4, 2), False, True),  # Easter Monday
        (date(2018, 8, 6), True, False),  # first Monday in August
        (date(2018, 8, 27), False, True),  # last Monday in August
        (date(2018, 3, 30), False, False),  # Good Friday everywhere
    ],
)
def test_regions_differ(day: date, england: bool, scotland: bool) -> None:
    assert ENG.is_working_day(day) is england
    assert SCT.is_working_day(day) is scotland


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2018, 3, 29), date(2018, 3, 29)),  # already a working day
        (date(2018, 3, 30), date(2018, 3, 29)),  # Good Friday
        (date(2018, 3, 31), date(2018, 3, 29)),  # Sat → over Good Friday
        (date(2018, 4, 2), date(2018, 3, 29)),  # Easter Monday → four days back
        (date(2018, 3, 17), date(2018, 3, 16)),  # Sat
        (date(2018, 3, 18), date(2018, 3, 16)),  # Sun
        (date(2018, 5, 7), date(2018, 5, 4)),  # May Day
        (date(2018, 12, 26), date(2018, 12, 24)),  # Boxing Day
        (date(2018, 1, 1), date(2017, 12, 29)),  # across a year end
    ],
)
def test_on_or_before(day: date, expected: date) -> None:
    assert ENG.on_or_before(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2018, 3, 29), date(2018, 3, 28)),
        (date(2018, 4, 3), date(2018, 3, 29)),  # Tue after Easter → Thu before
        (date(2018, 3, 31), date(2018, 3, 29)),  # Sat (Good Friday the day before)
        (date(2018, 3, 19), date(2018, 3, 16)),  # Monday → Friday
        (date(2018, 5, 8), date(2018, 5, 4)),  # Tue after May Day → Friday
        (date(2018, 5, 7), date(2018, 5, 4)),  # from a holiday itself
    ],
)
def test_previous_working_day(day: date, expected: date) -> None:
    assert ENG.previous_working_day(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2018, 1, 17), date(2018, 1, 2)),  # 1 Jan is a holiday
        (date(2018, 3, 31), date(2018, 3, 1)),  # Thursday 1 March
        (date(2018, 4, 1), date(2018, 4, 3)),  # Sun 1, Easter Mon 2 → Tue 3 April
        (date(2018, 4, 30), date(2018, 4, 3)),
        (date(2018, 5, 15), date(2018, 5, 1)),  # Tuesday
        (date(2018, 7, 9), date(2018, 7, 2)),  # Sun 1 July → Mon 2
        (date(2018, 9, 30), date(2018, 9, 3)),  # Sat 1, Sun 2 → Mon 3 September
    ],
)
def test_first_working_day_of_month(day: date, expected: date) -> None:
    assert ENG.first_working_day_of_month(day) == expected


def test_first_working_day_of_month_in_scotland() -> None:
    # 1 and 2 January are both holidays in Scotland.
    assert SCT.first_working_day_of_month(date(2018, 1, 20)) == date(2018, 1, 3)
    assert SCT.first_working_day_of_month(date(2018, 4, 20)) == date(2018, 4, 2)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2018, 3, 29), date(2018, 3, 29), 0),  # same day
        (date(2018, 3, 29), date(2018, 3, 1), 0),  # end before start
        (date(2018, 3, 29), date(2018, 4, 2), 0),  # only Good Friday, weekend, Easter Monday
        (date(2018, 3, 29), date(2018, 4, 3), 1),
        (date(2018, 3, 29), date(2018, 4, 13), 9),
        (date(2018, 3, 29), date(2018, 4, 16), 10),
        (date(2018, 3, 31), date(2018, 4, 16), 10),  # from a Saturday due date
        (date(2018, 3, 29), date(2018, 4, 27), 19),
        (date(2018, 3, 29), date(2018, 4, 30), 20),
        (date(2018, 4, 30), date(2018, 5, 8), 5),  # May Day not counted
        (date(2018, 3, 16), date(2018, 3, 19), 1),  # Fri → Mon
    ],
)
def test_working_days_after(start: date, end: date, expected: int) -> None:
    assert ENG.working_days_after(start, end) == expected


@pytest.mark.parametrize("region", ["XX", "XX-YY", "GB-ZZZ", ""])
def test_unknown_region_is_a_value_error(region: str) -> None:
    with pytest.raises(ValueError, match="unknown holiday region"):
        WorkingCalendar(region)


def test_country_without_subdivision_and_other_countries() -> None:
    ireland = WorkingCalendar("IE")
    assert ireland.region == "IE"
    assert ireland.is_working_day(date(2018, 3, 30))  # Good Friday is not a public holiday
    assert not ireland.is_working_day(date(2018, 4, 2))  # Easter Monday is
    assert not ireland.is_working_day(date(2018, 5, 7))  # May bank holiday


def test_calendar_for_caches_one_calendar_per_region() -> None:
    assert calendar_for("GB-ENG") is calendar_for("GB-ENG")
    assert calendar_for("GB-SCT") is not calendar_for("GB-ENG")
    assert calendar_for("GB-SCT").region == "GB-SCT"


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)),
    span=st.integers(min_value=-10, max_value=900),
    region=st.sampled_from(["GB-ENG", "GB-SCT"]),
)
def test_working_days_after_counts_what_a_day_by_day_walk_counts(
    start: date, span: int, region: str
) -> None:
    # The count is arithmetic over weekdays and each year's holidays (1999's millennium
    # holiday on 31 December included); walking the days one by one is the definition.
    cal = ENG if region == "GB-ENG" else SCT
    end = start + timedelta(days=span)
    walked = sum(1 for n in range(1, span + 1) if cal.is_working_day(start + timedelta(days=n)))
    assert cal.working_days_after(start, end) == walked
