"""Slack's buttons: the quick buttons under an action, New date… and Add update… (which open
a form), a choice among matches, page turns, Map… beside an owner, and the Import / Cancel /
Preview again buttons under a plan's preview. Each acks at once."""

from __future__ import annotations

import asyncio
import json
import re
from functools import partial
from typing import Any, cast

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import buttons, verbs
from bot.handlers.slack.answer import AnswerAtAck
from bot.handlers.slack.closure import open_done_form
from bot.handlers.slack.door import SlackDoor
from bot.render.blocks import (
    MAP_OWNER_ACTION,
    action_id_of,
    action_ids,
    add_update_modal,
    ids_pattern,
    kind_of,
    map_owner_modal,
    new_date_modal,
    reply_message,
)
from bot.services.conversation import action_ref, form_refusal, local_today
from bot.services.imports.decision import decide
from bot.services.imports.preview import Decision


class Clicks:
    """The listeners of buttons (the closure buttons: bot/handlers/slack/closure.py)."""

    def __init__(self, door: SlackDoor) -> None:
        self.door = door

    async def on_quick_button(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        if await open_done_form(self.door, ack, body, action, client):
            return
        quick = partial(buttons.quick, kind_of(action["action_id"]))
        await self.door.run_click(ack, body, action, respond, client, quick)

    async def on_choose(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        who = await self.door.clicker(ack, body, client)
        if who is None:
            return
        pinned, _, raw = action["value"].partition("|")
        outcome = await self.door.converse(who, text=raw, pinned_action_id=int(pinned))
        await respond(**self.door.answer(outcome.reply, raw=raw), replace_original=True)

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
        who = await self.door.who(body["user"]["id"], client)
        outcome = await self.door.converse(who, text=state["t"])
        await respond(
            **self.door.answer(outcome.reply, raw=state["t"], page=int(state["p"])),
            replace_original=True,
        )

    async def on_open_modal(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        action_id = int(action["value"])
        ref = await asyncio.to_thread(action_ref, self.door.sessions, action_id)
        if ref is None:
            return
        if action["action_id"] == action_id_of(verbs.NEW_DATE):
            today = local_today(self.door.clock.now(), self.door.settings.tz)
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
        who = await self.door.who(str(body["user"]["id"]), client)
        refused = await asyncio.to_thread(
            form_refusal,
            self.door.sessions,
            who,
            buttons.owner_form(owner),
            admins=self.door.settings.admin_ids,
            default_tz=self.door.settings.tz,
            now=self.door.clock.now(),
        )
        if refused is not None:
            await respond(**self.door.answer(refused), replace_original=False)
            return
        # trigger_id expires 3 s after the click: open the modal before anything slow.
        await client.views_open(trigger_id=body["trigger_id"], view=map_owner_modal(owner=owner))

    async def on_import_button(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        """Import, Cancel or Preview again, under a preview: the service decides."""
        who = await self.door.clicker(ack, body, client)
        if who is None:
            return
        answer = await asyncio.to_thread(
            decide,
            self.door.sessions,
            str(action["value"]),
            cast(Decision, action["action_id"]),
            platform="slack",
            user_id=who.user_id,
            email=who.email,
            admins=self.door.settings.admin_ids,
            now=self.door.clock.now(),
            attach=True,
        )
        channel = str((body.get("channel") or {}).get("id") or who.user_id)
        await self.door.attach_preview(answer, channel, client)
        reply = answer.reply
        # The outcome takes the preview's place (its buttons go); a refusal (someone else's
        # click, a repeat) leaves the preview as it was and answers beside it.
        replace = reply.ok or bool(reply.choices)
        await respond(**reply_message(reply), replace_original=replace)

    async def on_home_page(
        self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        await self.door.publish_home(
            client, await self.door.who(body["user"]["id"], client), page=int(action["value"])
        )


def register(app: AsyncApp, door: SlackDoor, answer: AnswerAtAck) -> None:
    listeners = Clicks(door)
    app.action(action_ids(buttons.QUICK))(answer(listeners.on_quick_button))
    app.action(action_ids(verbs.OPEN_FORM))(answer(listeners.on_open_modal))
    app.action(re.compile(r"^action_choose_\d+$"))(answer(listeners.on_choose))
    app.action(re.compile(r"^page_(next|prev)$"))(answer(listeners.on_page))
    app.action(re.compile(r"^home_(next|prev)$"))(answer(listeners.on_home_page))
    app.action(ids_pattern(verbs.IMPORT_BUTTONS))(answer(listeners.on_import_button))
    app.action(MAP_OWNER_ACTION)(answer(listeners.on_map_owner))
