"""Slack's forms (modal submissions): New date…, Add update… and Map…'s people. A problem
goes back beside its field in the ack; the outcome follows as a DM."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands import buttons
from bot.commands.rules import note_problems, revision_problems
from bot.handlers.slack.answer import AnswerAtAck
from bot.handlers.slack.door import SlackDoor
from bot.render.blocks import ADD_UPDATE_VIEW, MAP_OWNER_VIEW, NEW_DATE_VIEW, reply_message
from bot.services.conversation import Outcome, Who, action_ref, local_today


class Forms:
    """The listeners of modal submissions (the closure's reason form: closure.py)."""

    def __init__(self, door: SlackDoor) -> None:
        self.door = door

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
        command = buttons.owner(str(view["private_metadata"]), holders, deputies)
        if isinstance(command, buttons.FormProblems):
            await ack(response_action="errors", errors=command.by_field)
            return
        user_id = str(body["user"]["id"])

        async def work() -> Outcome | None:
            if not await self.door.seen.first(body):
                return None
            emails, who = await asyncio.gather(
                self.door.mention_emails([*holders, *deputies], client),
                self.door.who(user_id, client),
            )
            return await self.door.converse(who, command=command, mention_emails=emails)

        task = asyncio.ensure_future(work())
        done, _ = await asyncio.wait({task}, timeout=self.door.time_left(context))
        if done and (outcome := task.result()) is not None and not outcome.reply.ok:
            await ack(response_action="errors", errors={"holders": outcome.reply.lines[0][:150]})
            return
        await ack()
        outcome = await task
        if outcome is not None:
            await client.chat_postMessage(channel=user_id, **reply_message(outcome.reply))

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
        today = local_today(self.door.clock.now(), self.door.settings.tz)
        errors = revision_problems(picked, reason, today=today)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        user_id = str(body["user"]["id"])

        async def work() -> tuple[str | None, Outcome | None, Who | None]:
            """(a problem to show on the date field, the outcome, who asked)."""
            ref = await asyncio.to_thread(
                action_ref, self.door.sessions, int(view["private_metadata"])
            )
            if ref is None or picked is None:
                return "That action no longer exists.", None, None
            command = buttons.revision(ref.target, picked, reason, today=today)
            if isinstance(command, buttons.FormProblems) or not await self.door.seen.first(body):
                return None, None, None
            who = await self.door.who(user_id, client)
            outcome = await self.door.converse(
                who, command=command, pinned_action_id=int(view["private_metadata"])
            )
            refused = None if outcome.reply.ok else outcome.reply.lines[0][:150]
            return refused, outcome, who

        # A modal waits for its ack as a command does: if the register is busy, close it
        # in time and send the outcome as a DM.
        task = asyncio.ensure_future(work())
        if not await self.door.in_time(task, context):
            await ack()
            problem, outcome, who = await task
            if outcome is not None and who is not None:
                await client.chat_postMessage(channel=who.user_id, **reply_message(outcome.reply))
                if outcome.reply.ok:
                    await self.door.publish_home(client, who)
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
        await self.door.publish_home(client, who)

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
        who = await self.door.clicker(ack, body, client)
        if who is None:
            return
        action_id = int(view["private_metadata"])
        ref = await asyncio.to_thread(action_ref, self.door.sessions, action_id)
        if ref is None:
            return
        command = buttons.update(ref.target, note, rag)
        if isinstance(command, buttons.FormProblems):
            return
        outcome = await self.door.converse(who, command=command, pinned_action_id=action_id)
        await client.chat_postMessage(channel=who.user_id, **reply_message(outcome.reply))
        await self.door.publish_home(client, who)


def register(app: AsyncApp, door: SlackDoor, answer: AnswerAtAck) -> None:
    listeners = Forms(door)
    app.view(NEW_DATE_VIEW)(answer(listeners.on_new_date))
    app.view(ADD_UPDATE_VIEW)(answer(listeners.on_add_update))
    app.view(MAP_OWNER_VIEW)(answer(listeners.on_map_owner_saved))
