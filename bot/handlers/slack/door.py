"""Slack entry points (Bolt, async). Thin: verify → parse → service → render → answer.

Every listener is a method of `SlackDoor`, so each can be read and tested alone;
`register(app, door)` wires them. Nothing connects or starts at import time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.commands import buttons
from bot.commands.grammar import parse
from bot.commands.rules import note_problems, revision_problems
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Reply, error, theirs
from bot.handlers.file_fetch import SLACK_FILES, FetchFailed, fetch
from bot.handlers.slack.answer import AnswerAtAck
from bot.handlers.slack.budget import ACK_BUDGET, ARRIVED, BUSY_AT, VERIFIED, WORKING_ON_IT
from bot.handlers.slack.closure import open_done_form, register_closure, share_evidence
from bot.handlers.slack.dedupe import Deduplication, Seen
from bot.handlers.slack.gate import Workspace
from bot.render.blocks import (
    ADD_UPDATE_VIEW,
    MAP_OWNER_ACTION,
    MAP_OWNER_VIEW,
    NEW_DATE_VIEW,
    add_update_modal,
    home_view,
    line_message,
    map_owner_modal,
    new_date_modal,
    reply_message,
)
from bot.services.actions import MakePack, RunJob, follow_up_of
from bot.services.conversation import (
    Outcome,
    Who,
    action_ref,
    converse,
    form_refusal,
    home_cards,
    local_today,
    needs_email,
    unknown_ids,
)
from bot.services.imports.chat import (
    MAX_UPLOAD_BYTES,
    ChatImportAnswer,
    Decision,
    Upload,
    admin_refusal,
    check_upload,
    decide,
    preview_upload,
)
from bot.services.packs import admin_report
from store.outage import outage_of

log = logging.getLogger(__name__)


JobTrigger = Callable[[str], Awaitable[str]]  # "nudge" | "digest" → a sentence for the admin
_MENTIONED = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


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

    async def _in_time(self, task: asyncio.Future[Any], context: dict[str, Any]) -> bool:
        """Wait for `task` while the ack budget lasts; True when it finished in time.

        When more commands are in progress than the threads can answer in time, a burst
        is on: no wait at all, so the ack goes out at once and the answer follows.
        """
        self._in_progress += 1
        task.add_done_callback(self._one_done)
        budget = 0.0 if self._in_progress > BUSY_AT else self._time_left(context)
        done, _ = await asyncio.wait({task}, timeout=budget)
        return bool(done)

    def _one_done(self, _: asyncio.Future[Any]) -> None:
        self._in_progress -= 1

    def _time_left(self, context: dict[str, Any]) -> float:
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

    # -- /action ------------------------------------------------------------------------

    async def on_command(
        self,
        ack: AsyncAck,
        command: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
        context: dict[str, Any],
    ) -> None:
        text = slash_text(command)

        async def work() -> Outcome | None:
            # Side by side: the register's check that this is no repeat, who is asking and who
            # is mentioned (those two only read, and may ask Slack's users.info: for a repeat
            # from another instance that is a lookup wasted, rare beside every answer's wait).
            first, emails, who = await asyncio.gather(
                self.seen.first(command),
                self.mention_emails(_MENTIONED.findall(text), client),
                self.who(command["user_id"], client),
            )
            if not first:
                return None
            return await self.converse(who, text=text, mention_emails=emails)

        # Slack shows an error if the ack takes over 3 s, and the user tries again while the
        # change is still being made. When the register is busy, say so in time and finish
        # through response_url.
        task = asyncio.ensure_future(work())
        if not await self._in_time(task, context):
            await ack(response_type="ephemeral", text=WORKING_ON_IT)
            late = await task
            if late is not None:
                await respond(**self._answer(late.reply, raw=text), replace_original=False)
                await self._tell_team(late.reply, str(command.get("channel_id") or ""), respond)
            return
        outcome = task.result()
        if outcome is None:
            await ack()  # a repeat: the first one is answered
            return
        follow_up = outcome.follow_up
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
            await ack(**self._answer(Reply(lines=[sentence])))
            return
        await ack(**self._answer(outcome.reply, raw=text))
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

    async def run_admin_job(
        self, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Lazy part of /action: admin jobs run after the ack (they can take a while)."""
        text = slash_text(command)
        today = local_today(self.clock.now(), self.settings.tz)
        if not isinstance(follow_up_of(parse(text, today=today)), RunJob):
            return
        if not await self.seen.first(command):
            return
        who = await self.who(command["user_id"], client)
        outcome = await self.converse(who, text=text)
        if not isinstance(outcome.follow_up, RunJob):
            return
        kind = outcome.follow_up.job
        if self.run_job is None:
            await respond(text=f"The {kind} job is not configured in this process.")
            return
        # The job's summary names owners from the plan: rendered (escaped) like any reply.
        summary = Reply(lines=[await self.run_job(kind)])
        await respond(**reply_message(summary), response_type="ephemeral")

    async def send_admin_report(
        self, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Lazy part of `/action admin report CODE`: the service makes the file, this uploads
        it to the admin's DM."""
        text = slash_text(command)  # the meeting's name as typed, `&` and all
        pack = follow_up_of(parse(text, today=local_today(self.clock.now(), self.settings.tz)))
        if not isinstance(pack, MakePack):
            return
        if not await self.seen.first(command):
            return
        who = await self.who(command["user_id"], client)
        made = await asyncio.to_thread(
            admin_report,
            self.sessions,
            who,
            plan_code=pack.plan,
            admins=self.settings.admin_ids,
            tz=self.settings.tz,
            now=self.clock.now(),
            meeting=pack.meeting,
        )
        if isinstance(made, Reply):
            await respond(**self._answer(made))
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

    @staticmethod
    def _answer(reply: Reply, *, raw: str = "", page: int = 0) -> dict[str, Any]:
        message = reply_message(reply, page=page, raw=raw)
        message["response_type"] = "in_channel" if reply.public and reply.ok else "ephemeral"
        return message

    # -- buttons --------------------------------------------------------------------------

    async def on_quick_button(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        if await open_done_form(self, ack, body, action, client):
            return
        who = await self._clicker(ack, body, client)
        if who is None:
            return
        kind = action["action_id"].removeprefix("action_")
        action_id = int(action["value"])
        ref = await asyncio.to_thread(action_ref, self.sessions, action_id)
        if ref is None:
            reply = error("That action no longer exists.")
        else:
            command = buttons.quick(kind, ref.target)
            reply = (await self.converse(who, command=command, pinned_action_id=action_id)).reply
        await self._after_click(body, reply, respond, client, who)

    async def _clicker(
        self, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> Who | None:
        """Ack a click or a form at once, then who made it; None for a repeat Slack sent
        again (the first one is being answered)."""
        await ack()
        if not await self.seen.first(body):
            return None
        return await self.who(str(body["user"]["id"]), client)

    async def _after_click(
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
            await respond(**self._answer(reply), replace_original=False)
        else:
            await client.chat_postMessage(channel=who.user_id, **reply_message(reply))

    async def on_choose(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        who = await self._clicker(ack, body, client)
        if who is None:
            return
        pinned, _, raw = action["value"].partition("|")
        outcome = await self.converse(who, text=raw, pinned_action_id=int(pinned))
        await respond(**self._answer(outcome.reply, raw=raw), replace_original=True)

    async def on_page(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        state = json.loads(action["value"])
        who = await self.who(body["user"]["id"], client)
        outcome = await self.converse(who, text=state["t"])
        await respond(
            **self._answer(outcome.reply, raw=state["t"], page=int(state["p"])),
            replace_original=True,
        )

    async def on_open_modal(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        action_id = int(action["value"])
        ref = await asyncio.to_thread(action_ref, self.sessions, action_id)
        if ref is None:
            return
        if action["action_id"] == "action_new_date":
            today = local_today(self.clock.now(), self.settings.tz)
            view = new_date_modal(
                action_id=action_id, label=ref.label, current=ref.due, today=today
            )
        else:
            view = add_update_modal(action_id=action_id, label=ref.label)
        # trigger_id expires 3 s after the click: open the modal before anything slow.
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    async def on_map_owner(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        """ "Map…" beside an owner name in `/action admin owners`: a form of people pickers,
        for those the service lets run `admin owner`; anyone else is told so at the click."""
        await ack()
        owner = str(action["value"])
        who = await self.who(str(body["user"]["id"]), client)
        refused = await asyncio.to_thread(
            form_refusal,
            self.sessions,
            who,
            buttons.owner_form(owner),
            admins=self.settings.admin_ids,
            default_tz=self.settings.tz,
            now=self.clock.now(),
        )
        if refused is not None:
            await respond(**self._answer(refused), replace_original=False)
            return
        # trigger_id expires 3 s after the click: open the modal before anything slow.
        await client.views_open(trigger_id=body["trigger_id"], view=map_owner_modal(owner=owner))

    async def on_map_owner_saved(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: dict[str, Any],
    ) -> None:
        """The form's people, as the same `admin owner` command the text form runs."""
        values = view["state"]["values"]
        holders = list((values.get("holders", {}).get("value") or {}).get("selected_users") or [])
        deputies = list((values.get("deputies", {}).get("value") or {}).get("selected_users") or [])
        if not holders:
            await ack(response_action="errors", errors={"holders": "Choose at least one person."})
            return
        command = buttons.owner(str(view["private_metadata"]), holders, deputies)
        user_id = str(body["user"]["id"])

        async def work() -> Outcome | None:
            if not await self.seen.first(body):
                return None
            emails, who = await asyncio.gather(
                self.mention_emails([*holders, *deputies], client), self.who(user_id, client)
            )
            return await self.converse(who, command=command, mention_emails=emails)

        task = asyncio.ensure_future(work())
        done, _ = await asyncio.wait({task}, timeout=self._time_left(context))
        if done and (outcome := task.result()) is not None and not outcome.reply.ok:
            await ack(response_action="errors", errors={"holders": outcome.reply.lines[0][:150]})
            return
        await ack()
        outcome = await task
        if outcome is not None:
            await client.chat_postMessage(channel=user_id, **reply_message(outcome.reply))

    # -- modal submissions ------------------------------------------------------------------

    async def on_new_date(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: dict[str, Any],
    ) -> None:
        values = view["state"]["values"]
        picked = values["date"]["value"].get("selected_date")
        reason = (values["reason"]["value"].get("value") or "").strip()
        today = local_today(self.clock.now(), self.settings.tz)
        errors = revision_problems(picked, reason, today=today)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        user_id = str(body["user"]["id"])

        async def work() -> tuple[str | None, Outcome | None, Who | None]:
            """(a problem to show on the date field, the outcome, who asked)."""
            ref = await asyncio.to_thread(action_ref, self.sessions, int(view["private_metadata"]))
            if ref is None or picked is None:
                return "That action no longer exists.", None, None
            command = buttons.revision(ref.target, picked, reason, today=today)
            if isinstance(command, buttons.FormProblems) or not await self.seen.first(body):
                return None, None, None
            who = await self.who(user_id, client)
            outcome = await self.converse(
                who, command=command, pinned_action_id=int(view["private_metadata"])
            )
            refused = None if outcome.reply.ok else outcome.reply.lines[0][:150]
            return refused, outcome, who

        # A modal waits for its ack as a command does: if the register is busy, close it
        # in time and send the outcome as a DM.
        task = asyncio.ensure_future(work())
        if not await self._in_time(task, context):
            await ack()
            problem, outcome, who = await task
            if outcome is not None and who is not None:
                await client.chat_postMessage(channel=who.user_id, **reply_message(outcome.reply))
                if outcome.reply.ok:
                    await self.publish_home(client, who)
            elif problem:
                await client.chat_postMessage(channel=user_id, text=problem)
            return
        problem, outcome, who = task.result()
        if problem:
            await ack(response_action="errors", errors={"date": problem})
            return
        await ack()
        if outcome is None or who is None:
            return
        await client.chat_postMessage(channel=who.user_id, **reply_message(outcome.reply))
        await self.publish_home(client, who)

    async def on_add_update(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        values = view["state"]["values"]
        note = (values["note"]["value"].get("value") or "").strip()
        rag = ((values.get("rag", {}).get("value", {}) or {}).get("selected_option") or {}).get(
            "value"
        )
        errors = note_problems(note)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        who = await self._clicker(ack, body, client)
        if who is None:
            return
        action_id = int(view["private_metadata"])
        ref = await asyncio.to_thread(action_ref, self.sessions, action_id)
        if ref is None:
            return
        command = buttons.update(ref.target, note, rag)
        if isinstance(command, buttons.FormProblems):
            return
        outcome = await self.converse(who, command=command, pinned_action_id=action_id)
        await client.chat_postMessage(channel=who.user_id, **reply_message(outcome.reply))
        await self.publish_home(client, who)

    # -- the Messages tab -------------------------------------------------------------------

    async def on_direct_message(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A DM to the bot: the same grammar as /action, without the slash."""
        if not is_person_writing(event):
            return
        if not await self.seen.first(body):
            return
        # Slack escapes a message's text as it does a slash command's: decoded the same way.
        text = slash_text({"text": event.get("text")}).strip()
        text = re.sub(r"^/?action\b", "", text, flags=re.IGNORECASE).strip()
        who = await self.who(str(event["user"]), client)
        outcome = await self.converse(who, text=text)
        channel = str(event["channel"])
        await client.chat_postMessage(channel=channel, **reply_message(outcome.reply, raw=text))
        if isinstance(outcome.follow_up, RunJob):
            kind = outcome.follow_up.job
            said = (
                await self.run_job(kind)
                if self.run_job is not None
                else f"The {kind} job is not configured in this process."
            )
            await client.chat_postMessage(channel=channel, text=said)

    # -- a plan file sent in a DM -----------------------------------------------------------

    async def on_file_share(
        self, event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A file sent to the bot in its DM: an admin's plan, previewed as a dry run."""
        if not is_file_shared_in_dm(event):
            return
        if not await self.seen.first(body):
            return
        channel = str(event["channel"])
        who = await self.who(str(event["user"]), client)
        files = [f for f in event["files"] if isinstance(f, dict)]
        comment = slash_text({"text": event.get("text")}).strip()
        if buttons.is_done(comment, today=local_today(self.clock.now(), self.settings.tz)):
            # `2.4 done` with files: evidence for an action, not a plan to import.
            await share_evidence(self, who, files, comment, channel=channel, client=client)
            return
        shared = files[0]
        if not shared.get("url_private_download") or shared.get("file_access"):
            # Slack sends a bare file object for some shares; files.info has the rest, asked
            # only for an admin.
            refused = await asyncio.to_thread(
                admin_refusal,
                self.sessions,
                platform="slack",
                user_id=who.user_id,
                email=who.email,
                admins=self.settings.admin_ids,
                now=self.clock.now(),
            )
            if refused is not None:
                await client.chat_postMessage(channel=channel, **reply_message(refused))
                return
            shared = await self._file_info(shared, client)
        name = str(shared.get("name") or shared.get("title") or "the file")
        size = shared.get("size")
        refused = await asyncio.to_thread(
            check_upload,
            self.sessions,
            platform="slack",
            user_id=who.user_id,
            email=who.email,
            filename=name,
            comment=comment,
            size=size if isinstance(size, int) else None,
            admins=self.settings.admin_ids,
            now=self.clock.now(),
        )
        if refused is None and len(files) > 1:
            refused = error("Send me one plan file at a time. Nothing was changed.")
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
            self.sessions,
            Upload(filename=name, data=data, comment=comment),
            platform="slack",
            user_id=who.user_id,
            email=who.email,
            admins=self.settings.admin_ids,
            now=self.clock.now(),
            attach=True,
        )
        await self._attach(answer, channel, client)
        await client.chat_postMessage(channel=channel, **reply_message(answer.reply))

    @staticmethod
    async def _file_info(shared: dict[str, Any], client: AsyncWebClient) -> dict[str, Any]:
        try:
            info = await client.files_info(file=str(shared.get("id")))
        except SlackApiError as exc:
            log.warning("files.info failed: %s", exc.response.get("error"))
            return shared
        found = info.get("file")
        return dict(found) if isinstance(found, dict) else shared

    async def _download(self, shared: dict[str, Any], client: AsyncWebClient) -> bytes:
        url = shared.get("url_private_download")
        if not isinstance(url, str):
            raise FetchFailed("Slack gave no download address")
        return await fetch(url, limit=MAX_UPLOAD_BYTES, allowed=self.file_hosts, token=client.token)

    @staticmethod
    async def _attach(answer: ChatImportAnswer, channel: str, client: AsyncWebClient) -> None:
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

    async def on_import_button(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        """Import, Cancel or Preview again, under a preview: the service decides."""
        who = await self._clicker(ack, body, client)
        if who is None:
            return
        answer = await asyncio.to_thread(
            decide,
            self.sessions,
            str(action["value"]),
            cast(Decision, action["action_id"]),
            platform="slack",
            user_id=who.user_id,
            email=who.email,
            admins=self.settings.admin_ids,
            now=self.clock.now(),
            attach=True,
        )
        channel = str((body.get("channel") or {}).get("id") or who.user_id)
        await self._attach(answer, channel, client)
        reply = answer.reply
        # The outcome takes the preview's place (its buttons go); a refusal (someone else's
        # click, a repeat) leaves the preview as it was and answers beside it.
        replace = reply.ok or bool(reply.choices)
        await respond(**reply_message(reply), replace_original=replace)

    # -- App Home --------------------------------------------------------------------------

    async def on_home_opened(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        await self.publish_home(client, await self.who(event["user"], client))

    async def on_home_page(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await self.publish_home(
            client, await self.who(body["user"]["id"], client), page=int(action["value"])
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

    # -- errors -----------------------------------------------------------------------------

    async def on_error(
        self,
        error: Exception,
        body: dict[str, Any],
        request: AsyncBoltRequest,
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> BoltResponse | None:
        verified = request.mode == "socket_mode" or request.context.get(VERIFIED) is True
        if not verified:
            # Never act on what an unverified body says, not even to say sorry.
            log.warning("error on an unverified Slack request: %s", type(error).__name__)
            return None
        outage = outage_of(error)
        if outage is not None:
            # The database is down, locked or out of disk: nothing to debug in a traceback.
            log.warning(outage.log_line("a Slack request"))
            await self._tell(outage.reply, body, respond, client)
            return BoltResponse(status=503, body="")
        log.exception("unhandled error in a Slack listener", exc_info=error)
        if body.get("response_url"):
            await respond(
                text="Sorry, something went wrong on my side and nothing was changed. "
                "Please try again; if it keeps happening, tell an actionbot admin.",
                response_type="ephemeral",
                replace_original=False,
            )
        return None

    @staticmethod
    async def _tell(
        text: str, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        """Say `text` where the request can still be answered: its response_url, else a DM."""
        user = body.get("user_id") or (body.get("user") or {}).get("id")
        event = body.get("event") if isinstance(body.get("event"), dict) else {}
        user = user or (event or {}).get("user")
        try:
            if body.get("response_url"):
                await respond(text=text, response_type="ephemeral", replace_original=False)
            elif isinstance(user, str) and user:
                await client.chat_postMessage(channel=user, text=text)
        except SlackApiError as exc:
            log.warning("could not tell the user: %s", exc.response.get("error"))


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


_ADMIN = re.compile(r"^\s*admin\b", re.IGNORECASE)


async def _admin_command(command: dict[str, Any]) -> bool:
    """`/action admin …`: the commands whose lazy part may run a job or send a report."""
    return _ADMIN.match(slash_text(command)) is not None


def register(app: AsyncApp, door: SlackDoor, *, inline: bool = False) -> None:
    """Wire every Slack listener to the door. Bolt must run with process_before_response
    (bot/app/asgi.py): `AnswerAtAck` answers at each listener's ack, or at its end `inline`."""
    answer = AnswerAtAck(inline=inline, on_error=door.on_error)
    # First: nothing from another workspace reaches the register, not even the repeat check.
    app.use(door.workspace)
    app.use(Deduplication(door.seen))
    # Bolt deep-copies the whole request for each lazy function it starts: only admin
    # commands have lazy work, so only they pay for it (a third of a burst's event loop).
    app.command("/action", matchers=[_admin_command])(
        ack=answer(door.on_command), lazy=[door.run_admin_job, door.send_admin_report]
    )
    app.command("/action")(answer(door.on_command))
    app.action(re.compile(r"^action_(done|on_track|at_risk)$"))(answer(door.on_quick_button))
    app.action(re.compile(r"^action_(new_date|add_update)$"))(answer(door.on_open_modal))
    app.action(re.compile(r"^action_choose_\d+$"))(answer(door.on_choose))
    app.action(re.compile(r"^page_(next|prev)$"))(answer(door.on_page))
    app.action(re.compile(r"^home_(next|prev)$"))(answer(door.on_home_page))
    app.view(NEW_DATE_VIEW)(answer(door.on_new_date))
    app.view(ADD_UPDATE_VIEW)(answer(door.on_add_update))
    app.action(re.compile(r"^import_(apply|cancel|again)$"))(answer(door.on_import_button))
    app.action(MAP_OWNER_ACTION)(answer(door.on_map_owner))
    app.view(MAP_OWNER_VIEW)(answer(door.on_map_owner_saved))
    register_closure(app, door, answer)
    app.event("app_home_opened")(answer(door.on_home_opened))
    # Before the catch-all: Bolt runs the first listener that matches.
    app.event({"type": "message", "subtype": "file_share"})(answer(door.on_file_share))
    app.event("message")(answer(door.on_direct_message))
    app.error(door.on_error)
