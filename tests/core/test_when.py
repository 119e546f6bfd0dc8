"""One date style for people: bot/core/when.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.when import day, due_phrase, plural, relative

TODAY = date(2018, 3, 29)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2018, 3, 31), "Sat 31 Mar"),  # this year: no year
        (date(2018, 4, 2), "Mon 2 Apr"),  # no leading zero
        (date(2017, 12, 29), "Fri 29 Dec 2017"),  # another year: with it
        (date(2019, 1, 1), "Tue 1 Jan 2019"),
        (datetime(2018, 3, 31, 23, 0, tzinfo=UTC), "Sat 31 Mar"),
    ],
)
def test_day(value: date, expected: str) -> None:
    assert day(value, TODAY) == expected


def test_day_without_today_always_has_the_year() -> None:
    assert day(date(2018, 3, 31)) == "Sat 31 Mar 2018"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2018, 3, 29), "today"),
        (date(2018, 3, 30), "tomorrow"),
        (date(2018, 3, 28), "yesterday"),
        (date(2018, 3, 31), "in 2 days"),
        (date(2018, 3, 27), "2 days ago"),
        (date(2019, 3, 29), "in 365 days"),
    ],
)
def test_relative(value: date, expected: str) -> None:
    assert relative(value, TODAY) == expected


def test_plural() -> None:
    assert [plural(n, "day") for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]
    assert plural(1200, "action is", "actions are") == "1,200 actions are"


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (None, "no due date"),
        (date(2018, 3, 29), "due today (Thu 29 Mar)"),
        (date(2018, 3, 30), "due tomorrow (Fri 30 Mar)"),
        (date(2018, 3, 31), "due in 2 days (Sat 31 Mar)"),
        (date(2018, 3, 28), "overdue by 1 day (due Wed 28 Mar)"),
        (date(2017, 3, 28), "overdue by 366 days (due Tue 28 Mar 2017)"),
    ],
)
def test_due_phrase(due: date | None, expected: str) -> None:
    assert due_phrase(due, TODAY) == expected


def test_an_instant_reads_on_the_councils_clock() -> None:
    from datetime import UTC, datetime

    from bot.core.when import moment

    at = datetime(2026, 12, 7, 2, 25, tzinfo=UTC)
    assert moment(at, "Europe/London") == "Mon 7 Dec 2026 02:25"
    assert moment(at, "Europe/London", date(2026, 1, 1)) == "Mon 7 Dec 02:25"
    summer = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)  # already 1 July in London (BST)
    assert moment(summer, "Europe/London") == "Thu 1 Jul 2027 00:30"
    assert moment(datetime(2026, 12, 7, 2, 25), "Europe/London") == "Mon 7 Dec 2026 02:25"


def test_a_records_iso_date_reads_as_people_read_it() -> None:
    from bot.core.when import day_text

    assert day_text("2027-04-03") == "Sat 3 Apr 2027"
    assert day_text("2027-04-03", date(2027, 1, 1)) == "Sat 3 Apr"
    assert day_text("2.7") == "2.7" and day_text("2027-02-30") == "2027-02-30"
