"""Issue 12, plan admin from chat: an admin sends a plan file to the bot's DM, sees a dry run
of the CLI's importer, and presses Import or Cancel. Real file download from the fake Slack's
url_private_download (which refuses requests without the bot token), real HTTP, real DB."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.clock import FixedClock
from bot.handlers.file_fetch import SLACK_FILES, FetchFailed, fetch
from store.models import Action, Event, PendingImport, Plan
from tests.conftest import SAMPLES
from tests.handlers.test_slack import action
from tests.harness import SlackWorld, seed_sample, slack_world
from tests.plan_workbooks import (
    ODD_OWNER,
    ODD_REF,
    SECOND_REFS,
    SECOND_SHEET,
    odd_headers_csv,
    two_sheet_workbook,
)

ADMIN = "UADMIN"
FINANCE = "UFIN"
SAMPLE = (SAMPLES / "ncc-financial-management-2017.csv").read_bytes()


@pytest.fixture
def world(db_url: str) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
    with slack_world(db_url, clock=clock) as w:
        seed_sample(w.runtime, clock.now())
        w.fake.add_user(ADMIN, email="admin@northants.example")
        w.fake.add_user(FINANCE, email="finance@northants.example")
        yield w


_seq = iter(range(1, 10_000))


def upload(
    world: SlackWorld, name: str, data: bytes, *, user: str = ADMIN, text: str = ""
) -> dict[str, Any]:
    """The `message` event Slack sends when `user` uploads a file in the bot's DM."""
    shared = world.fake.share_file(name, data, user=user)
    n = next(_seq)
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": f"D{user}",
        "channel_type": "im",
        "user": user,
        "text": text,
        "files": [shared],
        "upload": False,
        "display_as_bot": False,
        "ts": f"1516006800.{n:06d}",
        "event_ts": f"1516006800.{n:06d}",
    }
    assert world.event(event, event_id=f"EvFile{n}").status_code == 200
    return shared


def said(world: SlackWorld, user: str = ADMIN) -> list[dict[str, Any]]:
    return [
        c.params
        for c in world.fake.calls_to("chat.postMessage")
        if c.params["channel"] == f"D{user}"
    ]


def button(message: dict[str, Any], action_id: str) -> str:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button in {json.dumps(message)[:400]}")


def click(world: SlackWorld, action_id: str, value: str, *, user: str = ADMIN) -> dict[str, Any]:
    key = f"k{next(_seq)}"
    assert (
        world.click(action_id, value, user=user, key=key, channel_id=f"D{user}").status_code == 200
    )
    [answer] = world.fake.calls_to(f"response_url:{key}")
    return answer.params


def count(world: SlackWorld, model: Any, *where: Any) -> int:
    with world.runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def edited_sample(
    *,
    title: str | None = None,
    drop: str | None = None,
    add: bool = True,
    cells: dict[str, dict[str, str]] | None = None,
) -> bytes:
    """The real sample plan with 2.4's title changed, one action dropped and one added."""
    rows = list(csv.reader(io.StringIO(SAMPLE.decode("utf-8-sig"))))
    header = rows[0]
    ref_col, title_col = header.index("Action Ref."), header.index("Improvement Action")
    out = [header]
    for row in rows[1:]:
        if len(row) > ref_col and row[ref_col] == drop:
            continue
        if len(row) > ref_col and row[ref_col] == "2.4" and title is not None:
            row[title_col] = title
        for ref, changes in (cells or {}).items():
            if len(row) > ref_col and row[ref_col] == ref:
                for column, value in changes.items():
                    row[header.index(column)] = value
        out.append(row)
    if add:
        extra = [
            "9. New work",
            "9.9",
            "Managing Resources",
            "Publish the savings tracker",
            "",
            "<p>Finance</p>",
            "",
        ]
        out.append(extra + [""] * (len(header) - len(extra)))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(out)
    return buffer.getvalue().encode("utf-8")


# -- the whole round trip -------------------------------------------------------------------


def test_admin_imports_the_sample_plan_into_a_new_plan(world: SlackWorld) -> None:
    shared = upload(world, "ncc-financial-management-2017.csv", SAMPLE, text="FIN")
    [preview] = said(world)
    text = json.dumps(preview)
    assert "Import preview: FIN" in text and "25 to add" in text
    assert "There is no plan FIN yet" in text
    # Fetched once, with the bot token; nothing written yet.
    assert world.fake.shared[shared["id"]].downloads == 1
    assert world.fake.shared[shared["id"]].refused == 0
    assert count(world, Plan, Plan.code == "FIN") == 0

    done = click(world, "import_apply", button(preview, "import_apply"))
    assert done["replace_original"] is True
    assert "Imported ncc-financial-management-2017.csv into plan FIN: 25 added" in json.dumps(done)
    with world.runtime.sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.code == "FIN")).one()
        refs = session.scalars(select(Action.ref).where(Action.plan_id == plan.id)).all()
        sources = set(session.scalars(select(Event.source).where(Event.plan_id == plan.id)))
        actors = set(session.scalars(select(Event.actor).where(Event.plan_id == plan.id)))
    assert len(refs) == 25
    assert sources == {"slack"}
    assert actors == {"slack:UADMIN (admin@northants.example)"}

    # A second click, on this or any instance, imports nothing twice; Cancel cannot undo it.
    before = count(world, Event)
    again = click(world, "import_apply", button(preview, "import_apply"))
    assert "already imported" in json.dumps(again) and again["replace_original"] is False
    cancel = click(world, "import_cancel", button(preview, "import_cancel"))
    assert "already imported" in json.dumps(cancel)
    assert count(world, Event) == before


def test_changes_show_old_and_new_and_import_applies_exactly_them(world: SlackWorld) -> None:
    new_title = "Revise the council's integrated financial and business planning cycle"
    upload(world, "NCC.csv", edited_sample(title=new_title, drop="4.6"))  # named after NCC
    [preview] = said(world)
    text = json.dumps(preview, ensure_ascii=False)
    assert "Import preview: NCC" in text
    assert "1 to add" in text and "1 to change" in text and "23 unchanged" in text
    assert "2.4 title:" in text and f"→ {new_title}" in text
    assert "4.6" in text and "kept as they are" in text  # missing, never cancelled
    old_title = action(world, "2.4").title
    assert action(world, "2.4").title == old_title  # a dry run

    done = click(world, "import_apply", button(preview, "import_apply"))
    assert "1 added, 1 changed, 23 unchanged" in json.dumps(done)
    assert action(world, "2.4").title == new_title
    assert action(world, "9.9").title == "Publish the savings tracker"
    assert action(world, "4.6").status == "not_started"  # kept
    with world.runtime.sessions() as session:
        [event] = session.scalars(
            select(Event).where(Event.field == "title", Event.new_value == new_title)
        ).all()
    assert (event.source, event.old_value) == ("slack", old_title)


def test_register_moved_between_preview_and_click_offers_a_fresh_preview(
    world: SlackWorld,
) -> None:
    upload(world, "plan.csv", edited_sample(title="A new title for 2.4"), text="NCC")
    [preview] = said(world)
    # Someone records progress on NCC while the admin reads the preview.
    world.command("2.7 progress draft circulated", user=ADMIN)
    events = count(world, Event)

    moved = click(world, "import_apply", button(preview, "import_apply"))
    text = json.dumps(moved)
    assert "I did not import plan.csv" in text and "1 change to plan NCC since this preview" in text
    assert moved["replace_original"] is True  # the stale Import button is gone
    assert count(world, Event) == events
    assert action(world, "2.4").title != "A new title for 2.4"
    # The old preview can never be applied now.
    assert "did not import" in json.dumps(
        click(world, "import_apply", button(preview, "import_apply"))
    )

    fresh = click(world, "import_again", button(moved, "import_again"))
    assert "Import preview: NCC" in json.dumps(fresh)
    assert button(fresh, "import_apply") != button(preview, "import_apply")
    done = click(world, "import_apply", button(fresh, "import_apply"))
    assert "Imported plan.csv into plan NCC" in json.dumps(done)
    assert action(world, "2.4").title == "A new title for 2.4"
    assert action(world, "2.7").status == "in_progress"  # the other change stands


def test_cancel_drops_the_preview_and_its_file(world: SlackWorld) -> None:
    upload(world, "NCC.csv", edited_sample(title="Cancelled title"))
    [preview] = said(world)
    pending = button(preview, "import_cancel")
    cancelled = click(world, "import_cancel", pending)
    assert "Cancelled: NCC.csv was not imported" in json.dumps(cancelled)
    after = click(world, "import_apply", button(preview, "import_apply"))
    assert "was cancelled" in json.dumps(after)
    assert action(world, "2.4").title != "Cancelled title"
    with world.runtime.sessions() as session:
        row = session.get(PendingImport, pending)
        assert row is not None and row.state == "cancelled" and row.data is None


def test_a_preview_expires_after_a_day(world: SlackWorld) -> None:
    upload(world, "NCC.csv", edited_sample(title="Late title"))
    [preview] = said(world)
    assert isinstance(world.clock, FixedClock)
    world.clock.advance(timedelta(hours=25))
    late = click(world, "import_apply", button(preview, "import_apply"))
    assert "has expired" in json.dumps(late)
    assert action(world, "2.4").title != "Late title"


# -- who may --------------------------------------------------------------------------------


def test_a_non_admin_is_refused_and_nothing_is_downloaded(world: SlackWorld) -> None:
    shared = upload(world, "NCC.csv", SAMPLE, user=FINANCE)
    [answer] = said(world, FINANCE)
    assert "Only actionbot admins can import plans" in json.dumps(answer)
    assert world.fake.shared[shared["id"]].downloads == 0
    assert not [c for c in world.fake.calls if c.method.startswith("download:")]
    assert count(world, PendingImport) == 0


def test_another_user_cannot_press_the_admins_import(world: SlackWorld) -> None:
    upload(world, "NCC.csv", edited_sample(title="Mine to import"))
    [preview] = said(world)
    other = click(world, "import_apply", button(preview, "import_apply"), user=FINANCE)
    assert "Only the admin who sent this file" in json.dumps(other)
    assert other["replace_original"] is False
    assert action(world, "2.4").title != "Mine to import"
    click(world, "import_apply", button(preview, "import_apply"))
    assert action(world, "2.4").title == "Mine to import"


def test_a_file_without_a_plan_code_is_asked_about_before_downloading(world: SlackWorld) -> None:
    shared = upload(world, "action plan v3 final.csv", SAMPLE)
    [answer] = said(world)
    assert "Which plan is action plan v3 final.csv for?" in json.dumps(answer)
    assert "plans now: NCC" in json.dumps(answer)
    assert world.fake.shared[shared["id"]].downloads == 0


def test_a_file_that_is_no_plan_is_refused_clearly(world: SlackWorld) -> None:
    upload(world, "NCC.csv", b"\x00\x01 not a plan at all", text="NCC")
    [answer] = said(world)
    assert "I could not read NCC.csv" in json.dumps(answer)
    assert "import_apply" not in json.dumps(answer)
    assert count(world, PendingImport) == 0


def test_admin_import_says_how(world: SlackWorld) -> None:
    body = world.command("admin import", user=ADMIN).json()
    text = json.dumps(body)
    assert "Send me the plan file in a direct message to me" in text
    assert "NCC (25 actions)" in text
    new = json.dumps(world.command("admin import AFEP", user=ADMIN, key="r2").json())
    assert "There is no plan AFEP yet: Import will create it" in new
    refused = json.dumps(world.command("admin import", user=FINANCE, key="r3").json())
    assert "Only actionbot admins can import plans" in refused


# -- hostile files --------------------------------------------------------------------------


def test_a_hostile_file_is_previewed_safely(world: SlackWorld) -> None:
    long_cell = "x" * 3000
    hostile = edited_sample(
        add=False,
        cells={
            "2.4": {
                "Improvement Action": "Pay <!channel> now <@U999> <https://evil.example|click>"
            },
            "2.5": {"Improvement Action": '=HYPERLINK("https://evil.example","open me")'},
            "2.6": {"Improvement Action": long_cell},
        },
    )
    upload(world, "NCC.csv", hostile)
    [preview] = said(world)
    text = json.dumps(preview)
    assert "<!channel>" not in text and "<@U999>" not in text and "<https://" not in text
    assert "&lt;!channel&gt;" in text
    assert long_cell not in text  # shortened in the message...
    [shared] = [f for f in world.fake.files.values() if f.completed]  # ...in full in the file
    assert shared.filename.startswith("import-preview-NCC-") and shared.filename.endswith(".txt")
    assert shared.channels == ["DUADMIN"]
    assert shared.data is not None and long_cell.encode() in shared.data
    assert "The whole preview is in the file" in text

    click(world, "import_apply", button(preview, "import_apply"))
    assert action(world, "2.4").title == "Pay <!channel> now <@U999> <https://evil.example|click>"
    assert action(world, "2.5").title == '=HYPERLINK("https://evil.example","open me")'
    assert action(world, "2.6").title == long_cell


# -- the fake is as strict as Slack ---------------------------------------------------------


def test_the_file_url_refuses_a_request_without_the_bot_token(world: SlackWorld) -> None:
    shared = world.fake.share_file("NCC.csv", SAMPLE, user=ADMIN)
    url = shared["url_private_download"]
    fake = SLACK_FILES.plus(world.fake.base_url)
    with pytest.raises(FetchFailed, match="sign-in page"):
        asyncio.run(fetch(url, limit=10_000_000, allowed=fake))
    with pytest.raises(FetchFailed, match="sign-in page"):
        asyncio.run(fetch(url, limit=10_000_000, allowed=fake, token="xoxb-someone-else"))
    assert world.fake.shared[shared["id"]].refused == 2
    token = world.fake.bot_token
    assert asyncio.run(fetch(url, limit=10_000_000, allowed=fake, token=token)) == SAMPLE
    with pytest.raises(FetchFailed, match="larger than"):
        asyncio.run(fetch(url, limit=1024, allowed=fake, token=token))


# -- what is not an upload to import ----------------------------------------------------------


def test_the_bots_own_preview_file_and_channel_files_are_ignored(world: SlackWorld) -> None:
    # actionbot's own upload of a long preview comes back as a file_share in the same DM.
    upload(world, "import-preview-NCC-abc123.txt", b"preview", user=world.fake.bot_user_id)
    shared = world.fake.share_file("NCC.csv", SAMPLE, user=ADMIN)
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": "C0001",
        "channel_type": "channel",
        "user": ADMIN,
        "text": "NCC",
        "files": [shared],
        "ts": "1516006800.900001",
    }
    world.event(event, event_id="EvChannelFile")
    assert not world.fake.calls_to("chat.postMessage")
    assert not [c for c in world.fake.calls if c.method.startswith("download:")]


def test_two_files_at_once_are_refused_before_downloading(world: SlackWorld) -> None:
    first = world.fake.share_file("NCC.csv", SAMPLE, user=ADMIN)
    second = world.fake.share_file("NCC2.csv", SAMPLE, user=ADMIN)
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": f"D{ADMIN}",
        "channel_type": "im",
        "user": ADMIN,
        "text": "NCC",
        "files": [first, second],
        "ts": "1516006800.900002",
    }
    world.event(event, event_id="EvTwoFiles")
    [answer] = said(world)
    assert "one plan file at a time" in json.dumps(answer)
    assert not [c for c in world.fake.calls if c.method.startswith("download:")]


def test_a_short_preview_needs_no_file_and_a_forged_button_is_refused(world: SlackWorld) -> None:
    upload(world, "NCC.csv", edited_sample(title="Short"))
    [preview] = said(world)
    assert not world.fake.calls_to("files.getUploadURLExternal")
    assert "Import" in json.dumps(preview) and "Cancel" in json.dumps(preview)
    # A value that is no preview id is not even passed on (HTTP 400 at the door).
    response = world.click("import_apply", "../../etc/passwd", user=ADMIN, key="forged")
    assert response.status_code == 400
    unknown = click(world, "import_apply", "0" * 32)
    assert "no such import preview" in json.dumps(unknown)


def test_a_bare_file_object_is_looked_up_with_files_info(world: SlackWorld) -> None:
    # Slack sends only {"id", "file_access": "check_file_info"} for some shares.
    full = world.fake.share_file("NCC.csv", edited_sample(title="Via files.info"), user=ADMIN)
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": f"D{ADMIN}",
        "channel_type": "im",
        "user": ADMIN,
        "text": "",
        "files": [{"id": full["id"], "mode": "hidden_by_limit", "file_access": "check_file_info"}],
        "ts": "1516006800.900003",
    }
    world.event(event, event_id="EvBareFile")
    [info] = world.fake.calls_to("files.info")
    assert info.params["file"] == full["id"]
    [preview] = said(world)
    assert "Import preview: NCC" in json.dumps(preview)  # the name files.info gave: NCC.csv
    assert world.fake.shared[full["id"]].downloads == 1


def test_a_non_admins_bare_file_object_is_not_even_looked_up(world: SlackWorld) -> None:
    full = world.fake.share_file("NCC.csv", SAMPLE, user=FINANCE)
    event = {
        "type": "message",
        "subtype": "file_share",
        "channel": f"D{FINANCE}",
        "channel_type": "im",
        "user": FINANCE,
        "files": [{"id": full["id"], "file_access": "check_file_info"}],
        "ts": "1516006800.900004",
    }
    world.event(event, event_id="EvBareFileFin")
    [answer] = said(world, FINANCE)
    assert "Only actionbot admins can import plans" in json.dumps(answer)
    assert not world.fake.calls_to("files.info")
    assert world.fake.shared[full["id"]].downloads == 0


# -- how to read the file, said in the message (the command line's --sheet and --map) --------


def refs_of(world: SlackWorld, code: str) -> list[str]:
    with world.runtime.sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.code == code)).one_or_none()
        if plan is None:
            return []
        return sorted(session.scalars(select(Action.ref).where(Action.plan_id == plan.id)))


@pytest.mark.parametrize("text", ["TWO sheet 2", f"import TWO sheet \u201c{SECOND_SHEET}\u201d"])
def test_a_workbooks_second_sheet_is_imported_as_the_message_says(
    world: SlackWorld, text: str
) -> None:
    upload(world, "book.xlsx", two_sheet_workbook(), text=text)
    [preview] = said(world)
    shown = json.dumps(preview, ensure_ascii=False)
    assert "Import preview: TWO" in shown and "3 to add" in shown, shown
    assert "• 2.1" in shown and "• 1.1" not in shown
    done = click(world, "import_apply", button(preview, "import_apply"))
    assert "Imported book.xlsx into plan TWO: 3 added" in json.dumps(done)
    assert refs_of(world, "TWO") == SECOND_REFS


def test_an_unknown_map_field_is_refused_before_downloading(world: SlackWorld) -> None:
    shared = upload(world, "odd.csv", odd_headers_csv(), text="ODD map colour=Status")
    [answer] = said(world)
    shown = json.dumps(answer, ensure_ascii=False)
    assert "`map` names an unknown field 'colour'" in shown and "Nothing was changed" in shown
    assert "--map" not in shown
    assert world.fake.shared[shared["id"]].downloads == 0
    assert count(world, PendingImport) == 0


def test_a_wrong_sheet_number_is_answered_in_chat_terms_and_nothing_kept(
    world: SlackWorld,
) -> None:
    upload(world, "book.xlsx", two_sheet_workbook(), text="TWO sheet 3")
    [answer] = said(world)
    shown = json.dumps(answer, ensure_ascii=False)
    assert "I could not read book.xlsx: `sheet 3`: the workbook has 2 sheets" in shown
    assert "--sheet" not in shown and "import_apply" not in shown
    assert count(world, PendingImport) == 0 and refs_of(world, "TWO") == []


def test_preview_again_and_import_keep_the_messages_column_mappings(world: SlackWorld) -> None:
    text = f"NCC map ref=\u201c{ODD_REF}\u201d map owners=\u201c{ODD_OWNER}\u201d"
    upload(world, "odd.csv", odd_headers_csv(), text=text)
    [preview] = said(world)
    assert "2 to add" in json.dumps(preview), json.dumps(preview)
    world.command("2.7 progress draft circulated", user=ADMIN)
    moved = click(world, "import_apply", button(preview, "import_apply"))
    assert "since this preview" in json.dumps(moved)
    # Read again without the mappings, the file has no reference column at all.
    fresh = click(world, "import_again", button(moved, "import_again"))
    shown = json.dumps(fresh, ensure_ascii=False)
    assert "Import preview: NCC" in shown and "2 to add" in shown, shown
    done = click(world, "import_apply", button(fresh, "import_apply"))
    assert "Imported odd.csv into plan NCC: 2 added" in json.dumps(done)
    assert action(world, "A-1").owners_text == "Head of Finance"
    assert action(world, "2.7").status == "in_progress"


def test_admin_import_names_the_messages_options(world: SlackWorld) -> None:
    text = json.dumps(world.command("admin import NCC", user=ADMIN).json(), ensure_ascii=False)
    for form in ("NCC sheet 2", "sheet all", 'map ref=\\"Action Ref.\\"', "NCC due 2027-03-31"):
        assert form in text, form
