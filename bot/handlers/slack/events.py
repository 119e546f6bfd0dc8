"""Slack's events: a DM to the bot (the `/action` grammar without the slash), a file sent in
the DM (an admin's plan, previewed; or evidence with `2.4 done`), and App Home opened."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import buttons
from bot.core.messages import error
from bot.handlers.file_fetch import FetchFailed, fetch
from bot.handlers.slack.answer import AnswerAtAck
from bot.handlers.slack.closure import share_evidence
from bot.handlers.slack.door import SlackDoor, slash_text
from bot.render.blocks import reply_message
from bot.services.actions import RunJob
from bot.services.conversation import local_today
from bot.services.imports.preview import preview_upload
from bot.services.imports.upload import MAX_UPLOAD_BYTES, Upload, admin_refusal, check_upload


class Events:
    """The listeners of Slack events."""

    def __init__(self, door: SlackDoor) -> None:
        self.door = door

    async def on_direct_message(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A DM to the bot: the same grammar as /action, without the slash."""
        if not is_person_writing(event):
            return
        if not await self.door.seen.first(body):
            return
        # Slack escapes a message's text as it does a slash command's: decoded the same way.
        text = slash_text({"text": event.get("text")}).strip()
        text = re.sub(r"^/?action\b", "", text, flags=re.IGNORECASE).strip()
        who = await self.door.who(str(event["user"]), client)
        outcome = await self.door.converse(who, text=text)
        channel = str(event["channel"])
        await client.chat_postMessage(channel=channel, **reply_message(outcome.reply, raw=text))
        if isinstance(outcome.follow_up, RunJob):
            kind = outcome.follow_up.job
            said = (
                await self.door.run_job(kind)
                if self.door.run_job is not None
                else f"The {kind} job is not configured in this process."
            )
            await client.chat_postMessage(channel=channel, text=said)

    async def on_file_share(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A file sent to the bot in its DM: an admin's plan, previewed as a dry run."""
        if not is_file_shared_in_dm(event):
            return
        if not await self.door.seen.first(body):
            return
        channel = str(event["channel"])
        who = await self.door.who(str(event["user"]), client)
        files = [f for f in event["files"] if isinstance(f, dict)]
        comment = slash_text({"text": event.get("text")}).strip()
        if buttons.is_done(
            comment, today=local_today(self.door.clock.now(), self.door.settings.tz)
        ):
            # `2.4 done` with files: evidence for an action, not a plan to import.
            await share_evidence(self.door, who, files, comment, channel=channel, client=client)
            return
        shared = files[0]
        if not shared.get("url_private_download") or shared.get("file_access"):
            # Slack sends a bare file object for some shares; files.info has the rest, asked
            # only for an admin.
            refused = await asyncio.to_thread(
                admin_refusal,
                self.door.sessions,
                platform="slack",
                user_id=who.user_id,
                email=who.email,
                admins=self.door.settings.admin_ids,
                now=self.door.clock.now(),
            )
            if refused is not None:
                await client.chat_postMessage(channel=channel, **reply_message(refused))
                return
            shared = await self.door.file_info(shared, client)
        name = str(shared.get("name") or shared.get("title") or "the file")
        size = shared.get("size")
        refused = await asyncio.to_thread(
            check_upload,
            self.door.sessions,
            platform="slack",
            user_id=who.user_id,
            email=who.email,
            filename=name,
            comment=comment,
            size=size if isinstance(size, int) else None,
            admins=self.door.settings.admin_ids,
            now=self.door.clock.now(),
            files=len(files),
        )
        if refused is not None:
            await client.chat_postMessage(channel=channel, **reply_message(refused))
            return
        try:
            data = await self._download(shared, client)
        except FetchFailed as exc:
            problem = error(f"I could not fetch {name} from Slack: {exc}. Nothing was changed.")
            await client.chat_postMessage(channel=channel, **reply_message(problem))
            return
        answer = await asyncio.to_thread(
            preview_upload,
            self.door.sessions,
            Upload(filename=name, data=data, comment=comment),
            platform="slack",
            user_id=who.user_id,
            email=who.email,
            admins=self.door.settings.admin_ids,
            now=self.door.clock.now(),
            attach=True,
        )
        await self.door.attach_preview(answer, channel, client)
        await client.chat_postMessage(channel=channel, **reply_message(answer.reply))

    async def _download(self, shared: dict[str, Any], client: AsyncWebClient) -> bytes:
        url = shared.get("url_private_download")
        if not isinstance(url, str):
            raise FetchFailed("Slack gave no download address")
        return await fetch(
            url, limit=MAX_UPLOAD_BYTES, allowed=self.door.file_hosts, token=client.token
        )

    async def on_home_opened(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        await self.door.publish_home(client, await self.door.who(event["user"], client))


def is_person_writing(event: dict[str, Any]) -> bool:
    """A new DM from a person: not a bot (actionbot included), not an edit or a deletion,
    not a join or a file share (any subtype), not a channel message."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
        and not event.get("bot_id")
        and isinstance(event.get("user"), str)
        and isinstance(event.get("text"), str)
        and isinstance(event.get("channel"), str)
    )


def is_file_shared_in_dm(event: dict[str, Any]) -> bool:
    """A person (not a bot) sent the bot a file in its DM."""
    files = event.get("files")
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") == "file_share"
        and not event.get("bot_id")
        and isinstance(event.get("user"), str)
        and isinstance(event.get("channel"), str)
        and isinstance(files, list)
        and bool(files)
    )


def register(app: AsyncApp, door: SlackDoor, answer: AnswerAtAck) -> None:
    listeners = Events(door)
    app.event("app_home_opened")(answer(listeners.on_home_opened))
    # Before the catch-all: Bolt runs the first listener that matches.
    app.event({"type": "message", "subtype": "file_share"})(answer(listeners.on_file_share))
    app.event("message")(answer(listeners.on_direct_message))
