"""Issue 12 in Teams: a plan file sent to actionbot in a personal chat (a file.download.info
attachment) is fetched from its pre-authorised downloadUrl, previewed as an Adaptive Card
with Import and Cancel (Action.Execute), and imported as source `teams`. JWT validation on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.clock import FixedClock
from store.models import Action, Event, PendingImport, Plan
from tests.conftest import SAMPLES
from tests.fakes.bot_framework import TeamsUser
from tests.handlers.test_slack_chat_import import edited_sample
from tests.handlers.test_teams import action, event_count, finance, user
from tests.harness import seed_sample
from tests.plan_workbooks import (
    FIRST_REFS,
    ODD_REF,
    SECOND_REFS,
    odd_headers_csv,
    two_sheet_workbook,
)
from tests.teams_harness import TeamsWorld, executes, teams_world

SAMPLE = (SAMPLES / "ncc-financial-management-2017.csv").read_bytes()


@pytest.fixture
def world(db_url: str) -> Iterator[TeamsWorld]:
    clock = FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
    with teams_world(db_url, clock=clock) as w:
        seed_sample(w.runtime, clock.now())
        yield w


def admin(w: TeamsWorld) -> TeamsUser:
    return user(w, "Ada Admin", "admin@northants.example", "aaaaaaaa-0000-0000-0000-0000000ad000")


def send_file(w: TeamsWorld, who: TeamsUser, name: str, data: bytes, text: str = "") -> None:
    body = w.activity(who, text=text, textFormat="plain")
    body["attachments"] = [w.fake.file_attachment(name, data)]
    assert w.post(body).status_code == 200


def cards_to(w: TeamsWorld, who: TeamsUser) -> list[dict[str, Any]]:
    return w.fake.cards(w.fake.personal_conversation(who))


def import_button(card: dict[str, Any], kind: str = "import_apply") -> dict[str, Any]:
    [found] = [b for b in executes(card) if b["data"]["action"] == kind]
    return dict(found["data"])


def test_admin_sends_a_plan_file_previews_and_imports_it(world: TeamsWorld) -> None:
    ada = admin(world)
    new_title = "Revise the budget planning cycle"
    send_file(world, ada, "NCC.csv", edited_sample(title=new_title, drop="4.6"))
    [download] = world.fake.downloads
    assert download.status == 200 and "authorization" not in download.headers
    [preview] = cards_to(world, ada)
    text = json.dumps(preview, ensure_ascii=False)
    assert "Import preview: NCC" in text and "1 to add, 1 to change, 23 unchanged" in text
    assert f"→ {new_title}" in text
    assert action(world, "2.4").title != new_title

    answer = world.click(ada, import_button(preview))
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Imported NCC.csv into plan NCC: 1 added, 1 changed" in json.dumps(answer["value"])
    assert not executes(answer["value"])  # the Import button is gone with the preview
    assert action(world, "2.4").title == new_title
    with world.runtime.sessions() as session:
        [event] = session.scalars(select(Event).where(Event.field == "title")).all()
    assert event.source == "teams" and "admin@northants.example" in event.actor

    events = event_count(world)
    again = world.click(ada, import_button(preview))
    assert "already imported" in json.dumps(again)
    assert event_count(world) == events


def test_register_moved_offers_a_fresh_preview_and_cancel_drops_it(world: TeamsWorld) -> None:
    ada = admin(world)
    send_file(world, ada, "plan.xlsx.csv", edited_sample(title="Moved title"), text="NCC")
    [preview] = cards_to(world, ada)
    world.say(ada, "2.7 progress draft circulated")
    events = event_count(world)
    moved = world.click(ada, import_button(preview))
    text = json.dumps(moved["value"])
    assert "did not import" in text and "since this preview" in text
    assert event_count(world) == events
    assert action(world, "2.4").title != "Moved title"
    fresh = world.click(ada, import_button(moved["value"], "import_again"))
    assert "Import preview: NCC" in json.dumps(fresh["value"])
    cancelled = world.click(ada, import_button(fresh["value"], "import_cancel"))
    assert "Cancelled" in json.dumps(cancelled)
    assert action(world, "2.4").title != "Moved title"
    with world.runtime.sessions() as session:
        states = sorted(p.state for p in session.scalars(select(PendingImport)))
    assert states == ["cancelled", "stale"]


def test_a_non_admin_is_refused_and_the_file_is_not_fetched(world: TeamsWorld) -> None:
    fiona = finance(world)
    send_file(world, fiona, "NCC.csv", SAMPLE)
    [answer] = cards_to(world, fiona)
    assert "Only actionbot admins can import plans" in json.dumps(answer)
    assert world.fake.downloads == []


def test_another_user_cannot_press_the_admins_import(world: TeamsWorld) -> None:
    ada = admin(world)
    send_file(world, ada, "NCC.csv", edited_sample(title="Ada's title"))
    [preview] = cards_to(world, ada)
    answer = world.click(finance(world), import_button(preview))
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert "Only the admin who sent this file" in answer["value"]
    assert action(world, "2.4").title != "Ada's title"


def test_the_download_url_is_its_own_credential(world: TeamsWorld) -> None:
    import asyncio

    from bot.handlers.file_fetch import TEAMS_FILES, FetchFailed, fetch, fetch_pre_authorised

    url = world.fake.file_attachment("NCC.csv", SAMPLE)["content"]["downloadUrl"]
    fake = TEAMS_FILES.plus(world.fake.base_url)
    assert asyncio.run(fetch_pre_authorised(url, limit=10_000_000, allowed=fake)) == SAMPLE
    with pytest.raises(FetchFailed, match="HTTP 401"):
        asyncio.run(fetch(url.replace("tempauth=", "tempauth=x"), limit=10_000_000, allowed=fake))
    with pytest.raises(FetchFailed, match="HTTP 401"):
        asyncio.run(fetch(url, limit=10_000_000, allowed=fake, token="a-bot-token"))
    with pytest.raises(FetchFailed, match="not where Teams keeps files"):
        asyncio.run(
            fetch_pre_authorised(url.replace("127.0.0.1", "localhost"), limit=10, allowed=fake)
        )


def test_a_hostile_file_is_previewed_safely_in_cards(world: TeamsWorld) -> None:
    ada = admin(world)
    long_cell = "y" * 3000
    hostile = edited_sample(
        add=False,
        cells={
            "2.4": {
                "Improvement Action": "**Urgent** [click](https://evil.example) {{DATE(2018)}}"
            },
            "2.5": {"Improvement Action": '=HYPERLINK("https://evil.example","open me")'},
            "2.6": {"Improvement Action": long_cell},
        },
    )
    send_file(world, ada, "NCC.csv", hostile)
    sent = world.fake.activities(world.fake.personal_conversation(ada))
    assert sent and all(r.status < 300 for r in sent)  # every card under Teams' size limit
    text = json.dumps(cards_to(world, ada), ensure_ascii=False)
    assert "[click](https" not in text and "\\\\[click\\\\]" in text
    assert "{{DATE(" not in text
    # Teams gets the whole preview in the chat, split into text blocks, never cut.
    assert sum(len(run) for run in re.findall(r"y{100,}", text)) == 3000
    preview = cards_to(world, ada)[0]
    world.click(ada, import_button(preview))
    assert action(world, "2.6").title == long_cell


# -- how to read the file, said in the message (the command line's --sheet and --map) --------


def refs_of(w: TeamsWorld, code: str) -> list[str]:
    with w.runtime.sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.code == code)).one_or_none()
        if plan is None:
            return []
        return sorted(session.scalars(select(Action.ref).where(Action.plan_id == plan.id)))


def pending_count(w: TeamsWorld) -> int:
    with w.runtime.sessions() as session:
        return len(session.scalars(select(PendingImport)).all())


def test_every_sheet_of_a_workbook_is_imported_with_sheet_all(world: TeamsWorld) -> None:
    ada = admin(world)
    send_file(world, ada, "book.xlsx", two_sheet_workbook(), text="TWO sheet all")
    [preview] = cards_to(world, ada)
    shown = json.dumps(preview, ensure_ascii=False)
    assert "Import preview: TWO" in shown and "5 to add" in shown, shown
    assert "Read as your message said: **sheet all**" in shown  # a card has no code span
    answer = world.click(ada, import_button(preview))
    assert "Imported book.xlsx into plan TWO: 5 added" in json.dumps(answer["value"])
    assert refs_of(world, "TWO") == FIRST_REFS + SECOND_REFS


def test_an_unusual_reference_header_is_imported_with_map_in_smart_quotes(
    world: TeamsWorld,
) -> None:
    ada = admin(world)
    send_file(world, ada, "odd.csv", odd_headers_csv(), text="ODD")
    [unread] = cards_to(world, ada)
    shown = json.dumps(unread, ensure_ascii=False)
    assert "name it with the message **ODD map ref=" in shown, shown
    assert "--map" not in shown and pending_count(world) == 0

    send_file(world, ada, "odd.csv", odd_headers_csv(), text=f"ODD map ref=\u201c{ODD_REF}\u201d")
    preview = cards_to(world, ada)[-1]
    assert "2 to add" in json.dumps(preview), json.dumps(preview)
    answer = world.click(ada, import_button(preview))
    assert "Imported odd.csv into plan ODD: 2 added" in json.dumps(answer["value"])
    assert refs_of(world, "ODD") == ["A-1", "A-2"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # A card has no code span: the renderer makes `sheet 3` bold.
        ("TWO sheet 3", "**sheet 3**: the workbook has 2 sheets"),
        ("TWO map colour=Status", "**map** names an unknown field 'colour'"),
    ],
)
def test_a_wrong_sheet_or_field_is_answered_and_nothing_kept(
    world: TeamsWorld, text: str, said: str
) -> None:
    ada = admin(world)
    send_file(world, ada, "book.xlsx", two_sheet_workbook(), text=text)
    [answer] = cards_to(world, ada)
    shown = json.dumps(answer, ensure_ascii=False)
    assert said in shown and "Nothing was changed" in shown, shown
    assert "--sheet" not in shown and "--map" not in shown
    assert pending_count(world) == 0 and refs_of(world, "TWO") == []


def test_admin_import_names_the_messages_options(world: TeamsWorld) -> None:
    ada = admin(world)
    world.say(ada, "admin import")
    [answer] = cards_to(world, ada)
    shown = json.dumps(answer, ensure_ascii=False)
    assert "our personal chat in Teams" in shown
    for form in ("NCC sheet 2", "sheet all", 'map ref=\\"Action Ref.\\"', "due 2027-03-31"):
        assert form in shown, form
