"""`/action admin report CODE`: the committee pack as a spreadsheet in the admin's DM."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.core.clock import FixedClock
from tests.harness import SlackWorld, seed_sample, slack_world


@pytest.fixture
def world(db_url: str) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 4, 16, 9, 30, tzinfo=ZoneInfo("Europe/London")))
    with slack_world(db_url, clock=clock, inline=False, with_jobs=True) as w:
        seed_sample(w.runtime, clock.now())
        w.fake.add_user("UADMIN", email="admin@northants.example")
        w.fake.add_user("UFIN", email="finance@northants.example")
        yield w


def test_admin_gets_the_xlsx_in_their_dm(world: SlackWorld) -> None:
    ack = world.command("admin report ncc", user="UADMIN", key="report")
    assert ack.status_code == 200
    assert "Preparing a draft of the NCC committee pack" in ack.json()["text"]
    world.fake.wait_for("files.completeUploadExternal", timeout=30)
    methods = [c.method for c in world.fake.calls if not c.method.startswith("users.")]
    upload = [m for m in methods if m.startswith(("conversations.", "files.", "upload:"))]
    assert upload[0] == "conversations.open"
    assert upload[1:3] == ["files.getUploadURLExternal", f"upload:{upload[2][7:]}"]
    assert upload[3] == "files.completeUploadExternal"
    [shared] = [f for f in world.fake.files.values() if f.completed]
    assert shared.channels == ["DUADMIN"]
    assert shared.filename == "NCC-committee-pack-2018-04-16-draft.xlsx"
    assert shared.data is not None and len(shared.data) == shared.length
    book = load_workbook(io.BytesIO(shared.data))
    assert book["All actions"].max_row == 28  # heading, meaning, header, the 25 actions
    assert book["Summary"]["A2"].value == "Draft committee pack (not issued)"
    assert issued(world) == []  # a draft records nothing


def test_admin_issues_the_pack_for_a_meeting(world: SlackWorld) -> None:
    meeting = "Audit Committee <b>23 April</b> & co"
    ack = world.command(f"admin report NCC issue {meeting}", user="UADMIN", key="issue")
    text = ack.json()["text"]
    assert "Issuing the NCC committee pack for Audit Committee &lt;b&gt;23 April" in text
    world.fake.wait_for("files.completeUploadExternal", timeout=30)
    [shared] = [f for f in world.fake.files.values() if f.completed]
    assert shared.filename == "NCC-committee-pack-2018-04-16.xlsx" and shared.data is not None
    book = load_workbook(io.BytesIO(shared.data))
    assert book["Summary"]["A2"].value == f"Committee pack for {meeting}"
    assert issued(world) == [(meeting, "admin@northants.example")]
    # The same meeting again is refused, in the admin's words, and nothing more is recorded.
    again = world.command(f"admin report NCC issue {meeting}", user="UADMIN", key="again")
    assert again.status_code == 200
    [refused] = world.fake.wait_for("response_url:again", timeout=30)
    assert "was issued already" in json.dumps(refused.params)
    assert len(issued(world)) == 1


def issued(world: SlackWorld) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from store.models import IssuedPack

    with world.runtime.sessions() as session:
        return [(r.meeting, r.issued_by) for r in session.scalars(select(IssuedPack))]


def test_non_admins_get_no_report(world: SlackWorld) -> None:
    body = world.command("admin report NCC", user="UFIN").json()
    assert "Only actionbot admins" in json.dumps(body)
    assert not world.fake.calls_to("files.getUploadURLExternal")


def test_unknown_plan_is_refused_at_once(world: SlackWorld) -> None:
    body = world.command("admin report NOPE", user="UADMIN").json()
    assert "No plan 'NOPE'" in json.dumps(body)
    assert not world.fake.calls_to("files.getUploadURLExternal")
