"""What every Teams handler shares: the register, the clock, settings, who is asking.

The handlers are one module per kind (bot/handlers/teams/messages.py, cards.py, packs.py,
installs.py, errors.py); the package's `register` (bot/handlers/teams/__init__.py) wires
them. The SDK checks every request's JWT before any of this runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from microsoft_teams.api.activities import InstalledActivity, MessageActivity
from microsoft_teams.api.activities.conversation import ConversationUpdateActivity
from microsoft_teams.api.models import (
    AdaptiveCardActionCardResponse,
    AdaptiveCardActionMessageResponse,
    ClientInfoEntity,
)
from microsoft_teams.apps import ActivityContext
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Reply
from bot.handlers.file_fetch import TEAMS_FILES
from bot.messengers.teams_client import card_activity
from bot.messengers.teams_directory import TeamsDirectory
from bot.render import cards as render
from bot.services.conversation import Outcome, Who, converse, needs_email, unknown_ids
from bot.services.people.identity import Mentioned
from bot.services.people.reach import TeamsReference, remember_teams

log = logging.getLogger(__name__)

JobTrigger = Callable[[str], Awaitable[str]]  # "nudge" | "digest" → a sentence for the admin

AnyActivity = MessageActivity | InstalledActivity | ConversationUpdateActivity
InvokeAnswer = AdaptiveCardActionCardResponse | AdaptiveCardActionMessageResponse


def reference_of(activity: AnyActivity) -> TeamsReference:
    """What a later proactive message needs, from any activity the user sent."""
    channel_data = activity.channel_data
    tenant = channel_data.tenant.id if channel_data and channel_data.tenant else None
    conversation = activity.conversation
    personal = conversation.conversation_type in (None, "personal")
    return TeamsReference(
        service_url=activity.service_url or "",
        tenant_id=tenant or conversation.tenant_id,
        chat_id=activity.from_.id,
        conversation_id=conversation.id if personal and not conversation.is_group else None,
    )


def is_personal(activity: Any) -> bool:
    conversation = activity.conversation
    return conversation.conversation_type in (None, "personal") and not conversation.is_group


def time_zone_of(activity: Any) -> str | None:
    """The user's time zone, from the clientInfo entity Teams clients attach to messages."""
    for entity in getattr(activity, "entities", None) or []:
        if isinstance(entity, ClientInfoEntity) and entity.timezone:
            try:
                ZoneInfo(entity.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                return None
            return str(entity.timezone)
    return None


class TeamsDoor:
    """What the Teams handlers need: the register, the clock, settings and job triggers."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        settings: Settings,
        run_job: JobTrigger | None = None,
        directory: TeamsDirectory | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.run_job = run_job
        self.directory = directory
        self._profiles: dict[str, Who] = {}
        self.file_hosts = TEAMS_FILES.plus(*settings.extra_file_origins)
        # Work that goes on after Teams has its answer (admin jobs): kept so it is not
        # collected half-way, and so a test can wait for it.
        self.background: set[asyncio.Task[None]] = set()

    # -- identity ---------------------------------------------------------------------

    async def who(self, ctx: ActivityContext[Any]) -> Who:
        """The Teams user: AAD object id, with email/UPN from the roster while not linked."""
        sender = ctx.activity.from_
        user_id = sender.aad_object_id or sender.id
        plain = Who(
            "teams", user_id, alias=sender.id, tz=time_zone_of(ctx.activity), name=sender.name
        )
        if user_id in self._profiles:
            return self._profiles[user_id]
        if not await asyncio.to_thread(needs_email, self.sessions, plain):
            return plain
        # Teams always answers for the sender, in any conversation they write in.
        member = await self._member(ctx, sender.id)
        if member is None and self.directory is not None and sender.aad_object_id:
            member = await self.directory.user(sender.aad_object_id)
        if member is None or not member.email:
            return plain
        who = replace(plain, email=member.email, name=plain.name or member.name)
        self._profiles[user_id] = who
        return who

    async def _member(
        self, ctx: ActivityContext[Any], user_id: str, conversation: str | None = None
    ) -> Mentioned | None:
        """The roster entry for `user_id` in `conversation` (default: this one), or None."""
        try:
            member = await ctx.api.conversations.get_member_by_id(
                conversation or ctx.activity.conversation.id, user_id
            )
        except Exception as exc:  # noqa: BLE001 - not in the roster: known by id only
            log.info("Teams roster has no %s: %s", user_id, exc)
            return None
        return Mentioned(
            name=member.name or None,
            email=member.email or member.user_principal_name or None,
            entra_id=member.aad_object_id or None,
        )

    async def remember(self, ctx: ActivityContext[Any], who: Who) -> None:
        await asyncio.to_thread(
            remember_teams,
            self.sessions,
            who,
            reference_of(ctx.activity),
            admins=self.settings.admin_ids,
            now=self.clock.now(),
        )

    async def mentioned_people(
        self, ctx: ActivityContext[Any], shown: dict[str, str | None], entra: dict[str, str]
    ) -> dict[str, Mentioned]:
        """What Teams can say about people a message @mentions or a card picks (id → the
        name shown, or None for the picker's Entra object ids), so the service links them to
        the person the register already has instead of making a second one.

        Asked only where Teams answers: the roster of a team's channel or a group chat
        (a 1:1 chat knows nobody but its user), then the digest channel's team (which the
        bot is in), then Microsoft Graph when granted.
        """
        if not shown:
            return {}
        unknown = set(await asyncio.to_thread(unknown_ids, self.sessions, "teams", list(shown)))
        found: dict[str, Mentioned] = {}
        for user_id, name in shown.items():
            seen = Mentioned(name=name, entra_id=entra.get(user_id))
            if user_id in unknown:
                seen = await self._look_up(ctx, user_id, seen)
            found[user_id] = seen
        return found

    async def _look_up(self, ctx: ActivityContext[Any], user_id: str, seen: Mentioned) -> Mentioned:
        member = None
        if not is_personal(ctx.activity):
            member = await self._member(ctx, user_id)
        team = self.settings.teams_digest_conversation
        if member is None and team and team != ctx.activity.conversation.id.split(";")[0]:
            member = await self._member(ctx, user_id, team)
        entra = seen.entra_id or (None if user_id.startswith("29:") else user_id)
        if member is None and self.directory is not None and entra:
            member = await self.directory.user(entra)
        if member is None:
            return seen
        return Mentioned(
            name=member.name or seen.name,
            email=member.email,
            entra_id=member.entra_id or seen.entra_id,
        )

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

    def after_request(self, work: Awaitable[None]) -> None:
        """Run `work` on this loop once the handler has answered Teams."""

        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("unhandled error in work done after a Teams request")

        task = asyncio.get_running_loop().create_task(run())
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    @staticmethod
    async def send(ctx: ActivityContext[Any], reply: Reply) -> None:
        for card in render.reply_cards(reply):
            await ctx.send(card_activity(render.summary(reply), [card]))
