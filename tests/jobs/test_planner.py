"""The pure nudge planner against real 2018 dates in England and Wales.

Days off used below: Sat/Sun; Good Friday Fri 30 Mar 2018; Easter Monday Mon 2 Apr 2018;
May Day Mon 7 May 2018. Every expected date is worked out by hand from the rules:
reminders 14 and 7 calendar days before the due date, 1 working day before, on the day, then
weekly while overdue, each moved back to the previous working day when it falls on a day off.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.calendar import WorkingCalendar
from bot.jobs.planner import (
    ActionFacts,
    Escalation,
    NudgeItem,
    PersonFacts,
    PlannedMessage,
    escalations,
    local_day,
    plan_nudges,
    reason_today,
)

CAL = WorkingCalendar("GB-ENG")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

GOOD_FRIDAY = date(2018, 3, 30)
EASTER_MONDAY = date(2018, 4, 2)
MAY_DAY = date(2018, 5, 7)


def act(action_id: int, due: date | None, **changes: object) -> ActionFacts:
    base = ActionFacts(
        action_id=action_id,
        plan_code="P",
        ref=f"A{action_id}",
        title=f"Action {action_id}",
        due=due,
        status="in_progress",
        rag=None,
        owners=("Owner",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def person(pid: int, *actions: ActionFacts, tz: str = "Europe/London") -> PersonFacts:
    return PersonFacts(recipient=f"person:{pid}", tz=tz, actions=tuple(actions))


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = LONDON) -> datetime:
    """A local wall-clock time, handed to the planner as a UTC instant."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(UTC)


def d(month: int, day: int) -> date:
    return date(2018, month, day)


def reasons(action: ActionFacts, first: date, last: date) -> dict[date, tuple[str, str]]:
    """Every day in [first, last] on which the action would be mentioned: (kind, reason)."""
    out = {}
    day = first
    while day <= last:
        item = reason_today(action, day, CAL)
        if item is not None:
            assert item.action_id == action.action_id
            out[day] = (item.kind, item.reason)
        day += timedelta(days=1)
    return out


# --- the reminder schedule -------------------------------------------------------------------


SCHEDULES: list[tuple[str, date, dict[date, tuple[str, str]]]] = [
    (
        # Due Sat 31 Mar: 14 days before is Sat 17 → Fri 16; 7 days before Sat 24 → Fri 23;
        # 1 working day before is Thu 29 (Fri 30 is Good Friday) and the day itself moves back
        # to Thu 29 too: one item that day, not two. Overdue weekly: Sat 7 Apr → Fri 6,
        # Sat 14 → Fri 13, Sat 21 → Fri 20, Sat 28 → Fri 27, Sat 5 May → Fri 4 May.
        "due on the Saturday after Good Friday",
        d(3, 31),
        {
            d(3, 16): ("before", "due in 15 days (Sat 31 Mar)"),
            d(3, 23): ("before", "due in 8 days (Sat 31 Mar)"),
            d(3, 29): ("before", "due in 2 days (Sat 31 Mar)"),
            d(4, 6): ("overdue", "overdue by 6 days"),
            d(4, 13): ("overdue", "overdue by 13 days"),
            d(4, 20): ("overdue", "overdue by 20 days"),
            d(4, 27): ("overdue", "overdue by 27 days"),
            d(5, 4): ("overdue", "overdue by 34 days"),
            d(5, 11): ("overdue", "overdue by 41 days"),
            d(5, 18): ("overdue", "overdue by 48 days"),
            d(5, 25): ("overdue", "overdue by 55 days"),
        },
    ),
    (
        # An ordinary Wednesday: nothing moves.
        "due on an ordinary Wednesday",
        d(3, 14),
        {
            d(2, 28): ("before", "due in 14 days (Wed 14 Mar)"),
            d(3, 7): ("before", "due in 7 days (Wed 14 Mar)"),
            d(3, 13): ("before", "due tomorrow (Wed 14 Mar)"),
            d(3, 14): ("on_day", "due today"),
            d(3, 21): ("overdue", "overdue by 7 days"),
            d(3, 28): ("overdue", "overdue by 14 days"),
            # 4 Apr is Wednesday; 11 Apr, 18, 25 and 2 May too.
            d(4, 4): ("overdue", "overdue by 21 days"),
            d(4, 11): ("overdue", "overdue by 28 days"),
            d(4, 18): ("overdue", "overdue by 35 days"),
            d(4, 25): ("overdue", "overdue by 42 days"),
            d(5, 2): ("overdue", "overdue by 49 days"),
            d(5, 9): ("overdue", "overdue by 56 days"),
            d(5, 16): ("overdue", "overdue by 63 days"),
            d(5, 23): ("overdue", "overdue by 70 days"),
            d(5, 30): ("overdue", "overdue by 77 days"),
        },
    ),
    (
        # Due on Easter Monday: 14 days before is Mon 19 Mar, 7 days Mon 26 Mar; the working day
        # before and the day itself are both Thu 29 Mar (Fri, Sat, Sun, Mon all off).
        "due on Easter Monday",
        EASTER_MONDAY,
        {
            d(3, 19): ("before", "due in 14 days (Mon 2 Apr)"),
            d(3, 26): ("before", "due in 7 days (Mon 2 Apr)"),
            d(3, 29): ("before", "due in 4 days (Mon 2 Apr)"),
            d(4, 9): ("overdue", "overdue by 7 days"),
            d(4, 16): ("overdue", "overdue by 14 days"),
            d(4, 23): ("overdue", "overdue by 21 days"),
            d(4, 30): ("overdue", "overdue by 28 days"),
            # Mon 7 May is May Day → Fri 4 May; Mon 28 May is the Spring bank holiday → Fri 25.
            d(5, 4): ("overdue", "overdue by 32 days"),
            d(5, 14): ("overdue", "overdue by 42 days"),
            d(5, 21): ("overdue", "overdue by 49 days"),
            d(5, 25): ("overdue", "overdue by 53 days"),
        },
    ),
    (
        # Due the Tuesday after Easter: 1 working day before is Thu 29 Mar.
        "due the Tuesday after Easter",
        d(4, 3),
        {
            d(3, 20): ("before", "due in 14 days (Tue 3 Apr)"),
            d(3, 27): ("before", "due in 7 days (Tue 3 Apr)"),
            d(3, 29): ("before", "due in 5 days (Tue 3 Apr)"),
            d(4, 3): ("on_day", "due today"),
            d(4, 10): ("overdue", "overdue by 7 days"),
            d(4, 17): ("overdue", "overdue by 14 days"),
            d(4, 24): ("overdue", "overdue by 21 days"),
            d(5, 1): ("overdue", "overdue by 28 days"),
            d(5, 8): ("overdue", "overdue by 35 days"),
            d(5, 15): ("overdue", "overdue by 42 days"),
            d(5, 22): ("overdue", "overdue by 49 days"),
            d(5, 29): ("overdue", "overdue by 56 days"),
        },
    ),
    (
        # Due on May Day: 14 days before is Mon 23 Apr, 7 days Mon 30 Apr; the working day
        # before and the day itself are Fri 4 May. Overdue: Mon 14, 21 May; Mon 28 May is the
        # Spring bank holiday → Fri 25 May. Thu 1 Mar is 67 days before: a monthly check-in
        # (3 Apr, 34 days before, is not).
        "due on May Day",
        MAY_DAY,
        {
            d(3, 1): ("check_in", "monthly check-in: one line and a RAG, please"),
            d(4, 23): ("before", "due in 14 days (Mon 7 May)"),
            d(4, 30): ("before", "due in 7 days (Mon 7 May)"),
            d(5, 4): ("before", "due in 3 days (Mon 7 May)"),
            d(5, 14): ("overdue", "overdue by 7 days"),
            d(5, 21): ("overdue", "overdue by 14 days"),
            d(5, 25): ("overdue", "overdue by 18 days"),
        },
    ),
    (
        # Due on Good Friday itself.
        "due on Good Friday",
        GOOD_FRIDAY,
        {
            d(3, 16): ("before", "due in 14 days (Fri 30 Mar)"),
            d(3, 23): ("before", "due in 7 days (Fri 30 Mar)"),
            d(3, 29): ("before", "due tomorrow (Fri 30 Mar)"),
            d(4, 6): ("overdue", "overdue by 7 days"),
            d(4, 13): ("overdue", "overdue by 14 days"),
            d(4, 20): ("overdue", "overdue by 21 days"),
            d(4, 27): ("overdue", "overdue by 28 days"),
            d(5, 4): ("overdue", "overdue by 35 days"),
            d(5, 11): ("overdue", "overdue by 42 days"),
            d(5, 18): ("overdue", "overdue by 49 days"),
            d(5, 25): ("overdue", "overdue by 56 days"),
        },
    ),
]


@pytest.mark.parametrize(
    ("due", "expected"), [(due, exp) for _, due, exp in SCHEDULES], ids=[n for n, _, _ in SCHEDULES]
)
def test_default_schedule(due: date, expected: dict[date, tuple[str, str]]) -> None:
    # Every day from Fri 2 Feb (after February's check-in day) to Thu 31 May.
    got = reasons(act(1, due), d(2, 2), d(5, 31))
    assert got == expected


def test_sat_31_mar_gets_one_item_on_thursday_not_two() -> None:
    message = plan_nudges([person(1, act(1, d(3, 31)))], now=at(d(3, 29), 9), cal=CAL)
    assert len(message) == 1
    assert [i.action_id for i in message[0].items] == [1]


# Custom schedules, checked every day from Fri 2 Feb to Sun 15 Apr 2018.
@pytest.mark.parametrize(
    ("days", "due", "expected"),
    [
        (
            # 30 calendar days before Wed 14 Mar is Mon 12 Feb; no 14/7/1-day reminders.
            (30, 0),
            d(3, 14),
            {
                d(2, 12): ("before", "due in 30 days (Wed 14 Mar)"),
                d(3, 14): ("on_day", "due today"),
                d(3, 21): ("overdue", "overdue by 7 days"),
                d(3, 28): ("overdue", "overdue by 14 days"),
                d(4, 4): ("overdue", "overdue by 21 days"),
                d(4, 11): ("overdue", "overdue by 28 days"),
            },
        ),
        (
            # The order the plan lists them in does not matter.
            (0, 30),
            d(3, 14),
            {
                d(2, 12): ("before", "due in 30 days (Wed 14 Mar)"),
                d(3, 14): ("on_day", "due today"),
                d(3, 21): ("overdue", "overdue by 7 days"),
                d(3, 28): ("overdue", "overdue by 14 days"),
                d(4, 4): ("overdue", "overdue by 21 days"),
                d(4, 11): ("overdue", "overdue by 28 days"),
            },
        ),
        (
            # 30 days before Sat 31 Mar is Thu 1 Mar; on the day moves back to Thu 29 Mar.
            (30, 0),
            d(3, 31),
            {
                d(3, 1): ("before", "due in 30 days (Sat 31 Mar)"),
                d(3, 29): ("on_day", "due in 2 days (Sat 31 Mar)"),
                d(4, 6): ("overdue", "overdue by 6 days"),
                d(4, 13): ("overdue", "overdue by 13 days"),
            },
        ),
        (
            # Only on the day, due Mon 19 Mar. Overdue weekly: Mon 26 Mar, then Easter Monday
            # 2 Apr moves back to Thu 29 Mar, then Mon 9 Apr.
            (0,),
            d(3, 19),
            {
                d(3, 19): ("on_day", "due today"),
                d(3, 26): ("overdue", "overdue by 7 days"),
                d(3, 29): ("overdue", "overdue by 10 days"),
                d(4, 9): ("overdue", "overdue by 21 days"),
            },
        ),
        (
            # 2 days before Mon 19 Mar is Sat 17 → Fri 16, also the working day before: one
            # item. No "on the day" reminder.
            (2, 1),
            d(3, 19),
            {
                d(3, 16): ("before", "due in 3 days (Mon 19 Mar)"),
                d(3, 26): ("overdue", "overdue by 7 days"),
                d(3, 29): ("overdue", "overdue by 10 days"),
                d(4, 9): ("overdue", "overdue by 21 days"),
            },
        ),
    ],
)
def test_custom_days(
    days: tuple[int, ...], due: date, expected: dict[date, tuple[str, str]]
) -> None:
    assert reasons(act(1, due, days=days), d(2, 2), d(4, 15)) == expected


# --- monthly check-ins ------------------------------------------------------------------------


def test_no_due_date_gets_only_the_monthly_check_in() -> None:
    got = reasons(act(1, None), date(2017, 12, 1), d(12, 31))
    # First working day of each month in England: 1 Jan and 2 Apr are holidays; 1 Jul, 1 Sep
    # and 1 Dec 2018 are weekends.
    assert sorted(got) == [
        date(2017, 12, 1),
        d(1, 2),
        d(2, 1),
        d(3, 1),
        d(4, 3),
        d(5, 1),
        d(6, 1),
        d(7, 2),
        d(8, 1),
        d(9, 3),
        d(10, 1),
        d(11, 1),
        d(12, 3),
    ]
    assert set(got.values()) == {("check_in", "monthly check-in (no due date)")}


def test_long_running_action_checks_in_on_the_first_working_day_while_over_60_days_away() -> None:
    # Due Fri 15 Jun 2018. 1 Mar is 106 days away, 3 Apr 73: check-ins. 1 May is 45 days
    # away: no check-in. Then 14 days before (Fri 1 Jun — also the first working day of June,
    # but the reminder is what is said), 7 days (Fri 8 Jun), the working day before (Thu 14)
    # and the day.
    got = reasons(act(1, d(6, 15)), d(1, 1), d(6, 20))
    assert got == {
        d(1, 2): ("check_in", "monthly check-in: one line and a RAG, please"),
        d(2, 1): ("check_in", "monthly check-in: one line and a RAG, please"),
        d(3, 1): ("check_in", "monthly check-in: one line and a RAG, please"),
        d(4, 3): ("check_in", "monthly check-in: one line and a RAG, please"),
        d(6, 1): ("before", "due in 14 days (Fri 15 Jun)"),
        d(6, 8): ("before", "due in 7 days (Fri 15 Jun)"),
        d(6, 14): ("before", "due tomorrow (Fri 15 Jun)"),
        d(6, 15): ("on_day", "due today"),
    }


@pytest.mark.parametrize(
    ("due", "checks_in"),
    [
        (d(6, 30), False),  # exactly 60 days after Tue 1 May: not "more than 60"
        (d(7, 1), True),  # 61 days
        (date(2019, 1, 1), True),
    ],
)
def test_check_in_needs_more_than_60_days(due: date, checks_in: bool) -> None:
    item = reason_today(act(1, due), d(5, 1), CAL)
    assert (item is not None and item.kind == "check_in") is checks_in
    # …and never on the second working day of the month.
    assert reason_today(act(1, due), d(5, 2), CAL) is None


# --- done, cancelled, snoozed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "day"),
    [
        (d(3, 31), d(3, 16)),  # 14 days before
        (d(3, 31), d(3, 29)),  # working day before
        (d(3, 14), d(3, 14)),  # on the day
        (d(3, 31), d(4, 6)),  # overdue
        (None, d(3, 1)),  # monthly check-in
        (d(6, 15), d(3, 1)),  # long-running check-in
    ],
)
@pytest.mark.parametrize(
    ("status", "nudged"),
    [
        ("not_started", True),
        ("in_progress", True),
        ("blocked", True),
        ("done", False),
        ("cancelled", False),
    ],
)
def test_only_open_actions_are_nudged(
    due: date | None, day: date, status: str, nudged: bool
) -> None:
    action = act(1, due, status=status)
    assert (reason_today(action, day, CAL) is not None) is nudged
    messages = plan_nudges([person(1, action)], now=at(day, 9), cal=CAL)
    assert len(messages) == int(nudged)


@pytest.mark.parametrize(
    ("due", "snoozed_until", "expected_days"),
    [
        # Snoozed until the due date: the reminders before it are skipped, the day is not.
        (d(3, 14), d(3, 14), [d(3, 14), d(3, 21), d(3, 28)]),
        # Snoozed until the day after: "due today" is skipped too.
        (d(3, 14), d(3, 15), [d(3, 21), d(3, 28)]),
        # Snoozed past the first overdue reminder.
        (d(3, 14), d(3, 22), [d(3, 28)]),
        # Snoozed until exactly the 7-day reminder: it is sent.
        (d(3, 14), d(3, 7), [d(3, 7), d(3, 13), d(3, 14), d(3, 21), d(3, 28)]),
        # A snoozed action without a due date misses the March check-in, not April's.
        (None, d(3, 2), [d(4, 3)]),
        # In the past: no effect.
        (d(3, 14), d(1, 1), [d(2, 28), d(3, 7), d(3, 13), d(3, 14), d(3, 21), d(3, 28)]),
    ],
)
def test_snooze_pauses_until_the_date(
    due: date | None, snoozed_until: date, expected_days: list[date]
) -> None:
    action = act(1, due, snoozed_until=snoozed_until)
    assert sorted(reasons(action, d(2, 2), d(4, 3))) == expected_days


def test_snooze_pauses_one_action_not_the_message() -> None:
    snoozed = act(1, d(3, 14), snoozed_until=d(3, 20))
    other = act(2, d(3, 14))
    messages = plan_nudges([person(1, snoozed, other)], now=at(d(3, 14), 9), cal=CAL)
    assert [[i.action_id for i in m.items] for m in messages] == [[2]]


# --- plan_nudges: one message per person per day, at 09:00 local, working days only ---------


def test_one_message_per_person_with_every_item_overdue_first() -> None:
    # Thu 1 Mar 2018.
    overdue = act(1, d(2, 22))  # + 7 days = 1 Mar
    today = act(2, d(3, 1))
    tomorrow = act(3, d(3, 2))  # 1 working day before
    in_a_week = act(4, d(3, 8))
    in_two_weeks = act(5, d(3, 15))
    no_date = act(6, None)  # first working day of March
    quiet = act(7, d(3, 5))  # nothing today
    owner = person(9, no_date, in_two_weeks, quiet, tomorrow, today, in_a_week, overdue)
    messages = plan_nudges([owner], now=at(d(3, 1), 9), cal=CAL)
    assert len(messages) == 1
    message = messages[0]
    assert message.recipient == "person:9"
    assert message.kind == "nudge"
    assert message.day == d(3, 1)
    assert message.items == [
        NudgeItem(1, "overdue by 7 days", "overdue"),
        NudgeItem(2, "due today", "on_day"),
        NudgeItem(3, "due tomorrow (Fri 2 Mar)", "before"),
        NudgeItem(4, "due in 7 days (Thu 8 Mar)", "before"),
        NudgeItem(5, "due in 14 days (Thu 15 Mar)", "before"),
        NudgeItem(6, "monthly check-in (no due date)", "check_in"),
    ]
    assert message.key == "person:9:nudge:2018-03-01"


def test_several_people_each_get_their_own_message_and_quiet_people_none() -> None:
    alice = person(1, act(1, d(3, 14)), act(2, d(3, 21)))  # due today, due in 7 days
    bob = person(2, act(3, d(3, 14)))
    carol = person(3, act(4, d(3, 16)))  # nothing on Wed 14 Mar
    messages = plan_nudges([alice, bob, carol], now=at(d(3, 14), 10), cal=CAL)
    assert [(m.recipient, [i.action_id for i in m.items]) for m in messages] == [
        ("person:1", [1, 2]),
        ("person:2", [3]),
    ]
    assert len({m.key for m in messages}) == 2


@pytest.mark.parametrize(
    ("pid", "day", "key"),
    [
        (1, d(3, 16), "person:1:nudge:2018-03-16"),
        (42, d(3, 29), "person:42:nudge:2018-03-29"),
        (7, d(4, 3), "person:7:nudge:2018-04-03"),
    ],
)
def test_key_format(pid: int, day: date, key: str) -> None:
    assert PlannedMessage(f"person:{pid}", "nudge", day).key == key
    actions = [act(1, None), act(2, d(3, 31)), act(3, d(4, 3))]
    messages = plan_nudges([person(pid, *actions)], now=at(day, 9), cal=CAL)
    assert [m.key for m in messages] == [key]


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((8, 0), 0),
        ((8, 59), 0),
        ((9, 0), 1),
        ((9, 1), 1),
        ((17, 30), 1),  # a sweep missed at nine is caught up later the same day
        ((23, 59), 1),
        ((0, 0), 0),
    ],
)
def test_nine_oclock_local(local: tuple[int, int], expected: int) -> None:
    owner = person(1, act(1, d(3, 31)))
    assert len(plan_nudges([owner], now=at(d(3, 16), *local), cal=CAL)) == expected


def test_the_hour_is_configurable() -> None:
    owner = person(1, act(1, d(3, 31)))
    assert plan_nudges([owner], now=at(d(3, 16), 9, 30), cal=CAL, hour=10) == []
    assert len(plan_nudges([owner], now=at(d(3, 16), 10), cal=CAL, hour=10)) == 1


@pytest.mark.parametrize(
    ("utc", "london", "new_york"),
    [
        # Fri 16 Mar 2018: the UK is on GMT, New York already on EDT (UTC-4).
        (datetime(2018, 3, 16, 8, 59, tzinfo=UTC), None, None),
        (datetime(2018, 3, 16, 9, 0, tzinfo=UTC), d(3, 16), None),  # 05:00 in New York
        (datetime(2018, 3, 16, 12, 59, tzinfo=UTC), d(3, 16), None),  # 08:59 in New York
        (datetime(2018, 3, 16, 13, 0, tzinfo=UTC), d(3, 16), d(3, 16)),  # 09:00 in New York
        # 02:00 UTC Sat 17 Mar is Saturday in London, still 22:00 Friday in New York.
        (datetime(2018, 3, 17, 2, 0, tzinfo=UTC), None, d(3, 16)),
        # Thu 29 Mar: the UK is on BST now (UTC+1).
        (datetime(2018, 3, 29, 7, 59, tzinfo=UTC), None, None),  # 08:59 in London
        (datetime(2018, 3, 29, 8, 0, tzinfo=UTC), d(3, 29), None),  # 09:00 in London
        (datetime(2018, 3, 29, 13, 0, tzinfo=UTC), d(3, 29), d(3, 29)),
        # 03:00 UTC Fri 30 Mar: Good Friday in London; 23:00 Thursday in New York.
        (datetime(2018, 3, 30, 3, 0, tzinfo=UTC), None, d(3, 29)),
    ],
)
def test_same_instant_in_london_and_new_york(
    utc: datetime, london: date | None, new_york: date | None
) -> None:
    due = d(3, 31)  # reminders on Fri 16 and Thu 29 March
    people = [
        person(1, act(1, due), tz="Europe/London"),
        person(2, act(1, due), tz="America/New_York"),
    ]
    messages = {m.recipient: m.day for m in plan_nudges(people, now=utc, cal=CAL)}
    expected = {}
    if london:
        expected["person:1"] = london
    if new_york:
        expected["person:2"] = new_york
    assert messages == expected


def test_local_day_and_hour() -> None:
    instant = datetime(2018, 3, 17, 2, 30, tzinfo=UTC)
    assert local_day(instant, "Europe/London") == (d(3, 17), 2)
    assert local_day(instant, "America/New_York") == (d(3, 16), 22)


@pytest.mark.parametrize(
    "day",
    [d(3, 17), d(3, 18), GOOD_FRIDAY, d(3, 31), d(4, 1), EASTER_MONDAY, MAY_DAY, d(5, 28)],
)
def test_nothing_on_weekends_or_bank_holidays(day: date) -> None:
    # Actions due on every day from 1 Feb to 30 Jun, plus one with no due date and one due far
    # in the future: between them something is said on every working day, never on this one.
    first = d(2, 1)
    actions = [act(n, first + timedelta(days=n)) for n in range(150)]
    actions += [act(1000, None), act(1001, date(2019, 1, 1))]
    owner = person(1, *actions)
    for hour in (0, 9, 12, 23):
        assert plan_nudges([owner], now=at(day, hour), cal=CAL) == []
    assert all(reason_today(a, day, CAL) is None for a in actions)
    # …whereas the working day before has plenty.
    before = CAL.previous_working_day(day)
    assert plan_nudges([owner], now=at(before, 9), cal=CAL)[0].items


# --- a whole simulated period for one person --------------------------------------------------


def test_march_and_april_2018_day_by_day_for_one_owner() -> None:
    """Three actions; one is marked done on 19 April. Swept at 07:00, 09:00 and 17:00 local
    every day (across the change to BST on 25 March)."""
    a1 = act(1, d(3, 31))  # due Sat after Good Friday
    a2 = act(2, d(4, 16))  # due Mon 16 Apr
    a3 = act(3, d(6, 15))  # long-running: due Fri 15 Jun
    heard: list[tuple[date, list[str]]] = []
    day = d(3, 1)
    while day <= d(4, 30):
        actions = [a1, replace(a2, status="done") if day >= d(4, 19) else a2, a3]
        owner = person(5, *actions)
        refs = {a.action_id: a.ref for a in actions}
        assert plan_nudges([owner], now=at(day, 7), cal=CAL) == []
        at_nine = plan_nudges([owner], now=at(day, 9), cal=CAL)
        assert plan_nudges([owner], now=at(day, 17), cal=CAL) == at_nine
        assert len(at_nine) <= 1
        for message in at_nine:
            assert message.key == f"person:5:nudge:{day.isoformat()}"
            heard.append((day, [refs[i.action_id] for i in message.items]))
        day += timedelta(days=1)

    assert heard == [
        # First working day of March: A3 is 106 days away → check-in. A1 (30 days) and A2
        # (46 days) are not long-running.
        (d(3, 1), ["A3"]),
        # A1: 14 days before Sat 31 Mar is Sat 17 → Fri 16.
        (d(3, 16), ["A1"]),
        # A1: 7 days before is Sat 24 → Fri 23.
        (d(3, 23), ["A1"]),
        # A1: the working day before and the day itself → Thu 29 (one item).
        # A2: 14 days before Mon 16 Apr is Easter Monday → back over Easter to Thu 29.
        # Both "before", A1 due sooner.
        (d(3, 29), ["A1", "A2"]),
        # First working day of April is Tue 3 (Easter Monday): A3 is 73 days away.
        (d(4, 3), ["A3"]),
        # A1 overdue: Sat 7 Apr → Fri 6.
        (d(4, 6), ["A1"]),
        # A2: 7 days before, Mon 9 Apr.
        (d(4, 9), ["A2"]),
        # A1 overdue Sat 14 → Fri 13; A2 one working day before Mon 16. Overdue first.
        (d(4, 13), ["A1", "A2"]),
        # A2 due today.
        (d(4, 16), ["A2"]),
        # A1 overdue Sat 21 → Fri 20. A2 was done on the 19th, so not overdue Mon 23 or 30.
        (d(4, 20), ["A1"]),
        (d(4, 27), ["A1"]),
    ]


# --- escalations ------------------------------------------------------------------------------

# Due Thu 29 Mar 2018. Working days after it: Tue 3 Apr (1), 4, 5, 6, Mon 9 (5), 10, 11, 12,
# Fri 13 (9), Mon 16 Apr (10).
DUE = d(3, 29)
CONTACTS = {1: ("email:ceo@example.org",)}


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "today", "expected"),
    [
        ({}, d(4, 13), None),  # 9 working days
        ({}, d(4, 14), None),  # Saturday: still 9
        ({}, d(4, 16), 10),  # exactly 10
        ({}, d(4, 17), 11),  # not yet escalated: still due
        ({"due": d(3, 31)}, d(4, 16), 10),  # Saturday due date: same count
        ({"last_update": morning(d(3, 29))}, d(4, 16), 10),  # updated on the due date: not after
        ({"last_update": morning(d(3, 20))}, d(4, 16), 10),
        ({"last_update": morning(d(3, 30))}, d(4, 16), None),  # updated after the due date
        ({"last_update": morning(d(4, 12))}, d(4, 16), None),
        ({"escalated_on": d(4, 16)}, d(4, 17), None),  # told once, not again
        ({"escalated_on": d(4, 16)}, d(5, 30), None),
        ({"escalated_on": d(3, 1)}, d(4, 16), 10),  # escalated for an earlier due date
        ({"status": "done"}, d(4, 16), None),
        ({"status": "cancelled"}, d(4, 16), None),
        ({"status": "blocked"}, d(4, 16), 10),
        ({"status": "not_started"}, d(4, 16), 10),
        ({"due": None}, d(4, 16), None),
        ({"due": d(4, 16)}, d(4, 16), None),  # due today
    ],
)
def test_escalation_after_ten_working_days(
    changes: dict[str, object], today: date, expected: int | None
) -> None:
    action = replace(act(1, DUE), **changes)  # type: ignore[arg-type]
    found = escalations([action], CONTACTS, today=today, cal=CAL)
    if expected is None:
        assert found == []
    else:
        assert found == [Escalation(1, "email:ceo@example.org", today, expected)]


def test_escalation_goes_to_every_contact_and_only_for_actions_with_contacts() -> None:
    actions = [act(1, DUE), act(2, DUE), act(3, DUE)]
    contacts = {1: ("email:a@example.org", "email:b@example.org"), 3: ("email:c@example.org",)}
    found = escalations(actions, contacts, today=d(4, 16), cal=CAL)
    assert [(e.action_id, e.contact) for e in found] == [
        (1, "email:a@example.org"),
        (1, "email:b@example.org"),
        (3, "email:c@example.org"),
    ]


def test_escalation_is_once_across_a_simulated_month() -> None:
    """What the sweep does: escalate, record escalated_on, and never again for that due date."""
    action = act(1, DUE)
    told: list[date] = []
    day = d(3, 29)
    while day <= d(5, 31):
        if CAL.is_working_day(day):
            found = escalations([action], CONTACTS, today=day, cal=CAL)
            if found:
                told.append(day)
                action = replace(action, escalated_on=day)
        day += timedelta(days=1)
    assert told == [d(4, 16)]
