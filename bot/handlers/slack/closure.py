"""Slack's closure buttons: Accept and Approve run at once; Reject… and Decline… open a form
for the reason. Each builds the same command the text form does (`/action 2.4 accept`), so
the rules stay in bot/services/closure/review.py."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import buttons
from bot.commands.types import RefSpec
from bot.core.messages import error
from bot.handlers.file_fetch import FetchFailed, fetch
from bot.handlers.slack.answer import AnswerAtAck
from bot.handlers.slack.door import SlackDoor
from bot.render.blocks import action_ids, kind_of, reply_message
from bot.render.closure_blocks import REASON_VIEW, reason_modal
from bot.services.closure.evidence import (
    MAX_EVIDENCE_BYTES,
    Attachment,
    EvidenceRefused,
    check_file,
)
from bot.services.conversation import Who, action_ref

BUTTONS = action_ids(buttons.REVIEW_KINDS)


async def share_evidence(
    door: SlackDoor,
    who: Who,
    files: list[dict[str, Any]],
    comment: str,
    *,
    channel: str,
    client: AsyncWebClient,
) -> None:
    """Files sent with `2.4 done …` in the bot's DM: each checked by name and size before it
    is fetched (from Slack's file host only, with the bot token), then kept as evidence."""
    attached: list[Attachment] = []
    for shared in files:
        if not shared.get("url_private_download") or shared.get("file_access"):
            shared = await door.file_info(shared, client)
        name = str(shared.get("name") or shared.get("title") or "file")
        size = shared.get("size")
        url = shared.get("url_private_download")
        try:
            check_file(name, size if isinstance(size, int) else 0)
            # No address at all is refused by `fetch` as no address of Slack's.
            data = await fetch(
                url if isinstance(url, str) else "",
                limit=MAX_EVIDENCE_BYTES,
                allowed=door.file_hosts,
                token=client.token,
            )
        except EvidenceRefused as exc:
            reply = error(f"{exc} Nothing was changed.")
            await client.chat_postMessage(channel=channel, **reply_message(reply))
            return
        except FetchFailed as exc:
            reply = error(f"I could not fetch {name} from Slack: {exc}. Nothing was changed.")
            await client.chat_postMessage(channel=channel, **reply_message(reply))
            return
        attached.append(Attachment(name, data))
    outcome = await door.converse(who, text=comment, attachments=attached)
    await client.chat_postMessage(channel=channel, **reply_message(outcome.reply))


def register(app: AsyncApp, door: SlackDoor, answer: AnswerAtAck) -> None:
    async def on_button(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        kind = kind_of(action["action_id"])
        action_id = int(action["value"])
        if kind in ("reject", "decline"):
            await ack()
            ref = await asyncio.to_thread(action_ref, door.sessions, action_id)
            if ref is not None:
                # trigger_id expires 3 s after the click: open the modal before anything slow.
                view = reason_modal(action_id=action_id, label=ref.label, kind=kind)
                await client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        review = partial(buttons.review_command, kind)
        await door.run_click(ack, body, action, respond, client, review)

    async def on_reason(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        reason = view["state"]["values"]["reason"]["value"].get("value") or ""
        kind, _, number = str(view["private_metadata"]).partition(":")
        # The form's target stands in until the action is looked up: the reason is checked first.
        checked = buttons.review_reason(kind, RefSpec(""), reason)
        if isinstance(checked, buttons.FormProblems):
            await ack(response_action="errors", errors=checked.by_field)
            return
        await ack()
        if not await door.seen.first(body):
            return
        user_id = str(body["user"]["id"])
        ref = await asyncio.to_thread(action_ref, door.sessions, int(number))
        who = await door.who(user_id, client)
        if ref is None:
            reply = error("That action no longer exists.")
        else:
            command = buttons.review_reason(kind, ref.target, reason)
            assert not isinstance(command, buttons.FormProblems)  # checked above
            reply = (await door.converse(who, command=command, pinned_action_id=int(number))).reply
        await client.chat_postMessage(channel=user_id, **reply_message(reply))

    app.action(BUTTONS)(answer(on_button))
    app.view(REASON_VIEW)(answer(on_reason))
