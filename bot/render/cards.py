"""Adaptive Cards (schema 1.5) from the neutral Reply. Pure functions over the SDK's models.

Teams refuses an activity over about 28 KB, so a reply becomes as many cards as it needs
(one card per message), each under `MAX_CARD_BYTES`; nothing is ever cut. Buttons are
`Action.Execute`: Teams sends an `adaptiveCard/action` invoke and shows the card we answer
with in place of the one clicked. Each button carries the ids of every action on its card,
so that the refreshed card shows all of them again, as they now are.

Text from plans and people is escaped for the Markdown subset Adaptive Cards render
(bold, italic, lists, links), for HTML (Teams drops what looks like a tag: `<reason>`, and
reads entities: `&amp;`) and for the `{{DATE()}}` functions, here and only here. A line
break inside a TextBlock is a soft break in Markdown (Teams runs the lines together), so
lines are paragraphs or TextBlocks of their own. Mentions need `msteams.entities`, which
these cards never carry, so `<at>` text stays text. A command to type is written by the
services as Slack's `/action …`; in Teams it is typed without the slash, so it is shown so.
A reply's pictures (the digest's chart) are `Image` elements with an https URL Teams fetches;
the figures they show are in the text as well.

Phones: a row of five buttons shrinks to "D…" at 360 px, so an action shows its first
choice (Done) and puts the others in the "…" overflow (`mode: secondary`, Adaptive Cards
1.5, which Teams shows as a menu).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    ExecuteAction,
    Image,
    QueryData,
    TextBlock,
    TextInput,
)

from bot.commands.verbs import IMPORT_APPLY, SAVE_DATE, SAVE_OWNER, SAVE_UPDATE, SHOW
from bot.core.messages import ActionCard, Picture, Reply, Span, plain, spans

VERSION = "1.5"
MAX_CARD_BYTES = 24_000  # Teams' limit is ~28 KB for the whole activity; leave room for it
FRAME_BYTES = 800  # the "(continued)" heading and "Part n of m" line added after packing
MAX_ACTIONS_PER_CARD = 10
MAX_TEXT = 2_000  # one TextBlock; longer paragraphs become several, never shortened
MAX_REASON = 1500
MAX_HEAD = 150  # a card's heading, carried in its buttons so a redrawn card keeps it
RAG_DOT = {"green": "🟢", "amber": "🟠", "red": "🔴", None: "⚪"}

PEOPLE = "graph.microsoft.com/users"  # Teams' people picker searches the organisation

_MARKDOWN = re.compile(r"([\\*_\[\]])")
# What an HTML-aware Markdown renderer would take for a tag or an entity: `<reason>`,
# `</b>`, `<!-- -->`, `&amp;`. A word joiner (U+2060: no width, and no line break there,
# unlike a zero-width space) after the `<` or `&` keeps it text and shows nothing.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_JOINER = "\u2060"
_COMMAND = "/action "
_BULLET_START = re.compile(r"^(\s*)([-+>#])", re.M)
_NUMBER_START = re.compile(r"^(\s*\d+)([.)])", re.M)


def escape(text: str) -> str:
    """Plain text for a TextBlock: no Markdown, links, lists, tags, entities or date
    functions can form."""
    text = _MARKDOWN.sub(r"\\\1", text)
    text = _BULLET_START.sub(r"\1\\\2", text)
    text = _NUMBER_START.sub(r"\1\\\2", text)
    text = _TAG_START.sub(f"<{_JOINER}", text)
    text = _ENTITY.sub(f"&{_JOINER}", text)
    return text.replace("{{", "{\u200b{")


def command(code: str) -> str:
    """A command as it is typed in Teams: `/action mine` → `mine`."""
    return code[len(_COMMAND) :] if code.startswith(_COMMAND) else code


def summary(reply: Reply) -> str:
    """The reply as plain text for the notification Teams shows (no Markdown marks; the
    commands as typed in Teams)."""
    lines = [reply.title or "", *reply.lines, *(r.text for r in reply.rows)]
    parts = ["".join(_shown(s) for s in spans(line)) for line in lines if line]
    for card in reply.cards:
        parts += card.text_lines()
    parts += ["".join(_shown(s) for s in spans(line)) for line in reply.footer if line]
    return "\n".join(p for p in parts if p)[:1000] or "actionbot"


def markdown(line: str) -> str:
    """A service's line (the neutral markup: *bold*, _italic_, `code`, see
    bot.core.messages.spans) as Teams Markdown, every word escaped: the marks are ours, the
    words may be anybody's. A code span is a command, shown as it is typed in Teams."""
    wrap = {"bold": "**", "em": "_", "code": "**", "": ""}
    return "".join(
        f"{wrap[s.style]}{escape(_shown(s))}{wrap[s.style]}" if s.text.strip() else escape(s.text)
        for s in spans(line)
    )


def _shown(span: Span) -> str:
    return command(span.text) if span.style == "code" else span.text


def _text(text: str, **style: Any) -> TextBlock:
    return TextBlock(text=text, wrap=True, **style)


def _paragraphs(line: str) -> list[TextBlock]:
    """One service line as TextBlocks of at most MAX_TEXT characters, split between lines."""
    blocks: list[TextBlock] = []
    current = ""
    for part in line.split("\n"):
        while len(part) > MAX_TEXT:
            if current:
                blocks.append(_text(markdown(current)))
                current = ""
            blocks.append(_text(markdown(part[:MAX_TEXT])))
            part = part[MAX_TEXT:]
        if current and len(current) + 2 + len(part) > MAX_TEXT:
            blocks.append(_text(markdown(current)))
            current = part
        else:
            # A blank line: a single newline is a soft break in Markdown, lost in Teams.
            current = f"{current}\n\n{part}" if current else part
    if current or not blocks:
        blocks.append(_text(markdown(current)))
    return blocks


def _button(
    title: str, kind: str, card: ActionCard, ids: str, head: str, **extra: Any
) -> ExecuteAction:
    # `data` on every button: the SDK's invoke model requires it (2.1.1). `head` is the
    # card's heading, so the card redrawn after a click keeps it.
    data = {"action": kind, "action_id": str(card.action_id), "ids": ids}
    if head:
        data["head"] = head
    return ExecuteAction(title=title, verb=kind, data=data, **extra)


PRIMARY = "done"  # the one choice shown as a button; the rest are in the "…" overflow
# A verifier's or approver's card has only its two choices: both shown, the yes one positive.
DECISIONS = {"accept": "positive", "reject": None, "approve": "positive", "decline": None}


def action_container(
    card: ActionCard, *, ids: str, head: str = "", changed: bool = False
) -> Container:
    """One action: what it is, where it stands (the detail view adds its details and whole
    history), and its buttons. `changed`: the action a click just changed, set apart."""
    head_line = f"**{escape(card.label)}** {escape(card.title) or '_(no title)_'}"
    details = " · ".join(
        [
            escape(card.due_label),
            f"{RAG_DOT.get(card.rag, '⚪')} {escape(card.status_label)}",
            "Owners: " + (escape(", ".join(card.owners)) or "none"),
        ]
    )
    items: list[CardElement] = [*_split(head_line), _text(details, is_subtle=True, spacing="None")]
    for detail in card.details:
        items += _detail(detail.label, detail.text)
    shown = card.updates if card.detail else card.updates[:5]
    for update in shown:
        items.append(_text(markdown(update), is_subtle=True, size="Small", spacing="None"))
    buttons = card.button_list()
    if buttons:
        items.append(
            ActionSet(
                actions=[
                    _button(
                        b.label,
                        b.kind,
                        card,
                        ids,
                        head,
                        style="positive" if b.kind == PRIMARY else DECISIONS.get(b.kind),
                        mode=None if b.kind == PRIMARY or b.kind in DECISIONS else "secondary",
                    )
                    for b in buttons
                ]
            )
        )
    return Container(
        items=items,
        separator=True,
        spacing="Medium",
        style="emphasis" if changed else None,
    )


def _detail(label: str, text: str) -> list[TextBlock]:
    """A labelled detail (Tasks, Outcome): each of its lines a TextBlock of its own, since
    Teams runs the lines of one TextBlock together."""
    lines = [line for line in text.split("\n") if line.strip()] or [""]
    blocks = _split(f"**{escape(label)}**: {escape(lines[0])}")
    for line in lines[1:]:
        blocks += [b.model_copy(update={"spacing": "None"}) for b in _split(escape(line))]
    return blocks


def _split(text: str) -> list[TextBlock]:
    """Already-escaped text as TextBlocks of at most MAX_TEXT characters (long titles and
    details are split, never shortened)."""
    pieces: list[str] = []
    while len(text) > MAX_TEXT:
        cut = MAX_TEXT
        while text[cut - 1] == "\\":  # never split an escape from what it escapes
            cut -= 1
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    # The pieces of one long text read as one paragraph: no gap between them.
    return [_text(piece, **({"spacing": "None"} if n else {})) for n, piece in enumerate(pieces)]


def _card(body: list[CardElement]) -> AdaptiveCard:
    return AdaptiveCard(version=VERSION, body=body)


def card_json(card: AdaptiveCard) -> dict[str, Any]:
    """The wire form of a card, as Teams receives it."""
    data: dict[str, Any] = card.model_dump(by_alias=True, exclude_none=True, mode="json")
    return data


def card_size(card: AdaptiveCard) -> int:
    return len(card.model_dump_json(by_alias=True, exclude_none=True).encode())


def _size(element: CardElement) -> int:
    return len(element.model_dump_json(by_alias=True, exclude_none=True).encode()) + 1


def _action_groups(cards: list[ActionCard], head: str = "") -> list[list[ActionCard]]:
    """Groups of actions that each fit one card with room to spare."""
    groups = [
        cards[i : i + MAX_ACTIONS_PER_CARD] for i in range(0, len(cards), MAX_ACTIONS_PER_CARD)
    ]
    fitted: list[list[ActionCard]] = []
    while groups:
        group = groups.pop(0)
        size = sum(_size(c) for c in _containers(group, head))
        if size > MAX_CARD_BYTES - 2_000 and len(group) > 1:
            half = len(group) // 2
            groups[:0] = [group[:half], group[half:]]
        else:
            fitted.append(group)
    return fitted


def _containers(
    group: list[ActionCard], head: str = "", changed: int | None = None
) -> list[Container]:
    ids = ",".join(str(c.action_id) for c in group)
    return [action_container(c, ids=ids, head=head, changed=c.action_id == changed) for c in group]


def _choices(reply: Reply) -> ActionSet:
    return ActionSet(
        actions=[
            ExecuteAction(
                title=c.label[:75],
                verb=c.kind,
                data={"action": c.kind, "value": c.value},
                style="positive" if c.kind == IMPORT_APPLY else None,
            )
            for c in reply.choices[:25]
        ]
    )


def _row(text: str, kind: str, label: str, value: str) -> Container:
    """A line and its own button; a long list is split over cards like any long reply."""
    return Container(
        items=[
            _text(markdown(text)),
            ActionSet(
                actions=[
                    ExecuteAction(
                        title=label[:75], verb=kind, data={"action": kind, "owner": value}
                    )
                ]
            ),
        ]
    )


def reply_cards(
    reply: Reply, *, head: str | None = None, changed: int | None = None
) -> list[AdaptiveCard]:
    """The whole reply as one or more cards, each one message under Teams' size limit.

    The first card carries the title and lines; the actions follow, at most
    MAX_ACTIONS_PER_CARD to a card. When there are several cards, each says which part of
    how many it is, so a reader knows nothing is missing. `head` is the heading the buttons
    carry (default: the title); `changed` an action to set apart.
    """
    carried = (reply.title or "" if head is None else head)[:MAX_HEAD]
    preamble: list[CardElement] = []
    if reply.title:
        preamble.append(_text(escape(plain(reply.title)), size="Medium", weight="Bolder"))
    for index, line in enumerate(reply.lines):
        preamble.extend(_paragraphs(line))
        preamble.extend(_image(p) for p in reply.pictures if p.after == index)
    preamble.extend(_image(p) for p in reply.pictures if not 0 <= p.after < len(reply.lines))
    preamble.extend(
        _row(row.text, row.button.kind, row.button.label, row.button.value) for row in reply.rows
    )
    if reply.choices:
        preamble.append(_choices(reply))

    budget = MAX_CARD_BYTES - FRAME_BYTES - len(escape(plain(reply.title or "")).encode())
    bodies: list[list[CardElement]] = []
    current: list[CardElement] = []
    used = 0
    for element in preamble:
        size = _size(element)
        if current and used + size > budget:
            bodies.append(current)
            current, used = [], 0
        current.append(element)
        used += size
    for group in _action_groups(reply.cards, carried):
        containers = _containers(group, carried, changed)
        size = sum(_size(c) for c in containers)
        if current and (used + size > budget or _has_actions(current)):
            bodies.append(current)
            current, used = [], 0
        current.extend(containers)
        used += size
    for line in reply.footer:
        for element in _paragraphs(line):
            size = _size(element)
            if current and used + size > budget:
                bodies.append(current)
                current, used = [], 0
            current.append(element)
            used += size
    if current or not bodies:
        bodies.append(current or [_text(escape(reply.text or "Done."))])

    total = len(bodies)
    cards = []
    for number, body in enumerate(bodies, start=1):
        if total > 1:
            if number > 1:
                continued = f"{plain(reply.title or 'actionbot')} (continued)"
                body = [_text(escape(continued), weight="Bolder"), *body]
            body = [*body, _text(f"Part {number} of {total}", is_subtle=True, size="Small")]
        cards.append(_card(body))
    return cards


def _image(picture: Picture) -> Image:
    """A picture the client fetches from its https URL; the alt text is the same figures in
    words (plain text: it is never rendered as Markdown)."""
    return Image(
        url=picture.url, alt_text=picture.alt_text[:1000], size="Stretch", spacing="Medium"
    )


def _has_actions(body: list[CardElement]) -> bool:
    return any(isinstance(e, Container) for e in body)


def refreshed_card(
    reply: Reply, cards: list[ActionCard], *, head: str = "", changed: int | None = None
) -> AdaptiveCard:
    """What replaces a card after a click: its heading, the outcome, then the card's actions
    as they now are, the one just changed first and set apart. A card only ever holds one
    group of actions, so this is one card."""
    first = [c for c in cards if c.action_id == changed]
    ordered = first + [c for c in cards if c.action_id != changed]
    merged = replace(reply, title=head or None, cards=ordered or reply.cards)
    rendered = reply_cards(merged, changed=changed)
    if len(rendered) == 1:
        return rendered[0]
    return reply_cards(replace(merged, cards=merged.cards[:1]), changed=changed)[0]


def new_date_form(
    *,
    action_id: int,
    label: str,
    current: date | None,
    today: date,
    ids: str,
    problem: str = "",
    head: str = "",
    picked: str | None = None,
    reason: str = "",
) -> AdaptiveCard:
    """The New date… form: a date not in the past and a required reason. Shown again after
    a refusal with what was typed (`picked`, `reason`) kept."""
    body: list[CardElement] = [
        _text(f"**{escape(label)}**"),
        _text(f"Now due {current:%d %b %Y}" if current else "No due date yet", is_subtle=True),
    ]
    if problem:
        body.append(_text(escape(problem), color="Attention"))
    default = (current if current and current >= today else today).isoformat()
    body += [
        DateInput(
            id="new_due",
            label="New date",
            value=picked or default,
            min=today.isoformat(),
            is_required=True,
            error_message="Pick the new date (today or later).",
        ),
        TextInput(
            id="reason",
            label="Why is it moving?",
            value=reason or None,
            is_multiline=True,
            is_required=True,
            max_length=MAX_REASON,
            error_message="Say why it is moving: leadership sees this.",
        ),
    ]
    return _form_card(body, save=SAVE_DATE, action_id=action_id, ids=ids, head=head)


def add_update_form(
    *,
    action_id: int,
    label: str,
    ids: str,
    problem: str = "",
    head: str = "",
    note: str = "",
    rag: str = "none",
) -> AdaptiveCard:
    """The Add update… form: the update text and, optionally, a new RAG (kept after a
    refusal)."""
    body: list[CardElement] = [_text(f"**{escape(label)}**")]
    if problem:
        body.append(_text(escape(problem), color="Attention"))
    body += [
        TextInput(
            id="note",
            label="Update",
            value=note or None,
            is_multiline=True,
            is_required=True,
            max_length=MAX_REASON,
            error_message="Write the update.",
        ),
        ChoiceSetInput(
            id="rag",
            label="RAG",
            value=rag if rag in ("green", "amber", "red") else "none",
            choices=[
                Choice(title="No change", value="none"),
                Choice(title="🟢 On track", value="green"),
                Choice(title="🟠 At risk", value="amber"),
                Choice(title="🔴 Off track", value="red"),
            ],
        ),
    ]
    return _form_card(body, save=SAVE_UPDATE, action_id=action_id, ids=ids, head=head)


def _form_card(
    body: list[CardElement], *, save: str, action_id: int, ids: str, head: str
) -> AdaptiveCard:
    """A form on one action: Save submits its inputs, Cancel shows the action again."""
    card = _card(body)
    data = {"action_id": str(action_id), "ids": ids, **({"head": head} if head else {})}
    card.actions = [
        ExecuteAction(title="Save", verb=save, style="positive", data={"action": save, **data}),
        ExecuteAction(
            title="Cancel",
            verb=SHOW,
            data={"action": SHOW, **data},
            associated_inputs="none",
        ),
    ]
    return card


def _picker(input_id: str, label: str, *, required: bool) -> ChoiceSetInput:
    """Teams' people picker: an Input.ChoiceSet whose choices come from the organisation's
    directory; it submits the chosen people's AAD object ids, comma-separated."""
    return ChoiceSetInput(
        id=input_id,
        label=label,
        is_multi_select=True,
        is_required=required,
        choices=[],
        choices_data=QueryData(dataset=PEOPLE),
        error_message="Choose at least one person." if required else None,
    )


def map_owner_form(*, owner: str, problem: str = "") -> AdaptiveCard:
    """Who holds an owner role, and who deputises; Save runs `admin owner "NAME" @…`."""
    body: list[CardElement] = [
        _text(f"**{escape(owner)}**"),
        _text(
            "Who gets its reminders? Deputies get them while every holder is away.",
            is_subtle=True,
        ),
    ]
    if problem:
        body.append(_text(escape(problem), color="Attention"))
    body += [
        _picker("holders", "Holders", required=True),
        _picker("deputies", "Deputies", required=False),
    ]
    card = _card(body)
    card.actions = [
        ExecuteAction(
            title="Save",
            verb=SAVE_OWNER,
            style="positive",
            data={"action": SAVE_OWNER, "owner": owner},
        )
    ]
    return card
