"""Picking or @mentioning somebody in Teams finds the person the register already has.

In a real tenant a bot learns who somebody is only where Teams answers: a 1:1 chat knows its
one user (any other member look-up is 404, as the strict fake answers), a team's channels know
the team, and Microsoft Graph knows everyone once an admin has granted it. Raj is in the
owners file by email (he holds Procurement) and has never written to actionbot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.clock import FixedClock
from store.models import Event, Person
from tests.fakes.bot_framework import TeamsUser
from tests.harness import seed_sample
from tests.teams_harness import APP_ID, TeamsWorld, executes, teams_world

RAJ = "procurement@northants.example"
ROLE = "Finance with Northants Finance Officers"  # nobody holds it: 4.4 is unreachable


@pytest.fixture
def world(db_url: str) -> Iterator[TeamsWorld]:
    clock = FixedClock(datetime(2018, 3, 16, 10, 0, tzinfo=UTC))
    with teams_world(db_url, clock=clock) as w:
        seed_sample(w.runtime, clock.now())
        yield w


@pytest.fixture
def graph_world(db_url: str) -> Iterator[TeamsWorld]:
    clock = FixedClock(datetime(2018, 3, 16, 10, 0, tzinfo=UTC))
    with teams_world(db_url, clock=clock, TEAMS_GRAPH="1") as w:
        w.fake.graph_granted = True
        seed_sample(w.runtime, clock.now())
        yield w


def people(w: TeamsWorld) -> int:
    with w.runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


def raj_and_admin(w: TeamsWorld) -> tuple[TeamsUser, TeamsUser]:
    """Raj, and an admin (named by email in ACTIONBOT_ADMINS) who has said hello once."""
    raj = w.fake.add_user("aaaaaaaa-0000-0000-0000-00000000aa01", name="Raj Patel", email=RAJ)
    admin = w.fake.add_user(
        "aaaaaaaa-0000-0000-0000-00000000ad01", name="Ada Admin", email="admin@northants.example"
    )
    w.say(admin, "help")
    return raj, admin


def pick_holder(w: TeamsWorld, admin: TeamsUser, picked: TeamsUser) -> str:
    """The admin opens Map… for ROLE in their personal chat and saves `picked`."""
    w.say(admin, "admin owners")
    button = next(
        b
        for c in w.fake.cards(w.fake.personal_conversation(admin))
        for b in executes(c)
        if b["verb"] == "map_owner" and b["data"]["owner"] == ROLE
    )
    form = w.click(admin, button["data"])["value"]
    save = next(b for b in executes(form) if b["verb"] == "save_owner")
    # The people picker submits Entra object ids, comma-separated.
    done = w.click(admin, {**save["data"], "holders": picked.aad_id, "deputies": ""})
    return shown(done["value"])


def mine(w: TeamsWorld, who: TeamsUser) -> str:
    conversation = w.fake.personal_conversation(who)
    mark = len(w.fake.cards(conversation))
    assert w.say(who, "mine").status_code == 200
    return shown(w.fake.cards(conversation)[mark:])


def shown(cards: Any) -> str:
    """Cards as JSON text, as a person reads them (the word joiners that keep `<…>` from
    being taken for a tag do not show)."""
    return json.dumps(cards, ensure_ascii=False).replace("\u2060", "")


def foreign_lookups(w: TeamsWorld) -> list[str]:
    """Member look-ups of somebody else in a 1:1 chat (Teams answers 404: the bot asked
    where Teams does not answer)."""
    return [
        r.path
        for r in w.fake.requests
        if r.path.startswith("/v3/conversations/a:") and "/members/" in r.path and r.status == 404
    ]


def test_raj_picked_in_a_personal_chat_is_found_by_graph_not_duplicated(
    graph_world: TeamsWorld,
) -> None:
    w = graph_world
    raj, admin = raj_and_admin(w)
    before = people(w)
    answer = pick_holder(w, admin, raj)
    assert f"{ROLE} is now held by Raj Patel <{RAJ}>" in answer
    assert people(w) == before, "the pick made a second Raj"
    graph = [r for r in w.fake.graph_requests if r.status == 200]
    assert [r.path for r in graph] == [f"/v1.0/users/{raj.aad_id}"]
    assert foreign_lookups(w) == []  # nobody else was asked for in a 1:1 chat
    # Raj writes for the first time: the same Entra id, his reference fills in, and he sees
    # both roles' actions (Procurement's 4.5 and the role he was just given, 4.4).
    answer = mine(w, raj)
    assert "NCC:4.4" in answer and "NCC:4.5" in answer
    with w.runtime.sessions() as session:
        person = session.scalars(select(Person).where(Person.email == RAJ)).one()
        assert person.teams_user_id == raj.aad_id
        assert person.teams_conversation_id == w.fake.personal_conversation(raj)
        assert person.display_name == "Raj Patel"
    assert people(w) == before


def test_raj_picked_without_graph_is_merged_into_his_person_when_he_first_writes(
    world: TeamsWorld,
) -> None:
    w = world
    raj, admin = raj_and_admin(w)
    before = people(w)
    answer = pick_holder(w, admin, raj)
    assert f"{ROLE} is now held by" in answer
    assert "Teams could not tell me who" in answer and "TEAMS\\\\_GRAPH" in answer
    assert foreign_lookups(w) == []
    answer = mine(w, raj)
    assert "NCC:4.4" in answer and "NCC:4.5" in answer, "Raj sees only part of his actions"
    assert people(w) == before, "Raj is still two people"
    with w.runtime.sessions() as session:
        person = session.scalars(select(Person).where(Person.email == RAJ)).one()
        assert (person.teams_user_id, person.display_name) == (raj.aad_id, "Raj Patel")
        merged = session.scalars(select(Event).where(Event.field == "person merged")).one()
        assert RAJ in (merged.new_value or "") and raj.aad_id in (merged.old_value or "")
    # The role is no longer listed as one nobody can be reached for.
    w.say(admin, "admin owners")
    assert ROLE not in json.dumps(w.fake.cards()[-1], ensure_ascii=False)


def test_a_name_split_over_two_mentions_is_one_person(world: TeamsWorld) -> None:
    w = world
    raj, _ = raj_and_admin(w)
    fiona = w.fake.add_user(
        "aaaaaaaa-0000-0000-0000-00000000f101",
        name="Fiona Finance",
        email="finance@northants.example",
    )
    text, entities = w.mentions("<at>actionbot</at> 2.4 assign {}", raj, split=True)
    assert text.endswith("<at>Raj</at> <at>Patel</at>")
    body = w.activity(fiona, text=text, channel=True)
    w.fake.join(body["conversation"]["id"], raj)
    body["entities"] = [
        {"type": "mention", "text": "<at>actionbot</at>", "mentioned": {"id": f"28:{APP_ID}"}},
        *entities,
    ]
    before = people(w)
    assert w.post(body).status_code == 200
    answer = shown(w.fake.cards()[-1])
    assert f"NCC:2.4 is assigned to Raj Patel <{RAJ}>" in answer, answer
    assert people(w) == before


def test_a_mention_in_a_personal_chat_nobody_can_look_up_keeps_the_name(
    world: TeamsWorld,
) -> None:
    w = world
    raj, admin = raj_and_admin(w)
    text, entities = w.mentions('admin deputy "Procurement" {}', raj)
    body = w.activity(admin, text=text, textFormat="plain")
    body["entities"] = entities
    assert w.post(body).status_code == 200
    answer = shown(w.fake.cards()[-1])
    assert "deputies are now Raj Patel (was nobody)" in answer
    assert foreign_lookups(w) == []
    mine(w, raj)  # his first message: the mention's person and the owners file's are one
    with w.runtime.sessions() as session:
        ids = session.scalars(select(Person.id).where(Person.display_name == "Raj Patel")).all()
        assert len(ids) == 1
        person = session.get(Person, ids[0])
        assert person is not None and person.email == RAJ
        assert person.teams_chat_id == raj.chat_id


def test_naming_the_same_people_again_does_not_say_was_them(world: TeamsWorld) -> None:
    """Regression: "Procurement's deputies are now X (was X)" when nothing had changed."""
    w = world
    _, admin = raj_and_admin(w)
    conversation = w.fake.personal_conversation(admin)
    for _ in range(2):
        w.say(admin, f'admin deputy "Procurement" {RAJ}')
    first, again = (shown(c) for c in w.fake.cards(conversation)[-2:])
    assert "deputies are now" in first and "(was nobody)" in first
    assert f"Procurement's deputies are still {RAJ};" in again and "(was" not in again, again
