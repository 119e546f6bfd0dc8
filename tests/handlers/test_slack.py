"""/action in Slack: signed HTTP requests in, a fake Slack Web API records what goes out."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.clock import FixedClock
from store.models import Action, Event, Person
from tests.fakes.signing import slash_command_body
from tests.harness import SlackWorld, seed_sample, slack_world

FINANCE = "UFIN"  # finance@northants.example owns "Finance"
PROCUREMENT = "UPROC"
STRANGER = "USTRANGER"
ADMIN = "UADMIN"


@pytest.fixture
def world(db_url: str) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
    with slack_world(db_url, clock=clock) as w:
        seed_sample(w.runtime, clock.now())
        w.fake.add_user(FINANCE, email="finance@northants.example")
        w.fake.add_user(PROCUREMENT, email="procurement@northants.example")
        w.fake.add_user(STRANGER, email="stranger@elsewhere.example")
        w.fake.add_user(ADMIN, email="admin@northants.example")
        yield w


def action(w: SlackWorld, ref: str, plan: str = "NCC") -> Action:
    from store.queries import actions_by_ref

    with w.runtime.sessions() as session:
        found = actions_by_ref(session, ref=ref, plan_code=plan)
        assert len(found) == 1
        a = found[0]
        _ = a.owner_names, a.plan.code
        return a


def events(w: SlackWorld, ref: str) -> list[Event]:
    a = action(w, ref)
    with w.runtime.sessions() as session:
        return list(
            session.scalars(select(Event).where(Event.action_id == a.id).order_by(Event.id))
        )


def answer(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def all_text(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)


def test_mine_lists_my_open_actions_with_buttons(world: SlackWorld) -> None:
    body = answer(world.command("mine", user=FINANCE))
    assert body["response_type"] == "ephemeral"
    refs = [b["block_id"] for b in body["blocks"] if b.get("block_id", "").startswith("card:")]
    assert refs, body
    text = all_text(body)
    assert "NCC:2.4" in text and "NCC:4.5" not in text  # 4.5 belongs to Procurement
    buttons = [
        e["action_id"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert {
        "action_done",
        "action_on_track",
        "action_at_risk",
        "action_new_date",
        "action_add_update",
    } <= set(buttons)
    # The first contact linked the Slack user to the owners-file person by email.
    with world.runtime.sessions() as session:
        person = session.scalars(select(Person).where(Person.slack_user_id == FINANCE)).one()
        assert person.email == "finance@northants.example"
    assert len(world.fake.calls_to("users.info")) == 1
    world.command("mine", user=FINANCE)
    assert len(world.fake.calls_to("users.info")) == 1  # cached in the register


def test_help_is_generated_from_the_grammar(world: SlackWorld) -> None:
    from bot.commands.help import GRAMMAR

    text = all_text(answer(world.command("help", user=FINANCE)))
    for form in GRAMMAR:
        if not form.admin:
            assert form.usage.replace('"', '\\"') in text


def test_done_by_an_owner_is_recorded_with_who_and_via_what(world: SlackWorld) -> None:
    body = answer(world.command("2.4 done signed off by S151", user=FINANCE))
    assert "is now done" in all_text(body)
    assert action(world, "2.4").status == "done"
    status = [e for e in events(world, "2.4") if e.field == "status"][-1]
    assert (status.old_value, status.new_value, status.source) == ("not_started", "done", "slack")
    assert status.actor.startswith("slack:UFIN") and status.note == "signed off by S151"
    assert status.at == world.clock.now()


def test_a_non_owner_is_told_who_owns_it_and_nothing_changes(world: SlackWorld) -> None:
    before = len(events(world, "4.5"))
    body = answer(world.command("4.5 done", user=FINANCE))
    assert "belongs to Procurement" in all_text(body) and "Nothing was changed" in all_text(body)
    assert action(world, "4.5").status == "not_started"
    assert len(events(world, "4.5")) == before
    body = answer(world.command("4.5 done", user=STRANGER))
    assert "belongs to Procurement" in all_text(body)


def test_an_admin_may_update_any_action(world: SlackWorld) -> None:
    answer(world.command("4.5 at risk supplier went bust", user=ADMIN))
    assert action(world, "4.5").rag == "amber"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9.9 done", "No action '9.9'"),
        ("2.4 finish", "I don't know 'finish'"),
        ("2.4 date tomorrowish because", "can't read a date"),
        ("2.7 date 30/06/2018", "needs a reason"),
        ("due soon", "number of days"),
        ('"2.4 done', "quote is not closed"),
    ],
)
def test_unparseable_input_gets_a_friendly_answer(
    world: SlackWorld, text: str, expected: str
) -> None:
    body = answer(world.command(text, user=FINANCE))
    assert expected in all_text(body)
    assert "Try `/action " in all_text(body) or "Try one of: `/action " in all_text(body)
    # One command per code span: never several joined in one.
    assert " · /action" not in all_text(body)
    assert "Traceback" not in all_text(body)


def test_a_3000_character_gibberish_command_is_refused_politely(world: SlackWorld) -> None:
    gibberish = ("zq# ñ ✓ <@U1> &amp; " * 200)[:3000]
    body = answer(world.command(gibberish, user=FINANCE))
    assert "/action" in all_text(body)
    assert len(json.dumps(body)) < 4000


def test_revising_a_date_keeps_the_original_and_counts_the_slip(world: SlackWorld) -> None:
    answer(world.command("2.7 date 30/06/2018 awaiting audit sign-off", user=FINANCE))
    a = action(world, "2.7")
    assert a.revised_target_date == date(2018, 6, 30) and a.due_date == date(2018, 6, 30)
    assert a.slip_count == 1
    answer(world.command("2.7 date 31 July slipped again", user=FINANCE))
    a = action(world, "2.7")
    assert a.due_date == date(2018, 7, 31) and a.slip_count == 2
    reasons = [e.note for e in events(world, "2.7") if e.field == "revised_target_date"]
    assert reasons == ["awaiting audit sign-off", "slipped again"]


def test_quoted_and_plan_qualified_refs(world: SlackWorld) -> None:
    answer(world.command('"2.4" progress draft with CLT', user=FINANCE))
    assert action(world, "2.4").status == "in_progress"
    answer(world.command("NCC:2.4 on track", user=FINANCE))
    assert action(world, "2.4").rag == "green"


def test_a_ref_in_two_plans_asks_which_and_the_choice_applies(world: SlackWorld) -> None:
    from bot.services.audit import Actor
    from bot.services.imports.apply import ImportOptions, import_file
    from tests.conftest import FIXTURES

    # A second plan whose 1.2 is also Finance's: the bare ref is ambiguous.
    import_file(
        world.runtime.sessions,
        path=FIXTURES / "plans" / "clean.csv",
        options=ImportOptions(plan_code="FIN", source_file="clean.csv"),
        actor=Actor("test", "cli"),
        now=world.clock.now(),
    )
    body = answer(world.command("1.2 at risk", user=ADMIN))
    choices = [e for b in body["blocks"] if b.get("block_id") == "choices" for e in b["elements"]]
    assert [c["text"]["text"] for c in choices] == ["FIN:1.2", "NCC:1.2"]
    assert action(world, "1.2").rag is None
    chosen = choices[1]
    world.click(chosen["action_id"], chosen["value"], user=ADMIN, key="choice")
    assert action(world, "1.2", "NCC").rag == "amber"
    assert action(world, "1.2", "FIN").rag is None
    replaced = world.fake.wait_for("response_url:choice")[-1]
    assert replaced.params["replace_original"] is True


def test_done_button_on_a_message(world: SlackWorld) -> None:
    a = action(world, "2.4")
    response = world.click("action_done", str(a.id), user=FINANCE, key="btn")
    assert response.status_code == 200
    assert action(world, "2.4").status == "done"
    reply = world.fake.wait_for("response_url:btn")[-1]
    assert "is now done" in all_text(reply.params)


def test_buttons_respect_ownership(world: SlackWorld) -> None:
    a = action(world, "4.5")
    world.click("action_at_risk", str(a.id), user=FINANCE, key="no")
    assert action(world, "4.5").rag is None
    assert "belongs to Procurement" in all_text(world.fake.wait_for("response_url:no")[-1].params)


def test_new_date_modal_opens_and_its_submission_revises(world: SlackWorld) -> None:
    a = action(world, "2.7")
    trigger = world.fake.issue_trigger()
    world.click("action_new_date", str(a.id), user=FINANCE, trigger_id=trigger)
    opened = world.fake.wait_for("views.open")[-1]
    assert opened.params["trigger_id"] == trigger
    view = opened.params["view"]
    assert view["callback_id"] == "new_date" and view["private_metadata"] == str(a.id)

    def values(picked: str | None, reason: str | None) -> dict[str, Any]:
        return {
            "date": {"value": {"type": "datepicker", "selected_date": picked}},
            "reason": {"value": {"type": "plain_text_input", "value": reason}},
        }

    missing = world.submit("new_date", values("2018-06-30", ""), user=FINANCE, metadata=str(a.id))
    assert missing.json()["response_action"] == "errors" and "reason" in missing.json()["errors"]
    past = world.submit("new_date", values("2017-06-30", "late"), user=FINANCE, metadata=str(a.id))
    assert "past" in past.json()["errors"]["date"]
    assert action(world, "2.7").revised_target_date is None
    ok = world.submit(
        "new_date", values("2018-06-30", "audit late"), user=FINANCE, metadata=str(a.id)
    )
    assert ok.status_code == 200
    assert action(world, "2.7").revised_target_date == date(2018, 6, 30)
    assert world.fake.wait_for("views.publish")


def test_add_update_modal_records_note_and_rag(world: SlackWorld) -> None:
    a = action(world, "2.4")
    world.click("action_add_update", str(a.id), user=FINANCE)
    assert world.fake.wait_for("views.open")[-1].params["view"]["callback_id"] == "add_update"
    values = {
        "note": {"value": {"type": "plain_text_input", "value": "Draft MTFP to cabinet"}},
        "rag": {"value": {"type": "static_select", "selected_option": {"value": "red"}}},
    }
    world.submit("add_update", values, user=FINANCE, metadata=str(a.id))
    updated = action(world, "2.4")
    assert updated.rag == "red" and updated.latest_update == "Draft MTFP to cabinet"


def test_app_home_shows_my_actions_and_retries_are_ignored(world: SlackWorld) -> None:
    event = {"type": "app_home_opened", "user": FINANCE, "tab": "home", "channel": "D1"}
    assert world.event(event, event_id="Ev1").status_code == 200
    assert world.event(event, event_id="Ev1", retry=1).status_code == 200
    published = world.fake.wait_for("views.publish")
    assert len(published) == 1
    view = published[0].params["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert "NCC:2.4" in all_text(view)


def test_long_lists_are_paginated_never_cut(world: SlackWorld) -> None:
    world.clock.set(datetime(2018, 6, 1, 9, tzinfo=UTC))  # type: ignore[attr-defined]
    body = answer(world.command("overdue", user=ADMIN))
    assert len(body["blocks"]) <= 50
    shown = re.search(r"Showing 1-(\d+) of 25", all_text(body))
    assert shown, all_text(body)
    per_page = int(shown.group(1))
    cards = [b for b in body["blocks"] if b.get("block_id", "").startswith("card:")]
    assert len(cards) == per_page and 1 < per_page < 25
    nxt = [e for b in body["blocks"] if b.get("block_id") == "paging" for e in b["elements"]][0]
    world.click("page_next", nxt["value"], user=ADMIN, key="page")
    page2 = world.fake.wait_for("response_url:page")[-1].params
    assert len(page2["blocks"]) <= 50
    assert f"Showing {per_page + 1}-{2 * per_page} of 25" in all_text(page2)


@pytest.mark.parametrize("problem", ["forged", "stale", "unsigned"])
def test_unsigned_forged_or_stale_requests_get_401_and_change_nothing(
    world: SlackWorld, problem: str
) -> None:
    from tests.fakes.signing import slash_command_body

    body = slash_command_body("2.4 done", user_id=FINANCE)
    if problem == "forged":
        response = world.post(body, secret="not-the-secret")
    elif problem == "stale":
        import time

        response = world.post(body, timestamp=int(time.time()) - 301)
    else:
        response = world.http.post(
            f"{world.base}/slack/events",
            content=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 401
    assert action(world, "2.4").status == "not_started"


def test_admin_maps_an_owner_and_non_admins_cannot(world: SlackWorld) -> None:
    refused = answer(world.command('admin owner "Property" <@UNEW|newbie>', user=FINANCE))
    assert "Only actionbot admins" in all_text(refused)
    answer(world.command('admin owner "Property" <@UNEW|newbie>', user=ADMIN))
    world.fake.add_user("UNEW", email="newbie@northants.example")
    answer(world.command("4.6 done", user="UNEW"))
    assert action(world, "4.6").status == "done"


def test_two_owners_updating_at_once_are_both_recorded(world: SlackWorld) -> None:
    answer(world.command('admin owner "Learning & Development" <@ULD|ld>', user=ADMIN))
    world.fake.add_user("ULD", email="ld@northants.example")
    barrier = threading.Barrier(2)
    results: list[int] = []

    def send(text: str, user: str) -> None:
        barrier.wait()
        results.append(world.command(text, user=user).status_code)

    threads = [
        threading.Thread(target=send, args=("1.2 at risk comms late", FINANCE)),
        threading.Thread(target=send, args=("1.2 progress L&D sessions booked", "ULD")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200, 200]
    final = action(world, "1.2")
    assert final.rag == "amber" and final.status == "in_progress"
    fields = [e.field for e in events(world, "1.2")]
    assert fields.count("rag") == 1 and fields.count("status") == 1


def test_healthz(world: SlackWorld) -> None:
    response = world.http.get(f"{world.base}/healthz")
    assert response.status_code == 200 and response.json()["database"] == "up"


def test_rate_limited_web_api_calls_are_retried(world: SlackWorld) -> None:
    world.fake.fail("views.publish", error="ratelimited", status=429, retry_after=0)
    event = {"type": "app_home_opened", "user": FINANCE, "tab": "home", "channel": "D1"}
    world.event(event, event_id="Ev429")
    publishes = world.fake.wait_for("views.publish", 2)
    assert [c.status for c in publishes] == [429, 200]


def test_an_update_to_a_shared_action_is_private_with_a_one_line_notice(world: SlackWorld) -> None:
    # 2.3 belongs to Scrutiny and Finance: Finance's answer is theirs alone; the channel gets
    # one line, never the card.
    body = answer(world.command("2.3 done budget agreed", user=FINANCE, key="shared"))
    assert body["response_type"] == "ephemeral"
    assert body["text"].splitlines()[0] == "NCC:2.3 is now done."
    [notice] = world.fake.wait_for("response_url:shared")
    assert notice.params["response_type"] == "in_channel"
    assert notice.params["text"] == "NCC:2.3: Finance marked it done."
    assert "blocks" not in notice.params


def test_no_notice_for_a_sole_owner_or_in_a_dm(world: SlackWorld) -> None:
    body = answer(world.command("2.4 done", user=FINANCE, key="sole"))
    assert body["response_type"] == "ephemeral"
    dm = slash_command_body(
        "2.3 done", user_id=FINANCE, response_url=world.fake.response_url("dm"), channel_id="D123"
    )
    assert answer(world.post(dm))["response_type"] == "ephemeral"
    assert world.fake.calls_to("response_url:sole") == []
    assert world.fake.calls_to("response_url:dm") == []


def test_app_home_for_an_unknown_user_says_one_thing(world: SlackWorld) -> None:
    event = {"type": "app_home_opened", "user": STRANGER, "tab": "home", "channel": "D1"}
    assert world.event(event, event_id="EvStranger").status_code == 200
    [published] = world.fake.wait_for("views.publish")
    text = all_text(published.params["view"])
    assert "I don't know which actions are yours yet" in text
    assert "no open actions" not in text
