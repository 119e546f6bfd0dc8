"""Two simulated months (March and April 2018) of leave, a deputy, a handover from today, a
handover dated ahead and a held reminder, through the real sweep, outbox and fake Slack Web
API."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.core.calendar import WorkingCalendar
from bot.jobs.runner import run_delivery, run_sweep
from bot.services.conversation import Who, converse
from store.models import Event
from tests.jobs.conftest import JobWorld, slack_id
from tests.jobs.test_month import dms

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar("GB-ENG")
ADMIN = Who("slack", "UADMIN")
RAJ = "raj@northants.example"
SAM = "sam@northants.example"


def admin_says(jobs: JobWorld, text: str) -> str:
    outcome = converse(
        jobs.runtime.sessions,
        ADMIN,
        text=text,
        admins=frozenset({"uadmin"}),
        default_tz="Europe/London",
        now=jobs.clock.now(),
    )
    assert outcome.reply.ok, outcome.reply.lines
    return outcome.reply.text


def test_two_months_of_leave_cover_handover_and_held_reminders(jobs: JobWorld) -> None:
    for email in (RAJ, SAM):
        jobs.fake.add_user(slack_id(email), email=email, tz="Europe/London")
    finance, ceo = slack_id("finance@northants.example"), slack_id("ceo@northants.example")
    raj, sam = slack_id(RAJ), slack_id(SAM)
    away = {
        finance: (date(2018, 3, 12), date(2018, 3, 23)),  # Raj deputises for Finance
        ceo: (date(2018, 3, 26), date(2018, 4, 6)),  # nobody covers the CEO: held
    }

    jobs.at(datetime(2018, 3, 1, 8, 0, tzinfo=LONDON))
    admin_says(jobs, f"admin deputy Finance {RAJ}")
    admin_says(jobs, "admin away finance@northants.example 2018-03-12 2018-03-23 annual leave")
    admin_says(jobs, "admin away ceo@northants.example 26/03/2018 06/04/2018 Easter")

    sent_on: dict[date, list[tuple[str, str]]] = defaultdict(list)
    day = date(2018, 3, 1)
    while day <= date(2018, 4, 30):
        for hour, minute in ((7, 30), (9, 5), (13, 0)):
            jobs.at(datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON))
            if day == date(2018, 4, 3) and hour == 9:
                said = admin_says(jobs, f"admin handover finance@northants.example {SAM}")
                assert "Finance" in said and "Both have been sent a direct message" in said
            if day == date(2018, 4, 10) and hour == 9:
                # Dated ahead: the CEO keeps the role, and its reminders, until Mon 16 April.
                said = admin_says(
                    jobs, f"admin handover ceo@northants.example {RAJ} --from 16/04/2018"
                )
                assert "keeps getting the reminders" in said
            mark = len(jobs.fake.calls)
            run_sweep(jobs.runtime, now=jobs.clock.now())
            run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
            sent_on[day] += dms(jobs, mark)
        day += timedelta(days=1)

    # None twice: one message per person per day, and no action twice in it.
    for when, messages in sent_on.items():
        per_person = Counter(channel for channel, _ in messages)
        assert max(per_person.values(), default=0) <= 1, f"two DMs to one person on {when}"
    # None to someone away.
    for person, (first, last) in away.items():
        for when, messages in sent_on.items():
            if first <= when <= last:
                assert all(c != person for c, _ in messages), f"{person} reminded on {when}"

    def days_of(person: str, ref: str) -> list[date]:
        return sorted(d for d, m in sent_on.items() if any(c == person and ref in b for c, b in m))

    # Finance's 2.4 (due Sat 31 Mar): 16 and 23 March fall in Finance's leave, so Raj gets
    # them; 29 March Finance again; from the handover on 3 April, Sam.
    assert days_of(raj, "NCC:2.4") == [date(2018, 3, 16), date(2018, 3, 23)]
    assert days_of(finance, "NCC:2.4") == [date(2018, 3, 29)]
    assert days_of(sam, "NCC:2.4") == [
        date(2018, 4, 6),
        date(2018, 4, 13),
        date(2018, 4, 20),
        date(2018, 4, 27),
    ]
    # The handover itself: a DM to both, on 3 April.
    handover_dms = {c for c, b in sent_on[date(2018, 4, 3)] if "over" in b}
    assert handover_dms == {finance, sam}

    # The CEO's 1.1 (due 31 Mar) was due a reminder on 29 Mar and 6 Apr, while away with no
    # deputy: both wait, and arrive once, together, on Mon 9 Apr (Easter Monday 2 Apr is off).
    reminded = days_of(ceo, "NCC:1.1")
    assert date(2018, 3, 16) in reminded  # before the leave, as usual
    assert [d for d in reminded if d >= date(2018, 3, 26)][0] == date(2018, 4, 9)
    back = next(b for c, b in sent_on[date(2018, 4, 9)] if c == ceo)
    assert "While you were away" in back and "held while you were away" in back
    assert back.count("NCC:1.1") == 1, back
    assert "NCC:1.1" not in json.dumps(sent_on[date(2018, 4, 10)])

    # The CEO's role, handed over on 10 April to Raj from Mon 16 April: the CEO's reminders
    # run to Fri 13 April, Raj's start on the 16th (the sweep reads the dated terms; nothing
    # was written on the day). Escalations to the CEO as escalation contact are not reminders.
    def reminded(person: str, ref: str) -> list[date]:
        return sorted(
            d
            for d, m in sent_on.items()
            if any(c == person and ref in b and "escalation contact" not in b for c, b in m)
        )

    assert {c for c, b in sent_on[date(2018, 4, 10)] if "over" in b} == {ceo, raj}
    assert [d for d in reminded(ceo, "NCC:1.1") if d >= date(2018, 4, 9)] == [
        date(2018, 4, 9),
        date(2018, 4, 13),
    ]
    assert reminded(raj, "NCC:1.1") == [date(2018, 4, 20), date(2018, 4, 27)]
    # History: each handover is one event, and the holders before and after are answerable.
    with jobs.runtime.sessions() as session:
        fields = [e.field for e in session.scalars(select(Event).where(Event.action_id.is_(None)))]
    assert fields.count("handover") == 2
    assert "deputies:Finance" in fields
