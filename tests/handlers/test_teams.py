"""Teams: real activity JSON with signed JWTs in (validation on), the fake Bot Connector
records what goes out."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from bot.core.clock import FixedClock
from store.models import Action, Event, InboundEvent, Person
from tests.fakes.bot_framework import TeamsUser
from tests.harness import seed_sample
from tests.teams_harness import APP_ID, TEAM_CHANNEL, TeamsWorld, executes, teams_world

FINANCE_AAD = "aaaaaaaa-0000-0000-0000-00000000f1a0"


@pytest.fixture
def world(db_url: str) -> Iterator[TeamsWorld]:
    clock = FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
    with teams_world(db_url, clock=clock) as w:
        seed_sample(w.runtime, clock.now())
        yield w


def user(w: TeamsWorld, name: str, email: str | None, aad: str | None = None) -> TeamsUser:
    aad = aad or f"{abs(hash(name)) % 10**8:08d}-0000-0000-0000-000000000000"
    return w.fake.add_user(aad, name=name, email=email)


def finance(w: TeamsWorld) -> TeamsUser:
    return user(w, "Fiona Finance", "finance@northants.example", FINANCE_AAD)


def action(w: TeamsWorld, ref: str) -> Action:
    from store.queries import actions_by_ref

    with w.runtime.sessions() as session:
        (found,) = actions_by_ref(session, ref=ref, plan_code="NCC")
        _ = found.owner_names, found.plan.code
        return found


def event_count(w: TeamsWorld) -> int:
    with w.runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def texts(cards: list[dict[str, Any]]) -> str:
    return json.dumps(cards, ensure_ascii=False)


def test_mine_in_a_personal_chat_answers_with_cards_and_links_by_roster_email(
    world: TeamsWorld,
) -> None:
    fiona = finance(world)
    response = world.say(fiona, "mine")
    assert response.status_code == 200, response.text
    conversation = world.fake.personal_conversation(fiona)
    cards = world.fake.cards(conversation)
    assert cards and all(c["version"] == "1.5" for c in cards)
    assert "open actions of yours" in texts(cards) and "NCC:2.4" in texts(cards)
    first = executes(cards[0])
    assert [b["title"] for b in first[:5]] == [
        "Done",
        "On track",
        "At risk",
        "New date…",
        "Add update…",
    ]
    assert all(b["data"]["action"] == b["verb"] for b in first)
    # The roster was asked once for the email; the person is now linked by AAD object id
    # and the conversation reference for later reminders is stored.
    roster = [r for r in world.fake.requests if "/members/" in r.path]
    assert len(roster) == 1 and roster[0].headers["authorization"].startswith("Bearer ey")
    with world.runtime.sessions() as session:
        person = session.scalar(select(Person).where(Person.email == "finance@northants.example"))
        assert person is not None
        assert person.teams_user_id == FINANCE_AAD
        assert person.teams_chat_id == fiona.chat_id
        assert person.teams_conversation_id == conversation
        assert person.teams_service_url == world.fake.base_url
        assert person.last_platform == "teams"
    world.say(fiona, "mine")
    assert len([r for r in world.fake.requests if "/members/" in r.path]) == 1


def test_the_time_zone_comes_from_the_teams_client(world: TeamsWorld) -> None:
    fiona = finance(world)
    client = {"type": "clientInfo", "locale": "en-GB", "timezone": "Europe/Dublin"}
    world.say(fiona, "mine", entities=[client])
    with world.runtime.sessions() as session:
        person = session.scalar(select(Person).where(Person.teams_user_id == FINANCE_AAD))
        assert person is not None and person.tz == "Europe/Dublin"


def test_done_by_an_owner_is_recorded_with_who_and_via_what(world: TeamsWorld) -> None:
    fiona = finance(world)
    world.say(fiona, "2.4 done signed off by S151")
    assert "is now done" in texts(world.fake.cards())
    assert action(world, "2.4").status == "done"
    with world.runtime.sessions() as session:
        status = session.scalars(
            select(Event).where(Event.field == "status").order_by(Event.id.desc())
        ).first()
        assert status is not None
        assert (status.old_value, status.new_value, status.source) == (
            "not_started",
            "done",
            "teams",
        )
        assert status.actor.startswith(f"teams:{FINANCE_AAD}")
        assert status.note == "signed off by S151"


def test_a_non_owner_is_refused_and_nothing_changes(world: TeamsWorld) -> None:
    fiona = finance(world)
    world.say(fiona, "mine")  # links her
    before = event_count(world)
    world.say(fiona, "4.5 done")
    assert "belongs to Procurement" in texts(world.fake.cards())
    assert action(world, "4.5").status == "not_started"
    assert event_count(world) == before


def test_in_a_channel_only_mentions_count_and_the_mention_is_stripped(world: TeamsWorld) -> None:
    fiona = finance(world)
    world.say(fiona, "mine")
    sent = len(world.fake.activities())
    # Not addressed to the bot: ignored, nothing sent.
    world.post(world.activity(fiona, text="2.4 done", channel=True))
    assert len(world.fake.activities()) == sent
    assert action(world, "2.4").status == "not_started"
    world.mention(fiona, "2.4 done")
    assert action(world, "2.4").status == "done"
    reply = world.fake.activities()[-1]
    assert reply.path.startswith("/v3/conversations/19:general@thread.tacv2")


def test_help_and_admin_by_email(world: TeamsWorld) -> None:
    admin = user(world, "Ada Admin", "admin@northants.example")
    world.say(admin, "help")
    text = texts(world.fake.cards())
    assert "admin nudge" in text  # admins (named by email) see the admin forms
    # Regression: the help spoke Slack (`/action mine`, "How to use /action").
    assert "/action" not in text and "How to use actionbot" in text
    assert "**mine**: your open actions" in text
    assert "@mention actionbot first" in text
    world.say(admin, "4.5 on track")  # and may change any action
    assert action(world, "4.5").rag == "green"


def test_a_retried_activity_runs_once(world: TeamsWorld) -> None:
    fiona = finance(world)
    body = world.activity(fiona, text="2.4 note met the auditors")
    assert world.post(body).status_code == 200
    assert world.post(body).status_code == 200
    with world.runtime.sessions() as session:
        notes = session.scalars(select(Event).where(Event.field == "note")).all()
        assert [n.note for n in notes] == ["met the auditors"]
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 1


def test_quick_buttons_refresh_the_card_in_place(world: TeamsWorld) -> None:
    fiona = finance(world)
    world.say(fiona, "mine")
    card = world.fake.cards()[0]
    done = next(b for b in executes(card) if b["verb"] == "done")
    posted = len(world.fake.requests)
    answer = world.click(fiona, done["data"])
    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    refreshed = answer["value"]
    assert "is now done" in texts([refreshed])
    # Regression: the redrawn card lost its heading.
    assert refreshed["body"][0]["text"] == card["body"][0]["text"]
    assert "open actions of yours" in refreshed["body"][0]["text"]
    with world.runtime.sessions() as session:
        clicked = session.get(Action, int(done["data"]["action_id"]))
        assert clicked is not None and clicked.status == "done"
    # Every action of the card is drawn again; the one now done has no buttons.
    ids = done["data"]["ids"].split(",")
    assert len([b for b in executes(refreshed) if b["verb"] == "done"]) == len(ids) - 1
    assert len(world.fake.requests) == posted  # answered in the invoke response only


def test_new_date_form_enforces_the_shared_rules(world: TeamsWorld) -> None:
    fiona = finance(world)
    world.say(fiona, "2.4")
    card = world.fake.cards()[-1]
    new_date = next(b for b in executes(card) if b["verb"] == "new_date")
    form = world.click(fiona, new_date["data"])["value"]
    date_input = next(e for e in form["body"] if e["type"] == "Input.Date")
    assert date_input["isRequired"] is True and date_input["min"] == "2018-01-15"
    save = next(b for b in executes(form) if b["verb"] == "save_new_date")
    before = event_count(world)
    # In the past, and no reason: the form comes back saying both, nothing changes.
    again = world.click(fiona, {**save["data"], "new_due": "2017-12-01", "reason": " "})["value"]
    assert "not in the past" in texts([again]) and "Say why" in texts([again])
    assert event_count(world) == before
    # Regression: what was typed was cleared when the server refused the form.
    kept = world.click(fiona, {**save["data"], "new_due": "2017-12-01", "reason": "audit late"})
    inputs = {e["id"]: e for e in kept["value"]["body"] if e["type"].startswith("Input.")}
    assert (inputs["reason"]["value"], inputs["new_due"]["value"]) == ("audit late", "2017-12-01")
    done = world.click(fiona, {**save["data"], "new_due": "2018-06-30", "reason": "audit late"})
    assert "moved" in texts([done["value"]])
    revised = action(world, "2.4")
    assert revised.due_date is not None and revised.due_date.isoformat() == "2018-06-30"
    assert revised.slip_count == 1


def test_add_update_form_records_the_note_and_rag(world: TeamsWorld) -> None:
    fiona = finance(world)
    world.say(fiona, "2.4")
    card = world.fake.cards()[-1]
    add = next(b for b in executes(card) if b["verb"] == "add_update")
    form = world.click(fiona, add["data"])["value"]
    save = next(b for b in executes(form) if b["verb"] == "save_update")
    empty = world.click(fiona, {**save["data"], "note": "", "rag": "amber"})["value"]
    assert "Write the update" in texts([empty])
    world.click(fiona, {**save["data"], "note": "supplier late", "rag": "amber"})
    updated = action(world, "2.4")
    assert updated.rag == "amber" and updated.latest_update == "supplier late"


def test_install_stores_the_conversation_reference(world: TeamsWorld) -> None:
    fiona = finance(world)
    assert world.install(fiona).status_code == 200
    with world.runtime.sessions() as session:
        person = session.scalar(select(Person).where(Person.teams_user_id == FINANCE_AAD))
        assert person is not None
        assert person.teams_conversation_id == world.fake.personal_conversation(fiona)
        assert person.teams_tenant_id is not None


def test_plan_text_cannot_inject_links_into_cards(world: TeamsWorld) -> None:
    fiona = finance(world)
    with world.runtime.sessions.begin() as session:
        a = session.scalars(select(Action).where(Action.ref == "2.4")).one()
        a.title = "[Click here](https://evil.example) **urgent** {{DATE(2017-02-14T06:00:00Z)}}"
    world.say(fiona, "2.4")
    text = texts(world.fake.cards())
    assert "[Click here](https" not in text
    assert "\\\\[Click here\\\\]" in text and "{{DATE" not in text


BAD_TOKENS = ("missing", "foreign key", "wrong audience", "wrong issuer", "expired", "serviceurl")


def bad_token(world: TeamsWorld, case: str) -> str | None:
    if case == "missing":
        return None
    if case == "foreign key":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return world.fake.sign(app_id=APP_ID, key=other)
    if case == "wrong audience":
        return world.fake.sign(app_id="someone-else")
    if case == "wrong issuer":
        return world.fake.sign(app_id=APP_ID, iss="https://evil.example")
    if case == "expired":
        return world.fake.sign(app_id=APP_ID, exp=int(time.time()) - 600)
    return world.fake.sign(app_id=APP_ID, serviceurl="https://smba.trafficmanager.net/emea/")


def test_bad_tokens_get_401_and_change_nothing(world: TeamsWorld) -> None:
    fiona = finance(world)
    for case in BAD_TOKENS:  # one world for all six: each must leave it exactly as it was
        before = (event_count(world), len(world.fake.requests))
        response = world.post(world.activity(fiona, text="2.4 done"), token=bad_token(world, case))
        assert response.status_code == 401, (case, response.text)
        assert action(world, "2.4").status == "not_started", case
        assert (event_count(world), len(world.fake.requests)) == before, case
        with world.runtime.sessions() as session:
            linked = session.scalar(select(Person).where(Person.teams_user_id == FINANCE_AAD))
            assert linked is None, case
    # The same activity with a good token is answered: the 401s were about the tokens.
    assert world.post(world.activity(fiona, text="2.4 done")).status_code == 200
    assert action(world, "2.4").status == "done"


def test_an_admin_maps_an_owner_by_mentioning_them(world: TeamsWorld) -> None:
    admin = user(world, "Ada Admin", "admin@northants.example")
    jane = user(world, "Jane Doe", None, "bbbbbbbb-0000-0000-0000-00000000a1a1")
    world.fake.join(TEAM_CHANNEL, jane)
    body = world.activity(
        admin, text='<at>actionbot</at> admin owner "Finance" <at>Jane Doe</at>', channel=True
    )
    body["entities"] = [
        {
            "type": "mention",
            "text": "<at>actionbot</at>",
            "mentioned": {"id": f"28:{APP_ID}", "name": "actionbot"},
        },
        {"type": "mention", "text": "<at>Jane Doe</at>", "mentioned": {"id": jane.chat_id}},
    ]
    assert world.post(body).status_code == 200
    assert "Finance is now" in texts(world.fake.cards())
    # Jane (no email anywhere) now owns Finance's actions when she writes to the bot.
    world.say(jane, "2.4 done")
    assert action(world, "2.4").status == "done"
    with world.runtime.sessions() as session:
        person = session.scalar(select(Person).where(Person.teams_user_id == jane.aad_id))
        assert person is not None and person.teams_chat_id == jane.chat_id


def test_conversation_update_adding_the_bot_refreshes_the_reference(world: TeamsWorld) -> None:
    fiona = finance(world)
    world.say(fiona, "mine")
    # Teams moved this chat to another Connector; still on loopback so nothing leaves the machine.
    moved = f"{world.fake.base_url}/emea/"
    body = world.activity(
        fiona,
        kind="conversationUpdate",
        conversation="a:1new-personal-chat",
        membersAdded=[{"id": f"28:{APP_ID}"}],
    )
    body["serviceUrl"] = moved
    token = world.fake.sign(app_id=APP_ID, serviceurl=moved)
    assert world.post(body, token=token).status_code == 200
    with world.runtime.sessions() as session:
        person = session.scalar(select(Person).where(Person.teams_user_id == FINANCE_AAD))
        assert person is not None
        assert (person.teams_conversation_id, person.teams_service_url) == (
            "a:1new-personal-chat",
            moved,
        )


def test_a_verb_no_card_draws_is_answered_not_dropped(world: TeamsWorld) -> None:
    # Each verb has its own registration; a button from an older card still gets an answer.
    fiona = finance(world)
    world.say(fiona, "mine")
    done = next(b for b in executes(world.fake.cards()[0]) if b["verb"] == "done")
    answer = world.click(fiona, {**done["data"], "action": "archive_everything"})
    assert answer["statusCode"] == 200
    assert "I don't know that button." in texts([answer["value"]])


def test_a_card_action_that_fails_is_answered_by_the_one_error_path(world: TeamsWorld) -> None:
    fiona = finance(world)
    world.say(fiona, "mine")
    done = next(b for b in executes(world.fake.cards()[0]) if b["verb"] == "done")
    with world.runtime.engine.begin() as connection:  # the register loses a table it needs
        connection.exec_driver_sql("DROP TABLE event")
    answer = world.click(fiona, done["data"])
    assert answer["statusCode"] == 200
    assert answer["value"] == "Sorry, something went wrong on my side and nothing was changed."
