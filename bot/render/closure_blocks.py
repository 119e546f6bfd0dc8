"""Slack's form for a closure reason: why an implemented action is rejected, or a new date
declined (the owners are told)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.commands.types import MAX_NOTE
from bot.core.messages import theirs
from bot.render.blocks import mrkdwn
from bot.render.reasons import QUESTION

REASON_VIEW = "closure_reason"


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
