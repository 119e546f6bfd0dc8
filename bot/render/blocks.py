"""Block Kit from the neutral Reply. Pure functions; slack_sdk models validate limits.

Long lists are paginated with Previous/Next buttons that re-run the command for another
page, so nothing is ever cut off silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.messages import ActionCard, Reply
from bot.when import day

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000
MAX_CARDS_PER_MESSAGE = 12
CARD_BLOCKS = 5  # the most one card takes: head, details, updates, buttons, divider
PAGER_BLOCKS = 2
CARDS_PER_HOME = 25
RAG_EMOJI = {"green": "🟢", "amber": "🟠", "red": "🔴", None: "⚪"}
BUTTON_STYLE = {"done": "primary"}

NEW_DATE_VIEW = "new_date"
ADD_UPDATE_VIEW = "add_update"


def _mrkdwn(text: str, *, more: str | None = None) -> MarkdownTextObject:
    """Section text; over 3,000 characters Slack refuses it, so it is shortened and, when
    `more` names a command that shows it in full, says which."""
    if len(text) > MAX_TEXT:
        tail = f"… _(in full: `{more}`)_" if more else "…"
        text = text[: MAX_TEXT - len(tail)] + tail
    return MarkdownTextObject(text=text)


def _pieces(text: str, size: int = MAX_TEXT - 100) -> list[str]:
    """Long text as consecutive pieces that each fit a section: nothing cut."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def escape(text: str) -> str:
    """Slack mrkdwn control characters, so a title cannot ping @channel or break links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def card_blocks(card: ActionCard) -> list[Block]:
    """A card: the action, then due date · status · owners; the detail view adds its details
    and history, and shows the whole title however long."""
    head = f"*{escape(card.label)}* {escape(card.title) or '_(no title)_'}"
    facts = [
        card.due_label,
        f"{RAG_EMOJI.get(card.rag, '⚪')} {card.status_label}",
        "Owners: " + (escape(", ".join(card.owners)) or "none"),
    ]
    blocks: list[Block]
    if card.detail:
        heads = _pieces(head)
        blocks = [SectionBlock(text=_mrkdwn(heads[0]), block_id=f"card:{card.action_id}")]
        blocks += [SectionBlock(text=_mrkdwn(piece)) for piece in heads[1:]]
    else:
        more = f"/action {card.label}"
        blocks = [SectionBlock(text=_mrkdwn(head, more=more), block_id=f"card:{card.action_id}")]
    blocks.append(ContextBlock(elements=[_mrkdwn(" · ".join(facts))]))
    for detail in card.details:
        body = f"*{escape(detail.label)}*\n{escape(detail.text)}"
        blocks.append(SectionBlock(text=_mrkdwn(body, more=f"/action {card.label}")))
    if card.updates:
        shown = card.updates if card.detail else card.updates[:5]
        blocks.append(ContextBlock(elements=[_mrkdwn("\n".join(escape(u) for u in shown))]))
    buttons = card.button_list()
    if buttons:
        blocks.append(
            ActionsBlock(
                block_id=f"buttons:{card.action_id}",
                elements=[
                    ButtonElement(
                        text=b.label,
                        action_id=f"action_{b.kind}",
                        value=b.value,
                        style=BUTTON_STYLE.get(b.kind),
                    )
                    for b in buttons
                ],
            )
        )
    return blocks


def _pager(
    page: int,
    pages: int,
    shown: int,
    total: int,
    *,
    per_page: int,
    prefix: str,
    value: Callable[[int], str],
    block_id: str,
) -> list[Block]:
    """ "Showing 13-24 of 25" and Previous/Next buttons; nothing when one page holds it all."""
    if pages <= 1:
        return []
    first = page * per_page + 1
    where = ContextBlock(elements=[_mrkdwn(f"Showing {first}-{first + shown - 1} of {total}")])
    nav = []
    if page > 0:
        nav.append(
            ButtonElement(text="‹ Previous", action_id=f"{prefix}_prev", value=value(page - 1))
        )
    if page < pages - 1:
        nav.append(ButtonElement(text="Next ›", action_id=f"{prefix}_next", value=value(page + 1)))
    return [where, ActionsBlock(block_id=block_id, elements=nav)]


def page_value(page: int, raw: str) -> str:
    return json.dumps({"p": page, "t": raw[:1800]})


def reply_blocks(reply: Reply, *, page: int = 0, raw: str = "") -> list[Block]:
    """One message's blocks for page `page` of the reply (≤ 50 blocks)."""
    blocks: list[Block] = []
    if reply.title:
        blocks.append(HeaderBlock(text=PlainTextObject(text=reply.title[:150])))
    for line in reply.lines:
        blocks.append(SectionBlock(text=_mrkdwn(line)))
    if reply.choices:
        blocks.append(
            ActionsBlock(
                block_id="choices",
                elements=[
                    ButtonElement(text=c.label[:75], action_id=f"action_choose_{i}", value=c.value)
                    for i, c in enumerate(reply.choices[:25])
                ],
            )
        )
    per_page = cards_per_message(reply)
    pages = max(1, -(-len(reply.cards) // per_page))
    page = min(max(page, 0), pages - 1)
    shown = reply.cards[page * per_page : (page + 1) * per_page]
    for index, card in enumerate(shown):
        if index:
            blocks.append(DividerBlock())
        blocks.extend(card_blocks(card))
    for line in reply.footer:
        blocks.append(SectionBlock(text=_mrkdwn(line)))
    blocks += _pager(
        page,
        pages,
        len(shown),
        len(reply.cards),
        per_page=per_page,
        prefix="page",
        value=lambda p: page_value(p, raw),
        block_id="paging",
    )
    assert len(blocks) <= MAX_MESSAGE_BLOCKS
    return blocks


def cards_per_message(reply: Reply) -> int:
    """How many cards fit in one message beside the reply's title, lines and pager."""
    overhead = (
        bool(reply.title)
        + len(reply.lines)
        + len(reply.footer)
        + bool(reply.choices)
        + PAGER_BLOCKS
    )
    # Each card and the divider before it; the first card has none, hence the + 1.
    size = 1 + max((len(card_blocks(c)) for c in reply.cards), default=CARD_BLOCKS - 1)
    fits = (MAX_MESSAGE_BLOCKS - overhead + 1) // size
    return max(1, min(MAX_CARDS_PER_MESSAGE, fits))


def reply_pages(reply: Reply) -> list[dict[str, Any]]:
    """The whole reply as one or more messages, for messages nobody pages through (DMs from
    the reminder job): every card is sent, none is hidden behind a Next button. The first
    message is the one to post; the others belong in its thread."""
    per_page = cards_per_message(reply)
    chunks = [reply.cards[i : i + per_page] for i in range(0, len(reply.cards), per_page)]
    if len(chunks) <= 1:
        return [reply_message(reply)]
    messages = []
    for number, chunk in enumerate(chunks):
        first = number * per_page + 1
        part = replace(
            reply,
            title=reply.title if number == 0 else f"{reply.title or 'actionbot'} (continued)",
            lines=reply.lines if number == 0 else [],
            footer=reply.footer if number == len(chunks) - 1 else [],
            choices=reply.choices if number == 0 else [],
            cards=chunk,
        )
        where = f"{first}-{first + len(chunk) - 1} of {len(reply.cards)} actions"
        if number == 0:
            where += "; the rest follow in the thread"
        blocks = reply_blocks(part)
        blocks.append(ContextBlock(elements=[_mrkdwn(where)]))
        messages.append({"text": part.text[:3000] or "actionbot", "blocks": _dicts(blocks)})
    return messages


def _dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def reply_message(reply: Reply, *, page: int = 0, raw: str = "") -> dict[str, Any]:
    """Keyword arguments for chat.postMessage / respond / ack: text fallback and blocks."""
    return {
        "text": reply.text[:3000] or "actionbot",
        "blocks": _dicts(reply_blocks(reply, page=page, raw=raw)),
    }


def _bucket(card: ActionCard, today: date) -> str:
    if card.due is None:
        return "No due date"
    days = (card.due - today).days
    if days < 0:
        return "Overdue"
    if days <= 7:
        return "Due this week"
    if days <= 30:
        return "Due in the next 30 days"
    return "Later"


def home_view(
    cards: list[ActionCard], *, today: date, page: int = 0, intro: str | None = None
) -> dict[str, Any]:
    """The App Home tab: the user's open actions grouped by due date (≤ 100 blocks)."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text="Your open actions"))]
    if intro:
        blocks.append(SectionBlock(text=_mrkdwn(intro)))
    if not cards and not intro:
        blocks.append(SectionBlock(text=_mrkdwn("You have no open actions. 🎉")))
    pages = max(1, -(-len(cards) // CARDS_PER_HOME))
    page = min(max(page, 0), pages - 1)
    shown = cards[page * CARDS_PER_HOME : (page + 1) * CARDS_PER_HOME]
    current = None
    for card in shown:
        bucket = _bucket(card, today)
        if bucket != current:
            blocks.append(SectionBlock(text=_mrkdwn(f"*{bucket}*")))
            current = bucket
        blocks.extend(card_blocks(card))
    blocks += _pager(
        page,
        pages,
        len(shown),
        len(cards),
        per_page=CARDS_PER_HOME,
        prefix="home",
        value=str,
        block_id="home_paging",
    )
    assert len(blocks) <= MAX_VIEW_BLOCKS
    return View(type="home", blocks=blocks).to_dict()


def new_date_modal(
    *, action_id: int, label: str, current: date | None, today: date
) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id=NEW_DATE_VIEW,
        private_metadata=str(action_id),
        title=PlainTextObject(text="New target date"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(
                text=_mrkdwn(
                    f"*{escape(label)}*" + (f"\nNow due {day(current, today)}" if current else "")
                )
            ),
            InputBlock(
                block_id="date",
                label=PlainTextObject(text="New date"),
                element=DatePickerElement(
                    action_id="value", initial_date=(current or today).isoformat()
                ),
            ),
            InputBlock(
                block_id="reason",
                label=PlainTextObject(text="Why is it moving?"),
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=1500),
            ),
        ],
    ).to_dict()


def add_update_modal(*, action_id: int, label: str) -> dict[str, Any]:
    rag_options = [
        Option(value="none", label="No change"),
        Option(value="green", label="🟢 On track"),
        Option(value="amber", label="🟠 At risk"),
        Option(value="red", label="🔴 Off track"),
    ]
    return View(
        type="modal",
        callback_id=ADD_UPDATE_VIEW,
        private_metadata=str(action_id),
        title=PlainTextObject(text="Add an update"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(text=_mrkdwn(f"*{escape(label)}*")),
            InputBlock(
                block_id="note",
                label=PlainTextObject(text="Update"),
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=1500),
            ),
            InputBlock(
                block_id="rag",
                label=PlainTextObject(text="RAG"),
                optional=True,
                element=StaticSelectElement(
                    action_id="value", options=rag_options, initial_option=rag_options[0]
                ),
            ),
        ],
    ).to_dict()
