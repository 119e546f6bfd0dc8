"""The people commands typed in Teams: leave, assignment, roles, handover, the owners and
plans lists, and the Map… form, with real activity JSON and JWT validation on. A person
@mentioned in Teams arrives as a mention entity (`mentioned.id` = their 29: chat id); the
door passes `<@29:…>` and the email the roster gives, and the service resolves it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.clock import FixedClock
from store.models import Absence, Event, Person, Responsibility
from tests.fakes.bot_framework import TeamsUser
from tests.harness import seed_sample
from tests.teams_harness import APP_ID, CHANNEL, TEAM_CHANNEL, TeamsWorld, executes, teams_world

RAJ = "raj@northants.example"
FINANCE = "finance@northants.example"


@pytest.fixture
def world(db_url: str) -> Iterator[TeamsWorld]:
    clock = FixedClock(datetime(2018, 3, 16, 10, 0, tzinfo=UTC))  # Fri 16 Mar 2018
    with teams_world(db_url, clock=clock) as w:
        seed_sample(w.runtime, clock.now())
        yield w


def someone(w: TeamsWorld, name: str, email: str | None, n: int) -> TeamsUser:
    return w.fake.add_user(f"{n:08d}-0000-0000-0000-00000000{n:04d}", name=name, email=email)


def said(w: TeamsWorld, who: TeamsUser, text: str, *mentioned: TeamsUser) -> str:
    """A personal-chat message; each `<at>Name</at>` in `text` is one of `mentioned`."""
    body = w.activity(who, text=text, textFormat="plain")
    body["entities"] = [
        {
            "type": "mention",
            "text": f"<at>{m.name}</at>",
            "mentioned": {"id": m.chat_id, "name": m.name},
        }
        for m in mentioned
    ]
    mark = len(w.fake.cards(w.fake.personal_conversation(who)))
    response = w.post(body)
    assert response.status_code == 200, response.text
    return json.dumps(w.fake.cards(w.fake.personal_conversation(who))[mark:], ensure_ascii=False)


def count(w: TeamsWorld, table: Any) -> int:
    with w.runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_leave_in_teams_own_and_for_someone_with_its_refusals(world: TeamsWorld) -> None:
    fiona = someone(world, "Fiona Finance", FINANCE, 1)
    admin = someone(world, "Ada Admin", "admin@northants.example", 2)
    before = (count(world, Event), count(world, Absence))
    for text, why in (
        ("away 2018-03-01 2018-03-10", "in the past"),
        ("away 2018-03-20 2019-06-01", "at most a year"),
        ("admin away <at>Ada Admin</at> until 30/03/2018", "Only actionbot admins"),
    ):
        answer = said(world, fiona, text, admin)
        assert why in answer, (text, answer)
    assert (count(world, Event), count(world, Absence)) == before, "a refusal left a trace"

    assert "You are away" in said(world, fiona, "away 2018-04-03 2018-04-13 Easter")
    assert "cancelled" in said(world, fiona, "back")  # not started yet: called off
    assert "You are away" in said(world, fiona, "away until 23 Mar annual leave")
    assert "Welcome back" in said(world, fiona, "back")
    # An admin records leave for Fiona by @mentioning her, and takes it back.
    assert "is away" in said(
        world, admin, "admin away <at>Fiona Finance</at> until 20/03/2018", fiona
    )
    assert "gets reminders again" in said(world, admin, "admin back <at>Fiona Finance</at>", fiona)
    unknown = said(world, admin, "admin away @nobody until 30/03/2018")
    assert "don't know anyone called nobody" in unknown
    with world.runtime.sessions() as session:
        sources = set(session.scalars(select(Event.source).where(Event.field.like("away:%"))))
        people = session.scalar(
            select(func.count()).select_from(Person).where(Person.email == FINANCE)
        )
    assert sources == {"teams"}
    assert people == 1  # the mention found Fiona's person, it did not make a second one


def test_roles_assignment_and_handover_by_mention_resolve_to_known_people(
    world: TeamsWorld,
) -> None:
    admin = someone(world, "Ada Admin", "admin@northants.example", 2)
    fiona = someone(world, "Fiona Finance", FINANCE, 1)
    raj = someone(world, "Raj Patel", RAJ, 3)
    sam = someone(world, "Sam Smith", "sam@northants.example", 4)
    # They are all in the leadership team, where the digest is posted: its roster, which a
    # personal chat's is not, tells actionbot who a mention is.
    world.fake.join(CHANNEL, admin, fiona, raj, sam)
    # Raj is known by email only (as an owners file would name him), never wrote to the bot.
    assert "deputies are now" in said(world, admin, f'admin deputy "Procurement" {RAJ}')
    people = count(world, Person)

    refused = said(world, fiona, 'admin owner "Finance" <at>Raj Patel</at>', raj)
    assert "Only actionbot admins" in refused
    answer = said(world, admin, 'admin deputy "Finance" <at>Raj Patel</at>', raj)
    assert "deputies are now" in answer and RAJ in answer
    assert count(world, Person) == people, "the mention made a second Raj"
    with world.runtime.sessions() as session:
        person = session.scalars(select(Person).where(Person.email == RAJ)).one()
        assert person.teams_chat_id == raj.chat_id  # linked by the mention

    assert "is assigned to" in said(world, fiona, "2.4 assign <at>Raj Patel</at>", raj)
    handed = said(
        world,
        admin,
        "admin handover <at>Fiona Finance</at> <at>Sam Smith</at> --from 2018-03-21",
        fiona,
        sam,
    )
    assert "Handed over from" in handed and "keeps getting the reminders" in handed
    assert "in the past" in said(
        world,
        admin,
        "admin handover <at>Fiona Finance</at> <at>Sam Smith</at> --from 1/1/2018",
        fiona,
        sam,
    )
    # Before the 21st Fiona still holds Finance: she may update 2.7; Sam may not yet.
    assert "belongs to" in said(world, sam, "2.7 progress too early")
    assert "belongs to" not in said(world, fiona, "2.7 progress draft sent")
    with world.runtime.sessions() as session:
        fields = set(
            session.scalars(
                select(Event.field).where(Event.source == "teams", Event.action_id.is_(None))
            )
        )
        sam_terms = session.scalars(
            select(Responsibility).join(Person).where(Person.email == "sam@northants.example")
        ).all()
    assert {"deputies:Finance", "deputies:Procurement", "handover"} <= fields
    assert sam_terms and all(str(t.since) == "2018-03-21" for t in sam_terms)


def test_owners_list_map_form_and_plans_in_teams(world: TeamsWorld) -> None:
    admin = someone(world, "Ada Admin", "admin@northants.example", 2)
    fiona = someone(world, "Fiona Finance", FINANCE, 1)
    raj = someone(world, "Raj Patel", RAJ, 3)
    world.fake.join(CHANNEL, admin, fiona, raj)  # the picked people are in the digest's team
    assert "Only actionbot admins" in said(world, fiona, "admin owners")
    assert "Only actionbot admins" in said(world, fiona, "admin plans")
    plans = said(world, admin, "admin plans")
    assert "NCC:" in plans and "open" in plans
    assert "NCC: NCC" not in plans  # a plan named by its code only is not named twice

    conversation = world.fake.personal_conversation(admin)
    mark = len(world.fake.cards(conversation))
    said(world, admin, "admin owners")
    cards = world.fake.cards(conversation)[mark:]
    maps = [b for c in cards for b in executes(c) if b["verb"] == "map_owner"]
    owner = "Finance with Northants Finance Officers"
    button = next(b for b in maps if b["data"]["owner"] == owner)
    # Regression: each row told Teams users to type Slack's `/action admin owner …`.
    shown = json.dumps(cards, ensure_ascii=False)
    assert "/action" not in shown and f'**admin owner \\"{owner}\\" @person**' in shown
    assert button["title"] == "Map…"

    # A non-admin's click is refused at once, by the service: no picker card, only the answer.
    clicked = world.click(fiona, button["data"])
    assert "Only actionbot admins" in json.dumps(clicked) and not executes(clicked)
    assert clicked["type"] == "application/vnd.microsoft.activity.message"

    form = world.click(admin, button["data"])["value"]
    pickers = [e for e in form["body"] if e.get("type") == "Input.ChoiceSet"]
    assert [p["id"] for p in pickers] == ["holders", "deputies"]
    assert all(
        p["choices.data"] == {"type": "Data.Query", "dataset": "graph.microsoft.com/users"}
        and p["isMultiSelect"]
        for p in pickers
    )
    save = next(b for b in executes(form) if b["verb"] == "save_owner")
    empty = world.click(admin, {**save["data"], "holders": ""})["value"]
    assert "Choose at least one holder" in json.dumps(empty)
    # A non-admin who got hold of the form is refused by the service, not the door.
    refused = world.click(fiona, {**save["data"], "holders": raj.aad_id})["value"]
    assert "Only actionbot admins" in json.dumps(refused)
    done = world.click(
        admin, {**save["data"], "holders": f"{raj.aad_id},{fiona.aad_id}", "deputies": ""}
    )["value"]
    assert f"{owner} is now held by" in json.dumps(done, ensure_ascii=False)
    with world.runtime.sessions() as session:
        event = session.scalars(select(Event).where(Event.field == f"holders:{owner}")).one()
        assert event.source == "teams" and event.old_value == "nobody"
        assert RAJ in (event.new_value or "") and FINANCE in (event.new_value or "")
        assert (
            session.scalar(select(func.count()).select_from(Person).where(Person.email == RAJ)) == 1
        )
    mark = len(world.fake.cards(conversation))
    said(world, admin, "admin owners")
    assert owner not in json.dumps(world.fake.cards(conversation)[mark:])


def test_a_mention_of_the_bot_in_a_channel_with_another_person(world: TeamsWorld) -> None:
    admin = someone(world, "Ada Admin", "admin@northants.example", 2)
    raj = someone(world, "Raj Patel", RAJ, 3)
    world.fake.join(TEAM_CHANNEL, raj)
    body = world.activity(
        admin,
        text='<at>actionbot</at> admin owner "Procurement" <at>Raj Patel</at>',
        channel=True,
    )
    body["entities"] = [
        {
            "type": "mention",
            "text": "<at>actionbot</at>",
            "mentioned": {"id": f"28:{APP_ID}", "name": "actionbot"},
        },
        {"type": "mention", "text": "<at>Raj Patel</at>", "mentioned": {"id": raj.chat_id}},
    ]
    assert world.post(body).status_code == 200
    assert "Procurement is now held by" in json.dumps(world.fake.cards())
    assert RAJ in json.dumps(world.fake.cards())  # found by the roster's email
