"""Properties of the Block Kit renderer (hypothesis): whatever text a plan or a person
puts in a reply, every message Slack gets is escaped (no live `<!…>`, `<http…>`, `<@…>`,
`<#…>`), passes Slack's own checks, loses no action, and shows a card's title as written
(Slack reads no formatting into it: tests/fakes/block_kit.py `shown`); the terminal shows
text as is."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.core.messages import ActionCard, Button, Reply
from bot.render.blocks import BUTTON_STYLE, card_blocks, home_view, reply_message, reply_pages
from bot.render.terminal import reply_view
from tests.fakes.block_kit import check_message, check_view, shown, styles_in

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123>",
    "<#C123>",
    "<!subteam^S1>",
    "<https://evil.example|Open budget>",
    "<mailto:a@b.example|mail>",
    "&lt;!channel&gt;",
    "&amp;",
    "&",
    "<",
    ">",
    "R&D",
    "*bold*",
    "_it_",
    "`code`",
    "🚨",
    "\n",
    "=HYPERLINK(1)",
]
texts = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40)), max_size=12).map(
    "".join
)
long_texts = st.one_of(texts, st.builds(lambda t, n: t * n, texts, st.integers(1, 100)))


@st.composite
def cards(draw: st.DrawFn, action_id: int) -> ActionCard:
    return ActionCard(
        action_id=action_id,
        plan_code="P",
        ref=f"R{action_id}",
        title=draw(long_texts),
        owners=draw(st.lists(texts, max_size=3)),
        due=date(2018, 1, 1),
        due_label=draw(texts),
        status=draw(st.sampled_from(["not_started", "in_progress", "done"])),
        rag=draw(st.sampled_from([None, "green", "amber", "red"])),
        theme=draw(texts),
        updates=draw(st.lists(long_texts, max_size=5)),
    )


@st.composite
def replies(draw: st.DrawFn) -> Reply:
    count = draw(st.integers(0, 20))
    return Reply(
        title=draw(st.one_of(st.none(), texts)),
        lines=draw(st.lists(long_texts, max_size=5)),
        cards=[draw(cards(i)) for i in range(1, count + 1)],
        choices=draw(
            st.lists(st.builds(Button, st.just("choose"), texts, st.just("1|x")), max_size=3)
        ),
        public=draw(st.booleans()),
    )


def mrkdwn_strings(payload: Any) -> list[str]:
    """The message `text` and every mrkdwn text object: what Slack parses for markup."""
    found: list[str] = []
    if isinstance(payload, dict):
        if payload.get("type") == "mrkdwn" or ("blocks" in payload and "text" in payload):
            found.append(str(payload["text"]))
        for key, value in payload.items():
            if key != "text":
                found += mrkdwn_strings(value)
    elif isinstance(payload, list):
        for item in payload:
            found += mrkdwn_strings(item)
    return found


def assert_escaped(payload: Any) -> None:
    for text in mrkdwn_strings(payload):
        # actionbot's own templates hold no markup: any `<` or `>` would be someone's text.
        assert "<" not in text and ">" not in text, text[:200]
        # Every `&` starts one of the three entities: nothing half-escaped or cut mid-entity.
        stripped = text.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
        assert "&" not in stripped, text[:200]


@FAST
@given(replies())
def test_every_message_is_escaped_accepted_by_slack_and_complete(reply: Reply) -> None:
    for message in [reply_message(reply), *reply_pages(reply)]:
        assert_escaped(message)
        check_message(message)
    pages = [shown(page) for page in reply_pages(reply)]
    seen = "\n".join(text for text, _ in pages)
    for card in reply.cards:
        # Nothing lost: every card is in the thread, its label in actionbot's bold...
        assert any("bold" in (styles_in(page, card.label) or set()) for page in pages)
        # ...and a title a list shows whole is shown as written, marks and all.
        if 0 < len(card.title) < 900:
            assert card.title in seen


@settings(FAST, max_examples=20)
@given(st.data())
def test_app_home_is_escaped_and_accepted(data: st.DataObject) -> None:
    home_cards = [data.draw(cards(i)) for i in range(1, data.draw(st.integers(0, 30)) + 1)]
    intro = data.draw(texts)
    seen: set[str] = set()
    page = 0
    while True:
        view = home_view(home_cards, today=date(2018, 1, 15), page=page, intro=intro)
        assert_escaped(view)
        check_view(view)
        shows = shown(view)
        seen |= {c.label for c in home_cards if "bold" in (styles_in(shows, c.label) or set())}
        if '"home_next"' not in json.dumps(view):
            break
        page += 1
    assert seen == {c.label for c in home_cards}


printable = st.lists(
    st.sampled_from([h for h in HOSTILE if h not in ("*bold*", "_it_", "`code`", "\n")]), max_size=8
).map("".join)


@FAST
@given(printable)
def test_the_terminal_shows_text_as_typed(text: str) -> None:
    """Escaping is Slack's business: the terminal shows `<!channel>` and `R&D` as they are."""
    console = Console(width=10_000, record=True, force_terminal=False)
    console.print(reply_view(Reply(lines=[f"x{text}x"])))
    assert f"x{text}x" in console.export_text()


def test_a_title_too_long_for_a_list_says_where_to_read_it_whole() -> None:
    long = "Review the arrangements " * 100  # 2,400 characters
    listed = ActionCard(1, "NCC", "10/16 (c)", long, [], None, "no due date", "in_progress", None)
    message = reply_message(Reply(title="Overdue actions (2)", cards=[listed, listed]))
    text = json.dumps(message["blocks"])
    assert '(in full: `/action \\"NCC:10/16 (c)\\"`)' in text
    assert "REF" not in text
    detail = replace(listed, detail=True)
    whole = html.unescape(json.dumps(reply_message(Reply(cards=[detail]))["blocks"]))
    assert whole.count("Review the arrangements") == 100  # the detail view shows all of it


@FAST
@given(st.integers(1, 2**62), st.sampled_from(["not_started", "in_progress", "blocked"]))
def test_a_cards_buttons_are_what_slack_sdk_makes_of_them(action_id: int, status: str) -> None:
    """The buttons block is stamped from a pattern slack_sdk made once: it must be exactly
    the block slack_sdk makes for this card, so Slack gets the same JSON either way."""
    card = ActionCard(action_id, "P", "R1", "Title", ["Owner"], None, "no due date", status, None)
    stamped = [b.to_dict() for b in card_blocks(card) if b.type == "actions"]
    made = ActionsBlock(
        block_id=f"buttons:{action_id}",
        elements=[
            ButtonElement(
                text=b.label,
                action_id=f"action_{b.kind}",
                value=b.value,
                style=BUTTON_STYLE.get(b.kind),
            )
            for b in card.button_list()
        ],
    ).to_dict()
    assert stamped == [made]
    assert json.dumps(stamped[0]) == json.dumps(made)  # the same keys in the same order
