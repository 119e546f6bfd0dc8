"""The admins' daily summary: each problem told once, again only when it changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.admin_summary import Problem, delivery_problem, note_problems, queue_summary
from bot.jobs.delivery import FailedDelivery
from bot.services.audit import Actor
from bot.services.people.roster import handover
from store.models import Delivery, Owner, Person

MONDAY = datetime(2018, 3, 19, 9, 30, tzinfo=UTC)


def problem(key: str, cause: str = "unmapped") -> Problem:
    return Problem(key=key, text=f"• {key}: {cause}", cause=cause)


def day(sessions: sessionmaker[Session], when: datetime, *problems: Problem) -> list[str]:
    """One day: note what is wrong now, queue the summary; the lines admins were sent."""
    with sessions.begin() as session:
        note_problems(session, problems, now=when, forget_others="owner:")
        queue_summary(session, admins=["slack:UADMIN"], today=when.date(), now=when)
    with sessions() as session:
        rows = session.scalars(
            select(Delivery).where(Delivery.key == f"slack:UADMIN:admin_summary:{when.date()}")
        ).all()
        return [line for row in rows for line in row.payload["replies"][0]["lines"][1:]]


def test_told_once_then_only_when_it_changes_or_comes_back(
    sessions: sessionmaker[Session],
) -> None:
    amy, zed = problem("owner:Amy"), problem("owner:Zed")
    assert day(sessions, MONDAY, amy, zed) == ["• owner:Amy: unmapped", "• owner:Zed: unmapped"]
    assert day(sessions, MONDAY + timedelta(days=1), amy, zed) == []  # known: not repeated
    # Amy was mapped (gone); a delivery problem changes cause: only that is told.
    bounced = problem("recipient:person:4", "users_not_found|a@x")
    assert day(sessions, MONDAY + timedelta(days=2), zed, bounced) == [
        "• recipient:person:4: users_not_found|a@x"
    ]
    moved = problem("recipient:person:4", "users_not_found|b@x")
    assert day(sessions, MONDAY + timedelta(days=3), zed, moved) == [
        "• recipient:person:4: users_not_found|b@x"
    ]
    # Amy is unmapped again: fixed problems were forgotten, so it is news again.
    assert day(sessions, MONDAY + timedelta(days=4), amy, zed) == ["• owner:Amy: unmapped"]


def test_one_summary_a_day_what_comes_later_waits_for_tomorrow(
    sessions: sessionmaker[Session],
) -> None:
    assert day(sessions, MONDAY, problem("owner:Amy")) == ["• owner:Amy: unmapped"]
    later = MONDAY + timedelta(hours=3)
    assert day(sessions, later, problem("owner:Amy"), problem("owner:Zed")) == [
        "• owner:Amy: unmapped"  # still only the morning's summary today
    ]
    tomorrow = MONDAY + timedelta(days=1)
    assert day(sessions, tomorrow, problem("owner:Amy"), problem("owner:Zed")) == [
        "• owner:Zed: unmapped"
    ]


def test_a_failed_delivery_names_the_roles_the_person_holds_that_day(
    sessions: sessionmaker[Session],
) -> None:
    """After a dated handover the summary names the new holder's roles, not the old one's
    (an owner mapped before roles had history keeps `person_id` pointing at the old holder)."""
    start = MONDAY.date() + timedelta(days=7)
    with sessions.begin() as session:
        old = Person(email="old@northants.example", created_at=MONDAY)
        new = Person(email="new@northants.example", created_at=MONDAY)
        session.add_all([old, new])
        session.flush()
        session.add(Owner(name="Head of Finance", person_id=old.id, created_at=MONDAY))
        session.flush()
        handover(
            session,
            old,
            new,
            start=start,
            today=MONDAY.date(),
            actor=Actor(name="slack:UADMIN", source="slack"),
            now=MONDAY,
        )
        ids = {"old": old.id, "new": new.id}

    def line(who: str, today: date) -> str:
        failure = FailedDelivery(
            "k", "nudge", f"person:{ids[who]}", "users.lookupByEmail: users_not_found"
        )
        with sessions() as session:
            return delivery_problem(session, failure, today=today).text

    assert line("old", MONDAY.date()).startswith("• *Head of Finance*, old@northants.example")
    assert line("new", MONDAY.date()).startswith("• person:")  # holds nothing yet
    assert line("new", start).startswith("• *Head of Finance*, new@northants.example")
    assert "Head of Finance" not in line("old", start)
    assert '`/action admin owner "Head of Finance" @person`' in line("new", start)


def test_a_teams_failure_is_told_in_teams_words_whole(sessions: sessionmaker[Session]) -> None:
    """Regression: a Teams delivery that failed with a network error was told as "Slack said
    `[Errno`" (Slack's words, the error cut to one word), a Teams channel with Slack's fix."""
    with sessions.begin() as session:
        person = Person(email="raj@northants.example", created_at=MONDAY, updated_at=MONDAY)
        session.add(person)
        session.flush()
        recipient = f"person:{person.id}"
    failures = [
        FailedDelivery(
            "k", "nudge", recipient, "ConnectionError: [Errno 111] Connection refused", "teams"
        ),
        FailedDelivery("d", "digest", "channel:19:x@thread.tacv2", "Teams post: HTTP 404", "teams"),
        FailedDelivery("r", "nudge", recipient, "Teams: they removed actionbot", "teams"),
    ]
    with sessions() as session:
        lines = [delivery_problem(session, f, today=MONDAY.date()).text for f in failures]
    assert not [line for line in lines if "Slack" in line or "/invite" in line], lines
    assert "Teams said `ConnectionError: [Errno 111] Connection refused`" in lines[0]
    assert "add actionbot to that team" in lines[1]
    assert "removed or blocked actionbot in Teams" in lines[2]
