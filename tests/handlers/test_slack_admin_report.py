"""`/action admin report CODE`: the committee pack as a spreadsheet in the admin's DM."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.clock import FixedClock
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
    assert ack.status_code == 200 and "Preparing the NCC committee report" in ack.json()["text"]
    world.fake.wait_for("files.completeUploadExternal", timeout=30)
    methods = [c.method for c in world.fake.calls if not c.method.startswith("users.")]
    upload = [m for m in methods if m.startswith(("conversations.", "files.", "upload:"))]
    assert upload[0] == "conversations.open"
    assert upload[1:3] == ["files.getUploadURLExternal", f"upload:{upload[2][7:]}"]
    assert upload[3] == "files.completeUploadExternal"
    [shared] = [f for f in world.fake.files.values() if f.completed]
    assert shared.channels == ["DUADMIN"]
    assert shared.filename == "NCC-committee-report-2018-04-16.xlsx"
    assert shared.data is not None and len(shared.data) == shared.length
    book = load_workbook(io.BytesIO(shared.data))
    assert book["Actions"].max_row == 26  # header + the plan's 25 actions
    assert book["Summary"]["A1"].value.startswith("NCC:")


def test_non_admins_get_no_report(world: SlackWorld) -> None:
    body = world.command("admin report NCC", user="UFIN").json()
    assert "Only actionbot admins" in json.dumps(body)
    assert not world.fake.calls_to("files.getUploadURLExternal")


def test_unknown_plan_is_refused_at_once(world: SlackWorld) -> None:
    body = world.command("admin report NOPE", user="UADMIN").json()
    assert "No plan 'NOPE'" in json.dumps(body)
    assert not world.fake.calls_to("files.getUploadURLExternal")
