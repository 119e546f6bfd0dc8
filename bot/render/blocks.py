"""Block Kit from the neutral Reply. Pure functions; slack_sdk models validate limits.

Every string in the neutral model is text in actionbot's own small markup (`*bold*`,
`_emphasis_`, `` `code` ``; text from plans and people is escaped into it by
`bot.core.messages.theirs`), read here by `bot.core.messages.spans` and nowhere parsed twice. This
module is the one place it becomes Slack's:

* a text whose words hold none of Slack's mrkdwn characters (`*`, `_`, `~`, `` ` ``, a `>`
  starting a line) is mrkdwn, with `&`, `<` and `>` escaped exactly once by `escape()`, so a
  plan cell `Pay <!channel> now` shows as typed and pings nobody;
* a text whose words do hold them is shown in objects Slack does not parse: a `rich_text`
  block, whose runs carry their style explicitly (Slack's documented way to show
  user-defined text; sections), or a `plain_text` object (context elements and section
  fields, which take no rich text; the words exactly, actionbot's emphasis left out). So
  `*bold*` in a plan title is not bold, and actionbot's own bold still is.

Plain-text objects (headers, buttons, modal labels) are not parsed by Slack and are not
escaped.

Messages are budgeted by blocks (50) and by characters: Slack refuses a message whose
blocks hold more than about 12,000 characters in all (`msg_blocks_too_long`, undocumented,
bolt-js#2509/#2867). What does not fit goes on the next page (Previous/Next buttons that
re-run the command) or, for messages nobody pages through, into the thread. Nothing is
cut silently; the only cut, of one text too long for any message, says where to read it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
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
    RichTextBlock,
    RichTextElementParts,
    RichTextSectionElement,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.core.messages import ActionCard, Reply, Span, plain, spans, theirs
from bot.core.when import day

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000  # one section's text, after escaping
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK = 3000  # the plain `text` of a message (notifications), before escaping
# Under Slack's ~12,000 so a message never meets the edge; counted as text characters
# (after escaping) plus BLOCK_COST for each block's own JSON.
MESSAGE_CHAR_BUDGET = 11_000
BLOCK_COST = 20
# A card title in a list longer than this is shortened there; `/action REF` shows it whole.
LIST_TITLE = 1000
MAX_CARDS_PER_MESSAGE = 12
CARDS_PER_HOME = 25
PAGER_RESERVE = (3, 400)  # blocks and characters kept free for "Showing …" and the buttons
RAG_EMOJI = {"green": "🟢", "amber": "🟠", "red": "🔴", None: "⚪"}
BUTTON_STYLE = {
    "done": "primary",
    "import_apply": "primary",
    "accept": "primary",
    "approve": "primary",
}

NEW_DATE_VIEW = "new_date"
ADD_UPDATE_VIEW = "add_update"


_ACTION = "action_"


def action_id_of(kind: str) -> str:
    """The action_id of a button under an action card (`action_done`, `action_accept`)."""
    return _ACTION + kind


def kind_of(action_id: str) -> str:
    """The button kind an action card's action_id names: `action_done` → `done`."""
    return action_id.removeprefix(_ACTION)


def action_ids(kinds: Iterable[str]) -> re.Pattern[str]:
    """What the action_ids of these buttons match, for a Bolt listener or the gate: drawn
    from the same kinds the buttons are, so a new button needs no pattern written by hand."""
    return ids_pattern(action_id_of(kind) for kind in kinds)


def ids_pattern(ids: Iterable[str]) -> re.Pattern[str]:
    """Exactly these action_ids."""
    return re.compile("^(?:" + "|".join(re.escape(i) for i in sorted(ids)) + ")$")


def escape(text: str) -> str:
    """Slack's three control characters, so text cannot ping @channel or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _split(escaped: str, limit: int = MAX_TEXT) -> list[str]:
    """Escaped mrkdwn in pieces of at most `limit` characters, at a line break or a space
    where there is one, and never inside an entity such as `&amp;`."""
    pieces: list[str] = []
    while len(escaped) > limit:
        cut = escaped.rfind("\n", limit // 2, limit)
        if cut == -1:
            cut = escaped.rfind(" ", limit // 2, limit)
        if cut == -1:
            cut = limit
        entity = escaped.rfind("&", max(cut - 5, 0), cut)
        if entity != -1 and ";" not in escaped[entity:cut]:
            cut = entity
        pieces.append(escaped[:cut])
        escaped = escaped[cut:].lstrip("\n") if escaped[cut : cut + 1] == "\n" else escaped[cut:]
    pieces.append(escaped)
    return [p for p in pieces if p] or [""]


# What Slack's mrkdwn would read as formatting in a run of words.
_SLACK_MARKS = frozenset("*_~`")
_MRKDWN = {"bold": "*", "em": "_", "code": "`", "": ""}


def as_mrkdwn(line: str) -> str | None:
    """The markup as escaped Slack mrkdwn, or None when its words hold characters that
    mrkdwn would read as formatting (see the module's doc)."""
    out: list[str] = []
    for span in spans(line):
        # Inside a code span Slack formats nothing, but a backtick would end it.
        risky = {"`"} if span.style == "code" else _SLACK_MARKS
        if risky & set(span.text) or any(
            part.lstrip().startswith(">") for part in span.text.split("\n")
        ):
            return None
        mark = _MRKDWN[span.style] if span.text.strip() else ""
        out.append(f"{mark}{escape(span.text)}{mark}")
    text = "".join(out)
    # A `>` after a line break in our own words would quote the line: never ours, but sure.
    return None if any(p.startswith("&gt;") for p in text.split("\n")[1:]) else text


def mrkdwn(text: str) -> MarkdownTextObject | PlainTextObject:
    """A short text as one text object: mrkdwn, or plain_text when its words hold mrkdwn's
    characters (then shown exactly, without actionbot's emphasis)."""
    converted = as_mrkdwn(text)
    if converted is None:
        words = plain(text)
        if len(words) > MAX_TEXT:
            words = words[: MAX_TEXT - 15] + " … (shortened)"
        return PlainTextObject(text=words or "\u200b", emoji=False)
    if len(converted) > MAX_TEXT:  # only reached by callers that bound their text already
        converted = _split(converted, MAX_TEXT - 20)[0] + " … _(shortened)_"
    return MarkdownTextObject(text=converted)


def sections(text: str, *, block_id: str | None = None) -> list[Block]:
    """A text of any length as sections of at most 3,000 characters each, nothing cut; as
    rich text when its words hold mrkdwn's characters."""
    converted = as_mrkdwn(text) if text else "\u200b"
    if converted is None:
        return _rich(spans(text), block_id=block_id)
    return [
        SectionBlock(text=MarkdownTextObject(text=piece), block_id=block_id if not index else None)
        for index, piece in enumerate(_split(converted))
    ]


def _rich(runs: list[Span], *, block_id: str | None) -> list[Block]:
    """Styled runs as rich_text blocks, their words exactly as given: Slack parses no
    formatting, mentions or links in a rich text `text` element. At most MAX_TEXT
    characters to a block, as for sections; the first block carries `block_id`."""
    groups: list[list[RichTextElementParts.Text]] = [[]]
    size = 0
    for run in runs:
        style = (
            RichTextElementParts.TextStyle(
                bold=run.style == "bold" or None,
                italic=run.style == "em" or None,
                code=run.style == "code" or None,
            )
            if run.style
            else None
        )
        text = run.text
        while text:
            if size >= MAX_TEXT:
                groups.append([])
                size = 0
            piece, text = text[: MAX_TEXT - size], text[MAX_TEXT - size :]
            groups[-1].append(RichTextElementParts.Text(text=piece, style=style))
            size += len(piece)
    return [
        _rich_block(
            parts or [RichTextElementParts.Text(text="\u200b")], block_id if not i else None
        )
        for i, parts in enumerate(groups)
    ]


def _rich_block(parts: list[RichTextElementParts.Text], block_id: str | None) -> Block:
    return RichTextBlock(elements=[RichTextSectionElement(elements=parts)], block_id=block_id)


def _context(texts: Sequence[str]) -> list[Block]:
    """Context blocks for short texts; long ones take several elements, never cut. A block
    holds at most 10 elements and MAX_TEXT characters, so a message can break between them.
    A text whose words hold mrkdwn's characters is plain_text (context takes no rich text)."""
    blocks: list[Block] = []
    elements: list[MarkdownTextObject | PlainTextObject] = []
    size = 0
    for text in texts:
        if not text:
            continue
        converted = as_mrkdwn(text)
        pieces: list[MarkdownTextObject | PlainTextObject] = (
            [PlainTextObject(text=p, emoji=False) for p in _split(plain(text))]
            if converted is None
            else [MarkdownTextObject(text=p) for p in _split(converted)]
        )
        for piece in pieces:
            length = len(piece.text or "")
            if elements and (len(elements) >= MAX_CONTEXT_ELEMENTS or size + length > MAX_TEXT):
                blocks.append(ContextBlock(elements=elements))
                elements, size = [], 0
            elements.append(piece)
            size += length
    if elements:
        blocks.append(ContextBlock(elements=elements))
    return blocks


def _text_in(value: Any) -> int:
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else _text_in(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(_text_in(v) for v in value)
    return 0


# One rendering's blocks as JSON and what each costs, by block identity: slack_sdk
# validates a block each time it serialises it, and sizing, checking and sending a
# message would otherwise serialise every block three times (most of `/action mine`'s CPU).
# Each entry holds its block too, so no block's id is reused while the cache lives.
Serialised = dict[int, tuple[Block, dict[str, Any], int]]


def _serialised(block: Block, cache: Serialised | None) -> tuple[Block, dict[str, Any], int]:
    found = cache.get(id(block)) if cache is not None else None
    if found is None:
        as_dict = block.to_dict()
        found = (block, as_dict, _text_in(as_dict) + BLOCK_COST)
        if cache is not None:
            cache[id(block)] = found
    return found


def chars(blocks: Sequence[Block], cache: Serialised | None = None) -> int:
    """What blocks cost against Slack's cumulative limit (see MESSAGE_CHAR_BUDGET).

    `cache` (for one rendering, whose blocks all outlive it) saves serialising a block twice.
    """
    return sum(_serialised(block, cache)[2] for block in blocks)


def _shorten(title: str, ref: str, limit: int) -> str:
    """The title, in the markup (its words escaped), shortened in a list."""
    if len(title) <= limit:
        return theirs(title)
    typed = f'"{ref}"' if " " in ref else ref  # as the grammar reads a ref with spaces
    # No italics around it: the command's code span alone reads plainly, and marks inside
    # marks are the one thing the reply markup does not nest.
    return theirs(title[:limit].rstrip()) + f"… (in full: `/action {theirs(typed)}`)"


def card_blocks(card: ActionCard) -> list[Block]:
    """A card: the action, then due date · status · owners; the detail view (`/action REF`)
    adds its details and history and shows the whole title, over several sections if need
    be. In lists a very long title is shortened, saying where to read it whole."""
    # The card's fields are plain text: escaped into the markup here.
    title = theirs(card.title) if card.detail else _shorten(card.title, card.label, LIST_TITLE)
    head = f"*{theirs(card.label)}* {title or '_(no title)_'}"
    facts = [
        theirs(card.due_label),
        f"{RAG_EMOJI.get(card.rag, '⚪')} {theirs(card.status_label)}",
        "Owners: " + (theirs(", ".join(card.owners)) or "none"),
    ]
    blocks = sections(head, block_id=f"card:{card.action_id}")
    blocks += _context([" · ".join(facts)])
    for detail in card.details:
        blocks += sections(f"*{theirs(detail.label)}*\n{theirs(detail.text)}")
    if card.updates:
        blocks += _context(["\n".join(card.updates if card.detail else card.updates[:5])])
    buttons = card.button_list()
    if buttons:
        pattern = _buttons_pattern(tuple((b.kind, b.label) for b in buttons))
        elements = [
            {**element, "value": b.value}
            for element, b in zip(pattern["elements"], buttons, strict=True)
        ]
        blocks.append(
            SerialisedBlock(
                {**pattern, "block_id": f"buttons:{card.action_id}", "elements": elements}
            )
        )
    return blocks


@functools.cache
def _buttons_pattern(buttons: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """A card's buttons as slack_sdk builds and validates them, for any card: cards differ
    only in the action id (the block id and each button's value, a number), and validating
    five buttons on every card was two thirds of rendering a list (bench/slack_latency.py)."""
    return ActionsBlock(
        block_id="buttons:0",
        elements=[
            ButtonElement(
                text=label, action_id=action_id_of(kind), value="0", style=BUTTON_STYLE.get(kind)
            )
            for kind, label in buttons
        ],
    ).to_dict()


class SerialisedBlock(Block):
    """A block given as the JSON slack_sdk made for it (see `_buttons_pattern`)."""

    def __init__(self, as_dict: dict[str, Any]) -> None:
        super().__init__(type=as_dict["type"], block_id=as_dict.get("block_id"))
        self.as_dict = as_dict

    def to_dict(self) -> dict[str, Any]:
        return self.as_dict


def _fits(
    blocks: Sequence[Block],
    *,
    limit: int,
    reserve: tuple[int, int] = (0, 0),
    cache: Serialised | None = None,
) -> bool:
    return (
        len(blocks) + reserve[0] <= limit
        and chars(blocks, cache) + reserve[1] <= MESSAGE_CHAR_BUDGET
    )


def _pack(
    head: list[Block],
    units: list[list[Block]],
    *,
    limit: int = MAX_MESSAGE_BLOCKS,
    reserve: tuple[int, int] = PAGER_RESERVE,
    most: int | None = None,
    cache: Serialised | None = None,
) -> list[list[int]]:
    """Indexes of `units` for each page: as many as fit beside `head` and the reserve.

    A unit too big for any page is split by `_fit_unit` before it gets here, so every
    page holds at least one unit and the packing is the same on every call (the pager
    re-renders page p from scratch).
    """
    head_blocks, head_chars = len(head) + reserve[0], chars(head, cache) + reserve[1]
    pages: list[list[int]] = [[]]
    used_blocks, used_chars = head_blocks, head_chars
    for index, unit in enumerate(units):
        size = chars(unit, cache)
        full = most is not None and len(pages[-1]) >= most
        over = used_blocks + len(unit) > limit or used_chars + size > MESSAGE_CHAR_BUDGET
        if pages[-1] and (full or over):
            pages.append([])
            used_blocks, used_chars = head_blocks, head_chars
        pages[-1].append(index)
        used_blocks += len(unit)
        used_chars += size
    return pages


def _fit_unit(
    unit: list[Block],
    head: list[Block],
    *,
    limit: int,
    cache: Serialised,
    reserve: tuple[int, int] = PAGER_RESERVE,
) -> list[list[Block]]:
    """A unit (one line's sections, one card) that alone overflows a page, in parts."""
    room_blocks = limit - len(head) - reserve[0]
    room_chars = MESSAGE_CHAR_BUDGET - chars(head, cache) - reserve[1]
    if len(unit) <= room_blocks and chars(unit, cache) <= room_chars:
        return [unit]
    parts: list[list[Block]] = [[]]
    used = 0
    for block in unit:
        size = chars([block], cache)
        if parts[-1] and (len(parts[-1]) + 1 > room_blocks or used + size > room_chars):
            parts.append([])
            used = 0
        parts[-1].append(block)
        used += size
    return parts


# ("line", i), ("row", i), ("choices", 0), ("card", i) or ("footer", i): where a unit came from
Origin = tuple[str, int]


def _reply_units(
    reply: Reply, head: list[Block], *, limit: int, cache: Serialised
) -> tuple[list[list[Block]], list[Origin]]:
    """The reply's lines, choices and cards as units, and where each came from, so a page
    can say which actions it shows and carry the right plain-text fallback."""
    raw: list[tuple[list[Block], Origin]] = [
        (sections(line), ("line", i)) for i, line in enumerate(reply.lines)
    ]
    # One section per row, its button beside it: a long list pages like cards do.
    raw += [
        (
            [
                SectionBlock(
                    text=mrkdwn(row.text[: MAX_TEXT // 2]),
                    accessory=ButtonElement(
                        text=row.button.label[:75] or "…",
                        action_id=f"row_{row.button.kind}",
                        value=row.button.value[:2000],
                    ),
                )
            ],
            ("row", i),
        )
        for i, row in enumerate(reply.rows)
    ]
    if reply.choices:
        raw.append(
            (
                [
                    ActionsBlock(
                        block_id="choices",
                        elements=[
                            ButtonElement(
                                text=c.label[:75] or "…",
                                # A choice re-runs a command; other kinds have a listener each.
                                action_id=f"action_choose_{i}" if c.kind == "choose" else c.kind,
                                value=c.value,
                                style=BUTTON_STYLE.get(c.kind),
                            )
                            for i, c in enumerate(reply.choices[:25])
                        ],
                    )
                ],
                ("choices", 0),
            )
        )
    raw += [
        (([DividerBlock()] if i else []) + card_blocks(c), ("card", i))
        for i, c in enumerate(reply.cards)
    ]
    raw += [(sections(line), ("footer", i)) for i, line in enumerate(reply.footer)]
    units: list[list[Block]] = []
    origins: list[Origin] = []
    for unit, origin in raw:
        for part in _fit_unit(unit, head, limit=limit, cache=cache):
            units.append(part)
            origins.append(origin)
    return units, origins


def _header(title: str | None) -> list[Block]:
    return [HeaderBlock(text=PlainTextObject(text=plain(title)[:150]))] if title else []


def _assemble(head: list[Block], units: list[list[Block]], page: list[int]) -> list[Block]:
    blocks = list(head)
    for index in page:
        blocks.extend(units[index])
    return blocks


def _pager(
    page: int,
    pages: int,
    where: str,
    *,
    prefix: str,
    value: Callable[[int], str],
    block_id: str,
) -> list[Block]:
    """ "Showing 13-24 of 25" and Previous/Next buttons; nothing when one page holds it all."""
    if pages <= 1:
        return []
    nav = []
    if page > 0:
        nav.append(
            ButtonElement(text="‹ Previous", action_id=f"{prefix}_prev", value=value(page - 1))
        )
    if page < pages - 1:
        nav.append(ButtonElement(text="Next ›", action_id=f"{prefix}_next", value=value(page + 1)))
    return [ContextBlock(elements=[mrkdwn(where)]), ActionsBlock(block_id=block_id, elements=nav)]


def _shown(origins: list[Origin], page: list[int], kind: str) -> list[int]:
    return sorted({origins[i][1] for i in page if origins[i][0] == kind})


def _where(cards_shown: list[int], total_cards: int, page: int, pages: int) -> str:
    if cards_shown and total_cards:
        first, last = min(cards_shown) + 1, max(cards_shown) + 1
        return f"Showing {first}-{last} of {total_cards}"
    return f"Page {page + 1} of {pages}"


def page_value(page: int, raw: str) -> str:
    return json.dumps({"p": page, "t": raw[:1800]})


def _paged(
    reply: Reply, cache: Serialised
) -> tuple[list[Block], list[list[Block]], list[Origin], list[list[int]]]:
    head = _header(reply.title)
    units, origins = _reply_units(reply, head, limit=MAX_MESSAGE_BLOCKS, cache=cache)
    pages: list[list[int]] = []
    # No more than MAX_CARDS_PER_MESSAGE cards a page either: a long list stays readable.
    for page in _pack(head, units, cache=cache):
        current: list[int] = []
        for index in page:
            kind, number = origins[index]
            cards = _shown(origins, current, "card")
            if kind == "card" and number not in cards and len(cards) >= MAX_CARDS_PER_MESSAGE:
                pages.append(current)
                current = []
            current.append(index)
        pages.append(current)
    return head, units, origins, [p for p in pages if p] or [[]]


def reply_blocks(
    reply: Reply, *, page: int = 0, raw: str = "", cache: Serialised | None = None
) -> list[Block]:
    """One message's blocks for page `page` of the reply (within Slack's limits)."""
    cache = {} if cache is None else cache
    head, units, origins, pages = _paged(reply, cache)
    page = min(max(page, 0), len(pages) - 1)
    shown = pages[page]
    blocks = _assemble(head, units, shown)
    blocks += _pager(
        page,
        len(pages),
        _where(_shown(origins, shown, "card"), len(reply.cards), page, len(pages)),
        prefix="page",
        value=lambda p: page_value(p, raw),
        block_id="paging",
    )
    assert _fits(blocks, limit=MAX_MESSAGE_BLOCKS, cache=cache), "a reply page over Slack's limits"
    return blocks


def fallback_text(reply: Reply) -> str:
    """The plain `text` of a message (notifications, screen readers), escaped like blocks."""
    return escape(reply.text[:MAX_FALLBACK]) or "actionbot"


def reply_pages(reply: Reply) -> list[dict[str, Any]]:
    """The whole reply as one or more messages, for messages nobody pages through (DMs from
    the reminder job, the digest): every card and line is sent, none is hidden behind a
    Next button. The first message is the one to post; the others belong in its thread."""
    cache: Serialised = {}
    head, units, origins, pages = _paged(reply, cache)
    if len(pages) <= 1:
        return [reply_message(reply)]
    messages = []
    total = len(reply.cards)
    for number, page in enumerate(pages):
        title = reply.title if number == 0 else f"{reply.title or 'actionbot'} (continued)"
        blocks = _assemble(_header(title), units, page)
        cards = _shown(origins, page, "card")
        if cards:
            where = f"{cards[0] + 1}-{cards[-1] + 1} of {total} actions"
        else:
            where = f"Part {number + 1} of {len(pages)}"
        if number == 0:
            where += "; the rest follow in the thread"
        blocks.append(ContextBlock(elements=[mrkdwn(where)]))
        assert _fits(blocks, limit=MAX_MESSAGE_BLOCKS, cache=cache), (
            "a thread part over Slack's limits"
        )
        part = replace(
            reply,
            title=title,
            lines=[reply.lines[i] for i in _shown(origins, page, "line")],
            rows=[reply.rows[i] for i in _shown(origins, page, "row")],
            footer=[reply.footer[i] for i in _shown(origins, page, "footer")],
            choices=[],
            cards=[reply.cards[c] for c in cards],
        )
        messages.append({"text": fallback_text(part), "blocks": _dicts(blocks, cache)})
    return messages


def _dicts(blocks: list[Block], cache: Serialised) -> list[dict[str, Any]]:
    return [_serialised(block, cache)[1] for block in blocks]


def line_message(line: str) -> dict[str, Any]:
    """One line of the markup as a message of its own: text only, as mrkdwn; or, when its
    words hold mrkdwn's characters, as rich text with a plain fallback."""
    converted = as_mrkdwn(line)
    if converted is not None and len(converted) <= MAX_FALLBACK:
        return {"text": converted}
    return reply_message(Reply(lines=[line]))


def reply_message(reply: Reply, *, page: int = 0, raw: str = "") -> dict[str, Any]:
    """Keyword arguments for chat.postMessage / respond / ack: text fallback and blocks."""
    cache: Serialised = {}
    return {
        "text": fallback_text(reply),
        "blocks": _dicts(reply_blocks(reply, page=page, raw=raw, cache=cache), cache),
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
    head: list[Block] = [HeaderBlock(text=PlainTextObject(text="Your open actions"))]
    if intro:
        head += sections(intro)
    if not cards and not intro:
        head += sections("You have no open actions. 🎉")
    cache: Serialised = {}
    # Room for a heading per due-date bucket (5 at most) beside the pager.
    reserve = (PAGER_RESERVE[0] + 5, PAGER_RESERVE[1] + 5 * 60)
    units: list[list[Block]] = []
    owner: list[int] = []  # the card each unit shows (a huge card takes several units)
    for number, card in enumerate(cards):
        for part in _fit_unit(
            card_blocks(card), head, limit=MAX_VIEW_BLOCKS, cache=cache, reserve=reserve
        ):
            units.append(part)
            owner.append(number)
    pages = _pack(
        head, units, limit=MAX_VIEW_BLOCKS, reserve=reserve, most=CARDS_PER_HOME, cache=cache
    )
    page = min(max(page, 0), len(pages) - 1)
    blocks = list(head)
    current = None
    for index in pages[page]:
        bucket = _bucket(cards[owner[index]], today)
        if bucket != current:
            blocks += sections(f"*{bucket}*")
            current = bucket
        blocks += units[index]
    shown = [owner[i] for i in pages[page]] or [0]
    blocks += _pager(
        page,
        len(pages),
        f"Showing {shown[0] + 1}-{shown[-1] + 1} of {len(cards)}",
        prefix="home",
        value=str,
        block_id="home_paging",
    )
    assert _fits(blocks, limit=MAX_VIEW_BLOCKS, cache=cache), "an App Home page over Slack's limits"
    return View(type="home", blocks=blocks).to_dict()


MAP_OWNER_VIEW = "map_owner"
MAP_OWNER_ACTION = "row_map_owner"


def map_owner_modal(*, owner: str) -> dict[str, Any]:
    """Who holds an owner role, and who deputises: people pickers. Submitting runs
    `/action admin owner "NAME" @…` (and sets the deputies) as one command."""
    return View(
        type="modal",
        callback_id=MAP_OWNER_VIEW,
        private_metadata=owner,
        title=PlainTextObject(text="Map an owner"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(
                text=mrkdwn(
                    f"*{theirs(owner)}*\nWho gets its reminders? Deputies get them while every "
                    "holder is away."
                )
            ),
            InputBlock(
                block_id="holders",
                label=PlainTextObject(text="Holders"),
                element=UserMultiSelectElement(
                    action_id="value", placeholder=PlainTextObject(text="Choose people")
                ),
            ),
            InputBlock(
                block_id="deputies",
                label=PlainTextObject(text="Deputies"),
                optional=True,
                element=UserMultiSelectElement(
                    action_id="value", placeholder=PlainTextObject(text="Choose people")
                ),
            ),
        ],
    ).to_dict()


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
                text=mrkdwn(
                    f"*{theirs(label)}*" + (f"\nNow due {day(current, today)}" if current else "")
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
            SectionBlock(text=mrkdwn(f"*{theirs(label)}*")),
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
