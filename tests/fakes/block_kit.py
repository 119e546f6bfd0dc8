"""Block Kit as strictly as Slack checks it, for the fake Web API and the test harness.

Slack refuses a payload it cannot show: each block must parse and pass its own limits
(slack_sdk's models carry them: section text 3,000, header 150, 10 fields, 25 elements,
button text 75 …), a message holds at most 50 blocks and a view 100, and a message whose
blocks hold more than about 12,000 characters in all is refused with `msg_blocks_too_long`
even under 50 blocks (undocumented; bolt-js issues 2509 and 2867 measured 11,341–13,297).

The checks here are independent of actionbot's renderer on purpose: a renderer bug must
not be able to hide behind a shared constant.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

__all__ = [
    "MAX_BLOCKS_CHARS",
    "MAX_MESSAGE_BLOCKS",
    "MAX_MESSAGE_TEXT",
    "MAX_VIEW_BLOCKS",
    "SlackRefusal",
    "blocks_chars",
    "check_message",
    "check_view",
    "shown",
    "styles_of",
]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
# The cumulative limit: conservative (Slack refused 11,341 text characters in bolt-js#2867,
# with container overhead we do not know); counted as text characters + BLOCK_OVERHEAD.
MAX_BLOCKS_CHARS = 12_000
BLOCK_OVERHEAD = 20
MAX_MESSAGE_TEXT = 40_000


class SlackRefusal(Exception):
    """What Slack answers: {"ok": false, "error": error, "response_metadata": messages}."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(f"{error}: {'; '.join(messages)}" if messages else error)
        self.error = error
        self.messages = list(messages)


def _strings_under_text(value: Any) -> int:
    """Characters in every `text` string of a block tree (text objects, rich text runs)."""
    if isinstance(value, dict):
        total = 0
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                total += len(item)
            else:
                total += _strings_under_text(item)
        return total
    if isinstance(value, list):
        return sum(_strings_under_text(item) for item in value)
    return 0


def blocks_chars(blocks: list[Any]) -> int:
    """How Slack's cumulative limit is counted here: text characters plus a per-block cost."""
    return _strings_under_text(blocks) + BLOCK_OVERHEAD * len(blocks)


def _validate_tree(obj: Any, pointer: str) -> None:
    """slack_sdk's validate_json checks one object; Slack checks every nested one."""
    if isinstance(obj, JsonObject):
        try:
            obj.validate_json()
        except SlackObjectFormationError as e:
            raise SlackRefusal("invalid_blocks", f"[ERROR] {e} [json-pointer:{pointer}]") from e
        for name in sorted(obj.attributes):
            _validate_tree(getattr(obj, name, None), f"{pointer}/{name}")
    elif isinstance(obj, list | tuple):
        for index, item in enumerate(obj):
            _validate_tree(item, f"{pointer}/{index}")


MAX_TEXT_OBJECT = 3000  # any text object: "minimum 1, maximum 3,000 characters"


def _bad_text(value: Any, pointer: str) -> str | None:
    """Slack refuses an empty text object, or one over 3,000 characters (slack_sdk checks
    that for section text only, not for a context element)."""
    if isinstance(value, dict):
        if value.get("type") in ("mrkdwn", "plain_text"):
            text = str(value.get("text") or "")
            if not text:
                return f"must be more than 0 characters [json-pointer:{pointer}]"
            if len(text) > MAX_TEXT_OBJECT:
                return (
                    f"must be less than {MAX_TEXT_OBJECT + 1} characters [json-pointer:{pointer}]"
                )
        for key, item in value.items():
            found = _bad_text(item, f"{pointer}/{key}")
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _bad_text(item, f"{pointer}/{index}")
            if found:
                return found
    return None


def _plain_only(raw: dict[str, Any], where: str) -> None:
    """Headers and buttons take plain_text only; slack_sdk coerces instead of refusing."""
    texts = [raw.get("text")] if raw.get("type") == "header" else []
    if raw.get("type") == "actions":
        texts += [e.get("text") for e in raw.get("elements") or [] if isinstance(e, dict)]
    for text in texts:
        if isinstance(text, dict) and text.get("type") != "plain_text":
            raise SlackRefusal(
                "invalid_blocks", f"[ERROR] must be a plain_text text object [json-pointer:{where}]"
            )


def check_blocks(blocks: Any, *, limit: int, pointer: str = "/blocks") -> list[dict[str, Any]]:
    """Parse and validate a list of blocks; raise SlackRefusal("invalid_blocks") if Slack would."""
    if not isinstance(blocks, list):
        raise SlackRefusal("invalid_blocks_format", f"[ERROR] must be an array [{pointer}]")
    if len(blocks) > limit:
        raise SlackRefusal(
            "invalid_blocks", f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]"
        )
    for index, raw in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(raw, dict) or not raw.get("type"):
            raise SlackRefusal("invalid_blocks", f"[ERROR] missing required field: type [{where}]")
        try:
            block = Block.parse(raw)
        except (TypeError, ValueError, KeyError, AttributeError, SlackObjectFormationError) as e:
            raise SlackRefusal("invalid_blocks", f"[ERROR] {e} [json-pointer:{where}]") from e
        if block is None:
            raise SlackRefusal(
                "invalid_blocks", f"[ERROR] unsupported type: {raw['type']} [json-pointer:{where}]"
            )
        _validate_tree(block, where)
        _plain_only(raw, where)
        bad = _bad_text(raw, where)
        if bad:
            raise SlackRefusal("invalid_blocks", f"[ERROR] {bad}")
    return blocks


def check_metadata(metadata: Any) -> None:
    """Message metadata: {"event_type": str, "event_payload": {...}}."""
    if metadata is None or metadata == "":
        return
    if not isinstance(metadata, dict):
        raise SlackRefusal("invalid_metadata_format")
    event_type = metadata.get("event_type")
    if not isinstance(event_type, str) or not event_type:
        raise SlackRefusal("invalid_metadata_schema", "[ERROR] missing required field: event_type")
    if not isinstance(metadata.get("event_payload"), dict):
        raise SlackRefusal(
            "invalid_metadata_schema", "[ERROR] event_payload must be an object [json-pointer:]"
        )


def check_message(params: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A chat.postMessage / chat.update / chat.postEphemeral / response_url / ack body.

    Returns the blocks (None when there are none); raises SlackRefusal as Slack would.
    """
    text = params.get("text")
    if text is not None and not isinstance(text, str):
        raise SlackRefusal("invalid_arguments", "[ERROR] text must be a string")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        raise SlackRefusal("msg_too_long")
    check_metadata(params.get("metadata"))
    blocks = params.get("blocks")
    if blocks is None or blocks == "":
        return None
    checked = check_blocks(blocks, limit=MAX_MESSAGE_BLOCKS)
    total = blocks_chars(checked)
    if total > MAX_BLOCKS_CHARS:
        raise SlackRefusal(
            "msg_blocks_too_long", f"[ERROR] {total} characters in blocks, over {MAX_BLOCKS_CHARS}"
        )
    return checked


def check_view(view: dict[str, Any]) -> None:
    """views.open / views.update / views.publish: the view object and its blocks."""
    try:
        model = View(**view)
        model.validate_json()
    except (TypeError, ValueError, SlackObjectFormationError) as e:
        raise SlackRefusal("invalid_arguments", f"[ERROR] {e} [json-pointer:/view]") from e
    try:
        check_blocks(view.get("blocks", []), limit=MAX_VIEW_BLOCKS, pointer="/view/blocks")
    except SlackRefusal as e:
        # views.* answer every schema problem as invalid_arguments, with the detail.
        raise SlackRefusal("invalid_arguments", *e.messages) from e


# -- what Slack shows ---------------------------------------------------------------------
#
# Slack reads mrkdwn text objects for formatting: *bold*, _italic_, ~strike~, `code`, a line
# starting with `>` (sent as `&gt;`) quoted; an opening mark follows a space, punctuation or
# the start and is followed by a non-space, a closing mark the reverse. plain_text objects
# and rich_text `text` elements are shown as written, in the styles they carry. `shown()`
# applies the same reading to a payload, so a test sees which characters Slack would style.

_MRKDWN_MARKS = (("`", "code"), ("*", "bold"), ("_", "italic"), ("~", "strike"))
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _mrkdwn_shown(text: str) -> list[tuple[str, frozenset[str]]]:
    styles: list[set[str]] = [set() for _ in text]
    hidden = [False] * len(text)
    for mark, style in _MRKDWN_MARKS:
        m = re.escape(mark)
        pattern = re.compile(rf"(?<![\w{m}]){m}(?=[^\s{m}])([^\n]*?\S){m}(?![\w{m}])")
        for found in pattern.finditer(text):
            start, end = found.start(), found.end() - 1
            if "code" in styles[start] or hidden[start] or hidden[end]:
                continue
            hidden[start] = hidden[end] = True
            for index in range(start + 1, end):
                styles[index].add(style)
    offset = 0
    for line in text.split("\n"):
        if line.startswith(("&gt;", ">")):
            for index in range(offset, offset + len(line)):
                styles[index].add("quote")
        offset += len(line) + 1
    kept = [(c, frozenset(s)) for c, s, h in zip(text, styles, hidden, strict=True) if not h]
    raw = "".join(c for c, _ in kept)
    out: list[tuple[str, frozenset[str]]] = []
    index = 0
    while index < len(kept):  # each entity shows as one character, decoded once
        entity = next((e for e in _ENTITIES if raw.startswith(e[0], index)), None)
        if entity is None:
            out.append(kept[index])
            index += 1
        else:
            out.append((entity[1], kept[index][1]))
            index += len(entity[0])
    return out


def _text_shown(obj: Any) -> list[tuple[str, frozenset[str]]]:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return []
    if obj.get("type") == "mrkdwn":
        return _mrkdwn_shown(obj["text"])
    return [(c, frozenset()) for c in obj["text"]]


def _rich_shown(element: Any) -> list[tuple[str, frozenset[str]]]:
    if not isinstance(element, dict):
        return []
    if element.get("type") == "text":
        style = frozenset(k for k, v in (element.get("style") or {}).items() if v)
        return [(c, style) for c in str(element.get("text", ""))]
    found: list[tuple[str, frozenset[str]]] = []
    for child in element.get("elements") or []:
        found += _rich_shown(child)
    return found


def shown(payload: Any) -> tuple[str, list[frozenset[str]]]:
    """Everything a message's or view's blocks show, as text and each character's styles
    (texts of different objects separated by a line break)."""
    blocks = payload.get("blocks", []) if isinstance(payload, dict) else payload
    runs: list[list[tuple[str, frozenset[str]]]] = []
    for block in blocks or []:
        kind = block.get("type")
        if kind in ("section", "header"):
            runs.append(_text_shown(block.get("text")))
            runs += [_text_shown(field) for field in block.get("fields") or []]
        elif kind == "context":
            runs += [_text_shown(element) for element in block.get("elements") or []]
        elif kind == "rich_text":
            runs.append(_rich_shown(block))
        elif kind == "actions":
            runs += [_text_shown(e.get("text")) for e in block.get("elements") or []]
    flat: list[tuple[str, frozenset[str]]] = []
    for run in runs:
        flat += [*run, ("\n", frozenset())]
    return "".join(c for c, _ in flat), [s for _, s in flat]


def styles_of(payload: Any, words: str) -> set[str] | None:
    """The styles Slack gives `words` where they are shown as written; None when they are
    not shown as written anywhere (a mark was eaten: Slack formatted them)."""
    return styles_in(shown(payload), words)


def styles_in(seen: tuple[str, list[frozenset[str]]], words: str) -> set[str] | None:
    """`styles_of` on what `shown` gave: one reading of a page for many look-ups."""
    text, styles = seen
    if words not in text:
        return None
    found: set[str] = set()
    start = text.find(words)
    while start != -1:
        for index in range(start, start + len(words)):
            found |= styles[index]
        start = text.find(words, start + 1)
    return found
