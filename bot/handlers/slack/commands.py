"""`/action`: the slash command, and the lazy listeners that finish an admin's job or pack.

Slack shows an error when the ack takes over 3 s, so the answer goes in the ack when it is
ready in time and through response_url when it is not (`SlackDoor.in_time`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.messages import Reply, theirs
from bot.handlers.slack.answer import AnswerAtAck
from bot.handlers.slack.budget import WORKING_ON_IT
from bot.handlers.slack.door import SlackDoor, slash_text
from bot.render.blocks import line_message, reply_message
from bot.services.actions import FollowUp, MakePack, RunJob
from bot.services.conversation import Outcome, Who
from bot.services.packs import admin_report

log = logging.getLogger(__name__)

_MENTIONED = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# In Bolt's context, from the ack's outcome to the lazy listeners (see `on_command`).
FOLLOW_UP = "actionbot_follow_up"
ASKED_BY = "actionbot_asked_by"
_ADMIN = re.compile(r"^\s*admin\b", re.IGNORECASE)


class SlashCommand:
    """The listeners of `/action`."""

    def __init__(self, door: SlackDoor) -> None:
        self.door = door

    async def on_command(
        self,
        ack: AsyncAck,
        command: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: dict[str, Any],
    ) -> None:
        text = slash_text(command)

        async def work() -> tuple[Outcome, Who] | None:
            # Side by side: the register's check that this is no repeat, who is asking and who
            # is mentioned (those two only read, and may ask Slack's users.info: for a repeat
            # from another instance that is a lookup wasted, rare beside every answer's wait).
            first, emails, who = await asyncio.gather(
                self.door.seen.first(command),
                self.door.mention_emails(_MENTIONED.findall(text), client),
                self.door.who(command["user_id"], client),
            )
            if not first:
                return None
            return await self.door.converse(who, text=text, mention_emails=emails), who

        # Slack shows an error if the ack takes over 3 s, and the user tries again while the
        # change is still being made. When the register is busy, say so in time and finish
        # through response_url.
        task = asyncio.ensure_future(work())
        if not await self.door.in_time(task, context):
            await ack(response_type="ephemeral", text=WORKING_ON_IT)
            late = await task
            if late is not None:
                outcome, who = late
                await respond(**self.door.answer(outcome.reply, raw=text), replace_original=False)
                await self._tell_team(outcome.reply, str(command.get("channel_id") or ""), respond)
                # Bolt started the lazy listeners at the ack, before this was known: the
                # follow-up is done here instead.
                await self._follow(outcome.follow_up, who, respond, client)
            return
        done = task.result()
        if done is None:
            await ack()  # a repeat: the first one is answered
            return
        outcome, who = done
        follow_up = outcome.follow_up
        if follow_up is not None:
            # Set before the ack: Bolt hands a copy of the context to the lazy listeners
            # once the ack is made, so they act on this outcome without parsing again.
            context[FOLLOW_UP] = follow_up
            context[ASKED_BY] = who
        if isinstance(follow_up, RunJob):
            await ack(response_type="ephemeral", text="On it: I'll post here when it's done.")
            return
        if isinstance(follow_up, MakePack):
            doing = (
                f"Issuing the {follow_up.plan} committee pack for {follow_up.meeting}"
                if follow_up.meeting
                else f"Preparing a draft of the {follow_up.plan} committee pack"
            )
            sentence = theirs(doing) + ": it will arrive in our DM as a spreadsheet."
            await ack(**self.door.answer(Reply(lines=[sentence])))
            return
        await ack(**self.door.answer(outcome.reply, raw=text))
        await self._tell_team(outcome.reply, str(command.get("channel_id") or ""), respond)

    @staticmethod
    async def _tell_team(reply: Reply, channel: str, respond: AsyncRespond) -> None:
        """The one-line notice for an action's other owners, in the channel where the change
        was typed; not in a DM with the bot, where nobody else would read it."""
        if reply.ok and reply.notice and channel and not channel.startswith("D"):
            # A plan's ref or an owner's name is in it: rendered like every message.
            await respond(
                **line_message(reply.notice), response_type="in_channel", replace_original=False
            )

    async def run_admin_job(self, context: dict[str, Any], respond: AsyncRespond) -> None:
        """Lazy part of /action: an admin job the ack's outcome asked for runs after the ack
        (it can take a while)."""
        follow_up = context.get(FOLLOW_UP)
        if isinstance(follow_up, RunJob):
            await self._run_job(follow_up, respond)

    async def send_admin_report(
        self, context: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Lazy part of `/action admin report CODE`: the pack the ack's outcome asked for is
        made and uploaded to the admin's DM."""
        follow_up, who = context.get(FOLLOW_UP), context.get(ASKED_BY)
        if isinstance(follow_up, MakePack) and isinstance(who, Who):
            await self._send_pack(follow_up, who, respond, client)

    async def _follow(
        self, follow_up: FollowUp | None, who: Who, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        if isinstance(follow_up, RunJob):
            await self._run_job(follow_up, respond)
        elif isinstance(follow_up, MakePack):
            await self._send_pack(follow_up, who, respond, client)

    async def _run_job(self, run: RunJob, respond: AsyncRespond) -> None:
        if self.door.run_job is None:
            await respond(text=f"The {run.job} job is not configured in this process.")
            return
        # The job's summary names owners from the plan: rendered (escaped) like any reply.
        summary = Reply(lines=[await self.door.run_job(run.job)])
        await respond(**reply_message(summary), response_type="ephemeral")

    async def _send_pack(
        self, pack: MakePack, who: Who, respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        made = await asyncio.to_thread(
            admin_report,
            self.door.sessions,
            who,
            plan_code=pack.plan,
            admins=self.door.settings.admin_ids,
            tz=self.door.settings.tz,
            now=self.door.clock.now(),
            meeting=pack.meeting,
        )
        if isinstance(made, Reply):
            await respond(**self.door.answer(made))
            return
        try:
            opened = await client.conversations_open(users=who.user_id)
            await client.files_upload_v2(
                channel=opened["channel"]["id"],
                filename=made.filename,
                content=made.content,
                title=made.title,
                initial_comment=f"{made.title}: the summary (what changed since the last "
                "issued pack, overdue actions, time extensions), then every action.",
            )
        except SlackApiError as exc:
            log.warning("report upload failed: %s", exc.response.get("error"))
            await respond(
                text=f"The report was made but Slack refused the upload "
                f"({exc.response.get('error')}). Try again, or use `actionbot report`.",
                response_type="ephemeral",
            )


async def _admin_command(command: dict[str, Any]) -> bool:
    """`/action admin …`: the commands whose lazy part may run a job or send a report."""
    return _ADMIN.match(slash_text(command)) is not None


def register(app: AsyncApp, door: SlackDoor, answer: AnswerAtAck) -> None:
    listeners = SlashCommand(door)
    # Bolt deep-copies the whole request for each lazy function it starts: only admin
    # commands have lazy work, so only they pay for it (a third of a burst's event loop).
    app.command("/action", matchers=[_admin_command])(
        ack=answer(listeners.on_command),
        lazy=[listeners.run_admin_job, listeners.send_admin_report],
    )
    app.command("/action")(answer(listeners.on_command))
