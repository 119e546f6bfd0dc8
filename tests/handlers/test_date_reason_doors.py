"""The date/reason split holds in every door: Slack's `/action`, a Teams message, the console,
and the Teams **New date…** form. Regression: `date 30/06/2018 the budget figures are late`
kept the date text `30/06/2018 the` and the reason `budget figures are late`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import FixedClock
from store.models import Action, Event
from tests.handlers.test_console import seeded
from tests.harness import SlackWorld, seed_sample, slack_world
from tests.teams_harness import TeamsWorld, executes, teams_world

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
TYPED = "2.7 date 30/06/2018 the budget figures are late"
AMBIGUOUS = "2.7 date June 2018 30 people waiting"
FINANCE_AAD = "aaaaaaaa-0000-0000-0000-00000000f1a0"


def kept(sessions: sessionmaker[Session]) -> tuple[str | None, date | None, list[str | None]]:
    """2.7's revised date text, its due date and the reasons recorded for moving it."""
    with sessions() as session:
        action = session.scalars(select(Action).where(Action.ref == "2.7")).one()
        reasons = session.scalars(
            select(Event.note)
            .where(Event.action_id == action.id, Event.field == "revised_target_date")
            .order_by(Event.id)
        ).all()
        return action.revised_text, action.due_date, list(reasons)


def event_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


@pytest.fixture
def slack(db_url: str) -> Iterator[SlackWorld]:
    with slack_world(db_url, clock=FixedClock(NOW)) as world:
        seed_sample(world.runtime, NOW)
        world.fake.add_user("UFIN", email="finance@northants.example")
        yield world


@pytest.fixture
def teams(db_url: str) -> Iterator[TeamsWorld]:
    with teams_world(db_url, clock=FixedClock(NOW)) as world:
        seed_sample(world.runtime, NOW)
        yield world


def test_slack_keeps_the_date_and_the_whole_reason(slack: SlackWorld) -> None:
    assert slack.command(TYPED, user="UFIN").status_code == 200
    assert kept(slack.runtime.sessions) == (
        "30/06/2018",
        date(2018, 6, 30),
        ["the budget figures are late"],
    )


def test_slack_asks_about_an_ambiguous_split_and_records_nothing(slack: SlackWorld) -> None:
    before = event_count(slack.runtime.sessions)
    answer = slack.command(AMBIGUOUS, user="UFIN").json()
    text = json.dumps(answer, ensure_ascii=False)
    assert "2 ways" in text and "/action 2.7 date 30 June 2018: people waiting" in text
    assert event_count(slack.runtime.sessions) == before
    assert kept(slack.runtime.sessions)[0] is None


def test_teams_keeps_the_date_and_the_whole_reason(teams: TeamsWorld) -> None:
    fiona = teams.fake.add_user(FINANCE_AAD, name="Fiona", email="finance@northants.example")
    assert teams.say(fiona, TYPED).status_code in (200, 201)
    assert kept(teams.runtime.sessions) == (
        "30/06/2018",
        date(2018, 6, 30),
        ["the budget figures are late"],
    )
    before = event_count(teams.runtime.sessions)
    teams.say(fiona, AMBIGUOUS)
    assert "2 ways" in json.dumps(teams.fake.cards()[-1], ensure_ascii=False)
    assert event_count(teams.runtime.sessions) == before


def test_a_reason_typed_into_the_teams_date_field_is_refused_not_swallowed(
    teams: TeamsWorld,
) -> None:
    """A card shown where Input.Date is not supported falls back to a text box."""
    fiona = teams.fake.add_user(FINANCE_AAD, name="Fiona", email="finance@northants.example")
    teams.say(fiona, "2.7")
    new_date = next(b for b in executes(teams.fake.cards()[-1]) if b["verb"] == "new_date")
    form = teams.click(fiona, new_date["data"])["value"]
    save = next(b for b in executes(form) if b["verb"] == "save_new_date")
    before = event_count(teams.runtime.sessions)
    typed = {**save["data"], "new_due": "30/06/2018 the budget figures are late", "reason": ""}
    again = json.dumps(teams.click(fiona, typed)["value"], ensure_ascii=False)
    assert "Only the date goes here" in again and "the budget figures are late" in again
    assert event_count(teams.runtime.sessions) == before
    # The same date written as people write it, with the reason in its field, is accepted.
    teams.click(fiona, {**save["data"], "new_due": "30/06/2018", "reason": "budget late"})
    assert kept(teams.runtime.sessions) == ("30/06/2018", date(2018, 6, 30), ["budget late"])


def test_the_console_keeps_the_date_and_the_whole_reason(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)  # today: Fri 16 Mar 2018
    finance = console.user("Finance")
    outcome = console.say(finance, TYPED)
    assert outcome.reply.ok, outcome.reply.text
    assert kept(sessions) == ("30/06/2018", date(2018, 6, 30), ["the budget figures are late"])
    asked = console.say(finance, AMBIGUOUS)
    assert not asked.reply.ok and "2 ways" in asked.reply.text
