"""The Done… forms as Slack and Teams take them: Slack's modal passes the strict Block Kit
check and carries a file input offering the plan's types; Teams' card is a valid 1.5 card
without a file input (Adaptive Cards have none) that says how to send a file; hostile text
in the action's title is shown exactly as written on both."""

from __future__ import annotations

from bot.render.closure_blocks import done_modal
from bot.render.closure_cards import done_form
from tests.fakes.block_kit import check_view, shown
from tests.render.test_cards import assert_valid, walk

HOSTILE = 'NCC:2.4 <!channel> *bold* <tag> =HYPERLINK("http://evil.example","x") 🎉 \x07'


def test_slack_done_modal_is_valid_shows_the_title_as_written_and_offers_the_plans_types() -> None:
    view = done_modal(action_id=7, label=HOSTILE, types="pdf, png")
    check_view(view)  # raises as Slack's views.open refuses
    text, styles = shown(view)
    start = text.index(HOSTILE.replace("\x07", "")[:20])
    assert not any(styles[start : start + 20])  # no bold, code or links made of the title
    assert "<!channel>" in text and "*bold*" in text
    [files] = [b for b in view["blocks"] if b.get("block_id") == "files"]
    assert files["optional"] is True and files["element"]["filetypes"] == ["pdf", "png"]
    assert {b.get("block_id") for b in view["blocks"]} >= {"links", "note", "files"}


def test_teams_done_form_is_valid_and_says_how_to_send_a_file() -> None:
    note = "*kept* <!channel> 🎉 " + "x" * 3000
    card = done_form(
        action_id=7,
        label=HOSTILE,
        ref="NCC:2.4",
        types="pdf, png",
        ids="7",
        problem="'ftp://x' is not a web link",
        links="ftp://x",
        note=note,
    )
    data = assert_valid(card)
    inputs = {n["id"]: n for n in walk(data["body"]) if n["type"].startswith("Input.")}
    assert set(inputs) == {"links", "note"}  # no file input: Adaptive Cards have none
    assert inputs["note"]["value"] == note and inputs["links"]["value"] == "ftp://x"
    texts = [
        n["text"].replace("\u2060", "") for n in walk(data["body"]) if n["type"] == "TextBlock"
    ]
    assert any("send it to me in this chat with the words “NCC:2.4 done”" in t for t in texts)
    assert any("accepted: pdf, png" in t for t in texts)
    assert [a["verb"] for a in data["actions"]] == ["save_done", "show"]
