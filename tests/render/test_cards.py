"""Adaptive Cards from the neutral Reply: valid for Teams (schema 1.5), under the size limit,
split without losing anything, and safe from Markdown in plan text."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from microsoft_teams.cards import AdaptiveCard

from bot.core.messages import ActionCard, Button, Detail, Reply
from bot.jobs.digest import Section, digest_replies
from bot.render.cards import (
    MAX_CARD_BYTES,
    add_update_form,
    card_json,
    card_size,
    escape,
    markdown,
    new_date_form,
    refreshed_card,
    reply_cards,
    summary,
)

# What schema 1.5 has (Teams renders 1.5; later elements would be dropped or refused).
ELEMENTS_1_5 = {
    "TextBlock",
    "Container",
    "ActionSet",
    "ColumnSet",
    "Column",
    "FactSet",
    "Image",
    "RichTextBlock",
    "Input.Text",
    "Input.Date",
    "Input.ChoiceSet",
    "Input.Number",
    "Input.Time",
    "Input.Toggle",
}
ACTIONS_1_5 = {"Action.Execute", "Action.Submit", "Action.OpenUrl", "Action.ShowCard"}
TEAMS_LIMIT = 28 * 1024


def action(i: int, **kw: Any) -> ActionCard:
    values: dict[str, Any] = {
        "action_id": i,
        "plan_code": "NCC",
        "ref": f"9.{i}",
        "title": f"Action number {i} with a realistic length of title text for a council plan",
        "owners": ["Finance", "Procurement"],
        "due": date(2018, 3, 31),
        "due_label": "due 31 Mar 2018 (in 5 days)",
        "status": "in_progress",
        "rag": "amber",
        "updates": [f"15 Jan 2018 teams:someone: latest update on {i} " + "x" * 120],
    }
    values.update(kw)
    return ActionCard(**values)


def walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "type" in node:
            found.append(node)
        for value in node.values():
            found += walk(value)
    elif isinstance(node, list):
        for value in node:
            found += walk(value)
    return found


def assert_valid(card: AdaptiveCard) -> dict[str, Any]:
    """The rules Teams enforces that bite: version 1.5, known element types, required
    fields, unique input ids, `data` on every Execute (the SDK's invoke model needs it),
    and the size of the activity."""
    data = card_json(card)
    assert data["type"] == "AdaptiveCard" and data["version"] == "1.5"
    assert "$schema" not in data and "schema" not in data
    again = AdaptiveCard.model_validate(data)  # the SDK's own model reads it back the same
    assert card_json(again) == data
    ids: list[str] = []
    for node in walk(data["body"]) + walk(data.get("actions", [])):
        kind = node["type"]
        assert kind in ELEMENTS_1_5 | ACTIONS_1_5, kind
        if kind == "TextBlock":
            assert node.get("text") is not None and node.get("wrap") is True
        if kind.startswith("Input."):
            assert node.get("id") and node.get("label"), node
            ids.append(node["id"])
        if kind == "Action.Execute":
            assert node.get("title") and node.get("verb")
            assert isinstance(node.get("data"), dict) and node["data"].get("action") == node["verb"]
    assert len(ids) == len(set(ids))
    activity = {
        "type": "message",
        "summary": "x" * 1000,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": data}
        ],
    }
    assert len(json.dumps(activity).encode()) < TEAMS_LIMIT
    assert card_size(card) <= MAX_CARD_BYTES
    return data


def test_an_action_card_has_the_five_buttons_as_execute_actions() -> None:
    (card,) = reply_cards(Reply(title="Your open actions (1)", cards=[action(7)]))
    data = assert_valid(card)
    buttons = [n for n in walk(data) if n["type"] == "Action.Execute"]
    assert [b["title"] for b in buttons] == [
        "Done",
        "On track",
        "At risk",
        "New date…",
        "Add update…",
    ]
    head = "Your open actions (1)"  # carried, so the card redrawn after a click keeps it
    assert buttons[0]["data"] == {"action": "done", "action_id": "7", "ids": "7", "head": head}


def test_done_actions_have_no_buttons() -> None:
    (card,) = reply_cards(Reply(cards=[action(1, status="done")]))
    assert not [n for n in walk(assert_valid(card)) if n["type"] == "Action.Execute"]


def test_a_60_action_reminder_splits_into_valid_cards_without_loss() -> None:
    reply = Reply(
        title="60 actions to look at today",
        lines=["Use the buttons."],
        cards=[action(i) for i in range(1, 61)],
    )
    cards = reply_cards(reply)
    assert len(cards) > 1
    seen: list[str] = []
    for number, card in enumerate(cards, start=1):
        data = assert_valid(card)
        text = json.dumps(data, ensure_ascii=False)
        assert f"Part {number} of {len(cards)}" in text
        done = [n for n in walk(data) if n["type"] == "Action.Execute" and n["verb"] == "done"]
        ids = {d["data"]["ids"] for d in done}
        assert len(ids) == 1  # every button of a card knows the card's actions, to redraw it
        assert ids.pop().split(",") == [d["data"]["action_id"] for d in done]
        seen += [d["data"]["action_id"] for d in done]
    assert seen == [str(i) for i in range(1, 61)]  # each action once, in order
    full = json.dumps([card_json(c) for c in cards], ensure_ascii=False)
    for i in range(1, 61):
        assert f"NCC:9.{i}**" in full, i
        assert f"latest update on {i} " in full


def test_a_300_action_digest_splits_without_loss() -> None:
    today = date(2018, 4, 16)
    lines = [
        f"• *NCC:{i}.1* Overdue action {i} with a long title about budgets: Finance, "
        f"due {today - timedelta(days=i):%d %b %Y} ({i} days ago)"
        for i in range(1, 301)
    ]
    replies = digest_replies(
        [Section("All overdue, oldest first (300)", lines)], title="Weekly digest"
    )
    cards = [c for r in replies for c in reply_cards(r)]
    assert len(cards) > 1
    text = ""
    for card in cards:
        data = assert_valid(card)
        text += "".join(n.get("text", "") for n in walk(data) if n["type"] == "TextBlock")
    for i in range(1, 301):
        assert f"**NCC:{i}.1** Overdue action {i} " in text, i


def test_one_enormous_line_is_split_into_blocks_not_cut() -> None:
    line = "word " * 6_000
    cards = reply_cards(Reply(lines=[line]))
    blocks = [n["text"] for c in cards for n in walk(assert_valid(c)) if n["type"] == "TextBlock"]
    assert (
        "".join(b for b in blocks if not b.startswith("Part ")).replace("\n", "").count("word")
        == 6_000
    )


def test_choices_become_execute_buttons() -> None:
    reply = Reply(
        lines=["2.4 is in 2 plans. Which one did you mean?"],
        choices=[Button("choose", "A:2.4", "1|2.4 done"), Button("choose", "B:2.4", "2|2.4 done")],
    )
    (card,) = reply_cards(reply)
    buttons = [n for n in walk(assert_valid(card)) if n["type"] == "Action.Execute"]
    assert [b["data"] for b in buttons] == [
        {"action": "choose", "value": "1|2.4 done"},
        {"action": "choose", "value": "2|2.4 done"},
    ]


def test_forms_are_valid_and_require_their_inputs() -> None:
    form = assert_valid(
        new_date_form(
            action_id=3,
            label="NCC:2.4 Budget",
            current=date(2018, 3, 31),
            today=date(2018, 1, 15),
            ids="3,4",
        )
    )
    inputs = {n["id"]: n for n in walk(form) if n["type"].startswith("Input.")}
    assert inputs["new_due"]["min"] == "2018-01-15" and inputs["new_due"]["isRequired"] is True
    assert inputs["reason"]["isRequired"] is True and inputs["reason"]["maxLength"] == 1500
    update = assert_valid(add_update_form(action_id=3, label="NCC:2.4", ids="3"))
    choices = next(n for n in walk(update) if n["type"] == "Input.ChoiceSet")
    assert [c["value"] for c in choices["choices"]] == ["none", "green", "amber", "red"]


def test_refreshed_card_is_one_card_with_the_outcome_first() -> None:
    card = refreshed_card(Reply(lines=["NCC:9.1 is now done."]), [action(i) for i in range(1, 11)])
    data = assert_valid(card)
    assert data["body"][0]["text"] == "NCC:9.1 is now done."


@pytest.mark.parametrize(
    ("raw", "forbidden"),
    [
        ("[Click here](https://evil.example)", "[Click here](https://"),
        ("**bold** and _italic_", "**bold**"),
        ("- a list\n1. numbered", "\n1. numbered"),
        ("{{DATE(2017-02-14T06:00:00Z, SHORT)}}", "{{DATE("),
    ],
)
def test_plan_text_cannot_form_markdown(raw: str, forbidden: str) -> None:
    escaped = escape(raw)
    assert forbidden not in escaped
    (card,) = reply_cards(Reply(cards=[action(1, title=raw, owners=[raw], updates=[raw])]))
    text = json.dumps(card_json(card), ensure_ascii=False)
    assert json.dumps(forbidden, ensure_ascii=False)[1:-1] not in text


def test_service_lines_keep_their_own_formatting_but_not_the_users() -> None:
    line = "*NCC:2.4* moved: because [see](http://x) `/action mine`"
    out = markdown(line)
    assert out.startswith("**NCC:2.4** moved")
    assert "[see](" not in out and "\\[see\\]" in out
    assert out.endswith("**mine**")  # typed without the slash in Teams
    assert re.search(r"(?<!\\)\[", out) is None


def test_a_picture_follows_its_paragraph_and_survives_the_outbox() -> None:
    from bot.core.messages import Picture, reply_from_dict, reply_to_dict

    url = "https://bot.council.example/charts/" + "t" * 43 + ".png"
    alt = "NCC: actions by theme, 5 March 2018. 25 actions: *no* RAG yet 25."
    reply = Reply(
        title="Weekly digest",
        lines=["*NCC*\nChart by theme (the picture below): no RAG yet 25", "*Overdue*"],
        pictures=[Picture(url, alt, 0)],
        public=True,
    )
    again = reply_from_dict(json.loads(json.dumps(reply_to_dict(reply))))
    assert again.pictures == reply.pictures
    [card] = reply_cards(again)
    body = card_json(card)["body"]
    kinds = [element["type"] for element in body]
    assert kinds == ["TextBlock", "TextBlock", "Image", "TextBlock"]
    image = body[2]
    assert image["url"] == url and image["altText"] == alt  # alt text is not Markdown
    assert card_size(card) < MAX_CARD_BYTES


def test_on_a_phone_one_choice_is_a_button_and_the_rest_are_in_the_overflow() -> None:
    """Regression: at 360 px five buttons in a row shrank to "D..", "O…", "A…"."""
    (card,) = reply_cards(Reply(cards=[action(7)]))
    buttons = [n for n in walk(assert_valid(card)) if n["type"] == "Action.Execute"]
    shown = [b["title"] for b in buttons if b.get("mode") != "secondary"]
    overflow = [b["title"] for b in buttons if b.get("mode") == "secondary"]
    assert shown == ["Done"]
    assert overflow == ["On track", "At risk", "New date…", "Add update…"]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("waiting on <cabinet> decision", "waiting on <\u2060cabinet> decision"),
        ("31/07/2027 <reason>", "31/07/2027 <\u2060reason>"),
        ("</b><!-- x -->", "<\u2060/b><\u2060!-- x -->"),
        ("AT&amp;T &#169; R&D", "AT&\u2060amp;T &\u2060#169; R&D"),
        ("a < b > c", "a < b > c"),
    ],
)
def test_angle_brackets_and_entities_stay_text(raw: str, shown: str) -> None:
    """Regression: an HTML-aware renderer dropped `<reason>` and `<cabinet>` as tags."""
    assert escape(raw) == shown
    (card,) = reply_cards(Reply(lines=[raw]))
    (block,) = [n for n in walk(assert_valid(card)) if n["type"] == "TextBlock"]
    assert block["text"].replace("\u2060", "") == raw


def test_each_line_of_a_detail_is_its_own_text_block() -> None:
    """Regression: the Tasks and Outcome bullets ran together on one line in Teams."""
    tasks = "- Review the arrangements\n- Report to cabinet\n- Publish"
    shown = replace(action(1), detail=True, details=[Detail("Tasks", tasks)])
    (card,) = reply_cards(Reply(cards=[shown]))
    texts = [n["text"] for n in walk(assert_valid(card)) if n["type"] == "TextBlock"]
    start = texts.index("**Tasks**: \\- Review the arrangements")
    assert texts[start + 1 : start + 3] == ["\\- Report to cabinet", "\\- Publish"]


def test_commands_are_shown_as_typed_in_teams_and_the_summary_is_plain() -> None:
    reply = Reply(
        title="3 actions to look at today",
        lines=["No action '9.9'. Try `/action mine`", "*NCC:2.4* is _now_ done"],
    )
    (card,) = reply_cards(reply)
    texts = [n["text"] for n in walk(assert_valid(card)) if n["type"] == "TextBlock"]
    assert "No action '9.9'. Try **mine**" in texts
    assert "/action" not in json.dumps(texts)
    assert (
        summary(reply)
        == "3 actions to look at today\nNo action '9.9'. Try mine\nNCC:2.4 is now done"
    )


def test_a_redrawn_card_keeps_its_heading_and_shows_the_changed_action_first() -> None:
    """Regression: after a click the card lost its heading and the changed action could be
    the tenth, at the bottom."""
    card = refreshed_card(
        Reply(lines=["NCC:9.10 is now done."]),
        [action(i) for i in range(1, 11)],
        head="10 actions to look at today",
        changed=10,
    )
    data = assert_valid(card)
    assert [b["text"] for b in data["body"][:2]] == [
        "10 actions to look at today",
        "NCC:9.10 is now done.",
    ]
    containers = [n for n in data["body"] if n["type"] == "Container"]
    assert "NCC:9.10" in json.dumps(containers[0]) and containers[0]["style"] == "emphasis"
    assert all("style" not in c for c in containers[1:])


def test_a_refused_form_keeps_what_was_typed() -> None:
    """Regression: the reason typed in New date… was cleared when the server refused it."""
    form = assert_valid(
        new_date_form(
            action_id=3,
            label="NCC:2.4 Budget",
            current=date(2018, 3, 31),
            today=date(2018, 1, 15),
            ids="3",
            problem="The new date is in the past.",
            picked="2018-01-01",
            reason="audit <late>",
        )
    )
    inputs = {n["id"]: n for n in walk(form) if n["type"].startswith("Input.")}
    assert inputs["reason"]["value"] == "audit <late>"
    assert inputs["new_due"]["value"] == "2018-01-01"
