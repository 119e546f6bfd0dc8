"""Installs and membership in Teams: the conversation reference kept for later messages,
forgotten when the person removes actionbot."""

from __future__ import annotations

import asyncio
import logging

from microsoft_teams.api.activities import InstalledActivity, UninstalledActivity
from microsoft_teams.api.activities.conversation import ConversationUpdateActivity
from microsoft_teams.apps import ActivityContext, App

from bot.handlers.teams.door import TeamsDoor, is_personal
from bot.services.conversation import Who
from bot.services.people.reach import forget_teams

log = logging.getLogger(__name__)


class Installs:
    """The handlers of installs and conversation updates."""

    def __init__(self, door: TeamsDoor) -> None:
        self.door = door

    async def on_install(self, ctx: ActivityContext[InstalledActivity]) -> None:
        await self.door.remember(ctx, await self.door.who(ctx))

    async def on_uninstall(self, ctx: ActivityContext[UninstalledActivity]) -> None:
        """They removed actionbot: Teams refuses everything sent to them from now on, so
        nothing is (the admins' summary says so when a reminder is held back)."""
        sender = ctx.activity.from_
        who = Who("teams", sender.aad_object_id or sender.id, alias=sender.id)
        if is_personal(ctx.activity):
            await asyncio.to_thread(
                forget_teams, self.door.sessions, who, now=self.door.clock.now()
            )
        log.info("actionbot was removed from Teams conversation %s", ctx.activity.conversation.id)

    async def on_conversation_update(
        self, ctx: ActivityContext[ConversationUpdateActivity]
    ) -> None:
        added = ctx.activity.members_added or []
        if any(m.id == ctx.activity.recipient.id for m in added):
            await self.door.remember(ctx, await self.door.who(ctx))


def register(app: App, door: TeamsDoor) -> None:
    # Nobody waits on these: a failure is the SDK's to log and answer (a 500 Teams retries).
    handlers = Installs(door)
    app.on_install_add(handlers.on_install)
    app.on_install_remove(handlers.on_uninstall)
    app.on_conversation_update(handlers.on_conversation_update)
