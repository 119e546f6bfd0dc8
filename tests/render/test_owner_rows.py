"""An unmapped owner per row with its own Map… button: every renderer shows every row within
its platform's limits (Slack pages of 50 blocks, Teams cards under the activity size), and
escapes the names as text."""

from __future__ import annotations

import json

from bot.core.messages import Button, Reply, Row
from bot.render.blocks import MAX_MESSAGE_BLOCKS, reply_blocks, reply_pages
from bot.render.cards import MAX_CARD_BYTES, card_json, card_size, reply_cards
from bot.render.terminal import plain_text, reply_render


def owners(count: int) -> Reply:
    rows = [
        Row(
            f'Role {n:03d} <R&D> *bold* ({n} actions): /action admin owner "Role {n:03d}" @person',
            Button("map_owner", "Map…", f"Role {n:03d} <R&D> *bold*"),
        )
        for n in range(count)
    ]
    return Reply(title=f"{count} owner names nobody can be reached for", rows=rows)


def test_slack_pages_every_row_with_its_button() -> None:
    reply = owners(100)
    values: list[str] = []
    page = 0
    while True:
        blocks = [b.to_dict() for b in reply_blocks(reply, page=page, raw="admin owners")]
        assert len(blocks) <= MAX_MESSAGE_BLOCKS
        values += [
            b["accessory"]["value"]
            for b in blocks
            if b.get("accessory", {}).get("action_id") == "row_map_owner"
        ]
        if '"page_next"' not in json.dumps(blocks):
            break
        page += 1
    assert values == [f"Role {n:03d} <R&D> *bold*" for n in range(100)]
    assert "Role 000 &lt;R&amp;D&gt;" in json.dumps([b.to_dict() for b in reply_blocks(reply)])
    # Messages nobody pages through (a DM) carry every row, in a thread.
    threaded = json.dumps(reply_pages(reply))
    assert all(f"Role {n:03d} &lt;R&amp;D&gt;" in threaded for n in range(100))


def test_teams_cards_hold_every_row_under_the_size_limit() -> None:
    cards = reply_cards(owners(100))
    assert len(cards) > 1
    found = []
    for card in cards:
        assert card_size(card) <= MAX_CARD_BYTES
        text = json.dumps(card_json(card), ensure_ascii=False)
        found += [m for m in range(100) if f'"owner": "Role {m:03d} <R&D> *bold*"' in text]
    assert sorted(found) == list(range(100))
    assert "Part 1 of" in json.dumps(card_json(cards[0]))


def test_the_terminal_numbers_each_row() -> None:
    view = reply_render(owners(3))
    assert [b.kind for b in view.choices] == ["map_owner"] * 3
    text = plain_text(view.renderable)
    assert '/action admin owner "Role 002" @person' in text and "Map…" in text
