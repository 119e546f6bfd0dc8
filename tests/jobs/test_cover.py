"""The routing rules of bot.jobs.cover, as pure functions of (roster, actions, time)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.calendar import WorkingCalendar
from bot.jobs.cover import Leave, Roster, Term, paused_days, plan_reminders
from bot.jobs.planner import ActionFacts, escalations

CAL = WorkingCalendar("GB-ENG")
DUE = date(2018, 3, 29)  # Thu; 14 days before: Thu 15 Mar, 7 days: Thu 22 Mar


def action(number: int = 1, owners: tuple[str, ...] = ("Finance",)) -> ActionFacts:
    return ActionFacts(number, "NCC", f"2.{number}", "Budget", DUE, "not_started", None, owners)


def plan(roster: Roster, day: date, *actions: ActionFacts) -> dict[str, list[str]]:
    now = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    messages = plan_reminders(list(actions), roster, now=now, cal=CAL, default_tz="Europe/London")
    return {m.recipient: [i.reason for i in m.items] for m in messages}


JANE, RAJ, SAM = "person:1", "person:2", "person:3"
HOLDS = {"Finance": (Term(JANE),)}


def test_a_holder_away_goes_to_the_deputy_and_nobody_away_is_reminded() -> None:
    roster = Roster(
        holders=HOLDS,
        deputies={"Finance": (Term(RAJ),)},
        leave={JANE: (Leave(date(2018, 3, 12), date(2018, 3, 16), date(2018, 3, 1)),)},
    )
    assert list(plan(roster, date(2018, 3, 15), action())) == [RAJ]
    assert list(plan(roster, date(2018, 3, 22), action())) == [JANE]


def test_with_no_deputy_the_reminder_waits_for_the_first_working_day_back() -> None:
    leave = Leave(date(2018, 3, 12), date(2018, 3, 16), recorded=date(2018, 3, 1))
    roster = Roster(holders=HOLDS, leave={JANE: (leave,)})
    assert plan(roster, date(2018, 3, 15), action()) == {}
    assert plan(roster, date(2018, 3, 16), action()) == {}
    back = plan(roster, date(2018, 3, 19), action())  # Monday after
    assert back == {JANE: ["due in 10 days (Thu 29 Mar) (held while you were away)"]}
    assert plan(roster, date(2018, 3, 20), action()) == {}  # delivered once


def test_leave_recorded_late_holds_nothing_already_sent() -> None:
    late = Leave(date(2018, 3, 12), date(2018, 3, 16), recorded=date(2018, 3, 16))
    roster = Roster(holders=HOLDS, leave={JANE: (late,)})
    assert plan(roster, date(2018, 3, 19), action()) == {}


def test_a_handover_takes_effect_on_its_day_and_an_assignee_comes_first() -> None:
    roster = Roster(
        holders={"Finance": (Term(JANE, until=date(2018, 3, 20)), Term(SAM, date(2018, 3, 20)))},
        assignees={2: (Term(RAJ, date(2018, 3, 1)),)},
    )
    assert list(plan(roster, date(2018, 3, 15), action(1), action(2))) == [JANE, RAJ]
    assert list(plan(roster, date(2018, 3, 22), action(1), action(2))) == [RAJ, SAM]


def test_escalation_clock_skips_days_everyone_responsible_was_away() -> None:
    overdue = action()
    today = date(2018, 4, 16)  # 10 working days after Thu 29 Mar (Good Fri, Easter Mon off)
    assert escalations([overdue], {1: ("email:ceo@x",)}, today=today, cal=CAL)
    roster = Roster(holders=HOLDS, leave={JANE: (Leave(date(2018, 4, 3), date(2018, 4, 4), DUE),)})
    paused = escalations(
        [overdue],
        {1: ("email:ceo@x",)},
        today=today,
        cal=CAL,
        paused=lambda a, first, last: paused_days(roster, a, first, last),
    )
    assert paused == []
