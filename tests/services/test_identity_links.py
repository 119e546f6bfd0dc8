"""Linking by email never moves a person's platform identity (bot/services/people/identity.py).

Regression: whatever the door, a new Slack or Teams id whose email matched a person
overwrote the id that person had, so their reminders went to whoever held the new id.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.admin_summary import queue_summary
from bot.services.conversation import Outcome, Who, converse
from bot.services.people.identity import Caller, identify
from bot.services.people.owners import import_owners
from store.models import AdminNotice, Delivery, Person

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
EMAIL = "finance@northants.example"
ADMINS = frozenset({"ceo@northants.example"})


def person(sessions: sessionmaker[Session], **ids: str) -> int:
    with sessions.begin() as session:
        found = Person(email=EMAIL, created_at=NOW, updated_at=NOW, **ids)
        session.add(found)
        session.flush()
        return found.id


def ids_of(sessions: sessionmaker[Session], person_id: int) -> tuple[str | None, ...]:
    with sessions() as session:
        found = session.get(Person, person_id)
        assert found is not None
        return found.slack_user_id, found.teams_user_id, found.teams_chat_id


def notices(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        return [(n.key, n.text) for n in session.scalars(select(AdminNotice))]


def ask(sessions: sessionmaker[Session], platform: str, user_id: str, **kw: str) -> Caller:
    with sessions.begin() as session:
        return identify(
            session,
            platform=platform,
            user_id=user_id,
            email=kw.pop("email", EMAIL),
            admins=ADMINS,
            now=NOW,
            **kw,
        )


def test_a_second_slack_id_with_a_persons_email_is_refused_and_admins_are_told(
    sessions: sessionmaker[Session],
) -> None:
    finance = person(sessions, slack_user_id="UFIN")
    caller = ask(sessions, "slack", "UEVIL")
    assert caller.person_id is None and caller.email is None
    assert "could not link your Slack account" in str(caller.unlinked)
    assert ids_of(sessions, finance) == ("UFIN", None, None)
    [(key, text)] = notices(sessions)
    assert key == "link:slack:UEVIL"
    assert "`UEVIL`" in text and "`UFIN`" in text and EMAIL in text and "owners file" in text


def test_an_admins_email_on_a_second_account_does_not_make_it_an_admin(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        session.add(
            Person(
                email="ceo@northants.example", slack_user_id="UCEO", created_at=NOW, updated_at=NOW
            )
        )
    caller = ask(sessions, "slack", "UEVIL", email="CEO@northants.example")
    assert caller.is_admin is False


def test_filling_an_id_the_person_lacks_and_the_same_id_again_are_fine(
    sessions: sessionmaker[Session],
) -> None:
    finance = person(sessions)
    for _ in range(2):
        caller = ask(sessions, "slack", "UFIN")
        assert caller.person_id == finance and caller.unlinked is None
    assert ids_of(sessions, finance) == ("UFIN", None, None)
    assert notices(sessions) == []


@pytest.mark.parametrize(
    ("stored", "arrives", "linked"),
    [
        # Another Entra object id with the same email: another user.
        ({"teams_user_id": "aad-1"}, ("aad-2", "29:2"), False),
        # The same object id, however cased: the same user.
        ({"teams_user_id": "AAD-1"}, ("aad-1", "29:1"), True),
        # An owners file named the chat id; the same user's object id arrives with it.
        ({"teams_user_id": "29:1"}, ("aad-1", "29:1"), True),
        # Known by a mention's chat id: that chat id again is them, another is not.
        ({"teams_chat_id": "29:1"}, ("aad-1", "29:1"), True),
        ({"teams_chat_id": "29:1"}, ("aad-2", "29:2"), False),
    ],
)
def test_teams_links_the_same_user_and_refuses_another(
    sessions: sessionmaker[Session],
    stored: dict[str, str],
    arrives: tuple[str, str],
    linked: bool,
) -> None:
    finance = person(sessions, **stored)
    before = ids_of(sessions, finance)
    aad, chat = arrives
    caller = ask(sessions, "teams", aad, alias=chat)
    assert (caller.person_id == finance) is linked
    if linked:
        assert (ids_of(sessions, finance)[1] or "").lower() == aad
        assert notices(sessions) == []
    else:
        assert ids_of(sessions, finance) == before
        assert [k for k, _ in notices(sessions)] == [f"link:teams:{aad}"]


def mine_as_uevil(sessions: sessionmaker[Session]) -> Outcome:
    return converse(
        sessions,
        Who("slack", "UEVIL", EMAIL),
        text="mine",
        admins=ADMINS,
        default_tz="Europe/London",
        now=NOW,
    )


def test_a_refused_command_keeps_the_notice_and_changes_nothing_else(
    sessions: sessionmaker[Session],
) -> None:
    finance = person(sessions, slack_user_id="UFIN")
    outcome = mine_as_uevil(sessions)
    assert not outcome.reply.ok and "admins have been told" in outcome.reply.text
    assert outcome.command is None
    assert ids_of(sessions, finance) == ("UFIN", None, None)
    assert len(notices(sessions)) == 1
    # Told again: no second notice.
    mine_as_uevil(sessions)
    assert len(notices(sessions)) == 1


def test_the_conflict_reaches_the_admins_daily_summary(sessions: sessionmaker[Session]) -> None:
    person(sessions, slack_user_id="UFIN")
    ask(sessions, "slack", "UEVIL")
    with sessions.begin() as session:
        assert queue_summary(session, admins=["UADMIN"], today=date(2018, 1, 15), now=NOW)
    with sessions() as session:
        [summary] = session.scalars(select(Delivery)).all()
        assert "UEVIL" in str(summary.payload) and EMAIL in str(summary.payload)


def test_the_owners_file_may_replace_an_id_explicitly(sessions: sessionmaker[Session]) -> None:
    finance = person(sessions, slack_user_id="UFIN")
    with sessions.begin() as session:
        import_owners(
            session, rows=[{"owner": "Finance", "email": EMAIL, "slack_id": "UNEW"}], now=NOW
        )
    assert ids_of(sessions, finance)[0] == "UNEW"
    caller = ask(sessions, "slack", "UNEW")
    assert caller.person_id == finance and caller.unlinked is None
