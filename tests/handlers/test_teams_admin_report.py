"""`admin report CODE` in Teams: the committee pack offered with a file consent card, uploaded
to the admin's OneDrive when they accept (signed `fileConsent/invoke`, JWT validation on)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.core.clock import FixedClock
from bot.messengers.teams_files import upload
from store.models import HostedFile, IssuedPack
from tests.fakes.bot_framework import CONSENT_CARD, TeamsUser
from tests.harness import seed_sample
from tests.teams_harness import TeamsWorld, teams_world

ADMIN_AAD = "aaaaaaaa-0000-0000-0000-0000000ad000"
NOW = datetime(2018, 4, 16, 9, 30, tzinfo=UTC)
FILENAME = "NCC-committee-pack-2018-04-16-draft.xlsx"


@pytest.fixture
def world(db_url: str) -> Iterator[TeamsWorld]:
    with teams_world(db_url, clock=FixedClock(NOW)) as w:
        seed_sample(w.runtime, NOW)
        yield w


def admin(w: TeamsWorld) -> TeamsUser:
    return w.fake.add_user(ADMIN_AAD, name="Ada Admin", email="admin@northants.example")


def held(w: TeamsWorld) -> int:
    with w.runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(HostedFile)) or 0)


def issued(w: TeamsWorld) -> list[str]:
    with w.runtime.sessions() as session:
        return list(session.scalars(select(IssuedPack.meeting)))


def test_admin_accepts_and_the_xlsx_lands_in_their_onedrive(world: TeamsWorld) -> None:
    ada = admin(world)
    assert world.say(ada, "admin report ncc").status_code == 200
    [(conversation, card)] = world.consent_cards()
    assert conversation == f"a:1{ADMIN_AAD}"  # the personal chat it was asked in
    assert card["name"] == FILENAME
    assert card["content"]["acceptContext"]["plan"] == "NCC"
    size = card["content"]["sizeInBytes"]
    assert size > 1000 and held(world) == 1 and issued(world) == []  # a draft records nothing

    answer = world.answer_consent(ada, accept=True)
    assert answer.status_code == 200, answer.text
    data = world.fake.uploads[FILENAME]
    assert len(data) == size
    book = load_workbook(io.BytesIO(data))
    assert book["All actions"].max_row == 28  # heading, meaning, header, the 25 actions
    assert book["Summary"]["A2"].value == "Draft committee pack (not issued)"
    # Then the file card that opens it, pointing at the uploaded file.
    last = world.fake.activities(conversation)[-1].body
    [info] = last["attachments"]
    assert info["contentType"] == "application/vnd.microsoft.teams.card.file.info"
    assert info["name"] == FILENAME and info["contentUrl"].endswith(FILENAME)
    assert info["content"]["fileType"] == "xlsx" and info["content"]["uniqueId"]
    assert held(world) == 0  # sent: no longer kept
    # Clicking Allow again on the old card: nothing is left to send, and it says so.
    world.answer_consent(ada, accept=True)
    assert "no longer waiting" in json.dumps(world.fake.activities(conversation)[-1].body)


def test_declining_gets_a_polite_reply_and_forgets_the_file(world: TeamsWorld) -> None:
    ada = admin(world)
    world.say(ada, "admin report NCC")
    assert held(world) == 1
    assert world.answer_consent(ada, accept=False).status_code == 200
    said = json.dumps(world.fake.cards())
    assert "No problem: the NCC committee pack was not saved" in said
    assert world.fake.uploads == {} and held(world) == 0


def test_asked_in_a_channel_the_offer_goes_to_the_personal_chat(world: TeamsWorld) -> None:
    ada = admin(world)
    world.mention(ada, "admin report NCC")
    [(conversation, card)] = world.consent_cards()
    # Their 1:1 chat with the bot: Teams allows files only there.
    assert conversation == world.fake.personal_conversation(ada)
    assert "waiting in our personal chat" in json.dumps(world.fake.cards())
    world.answer_consent(ada, accept=True)
    assert len(world.fake.uploads[card["name"]]) == card["content"]["sizeInBytes"]


def test_non_admins_and_unknown_plans_get_no_file(world: TeamsWorld) -> None:
    fiona = world.fake.add_user(
        "bbbbbbbb-0000-0000-0000-00000000f1a0", name="Fiona", email="finance@northants.example"
    )
    world.say(fiona, "admin report NCC")
    world.say(admin(world), "admin report NOPE")
    said = json.dumps(world.fake.cards())
    assert "Only actionbot admins" in said and "No plan 'NOPE'" in said
    assert world.consent_cards() == [] and held(world) == 0 and issued(world) == []


def test_admin_issues_the_pack_for_a_meeting(world: TeamsWorld) -> None:
    ada = admin(world)
    world.say(ada, "admin report NCC issue Audit Committee 23 April 2018")
    [(_, card)] = world.consent_cards()
    assert card["name"] == "NCC-committee-pack-2018-04-16.xlsx"
    assert issued(world) == ["Audit Committee 23 April 2018"]
    world.answer_consent(ada, accept=True)
    book = load_workbook(io.BytesIO(world.fake.uploads[card["name"]]))
    assert book["Summary"]["A2"].value == "Committee pack for Audit Committee 23 April 2018"


def test_only_the_admin_it_was_made_for_can_accept_it(world: TeamsWorld) -> None:
    world.say(admin(world), "admin report NCC")
    other = world.fake.add_user(
        "cccccccc-0000-0000-0000-000000000000", name="Other", email="other@northants.example"
    )
    world.answer_consent(other, accept=True)
    assert world.fake.uploads == {} and held(world) == 1


def test_an_offer_expires_after_a_day(world: TeamsWorld) -> None:
    ada = admin(world)
    world.say(ada, "admin report NCC")
    assert isinstance(world.clock, FixedClock)
    world.clock.set(NOW + timedelta(days=1, minutes=1))
    world.answer_consent(ada, accept=True)
    assert world.fake.uploads == {}
    assert "no longer waiting" in json.dumps(world.fake.cards())


def test_the_fake_refuses_consent_cards_outside_a_personal_chat_or_without_supports_files(
    world: TeamsWorld,
) -> None:
    import httpx

    from tests.teams_harness import outbound_token

    card = {
        "contentType": CONSENT_CARD,
        "name": "x.xlsx",
        "content": {"description": "x", "sizeInBytes": 3},
    }
    headers = {"Authorization": f"Bearer {outbound_token('s', None)}"}
    base = world.fake.base_url
    channel = httpx.post(
        f"{base}/v3/conversations/19:general@thread.tacv2/activities",
        json={"type": "message", "attachments": [card]},
        headers=headers,
    )
    assert channel.status_code == 400 and "personal chat" in channel.text
    world.fake.supports_files = False
    chat = world.fake.personal_conversation(admin(world))
    personal = httpx.post(
        f"{base}/v3/conversations/{chat}/activities",
        json={"type": "message", "attachments": [card]},
        headers=headers,
    )
    assert personal.status_code == 400 and "supportsFiles" in personal.text


def test_uploads_go_in_fragments_the_way_onedrive_takes_them(world: TeamsWorld) -> None:
    import asyncio

    import httpx

    content = bytes(range(256)) * 4000  # 1,024,000 bytes: 4 fragments of 320 KiB at most
    info = world.fake.upload_session("big.bin")
    item = asyncio.run(upload(info["uploadUrl"], content, fragment=320 * 1024))
    assert item["size"] == len(content) and world.fake.uploads["big.bin"] == content
    assert world.fake.sessions[info["uniqueId"].lower()].fragments == 4
    # The fake is as strict as OneDrive: a bearer token, a gap or an odd fragment is refused.
    again = world.fake.upload_session("again.bin")
    url = again["uploadUrl"]
    assert (
        httpx.put(
            url,
            content=b"abc",
            headers={"Content-Range": "bytes 0-2/3", "Authorization": "Bearer x"},
        ).status_code
        == 401
    )
    assert (
        httpx.put(url, content=b"abc", headers={"Content-Range": "bytes 5-7/9"}).status_code == 416
    )
    assert (
        httpx.put(url, content=b"abc", headers={"Content-Range": "bytes 0-2/9"}).status_code == 400
    )
    assert (
        httpx.put(url, content=b"abc", headers={"Content-Range": "bytes 0-2/3"}).status_code == 201
    )
