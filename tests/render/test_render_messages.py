"""How the neutral model's cards and emphasis come out on Slack and in the terminal."""

from __future__ import annotations

import json
from datetime import date

from bot.core.messages import ActionCard, Detail, Reply
from bot.render.blocks import MAX_TEXT, reply_message
from bot.render.terminal import inline, plain_text, reply_view


def card(title: str, *, detail: bool) -> ActionCard:
    return ActionCard(
        action_id=7,
        plan_code="NCC",
        ref="2.4",
        title=title,
        owners=["Finance"],
        due=date(2018, 3, 31),
        due_label="due in 2 days (Sat 31 Mar)",
        status="in_progress",
        rag="amber",
        details=[Detail("Tasks", "• one\n• two")] if detail else [],
        updates=["Thu 29 Mar: Finance noted: “x” (Slack)"] if detail else [],
        detail=detail,
    )


def section_texts(message: dict[str, object]) -> list[str]:
    blocks = message["blocks"]
    assert isinstance(blocks, list)
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_the_detail_view_shows_a_long_title_whole_and_never_says_shortened() -> None:
    title = "".join(f"[{n:04d}]" for n in range(1000))  # 6,000 characters
    message = reply_message(Reply(cards=[card(title, detail=True)]))
    texts = section_texts(message)
    assert all(len(t) <= MAX_TEXT for t in texts)
    assert title in "".join(texts).replace("*NCC:2.4* ", "")
    assert "shortened" not in json.dumps(message) and "REF" not in json.dumps(message)
    assert str(message["text"]).startswith("NCC:2.4 [0000]")


def test_a_list_card_with_a_long_title_names_the_command_that_shows_it_whole() -> None:
    message = reply_message(Reply(cards=[card("y" * 4000, detail=False)]))
    head = section_texts(message)[0]
    assert len(head) <= MAX_TEXT
    assert head.endswith("… (in full: `/action NCC:2.4`)")


def test_the_terminal_renders_emphasis_instead_of_printing_markers() -> None:
    text = plain_text(inline("_Financial Governance_ · *NCC:2.4* · `/action mine` · snake_case"))
    assert text == "Financial Governance · NCC:2.4 · /action mine · snake_case\n"
    styles = {str(span.style) for span in inline("_a_ *b* `c`").spans}
    assert styles == {"italic", "bold", "cyan"}


def test_the_terminal_shows_details_history_and_footer() -> None:
    reply = Reply(cards=[card("Title", detail=True)], footer=["…and 3 more: `/action mine`"])
    text = plain_text(reply_view(reply))
    assert text.splitlines()[0] == "NCC:2.4 Title"
    assert "Tasks:" in text and "  • two" in text and "History:" in text
    assert text.rstrip().endswith("…and 3 more: /action mine")
