"""The committee pack in Teams: a bot may send a file only in a personal chat, after the
person accepts it (file consent); the pack is held until they answer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from microsoft_teams.api.activities.invoke.file_consent import FileConsentInvokeActivity
from microsoft_teams.api.models import Account, Action, ConversationAccount
from microsoft_teams.apps import ActivityContext, App

from bot.core.messages import Reply, error
from bot.handlers.teams.door import TeamsDoor, is_personal, reference_of
from bot.handlers.teams.errors import guarded
from bot.messengers.teams_client import personal_conversation_params
from bot.messengers.teams_files import UploadFailed, consent_activity, file_info_activity, upload
from bot.render import cards as render
from bot.services.actions import MakePack
from bot.services.conversation import Who
from bot.services.packs import admin_report, drop_report, held_report

log = logging.getLogger(__name__)


class Packs:
    """`admin report CODE` and the answer to its consent card."""

    def __init__(self, door: TeamsDoor) -> None:
        self.door = door

    async def offer_report(self, ctx: ActivityContext[Any], who: Who, pack: MakePack) -> None:
        """`admin report CODE`: the same service as Slack makes the pack; Teams lets a bot
        send a file only in a personal chat, after the person accepts it (file consent)."""
        made = await asyncio.to_thread(
            admin_report,
            self.door.sessions,
            who,
            plan_code=pack.plan,
            admins=self.door.settings.admin_ids,
            tz=self.door.settings.tz,
            now=self.door.clock.now(),
            hold=True,
            meeting=pack.meeting,
        )
        if isinstance(made, Reply):
            await self.door.send(ctx, made)
            return
        offer = consent_activity(
            filename=made.filename,
            size=len(made.content),
            description=f"{made.title}: the summary (what changed since the last issued "
            "pack, overdue actions, time extensions), then every action.",
            context={"report": made.token, "plan": pack.plan},
        )
        if is_personal(ctx.activity):
            await ctx.send(offer)
            return
        chat = await self._personal_chat(ctx)
        offer.from_ = Account(id=ctx.activity.recipient.id)
        offer.conversation = ConversationAccount(id=chat)
        await ctx.api.conversations.create_activity(chat, offer)
        await self.door.send(
            ctx,
            Reply(
                lines=[
                    f"The {pack.plan} committee pack is waiting in our personal chat: "
                    "accept it there and Teams saves it to your OneDrive."
                ]
            ),
        )

    async def _personal_chat(self, ctx: ActivityContext[Any]) -> str:
        """The 1:1 chat with the sender (Teams creates it, or finds the existing one)."""
        activity = ctx.activity
        tenant = reference_of(activity).tenant_id or self.door.settings.teams_tenant_id or ""
        user = activity.from_.aad_object_id or activity.from_.id
        created = await ctx.api.conversations.create(
            personal_conversation_params(activity.recipient.id, tenant, user)
        )
        return str(created.id)

    async def on_file_consent(self, ctx: ActivityContext[FileConsentInvokeActivity]) -> None:
        """The admin's answer to the consent card: upload the pack, or leave it."""
        value = ctx.activity.value
        context = value.context if isinstance(value.context, dict) else {}
        token, plan = str(context.get("report", "")), str(context.get("plan", "PLAN"))
        who = await self.door.who(ctx)
        if value.action != Action.ACCEPT:
            await asyncio.to_thread(
                drop_report, self.door.sessions, token=token, for_user=who.user_id
            )
            await self.door.send(
                ctx,
                Reply(
                    lines=[
                        f"No problem: the {plan} committee pack was not saved. Type "
                        f"`admin report {plan}` whenever you want it."
                    ]
                ),
            )
            return
        made = await asyncio.to_thread(
            held_report,
            self.door.sessions,
            token=token,
            for_user=who.user_id,
            now=self.door.clock.now(),
        )
        info = value.upload_info
        if made is None or info is None or not info.upload_url:
            await self.door.send(
                ctx,
                error(
                    "That report is no longer waiting (it was sent already, or offered more "
                    f"than a day ago). Type `admin report {plan}` for a fresh one."
                ),
            )
            return
        try:
            await upload(info.upload_url, made.content)
        except UploadFailed as exc:
            log.warning("Teams report upload failed: %s", exc)
            await self.door.send(
                ctx,
                error(
                    f"The report was made but could not be saved to your OneDrive ({exc}). "
                    f"Type `admin report {plan}` to try again, or use `actionbot report`."
                ),
            )
            return
        await asyncio.to_thread(drop_report, self.door.sessions, token=token, for_user=who.user_id)
        name = info.name or made.filename
        await ctx.send(
            file_info_activity(
                info,
                render.escape(
                    f"{name} is in your OneDrive: every action, what changed since the last "
                    "report, and the slipped, overdue and escalated lists."
                ),
            )
        )


def register(app: App, door: TeamsDoor) -> None:
    app.on_file_consent(guarded("file consent answer", Packs(door).on_file_consent))
