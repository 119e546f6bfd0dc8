"""What every Slack listener shares: the register, the clock, settings, who is asking.

The listeners themselves are one module per kind (bot/handlers/slack/commands.py, actions.py,
views.py, events.py, closure.py, errors.py), each with a `register`; the package's
`register` (bot/handlers/slack/__init__.py) wires them. Nothing connects or starts at import
time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.commands.types import Command, RefSpec
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Reply, error
from bot.handlers.file_fetch import SLACK_FILES
from bot.handlers.slack.budget import ACK_BUDGET, ARRIVED, BUSY_AT
from bot.handlers.slack.dedupe import Seen
from bot.handlers.slack.gate import Workspace
from bot.render.blocks import home_view, reply_message
from bot.services.conversation import (
    Outcome,
    Who,
    action_ref,
    converse,
    home_cards,
    needs_email,
    unknown_ids,
)
from bot.services.imports.preview import ChatImportAnswer

log = logging.getLogger(__name__)

JobTrigger = Callable[[str], Awaitable[str]]  # "nudge" | "digest" → a sentence for the admin


def slash_text(command: dict[str, Any]) -> str:
    """The text after /action as the person typed it.

    With `should_escape: true` (manifests/slack.yaml) Slack sends `&`, `<` and `>` typed by
    the person as `&amp;`, `&lt;`, `&gt;`, and mentions as `<@U123|name>`. They are decoded
    once here, `&amp;` last, so `R&D` is stored as `R&D` and a typed `&lt;` stays `&lt;`;
    the renderer escapes again, once, on the way out.
    """
    text = str(command.get("text") or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class SlackDoor:
    """What the Slack listeners need: the register, the clock, settings, and job triggers."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        settings: Settings,
        run_job: JobTrigger | None = None,
        ack_budget: float = ACK_BUDGET,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.run_job = run_job
        self.ack_budget = ack_budget
        self.seen = Seen(sessions, clock)
        self.workspace = Workspace(allowed_org=settings.slack_enterprise_id)
        self._profiles: dict[str, Who] = {}
        self._linked: set[str] = set()
        # Where the bot token may be sent to fetch a file: Slack's file host, and the origin
        # of SLACK_API_URL (a test fake, a proxy), which has the token anyway.
        self.file_hosts = SLACK_FILES.plus(settings.slack_api_url, *settings.extra_file_origins)
        self._in_progress = 0

    async def in_time(self, task: asyncio.Future[Any], context: dict[str, Any]) -> bool:
        """Wait for `task` while the ack budget lasts; True when it finished in time.

        When more commands are in progress than the threads can answer in time, a burst
        is on: no wait at all, so the ack goes out at once and the answer follows.
        """
        self._in_progress += 1
        task.add_done_callback(self._one_done)
        budget = 0.0 if self._in_progress > BUSY_AT else self.time_left(context)
        done, _ = await asyncio.wait({task}, timeout=budget)
        return bool(done)

    def _one_done(self, _: asyncio.Future[Any]) -> None:
        self._in_progress -= 1

    def time_left(self, context: dict[str, Any]) -> float:
        """Seconds left of the ack budget for this request (measured from its arrival)."""
        arrived = context.get(ARRIVED)
        spent = time.monotonic() - arrived if isinstance(arrived, float) else 0.0
        return max(self.ack_budget - spent, 0.0)

    async def who(self, user_id: str, client: AsyncWebClient) -> Who:
        """The Slack user, with email and time zone looked up only while not yet linked."""
        if user_id in self._linked:
            return Who("slack", user_id)
        if user_id not in self._profiles:
            if await asyncio.to_thread(needs_email, self.sessions, Who("slack", user_id)):
                self._profiles[user_id] = await self._profile_of(user_id, client)
            else:
                # Linked people stay linked: no need to ask the register on every request.
                self._linked.add(user_id)
                return Who("slack", user_id)
        return self._profiles[user_id]

    async def _profile_of(self, user_id: str, client: AsyncWebClient) -> Who:
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            return Who("slack", user_id)
        user = response.get("user") or {}
        email = (user.get("profile") or {}).get("email")
        tz = user.get("tz")
        return Who("slack", user_id, str(email) if email else None, str(tz) if tz else None)

    async def mention_emails(self, user_ids: list[str], client: AsyncWebClient) -> dict[str, str]:
        """Emails of mentioned users the register does not know by id yet (users.info, only
        for those), so the service can find a person the owners file named by email."""
        if not user_ids:
            return {}
        unknown = await asyncio.to_thread(unknown_ids, self.sessions, "slack", user_ids)
        profiles = await asyncio.gather(*(self._profile_of(u, client) for u in unknown))
        return {p.user_id: p.email for p in profiles if p.email}

    async def converse(self, who: Who, **kwargs: Any) -> Outcome:
        return await asyncio.to_thread(
            converse,
            self.sessions,
            who,
            admins=self.settings.admin_ids,
            default_tz=self.settings.tz,
            now=self.clock.now(),
            **kwargs,
        )

    @staticmethod
    def answer(reply: Reply, *, raw: str = "", page: int = 0) -> dict[str, Any]:
        """A reply as Slack's answer to a command or a click: public only when it is meant to
        be and went well."""
        message = reply_message(reply, page=page, raw=raw)
        message["response_type"] = "in_channel" if reply.public and reply.ok else "ephemeral"
        return message

    async def clicker(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> Who | None:
        """Ack a click or a form at once, then who made it; None for a repeat Slack sent
        again (the first one is being answered)."""
        await ack()
        if not await self.seen.first(body):
            return None
        return await self.who(str(body["user"]["id"]), client)

    async def run_click(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        command_for: Callable[[RefSpec], Command],
    ) -> None:
        """A button that runs its Command at once (Done, Accept, ...): acked, the Command for
        the action it is under, and the answer where the click was made."""
        who = await self.clicker(ack, body, client)
        if who is None:
            return
        action_id = int(action["value"])
        ref = await asyncio.to_thread(action_ref, self.sessions, action_id)
        if ref is None:
            reply = error("That action no longer exists.")
        else:
            command = command_for(ref.target)
            reply = (await self.converse(who, command=command, pinned_action_id=action_id)).reply
        await self.after_click(body, reply, respond, client, who)

    async def after_click(
        self,
        body: dict[str, Any],
        reply: Reply,
        respond: AsyncRespond,
        client: AsyncWebClient,
        who: Who,
    ) -> None:
        if (body.get("container") or {}).get("type") == "view" or body.get("view", {}).get(
            "type"
        ) == "home":
            await self.publish_home(client, who)
            if not reply.ok:
                await client.chat_postMessage(channel=who.user_id, **reply_message(reply))
            return
        if body.get("response_url"):
            await respond(**self.answer(reply), replace_original=False)
        else:
            await client.chat_postMessage(channel=who.user_id, **reply_message(reply))

    @staticmethod
    async def file_info(shared: dict[str, Any], client: AsyncWebClient) -> dict[str, Any]:
        try:
            info = await client.files_info(file=str(shared.get("id")))
        except SlackApiError as exc:
            log.warning("files.info failed: %s", exc.response.get("error"))
            return shared
        found = info.get("file")
        return dict(found) if isinstance(found, dict) else shared

    @staticmethod
    async def attach_preview(
        answer: ChatImportAnswer, channel: str, client: AsyncWebClient
    ) -> None:
        """A long preview goes as a text file before the message that sums it up."""
        if answer.file is None:
            return
        try:
            await client.files_upload_v2(
                channel=channel,
                filename=answer.file.filename,
                content=answer.file.text,
                title=answer.file.filename,
            )
        except SlackApiError as exc:
            log.warning("import preview upload failed: %s", exc.response.get("error"))
            answer.reply.lines.append(
                f"(Slack refused the file with the whole preview: {exc.response.get('error')}; "
                "`actionbot import FILE --plan CODE --dry-run` shows it on the server.)"
            )

    async def publish_home(self, client: AsyncWebClient, who: Who, *, page: int = 0) -> None:
        cards, today, intro = await asyncio.to_thread(
            home_cards,
            self.sessions,
            who,
            admins=self.settings.admin_ids,
            default_tz=self.settings.tz,
            now=self.clock.now(),
        )
        await client.views_publish(
            user_id=who.user_id, view=home_view(cards, today=today, page=page, intro=intro)
        )
