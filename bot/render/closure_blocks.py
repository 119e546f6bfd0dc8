"""Slack's form for a closure reason: why an implemented action is rejected, or a new date
declined (the owners are told)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.blocks.block_elements import FileInputElement
from slack_sdk.models.views import View

from bot.commands.types import MAX_NOTE
from bot.core.messages import theirs
from bot.render.blocks import mrkdwn
from bot.render.reasons import (
    DONE_INTRO,
    DONE_TITLE,
    FILES_LABEL,
    LINKS_HINT,
    LINKS_LABEL,
    MAX_FORM_FILES,
    NOTE_LABEL,
    QUESTION,
    files_hint,
)

REASON_VIEW = "closure_reason"
DONE_VIEW = "closure_done"


def reason_modal(*, action_id: int, label: str, kind: str) -> dict[str, Any]:
    """Slack: the reason for `kind` ("reject" or "decline"); metadata "kind:action id"."""
    title, question = QUESTION[kind]
    return View(
        type="modal",
        callback_id=REASON_VIEW,
        private_metadata=f"{kind}:{action_id}",
        title=PlainTextObject(text=title[:24]),
        submit=PlainTextObject(text=kind.capitalize()),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(text=mrkdwn(f"*{theirs(label)}*")),
            InputBlock(
                block_id="reason",
                label=PlainTextObject(text=question),
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=MAX_NOTE
                ),
            ),
        ],
    ).to_dict()


def done_modal(*, action_id: int, label: str, types: str) -> dict[str, Any]:
    """Slack: the Done… form of a plan whose closure is verified: evidence links, a note and
    files (Slack's file input; each file is fetched from Slack's file host when it is
    submitted); metadata: the action id."""
    return View(
        type="modal",
        callback_id=DONE_VIEW,
        private_metadata=str(action_id),
        title=PlainTextObject(text=DONE_TITLE),
        submit=PlainTextObject(text="Done"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            SectionBlock(text=mrkdwn(f"*{theirs(label)}*")),
            ContextBlock(elements=[PlainTextObject(text=DONE_INTRO)]),
            InputBlock(
                block_id="links",
                optional=True,
                label=PlainTextObject(text=LINKS_LABEL),
                hint=PlainTextObject(text=LINKS_HINT),
                element=PlainTextInputElement(action_id="value"),
            ),
            InputBlock(
                block_id="files",
                optional=True,
                label=PlainTextObject(text=FILES_LABEL),
                hint=PlainTextObject(text=files_hint(types)),
                element=FileInputElement(
                    action_id="value",
                    # Slack's picker offers these only; the service checks again.
                    filetypes=[t.strip() for t in types.split(",") if t.strip()] or None,
                    max_files=MAX_FORM_FILES,
                ),
            ),
            InputBlock(
                block_id="note",
                optional=True,
                label=PlainTextObject(text=NOTE_LABEL),
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=MAX_NOTE
                ),
            ),
        ],
    ).to_dict()
