"""Closure from every door: a plan with a verifier (Internal Audit) and a date approver (CEO)
goes through done-with-evidence → reject → done again → accept, and date request → decline
→ request → approve, from Slack and from Teams (the console: tests/services/test_closure.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FixedClock
from store.models import Action, Event, Review
from tests.harness import SlackWorld, seed_sample, slack_world
from tests.services.test_closure import closure_plan
from tests.teams_harness import TeamsWorld, teams_world

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
LINK = "https://intranet.example/minutes.pdf"


def state(sessions: sessionmaker[Session], ref: str) -> tuple[str, date | None, list[str]]:
    with sessions() as session:
        action = session.scalars(select(Action).where(Action.ref == ref)).one()
        reviews = session.scalars(
            select(Review.state).where(Review.action_id == action.id).order_by(Review.id)
        ).all()
        return action.status, action.due_date, list(reviews)


def steps(sessions: sessionmaker[Session], source: str) -> list[tuple[str, str | None]]:
    with sessions() as session:
        return [
            (e.field, e.new_value)
            for e in session.scalars(
                select(Event)
                .where(
                    Event.source == source,
                    Event.field.in_(("verification", "extension", "evidence")),
                )
                .order_by(Event.id)
            )
        ]


@pytest.fixture
def slack(db_url: str) -> Iterator[SlackWorld]:
    with slack_world(db_url, clock=FixedClock(NOW)) as world:
        seed_sample(world.runtime, NOW)
        closure_plan(world.runtime.sessions, verify="Internal Audit", approve="CEO")
        world.fake.add_user("UFIN", email="finance@northants.example")
        world.fake.add_user("UAUDIT", email="internal.audit@northants.example")
        world.fake.add_user("UCEO", email="ceo@northants.example")
        yield world


@pytest.fixture
def teams(db_url: str) -> Iterator[TeamsWorld]:
    with teams_world(db_url, clock=FixedClock(NOW)) as world:
        seed_sample(world.runtime, NOW)
        closure_plan(world.runtime.sessions, verify="Internal Audit", approve="CEO")
        yield world


def said(response: object) -> str:
    return json.dumps(response, ensure_ascii=False)


def test_slack_closure_end_to_end_by_text(slack: SlackWorld) -> None:
    sessions = slack.runtime.sessions
    done = slack.command(f"2.4 done evidence {LINK}", user="UFIN").json()
    assert "awaits verification by Internal Audit" in said(done)
    own = slack.command("2.4 accept", user="UFIN").json()
    assert "is yours" in said(own)
    assert "back to its owners" in said(
        slack.command("2.4 reject no signed minutes", user="UAUDIT").json()
    )
    slack.command("2.4 done", user="UFIN")
    assert "verified and done" in said(slack.command("2.4 accept", user="UAUDIT").json())
    assert state(sessions, "2.4")[0::2] == ("done", ["rejected", "accepted"])

    slack.command("2.7 date 30/06/2018 awaiting audit", user="UFIN")
    slack.command("2.7 decline the committee set this date", user="UCEO")
    slack.command("2.7 date 31/05/2018 audit booked", user="UFIN")
    assert "Approved" in said(slack.command("2.7 approve", user="UCEO").json())
    assert state(sessions, "2.7")[1:] == (date(2018, 5, 31), ["declined", "approved"])
    assert steps(sessions, "slack") == [
        ("verification", "requested"),
        ("evidence", LINK),
        ("verification", "rejected"),
        ("verification", "requested"),
        ("verification", "accepted"),
        ("extension", "2018-06-30"),
        ("extension", "declined"),
        ("extension", "2018-05-31"),
        ("extension", "approved"),
    ]


def test_teams_closure_end_to_end_by_text(teams: TeamsWorld) -> None:
    sessions = teams.runtime.sessions
    fiona = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-00000000f1a0", name="Fiona", email="finance@northants.example"
    )
    audit = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-0000000a0d17", name="Ian", email="internal.audit@northants.example"
    )
    ceo = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-000000000ce0", name="Chris", email="ceo@northants.example"
    )
    teams.say(fiona, f"2.4 done evidence {LINK}")
    assert "awaits verification" in said(teams.fake.cards()[-1])
    teams.say(audit, "2.4 reject")
    assert "Say why" in said(teams.fake.cards()[-1])
    teams.say(audit, "2.4 reject no signed minutes")
    teams.say(fiona, "2.4 done")
    teams.say(audit, "2.4 accept")
    assert state(sessions, "2.4")[0::2] == ("done", ["rejected", "accepted"])

    teams.say(fiona, "2.7 date 30/06/2018 awaiting audit")
    teams.say(ceo, "2.7 decline the committee set this date")
    teams.say(fiona, "2.7 date 31/05/2018 audit booked")
    teams.say(ceo, "2.7 approve")
    assert state(sessions, "2.7")[1:] == (date(2018, 5, 31), ["declined", "approved"])
    assert [s for s, _ in steps(sessions, "teams")].count("verification") == 4
