"""Teams as a real tenant behaves, where the old fake was kinder: a channel's card seen by
everyone, Teams' patience with a request, an app removed, a token endpoint that blips, and
admins whom only ACTIONBOT_ADMINS names."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from bot.core.clock import FixedClock
from bot.core.config import ConfigError
from bot.jobs.runner import run_delivery, run_sweep
from bot.messengers.teams import TeamsMessenger, make_teams_messenger
from store.models import Delivery, Person
from tests.fakes.bot_framework import TeamsUser
from tests.harness import seed_sample
from tests.teams_harness import (
    APP_ID,
    CHANNEL,
    TEAM_CHANNEL,
    TEAMS_PATIENCE,
    TeamsWorld,
    executes,
    outbound_token,
    teams_world,
)

# Fri 16 Mar 2018, 10:00 in London: the sample's actions, due Sat 31 Mar, are 14 days off
# (moved to the working day before), so every owner has a reminder today.
FRIDAY = datetime(2018, 3, 16, 10, 0, tzinfo=UTC)
ADMIN = "admin@northants.example"


def aad(email: str) -> str:
    return f"00000000-0000-0000-0000-{hashlib.sha1(email.encode()).hexdigest()[:12]}"


@pytest.fixture
def world(db_url: str) -> Iterator[TeamsWorld]:
    with teams_world(db_url, clock=FixedClock(FRIDAY), jobs=True) as w:
        seed_sample(w.runtime, FRIDAY)
        yield w


def everyone_on_teams(w: TeamsWorld) -> dict[str, TeamsUser]:
    """Every owner in the owners file is a Teams user with actionbot installed, and the
    owners file carries their Entra object id (`teams_id`)."""
    users = {}
    with w.runtime.sessions.begin() as session:
        for person in session.scalars(select(Person).where(Person.email.is_not(None))):
            assert person.email is not None
            person.teams_user_id = aad(person.email)
            users[person.email] = w.fake.add_user(
                aad(person.email), name=person.email.split("@")[0], email=person.email
            )
    return users


def messenger(w: TeamsWorld) -> Iterator[TeamsMessenger]:
    made = make_teams_messenger(w.runtime.settings, token=outbound_token)
    try:
        yield made
    finally:
        made.connector.close()


def test_a_click_in_a_channel_updates_the_card_for_everyone(world: TeamsWorld) -> None:
    """Regression: the invoke's answer redrew the card only for the person who clicked."""
    fiona = world.fake.add_user(aad("f"), name="Fiona Finance", email="finance@northants.example")
    world.mention(fiona, "2.4")
    (posted,) = [r for r in world.fake.activities() if "thread.tacv2" in r.path]
    card_id = posted.answer["id"]
    on_track = next(b for b in executes(posted.body) if b["verb"] == "on_track")
    answer = world.click(fiona, on_track["data"], channel=True, replyToId=card_id)
    assert "NCC:2.4 is on track" in json.dumps(answer["value"])
    (update,) = [r for r in world.fake.requests if r.method == "PUT"]
    assert update.status == 200
    assert update.path == f"/v3/conversations/{TEAM_CHANNEL}/activities/{card_id}"
    assert update.body["attachments"][0]["content"] == answer["value"]
    # A form opened from the channel's card is the clicker's alone: nothing is updated.
    new_date = next(b for b in executes(answer["value"]) if b["verb"] == "new_date")
    world.click(fiona, new_date["data"], channel=True, replyToId=card_id)
    assert len([r for r in world.fake.requests if r.method == "PUT"]) == 1


def test_a_click_in_a_personal_chat_needs_no_update(world: TeamsWorld) -> None:
    fiona = world.fake.add_user(aad("f"), name="Fiona Finance", email="finance@northants.example")
    world.say(fiona, "2.4")
    (posted,) = world.fake.activities()
    done = next(b for b in executes(posted.body) if b["verb"] == "done")
    world.click(fiona, done["data"], replyToId=posted.answer["id"])
    assert not [r for r in world.fake.requests if r.method == "PUT"]


def test_admin_nudge_is_answered_at_once_and_reports_when_done(world: TeamsWorld) -> None:
    """Regression: the whole day's reminders were sent inside the request; Teams gives up
    after about 15 s, and a council's worth of connector calls takes longer."""
    everyone_on_teams(world)
    admin = world.fake.add_user(aad(ADMIN), name="Ada Admin", email=ADMIN)
    response = world.say(admin, "admin nudge")
    assert response.status_code == 200, response.text
    chat = world.fake.personal_conversation(admin)

    def reported(fake: Any) -> bool:
        return any("Reminders:" in json.dumps(c) for c in fake.cards(chat))

    world.fake.wait_for(reported)
    said = [json.dumps(c) for c in world.fake.cards(chat)]
    assert "Queued." in said[0] and "Reminders:" in said[-1]
    calls = len(world.fake.created()) + len(world.fake.activities())
    # Made inside the request, these calls would have kept Teams waiting past its limit.
    assert calls * world.fake.latency > TEAMS_PATIENCE, calls
    assert len(world.fake.created()) >= 15
    with world.runtime.sessions() as session:
        states = set(session.scalars(select(Delivery.state).where(Delivery.kind == "nudge")))
    assert states == {"sent"}


def test_admin_digest_is_answered_at_once_and_reports_when_done(world: TeamsWorld) -> None:
    """`admin digest` takes the same road as `admin nudge`: Teams is answered first, the
    digest is posted after the request, and the admin is told when it is done."""
    admin = world.fake.add_user(aad(ADMIN), name="Ada Admin", email=ADMIN)
    response = world.say(admin, "admin digest")
    assert response.status_code == 200, response.text
    chat = world.fake.personal_conversation(admin)

    def reported(fake: Any) -> bool:
        return len(fake.cards(chat)) >= 2

    world.fake.wait_for(reported)
    said = [json.dumps(c) for c in world.fake.cards(chat)]
    assert "Queued." in said[0] and "Queued." not in said[-1]
    posted = json.dumps(world.fake.cards(CHANNEL))
    assert "weekly digest" in posted


def test_a_click_slower_than_teams_allows_fails(world: TeamsWorld) -> None:
    """The fake's clock: a request that makes Teams wait longer than it does is a failure,
    whatever the bot answers in the end."""
    fiona = world.fake.add_user(aad("f"), name="Fiona Finance", email="finance@northants.example")
    world.fake.latency = TEAMS_PATIENCE  # one connector call now takes all of Teams' patience
    response = world.say(fiona, "2.4")  # a roster look-up, then the answer: two calls
    assert response.status_code == 504


def test_admins_named_by_email_get_the_summary_in_a_teams_only_deployment(
    world: TeamsWorld,
) -> None:
    """Regression: an admin named by email who is not in the owners file got "no messenger
    for platform 'slack'" in a deployment with Teams only."""
    users = everyone_on_teams(world)
    users["procurement@northants.example"].blocked = True  # a reminder Teams refuses
    admin = world.fake.add_user(aad(ADMIN), name="Ada Admin", email=ADMIN)
    world.say(admin, "help")  # once: actionbot learns how to reach them
    for teams in messenger(world):
        run_sweep(world.runtime, now=FRIDAY)
        stats = run_delivery(world.runtime, {"teams": teams})
    assert stats.failed == 1, stats.failures
    summary = json.dumps(world.fake.cards(world.fake.personal_conversation(admin)))
    assert "new problems for actionbot admins" in summary
    assert "procurement@northants.example" in summary and "Slack" not in summary
    with world.runtime.sessions() as session:
        told = session.scalars(select(Delivery).where(Delivery.kind == "admin_summary")).one()
        assert (told.state, told.platform) == ("sent", "teams")


def test_an_admin_who_never_wrote_is_found_by_graph(db_url: str) -> None:
    with teams_world(db_url, clock=FixedClock(FRIDAY), TEAMS_GRAPH="1") as w:
        seed_sample(w.runtime, FRIDAY)
        w.fake.graph_granted = True
        users = everyone_on_teams(w)
        users["procurement@northants.example"].blocked = True
        admin = w.fake.add_user(aad(ADMIN), name="Ada Admin", email=ADMIN)
        for teams in messenger(w):
            run_sweep(w.runtime, now=FRIDAY)
            run_delivery(w.runtime, {"teams": teams})
        assert [r.path for r in w.fake.graph_requests] == [f"/v1.0/users/{ADMIN}"]
        opened = [r for r in w.fake.created() if r.body["members"][0]["id"] == admin.aad_id]
        assert len(opened) == 1
        chat = opened[0].answer["id"]
        assert "for actionbot admins" in json.dumps(w.fake.cards(chat))


def test_a_person_who_removed_actionbot_gets_nothing_more_until_they_add_it(
    world: TeamsWorld,
) -> None:
    users = everyone_on_teams(world)
    fiona = users["finance@northants.example"]
    world.say(fiona, "mine")
    assert world.uninstall(fiona).status_code == 200
    chat = world.fake.personal_conversation(fiona)
    mark = len(world.fake.requests)
    for teams in messenger(world):
        run_sweep(world.runtime, now=FRIDAY)
        run_delivery(world.runtime, {"teams": teams})
    tried = [
        r for r in world.fake.requests[mark:] if r.path.startswith(f"/v3/conversations/{chat}/")
    ]
    assert not [r for r in tried if r.method == "POST"], "sent to somebody who removed the app"
    with world.runtime.sessions() as session:
        failed = session.scalars(
            select(Delivery).where(Delivery.state == "failed", Delivery.kind == "nudge")
        ).one()
        assert "removed actionbot" in (failed.last_error or "")
    # Added again: Teams says so, and the next day's reminder goes.
    fiona.installed = True
    world.install(fiona)
    with world.runtime.sessions() as session:
        person = session.scalars(select(Person).where(Person.teams_user_id == fiona.aad_id)).one()
        assert person.teams_removed_at is None


def test_a_403_when_sending_stops_further_sends_there(world: TeamsWorld) -> None:
    """Removed without Teams telling the bot (or the event was lost): the first 403 marks
    them, and the next day nothing is tried."""
    users = everyone_on_teams(world)
    fiona = users["finance@northants.example"]
    world.fake.uninstall(fiona)
    for teams in messenger(world):
        run_sweep(world.runtime, now=FRIDAY)
        run_delivery(world.runtime, {"teams": teams})
        refused = [r for r in world.fake.requests if r.status == 403]
        assert len(refused) == 1
        world.clock = later = FixedClock(FRIDAY + timedelta(days=7))
        world.runtime.clock = later
        run_sweep(world.runtime, now=later.now())
        run_delivery(world.runtime, {"teams": teams})
    assert len([r for r in world.fake.requests if r.status == 403]) == 1
    with world.runtime.sessions() as session:
        person = session.scalars(select(Person).where(Person.teams_user_id == fiona.aad_id)).one()
        assert person.teams_removed_at is not None


def test_a_token_endpoint_blip_is_retried_not_failed(world: TeamsWorld) -> None:
    """Regression: MSAL raises `requests` errors when the Entra token endpoint cannot be
    reached; they marked the day's reminders failed for good."""
    everyone_on_teams(world)
    blips = [requests.ConnectionError("Max retries exceeded: [Errno 111] Connection refused")]

    def token(scope: Any, tenant_id: str | None) -> str:
        if blips:
            raise blips.pop()
        return outbound_token(scope, tenant_id)

    teams = make_teams_messenger(world.runtime.settings, token=token)
    try:
        run_sweep(world.runtime, now=FRIDAY)
        first = run_delivery(world.runtime, {"teams": teams})
        assert first.rescheduled == 1
        assert not [f for f in first.failures if f.startswith("nudge")], first.failures
        world.runtime.clock = FixedClock(FRIDAY + timedelta(minutes=2))  # after the backoff
        second = run_delivery(world.runtime, {"teams": teams})
    finally:
        teams.connector.close()
    assert second.sent == 1 and not [f for f in second.failures if f.startswith("nudge")]
    with world.runtime.sessions() as session:
        states = set(session.scalars(select(Delivery.state).where(Delivery.kind == "nudge")))
    assert states == {"sent"}


def test_the_bot_id_is_on_every_proactive_message(world: TeamsWorld) -> None:
    users = everyone_on_teams(world)
    for teams in messenger(world):
        run_sweep(world.runtime, now=FRIDAY)
        run_delivery(world.runtime, {"teams": teams})
    sent = world.fake.activities()
    assert sent and {r.body["from"]["id"] for r in sent} == {f"28:{APP_ID}"}
    assert users


def test_without_a_tenant_reminders_go_to_the_local_playground_unsigned(db_url: str) -> None:
    """ACTIONBOT_TEAMS_INSECURE_DEV: the whole loop in Microsoft 365 Agents Playground, whose
    connector takes calls without a token (Teams' would answer 401)."""
    with teams_world(db_url, clock=FixedClock(FRIDAY)) as w:
        seed_sample(w.runtime, FRIDAY)
        everyone_on_teams(w)
        w.fake.playground = True
        dev = w.runtime.settings.model_copy(
            update={"teams_insecure_dev": True, "teams_client_id": None, "teams_tenant_id": None}
        )
        teams = make_teams_messenger(dev)  # no token callable, and no secret either
        try:
            run_sweep(w.runtime, now=FRIDAY)
            stats = run_delivery(w.runtime, {"teams": teams})
        finally:
            teams.connector.close()
        sent = w.fake.activities()
        assert stats.sent >= 19 and len(sent) >= 19
        assert not [r for r in w.fake.requests if "authorization" in r.headers]
        # Anywhere but this machine, unsigned messages are refused before they are made.
        elsewhere = dev.model_copy(
            update={"teams_service_url": "https://smba.trafficmanager.net/emea/"}
        )
        with pytest.raises(ConfigError, match="Playground"):
            make_teams_messenger(elsewhere)
        production = dev.model_copy(update={"env": "production"})
        with pytest.raises(ConfigError, match="production"):
            make_teams_messenger(production)
