"""Slack's closure buttons: Accept and Approve run at once; Reject… and Decline… open a form
for the reason. On a plan whose closure is verified, Done opens the Done… form (links, a
note, files). Each builds the same command the text form does (`/action 2.4 accept`,
`/action 2.4 done evidence LINK… NOTE` with files), so the rules stay in
bot/services/closure/review.py."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import buttons
from bot.commands.types import Command, RefSpec
from bot.core.messages import Reply, error
from bot.handlers.file_fetch import FetchFailed, fetch
from bot.handlers.slack.answer import AnswerAtAck
from bot.handlers.slack.door import SlackDoor
from bot.render.blocks import action_ids, kind_of, reply_message
from bot.render.closure_blocks import DONE_VIEW, REASON_VIEW, done_modal, reason_modal
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
    """Files sent with `2.4 done …` in the bot's DM: fetched as `fetch_files` says, then kept
    as evidence with the command the words say."""
    attached = await fetch_files(door, files, client)
    if isinstance(attached, Reply):
        await client.chat_postMessage(channel=channel, **reply_message(attached))
        return
    outcome = await door.converse(who, text=comment, attachments=attached)
    await client.chat_postMessage(channel=channel, **reply_message(outcome.reply))


async def fetch_files(
    door: SlackDoor, files: list[dict[str, Any]], client: AsyncWebClient, *, look_up: bool = False
) -> list[Attachment] | Reply:
    """Each file checked by name and size before it is fetched (from Slack's file host only,
    with the bot token); or why not, with nothing changed. `look_up`: ask files.info for
    each id first (a form's file input), so an id Slack does not know is refused."""
    attached: list[Attachment] = []
    for shared in files:
        if look_up:
            try:
                info = await client.files_info(file=str(shared.get("id") or ""))
            except SlackApiError as exc:
                said = f"Slack answered {exc.response.get('error')}"
                return error(f"I could not fetch a file from Slack: {said}. Nothing was changed.")
            shared = dict(info["file"])
        elif not shared.get("url_private_download") or shared.get("file_access"):
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
            return error(f"{exc} Nothing was changed.")
        except FetchFailed as exc:
            return error(f"I could not fetch {name} from Slack: {exc}. Nothing was changed.")
        attached.append(Attachment(name, data))
    return attached


async def open_done_form(
    door: SlackDoor,
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
) -> bool:
    """Done on a plan whose closure is verified opens the Done… form; True when it did (the
    click is answered), False: Done runs at once as before."""
    kind = kind_of(str(action.get("action_id", "")))
    if kind != buttons.DONE:
        return False
    action_id = int(action["value"])
    ref = await asyncio.to_thread(action_ref, door.sessions, action_id)
    if ref is None or not buttons.done_opens_form(kind, verified=ref.verified):
        return False
    await ack()
    # trigger_id expires 3 s after the click: open the modal before anything slow.
    view = done_modal(action_id=action_id, label=ref.label, types=ref.evidence_types)
    await client.views_open(trigger_id=body["trigger_id"], view=view)
    return True


def register(app: AsyncApp, door: SlackDoor, answer: AnswerAtAck) -> None:
    async def accepted(
        ack: AsyncAck, body: dict[str, Any], checked: Command | buttons.FormProblems
    ) -> bool:
        """Ack a form: its problems beside their fields, or taken; False when there is
        nothing more to do (refused, or a repeat Slack sent again)."""
        if isinstance(checked, buttons.FormProblems):
            await ack(response_action="errors", errors=checked.by_field)
            return False
        await ack()
        return await door.seen.first(body)

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
        if not await accepted(ack, body, buttons.review_reason(kind, RefSpec(""), reason)):
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

    async def on_done(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = view["state"]["values"]
        links = str(values["links"]["value"].get("value") or "")
        note = str(values["note"]["value"].get("value") or "")
        files = list(values["files"]["value"].get("files") or [])
        number = int(view["private_metadata"])
        # The form's target stands in until the action is looked up: the fields come first.
        if not await accepted(ack, body, buttons.done_form(RefSpec(""), links, note)):
            return
        user_id = str(body["user"]["id"])
        who = await door.who(user_id, client)
        ref = await asyncio.to_thread(action_ref, door.sessions, number)
        attached = await fetch_files(door, files, client, look_up=True)
        if ref is None:
            reply = error("That action no longer exists.")
        elif isinstance(attached, Reply):
            reply = attached
        else:
            command = buttons.done_form(ref.target, links, note)
            outcome = await door.converse(
                who, command=command, pinned_action_id=number, attachments=attached
            )
            reply = outcome.reply
        await client.chat_postMessage(channel=user_id, **reply_message(reply))

    app.action(BUTTONS)(answer(on_button))
    app.view(REASON_VIEW)(answer(on_reason))
    app.view(DONE_VIEW)(answer(on_done))
