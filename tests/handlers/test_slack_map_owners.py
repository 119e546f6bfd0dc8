"""`/action admin owners` in Slack: a Map… button beside every owner nobody can be reached
for, paged within Block Kit's 50 blocks however many there are; the button opens a modal
(views.open with the click's trigger_id, checked by the strict fake) whose submission runs
the same `admin owner` command as the text form."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.core.clock import FixedClock
from store.models import Action, ActionOwner, Event, Owner, Person
from tests.fakes.block_kit import MAX_MESSAGE_BLOCKS
from tests.harness import SlackWorld, seed_sample, slack_world

RAJ = "raj@northants.example"
MANY = 100


@pytest.fixture
def world(db_url: str) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 3, 16, 9, 30, tzinfo=ZoneInfo("Europe/London")))
    with slack_world(db_url, clock=clock, inline=False) as w:
        seed_sample(w.runtime, clock.now())
        w.fake.add_user("UADMIN", email="admin@northants.example")
        w.fake.add_user("UFIN", email="finance@northants.example")
        w.fake.add_user("URAJ", email=RAJ)
        now = clock.now()
        with w.runtime.sessions.begin() as session:
            action = session.scalars(select(Action).where(Action.ref == "2.4")).one()
            for n in range(MANY):
                role = Owner(name=f"Role {n:03d} <team & co>", created_at=now)
                session.add(role)
                session.flush()
                session.add(ActionOwner(action_id=action.id, owner_id=role.id, position=10 + n))
        yield w


def map_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        b["accessory"] for b in blocks if b.get("accessory", {}).get("action_id") == "row_map_owner"
    ]


def next_page(blocks: list[dict[str, Any]]) -> str | None:
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == "page_next":
                return str(element["value"])
    return None


def test_a_hundred_unmapped_owners_page_within_block_kit_limits(world: SlackWorld) -> None:
    refused = world.command("admin owners", user="UFIN").json()
    assert "Only actionbot admins" in json.dumps(refused)

    first = world.command("admin owners", user="UADMIN").json()  # check_ack: Slack's limits
    blocks = first["blocks"]
    assert len(blocks) <= MAX_MESSAGE_BLOCKS
    names = [b["value"] for b in map_buttons(blocks)]
    page = next_page(blocks)
    pages = 1
    while page is not None:
        world.click("page_next", page, user="UADMIN", key=f"p{pages}")
        shown = world.fake.wait_for(f"response_url:p{pages}")[-1].params["blocks"]
        assert len(shown) <= MAX_MESSAGE_BLOCKS
        names += [b["value"] for b in map_buttons(shown)]
        page = next_page(shown)
        pages += 1
    assert pages >= 3
    made = {f"Role {n:03d} <team & co>" for n in range(MANY)}
    assert made <= set(names) and len(names) == len(set(names))
    # Owner names are escaped in the text beside the button, raw in its value.
    assert "Role 000 &lt;team &amp; co&gt;" in json.dumps(blocks)


def test_map_opens_a_modal_and_saving_it_maps_the_owner(world: SlackWorld) -> None:
    # Raj is known by email only (as the owners file names people), never used Slack here.
    assert world.command(f'admin deputy "Procurement" {RAJ}', user="UADMIN").status_code == 200
    with world.runtime.sessions() as session:
        people = session.scalar(select(func.count()).select_from(Person))
    role = "Role 007 <team & co>"

    # A non-admin's click is refused at once, by the service: no modal to fill in for nothing.
    world.click("row_map_owner", role, user="UFIN", key="fin")
    answer = world.fake.wait_for("response_url:fin")[-1].params
    assert "Only actionbot admins" in json.dumps(answer)
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert world.fake.calls_to("views.open") == []

    trigger = world.fake.issue_trigger()
    world.click("row_map_owner", role, user="UADMIN", trigger_id=trigger)
    opened = world.fake.wait_for("views.open")[-1]
    assert opened.params["trigger_id"] == trigger and opened.response["ok"]
    view = opened.params["view"]
    assert view["callback_id"] == "map_owner" and view["private_metadata"] == role
    kinds = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert kinds == {"holders": "multi_users_select", "deputies": "multi_users_select"}
    # The same click again (same trigger_id) is a repeat: it opens nothing more.
    world.click("row_map_owner", role, user="UADMIN", trigger_id=trigger, key="again")

    def picked(holders: list[str], deputies: list[str]) -> dict[str, Any]:
        return {
            "holders": {"value": {"type": "multi_users_select", "selected_users": holders}},
            "deputies": {"value": {"type": "multi_users_select", "selected_users": deputies}},
        }

    empty = world.submit("map_owner", picked([], []), user="UADMIN", metadata=role).json()
    assert empty["response_action"] == "errors" and "holders" in empty["errors"]
    refused = world.submit("map_owner", picked(["URAJ"], []), user="UFIN", metadata=role).json()
    assert "Only actionbot admins" in refused["errors"]["holders"]

    saved = world.submit("map_owner", picked(["URAJ"], ["UFIN"]), user="UADMIN", metadata=role)
    assert saved.status_code == 200 and not saved.content.strip(b"{} ")
    assert len(world.fake.calls_to("views.open")) == 1
    told = world.fake.wait_for("chat.postMessage")[-1]
    assert told.params["channel"] == "UADMIN" and "is now held by" in json.dumps(told.params)
    with world.runtime.sessions() as session:
        events = session.scalars(
            select(Event).where(Event.field.in_([f"holders:{role}", f"deputies:{role}"]))
        ).all()
        raj = session.scalars(select(Person).where(Person.email == RAJ)).one()
        count = session.scalar(select(func.count()).select_from(Person))
    assert [(e.field.split(":")[0], e.source, e.old_value) for e in events] == [
        ("holders", "slack", "nobody"),
        ("deputies", "slack", "nobody"),
    ]
    assert RAJ in (events[0].new_value or "") and "finance@" in (events[1].new_value or "")
    assert raj.slack_user_id == "URAJ"  # the pick found Raj by his email
    assert count == people  # no second Raj, nor anyone else
    with world.runtime.sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(Person).where(Person.email == RAJ)) == 1
        )
    listed = world.command("admin owners", user="UADMIN").json()
    assert "Role 007" not in json.dumps(listed)
