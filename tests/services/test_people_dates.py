"""Dated people changes through the console door: a handover `--from` a day ahead changes
nothing before that day (who may update, who is shown, who is listed), and leave ahead can
be cancelled or re-dated. Today is Fri 16 Mar 2018 (tests.handlers.test_console.NOW)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import FixedClock
from bot.handlers.console import ConsoleDoor
from bot.services.people.owners import list_owners, owner_detail
from bot.services.people.roster import responsible_on
from store.models import Absence, Action, Event, Owner
from tests.handlers.test_console import seeded

FINANCE = "finance@northants.example"
SAM = "sam@northants.example"
RAJ = "raj@northants.example"


def at(console: ConsoleDoor, moment: datetime) -> None:
    assert isinstance(console.clock, FixedClock)
    console.clock.set(moment)


def refs(console: ConsoleDoor, who: str) -> list[str]:
    mine = console.say(console.user(who), "mine")
    return [c.ref for c in mine.reply.cards]


def test_a_handover_dated_ahead_changes_nothing_before_its_day(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    admin = console.user("admin")
    before = refs(console, FINANCE)
    assert "2.7" in before
    handed = console.say(admin, f"admin handover {FINANCE} {SAM} --from 2018-03-21")
    assert handed.reply.ok, handed.reply.text
    assert "keeps getting the reminders" in handed.reply.text

    # Before Wed 21 March: Finance still holds it, may update it, sees it; Sam does not.
    assert refs(console, FINANCE) == before
    assert refs(console, SAM) == []
    assert console.say(console.user(FINANCE), "2.7 progress draft sent").reply.ok
    refused = console.say(console.user(SAM), "2.7 progress too early")
    assert not refused.reply.ok and "belongs to" in refused.reply.text
    assert console.user("Finance").email == FINANCE
    with sessions() as session:
        owner = session.scalars(select(Owner).where(Owner.name == "Finance")).one()
        assert owner.person is not None and owner.person.email == FINANCE  # not switched early
        listed = {r.name: r.email for r in list_owners(session, today=date(2018, 3, 16))}
        assert listed["Finance"] == FINANCE
        assert {r.name: r.email for r in list_owners(session, today=date(2018, 3, 21))}[
            "Finance"
        ] == SAM
        detail = owner_detail(session, name="Finance", today=date(2018, 3, 16))
        assert detail is not None and detail.holders == [FINANCE]
        action = session.scalars(select(Action).where(Action.ref == "2.7")).one()
        # Who held it on a past, present and future day.
        for day, who in (
            (date(2018, 3, 1), FINANCE),
            (date(2018, 3, 20), FINANCE),
            (date(2018, 3, 21), SAM),
            (date(2018, 6, 1), SAM),
        ):
            assert [p.email for _, p in responsible_on(session, action, day)] == [who], day

    # From the day on, with nothing written in between: Sam holds it, Finance does not.
    at(console, datetime(2018, 3, 21, 10, tzinfo=UTC))
    assert "2.7" in refs(console, SAM)
    assert "2.7" not in refs(console, FINANCE)
    assert console.say(console.user(SAM), "2.7 progress picked it up").reply.ok
    refused = console.say(console.user(FINANCE), "2.7 progress still mine?")
    assert not refused.reply.ok and "belongs to" in refused.reply.text
    assert console.user("Finance").email == SAM


def test_setting_holders_today_withdraws_a_handover_planned_ahead(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    admin = console.user("admin")
    assert console.say(admin, f"admin handover {FINANCE} {SAM} --from 2018-03-21").reply.ok
    said = console.say(admin, f'admin owner "Finance" {FINANCE} {RAJ}')
    assert said.reply.ok and f"was {FINANCE}" in said.reply.text, said.reply.text
    with sessions() as session:
        action = session.scalars(select(Action).where(Action.ref == "2.7")).one()
        later = sorted(p.email or "" for _, p in responsible_on(session, action, date(2018, 4, 2)))
        assert later == [FINANCE, RAJ]  # Sam's planned term is gone
        event = session.scalars(
            select(Event).where(Event.field == "holders:Finance").order_by(Event.id.desc())
        ).first()
        assert event is not None and "withdraws the planned change" in (event.note or "")
        assert SAM in (event.note or "")


def test_leave_ahead_is_cancelled_or_redated_and_each_change_is_an_event(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    finance = console.user(FINANCE)
    assert console.say(finance, "away 2018-04-03 2018-04-13 Easter").reply.ok
    # The same first day again changes the last day: shortened, one absence, one event.
    shorter = console.say(finance, "away 2018-04-03 2018-04-06")
    assert shorter.reply.ok, shorter.reply.text
    with sessions() as session:
        spans = [(a.first_day, a.last_day, a.note) for a in session.scalars(select(Absence))]
    assert spans == [(date(2018, 4, 3), date(2018, 4, 6), "Easter")]

    # Not away today: `back` calls off the one absence ahead.
    back = console.say(finance, "back")
    assert back.reply.ok and "cancelled" in back.reply.text, back.reply.text
    assert not console.say(finance, "back").reply.ok  # nothing left to cancel

    # Two ahead: `back` asks which; `away cancel DATE` names one by any of its days.
    assert console.say(finance, "away 2018-04-03 2018-04-06").reply.ok
    assert console.say(finance, "away 2018-05-08 2018-05-11").reply.ok
    which = console.say(finance, "back")
    assert not which.reply.ok and "more than one absence" in which.reply.text
    assert "`away cancel 2018-04-03`" in which.reply.text  # how to say which
    assert console.say(finance, "away cancel 9 May 2018").reply.ok
    nothing = console.say(finance, "away cancel 2018-06-01")
    assert not nothing.reply.ok and "No leave" in nothing.reply.text
    bad = console.say(finance, "away cancel someday")
    assert not bad.reply.ok and "can't read" in bad.reply.text

    # An admin cancels for someone; a non-admin may not.
    admin = console.user("admin")
    refused = console.say(console.user("Procurement"), f"admin away {FINANCE} cancel 2018-04-03")
    assert not refused.reply.ok and "Only actionbot admins" in refused.reply.text
    done = console.say(admin, f"admin away {FINANCE} cancel 2018-04-03")
    assert done.reply.ok and f"{FINANCE}'s leave" in done.reply.text, done.reply.text

    # Under way: cancelling it ends it yesterday, the days away stay recorded.
    assert console.say(finance, "away 2018-03-12 2018-03-23 sick").reply.ok
    ended = console.say(finance, "away cancel 2018-03-12")
    assert ended.reply.ok and "ends yesterday" in ended.reply.text
    with sessions() as session:
        left = [(a.first_day, a.last_day) for a in session.scalars(select(Absence))]
        events = [
            (e.old_value, e.new_value, e.note, e.source)
            for e in session.scalars(
                select(Event).where(Event.field.like("away:%")).order_by(Event.id)
            )
        ]
    assert left == [(date(2018, 3, 12), date(2018, 3, 15))]
    assert events == [
        (None, "2018-04-03 to 2018-04-13", "Easter", "console"),
        ("2018-04-03 to 2018-04-13", "2018-04-03 to 2018-04-06", "changed", "console"),
        ("2018-04-03 to 2018-04-06", None, "cancelled", "console"),
        (None, "2018-04-03 to 2018-04-06", None, "console"),
        (None, "2018-05-08 to 2018-05-11", None, "console"),
        ("2018-05-08 to 2018-05-11", None, "cancelled", "console"),
        ("2018-04-03 to 2018-04-06", None, "cancelled", "console"),
        (None, "2018-03-12 to 2018-03-23", "sick", "console"),
        ("2018-03-12 to 2018-03-23", "2018-03-12 to 2018-03-15", "cancelled", "console"),
    ]


def test_the_console_lists_unmapped_owners_with_the_command_to_type(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    admin = console.user("admin")
    owners = console.say(admin, "admin owners")
    assert owners.reply.ok and owners.reply.rows
    row = next(r for r in owners.reply.rows if r.button.value.startswith("Finance with"))
    assert row.button.kind == "map_owner" and row.button.label == "Map…"
    hint = console.click(admin, row.button)
    assert hint == f'Type: admin owner "{row.button.value}" @person [@person…]'
    mapped = console.say(admin, f'admin owner "{row.button.value}" {RAJ}')
    assert mapped.reply.ok, mapped.reply.text
    again = console.say(admin, "admin owners")
    assert row.button.value not in [r.button.value for r in again.reply.rows]
