"""Teams messages: the `/action` grammar without the slash, anything in a personal chat
and, in a channel or group chat, only what @mentions the bot (the mention is removed
before parsing); a plan file sent in the personal chat; an admin's job started from chat.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from microsoft_teams.api.activities import MessageActivity
from microsoft_teams.api.activities.utils import StripMentionsTextOptions
from microsoft_teams.api.models import (
    FILE_DOWNLOAD_INFO_CONTENT_TYPE,
    FileDownloadInfo,
    MentionEntity,
)
from microsoft_teams.apps import ActivityContext, App

from bot.commands import buttons
from bot.core.messages import Reply, error
from bot.handlers.file_fetch import FetchFailed, fetch_pre_authorised
from bot.handlers.teams.closure import fetch_evidence
from bot.handlers.teams.door import TeamsDoor
from bot.handlers.teams.errors import guarded
from bot.handlers.teams.packs import Packs
from bot.services.actions import MakePack, RunJob
from bot.services.conversation import Who, local_today
from bot.services.imports.preview import preview_upload
from bot.services.imports.upload import MAX_UPLOAD_BYTES, Upload, check_upload
from bot.services.inbound import first_time

log = logging.getLogger(__name__)

_SLASH = re.compile(r"^\s*/?action\b\s*", re.IGNORECASE)


def command_text(activity: MessageActivity) -> str | None:
    """The command in a message, or None when it is not for us (a channel message that does
    not @mention the bot)."""
    personal = activity.conversation.conversation_type in (None, "personal")
    if not personal and not activity.is_recipient_mentioned():
        return None
    stripped = activity.strip_mentions_text(
        StripMentionsTextOptions(account_id=activity.recipient.id)
    )
    text = (stripped.text or "").replace("\u00a0", " ").strip()
    # Anybody else @mentioned (`admin owner "Finance" @Jane`) becomes <@their id>, the form
    # the grammar reads for a platform user.
    for entity in _mentions(activity):
        if entity.text:
            text = text.replace(entity.text, f"<@{entity.mentioned.id}>")
    # New Teams sends a name picked from the list as one mention per word ("<at>Raj</at>
    # <at>Patel</at>", the same user twice): one person.
    text = _SAME_MENTION.sub(r"\1", text)
    return _SLASH.sub("", text, count=1)


_SAME_MENTION = re.compile(r"(<@([^>\s]+)>)(?:\s*<@\2>)+")


def _mentions(activity: MessageActivity) -> list[MentionEntity]:
    """The message's mentions of people, the bot left out."""
    return [
        entity
        for entity in activity.entities or []
        if isinstance(entity, MentionEntity) and entity.mentioned.id != activity.recipient.id
    ]


def mentioned_names(activity: MessageActivity) -> dict[str, str | None]:
    """The people a message @mentions (their chat ids, 29:…) and the names the mentions
    show; a name split over adjacent mentions of one person is put back together."""
    names: dict[str, list[str]] = {}
    for entity in _mentions(activity):
        shown = entity.mentioned.name or (entity.text or "").removeprefix("<at>")
        names.setdefault(entity.mentioned.id, []).append(shown.removesuffix("</at>").strip())
    return {
        user: " ".join(dict.fromkeys(n for n in parts if n)) or None
        for user, parts in names.items()
    }


def _entra_ids(activity: MessageActivity) -> dict[str, str]:
    """Chat id → Entra object id, for mentions that carry both."""
    return {
        e.mentioned.id: e.mentioned.aad_object_id
        for e in _mentions(activity)
        if e.mentioned.aad_object_id
    }


def sent_files(activity: MessageActivity) -> list[tuple[str, FileDownloadInfo]]:
    """Files sent with a message in a personal chat: (name, where to fetch it)."""
    if activity.conversation.conversation_type not in (None, "personal"):
        return []
    found = []
    for attachment in activity.attachments or []:
        if attachment.content_type != FILE_DOWNLOAD_INFO_CONTENT_TYPE:
            continue
        content = attachment.content
        try:
            info = (
                content
                if isinstance(content, FileDownloadInfo)
                else FileDownloadInfo.model_validate(content)
            )
        except ValueError:
            continue
        found.append((attachment.name or f"file.{info.file_type or 'csv'}", info))
    return found


class Messages:
    """The handlers of messages."""

    def __init__(self, door: TeamsDoor, packs: Packs) -> None:
        self.door = door
        self.packs = packs

    async def on_message(self, ctx: ActivityContext[MessageActivity]) -> None:
        activity = ctx.activity
        text = command_text(activity)
        if text is None:
            return
        key = f"{activity.conversation.id}|{activity.id}"
        if not await asyncio.to_thread(
            first_time,
            self.door.sessions,
            platform="teams",
            event_id=key,
            now=self.door.clock.now(),
        ):
            log.info("duplicate Teams activity %s ignored", activity.id)
            return
        who = await self.door.who(ctx)
        await self.door.remember(ctx, who)
        sent = sent_files(activity)
        if sent and buttons.is_done(
            text, today=local_today(self.door.clock.now(), self.door.settings.tz)
        ):
            # `2.4 done` with files: evidence for an action, not a plan to import.
            files = await fetch_evidence(sent, allowed=self.door.file_hosts)
            if isinstance(files, Reply):
                await self.door.send(ctx, files)
                return
            await self.door.send(
                ctx, (await self.door.converse(who, text=text, attachments=files)).reply
            )
            return
        if sent:
            await self.on_file(ctx, who, sent, text)
            return
        people = await self.door.mentioned_people(
            ctx, mentioned_names(activity), _entra_ids(activity)
        )
        outcome = await self.door.converse(who, text=text, mentioned=people)
        if isinstance(outcome.follow_up, MakePack):
            await self.packs.offer_report(ctx, who, outcome.follow_up)
            return
        await self.door.send(ctx, outcome.reply)
        if isinstance(outcome.follow_up, RunJob):
            await self.admin_job(ctx, outcome.follow_up)

    async def on_file(
        self,
        ctx: ActivityContext[MessageActivity],
        who: Who,
        sent: list[tuple[str, FileDownloadInfo]],
        comment: str,
    ) -> None:
        """A file sent to the bot (manifest `supportsFiles`): an admin's plan, previewed."""
        name, info = sent[0]
        refused = await asyncio.to_thread(
            check_upload,
            self.door.sessions,
            platform="teams",
            user_id=who.user_id,
            email=who.email,
            filename=name,
            comment=comment,
            size=None,
            admins=self.door.settings.admin_ids,
            now=self.door.clock.now(),
            files=len(sent),
        )
        if refused is not None:
            await self.door.send(ctx, refused)
            return
        try:
            # The SDK's ctx.files does the same (a plain GET: the URL carries its own short-lived
            # credential, so no token is sent) but fetches whatever host the URL names.
            data = await fetch_pre_authorised(
                info.download_url or "", limit=MAX_UPLOAD_BYTES, allowed=self.door.file_hosts
            )
        except FetchFailed as exc:
            await self.door.send(
                ctx, error(f"I could not fetch {name} from Teams: {exc}. Nothing was changed.")
            )
            return
        answer = await asyncio.to_thread(
            preview_upload,
            self.door.sessions,
            Upload(filename=name, data=data, comment=comment),
            platform="teams",
            user_id=who.user_id,
            email=who.email,
            admins=self.door.settings.admin_ids,
            now=self.door.clock.now(),
            attach=False,
        )
        await self.door.send(ctx, answer.reply)

    async def admin_job(self, ctx: ActivityContext[Any], run: RunJob) -> None:
        """`admin nudge` / `admin digest`: Teams has had its answer ("Queued."); the job runs
        after the request, and says here what it did when it is done. A whole day's
        reminders take far longer than the ~15 s Teams waits for a request."""
        kind = run.job
        if self.door.run_job is None:
            await ctx.send(f"The {kind} job is not configured in this process.")
            return
        self.door.after_request(self._run_job(ctx, kind))

    async def _run_job(self, ctx: ActivityContext[Any], kind: str) -> None:
        assert self.door.run_job is not None
        try:
            said = await self.door.run_job(kind)
        except Exception:
            log.exception("the %s job started from Teams failed", kind)
            said = f"The {kind} failed on my side; the log says why. Nothing more was sent."
        # The job's summary names owners from the plan: rendered (escaped) like any reply.
        await self.door.send(ctx, Reply(lines=[said]))


def register(app: App, door: TeamsDoor) -> None:
    app.on_message(guarded("message handler", Messages(door, Packs(door)).on_message))
