"""Teams card buttons (`Action.Execute` invokes), answered with the refreshed card. Each verb
is registered on its own (`on_card_action_execute(verb)`); the Command a click stands for
comes from bot/commands/buttons.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from microsoft_teams.api.activities.invoke.adaptive_card import AdaptiveCardInvokeActivity
from microsoft_teams.api.models import (
    AdaptiveCardActionCardResponse,
    AdaptiveCardActionMessageResponse,
)
from microsoft_teams.apps import ActivityContext, App
from microsoft_teams.cards import AdaptiveCard

from bot.commands import buttons, verbs
from bot.commands.types import Command
from bot.core.messages import Reply, error
from bot.handlers.teams.closure import VERBS as CLOSURE_VERBS
from bot.handlers.teams.closure import review_answer, review_step
from bot.handlers.teams.door import InvokeAnswer, TeamsDoor, is_personal
from bot.handlers.teams.errors import Handler, guarded
from bot.messengers.teams_client import card_activity
from bot.render import cards as render
from bot.services.conversation import (
    ActionRef,
    Who,
    action_ref,
    current_cards,
    form_refusal,
    local_today,
)
from bot.services.imports.decision import decide
from bot.services.imports.preview import ChatImportAnswer, Decision

log = logging.getLogger(__name__)


def _picked(value: Any) -> list[str]:
    """The people picker's value: AAD object ids, comma-separated."""
    return [p.strip() for p in str(value or "").split(",") if p.strip()]


class Cards:
    """The handlers of card buttons."""

    def __init__(self, door: TeamsDoor) -> None:
        self.door = door

    async def _clicked(
        self, ctx: ActivityContext[AdaptiveCardInvokeActivity]
    ) -> tuple[Who, dict[str, Any]]:
        """Who clicked (remembered for later messages) and what the button carries."""
        who = await self.door.who(ctx)
        await self.door.remember(ctx, who)
        return who, dict(ctx.activity.value.action.data or {})

    async def on_import_click(
        self, ctx: ActivityContext[AdaptiveCardInvokeActivity]
    ) -> InvokeAnswer:
        who, data = await self._clicked(ctx)
        return await self._import_click(ctx, who, data)

    async def on_map_owner(self, ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> InvokeAnswer:
        who, data = await self._clicked(ctx)
        return await self._answered(ctx, await self._map_owner(ctx, who, data))

    async def on_choose(self, ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> InvokeAnswer:
        """One of several actions a reference matched: the text runs again, pinned to it."""
        who, data = await self._clicked(ctx)
        pinned, _, raw = str(data.get("value", "")).partition("|")
        if not pinned.isdigit():
            return await self._answered(ctx, "That choice is no longer valid.")
        outcome = await self.door.converse(who, text=raw, pinned_action_id=int(pinned))
        return await self._answered(ctx, Answer(render.reply_cards(outcome.reply)[0]))

    def on_action(self, answer: ClickAnswer) -> Handler:
        """The handler of a button under an action (or a form it opened): the click read
        once, `answer` given it, its answer sent."""

        async def handle(ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> InvokeAnswer:
            who, data = await self._clicked(ctx)
            click = await self._read(who, data)
            return await self._answered(
                ctx, click if isinstance(click, str) else await answer(click)
            )

        handle.__name__ = answer.__name__
        return handle

    async def _read(self, who: Who, data: dict[str, Any]) -> Click | str:
        action_id = int(str(data.get("action_id", "0")) or "0")
        ref = await asyncio.to_thread(action_ref, self.door.sessions, action_id)
        if ref is None:
            return "That action no longer exists."
        return Click(
            who=who,
            data=data,
            verb=str(data.get("action", "")),
            action_id=action_id,
            ids=[int(i) for i in str(data.get("ids", "")).split(",") if i.isdigit()] or [action_id],
            today=local_today(self.door.clock.now(), self.door.settings.tz),
            ref=ref,
            head=str(data.get("head") or ""),
        )

    async def _answered(self, ctx: ActivityContext[Any], answer: Answer | str) -> InvokeAnswer:
        if isinstance(answer, str):
            return AdaptiveCardActionMessageResponse(value=answer)
        if answer.shared:
            await self._update_for_everyone(ctx, answer.card)
        return AdaptiveCardActionCardResponse(value=answer.card)

    async def _update_for_everyone(self, ctx: ActivityContext[Any], card: AdaptiveCard) -> None:
        """The invoke's answer redraws the card for the person who clicked only; in a channel
        or group chat everyone else would go on seeing the old status and buttons, so the
        posted message itself is updated (`PUT …/activities/{id}`)."""
        activity = ctx.activity
        if is_personal(activity) or not activity.reply_to_id:
            return
        try:
            await ctx.api.conversations.update_activity(
                activity.conversation.id, activity.reply_to_id, card_activity("actionbot", [card])
            )
        except Exception as exc:  # noqa: BLE001 - the clicker has the answer either way
            log.warning("could not update the card in Teams conversation for everyone: %s", exc)

    async def _import_click(
        self, ctx: ActivityContext[Any], who: Who, data: dict[str, Any]
    ) -> InvokeAnswer:
        """Import, Cancel or Preview again under a preview: the service decides. The outcome
        replaces the clicked card; a refusal leaves it and answers beside it."""
        answer: ChatImportAnswer = await asyncio.to_thread(
            decide,
            self.door.sessions,
            str(data.get("value", "")),
            cast(Decision, str(data["action"])),
            platform="teams",
            user_id=who.user_id,
            email=who.email,
            admins=self.door.settings.admin_ids,
            now=self.door.clock.now(),
            attach=False,
        )
        reply = answer.reply
        if not reply.ok and not reply.choices:
            return AdaptiveCardActionMessageResponse(value=render.summary(reply))
        cards = render.reply_cards(reply)
        for card in cards[1:]:  # a long fresh preview: the rest follows as messages
            await ctx.send(card_activity(render.summary(reply), [card]))
        return AdaptiveCardActionCardResponse(value=cards[0])

    async def _map_owner(
        self, ctx: ActivityContext[Any], who: Who, data: dict[str, Any]
    ) -> Answer | str:
        """ "Map…" opens the form (for those the service lets run `admin owner`: anyone else
        is told so at the click); its Save runs the same `admin owner` command as text."""
        owner = str(data.get("owner") or "")
        if str(data.get("action")) == verbs.MAP_OWNER:
            refused = await asyncio.to_thread(
                form_refusal,
                self.door.sessions,
                who,
                buttons.owner_form(owner),
                admins=self.door.settings.admin_ids,
                default_tz=self.door.settings.tz,
                now=self.door.clock.now(),
            )
            return Answer(render.map_owner_form(owner=owner)) if refused is None else refused.text
        holders, deputies = _picked(data.get("holders")), _picked(data.get("deputies"))
        command = buttons.owner(owner, holders, deputies)
        if isinstance(command, buttons.FormProblems):
            return Answer(render.map_owner_form(owner=owner, problem=command.text))
        people = await self.door.mentioned_people(ctx, dict.fromkeys([*holders, *deputies]), {})
        outcome = await self.door.converse(who, command=command, mentioned=people)
        if not outcome.reply.ok:
            return Answer(render.map_owner_form(owner=owner, problem=outcome.reply.lines[0]))
        return Answer(render.reply_cards(outcome.reply)[0])

    async def new_date(self, click: Click) -> Answer:
        return _date_form(click)

    async def add_update(self, click: Click) -> Answer:
        return _update_form(click)

    async def show(self, click: Click) -> Answer:
        return Answer(await self._refreshed(Reply(), click.ids, click.today, head=click.head))

    async def quick(self, click: Click) -> Answer:
        """Done, On track, At risk: run at once, except Done on a plan with a verifier,
        which opens the Done… form."""
        if buttons.done_opens_form(click.verb, verified=click.ref.verified):
            return await self.closure(click)
        return await self._run(click, buttons.quick(click.verb, click.ref.target))

    async def closure(self, click: Click) -> Answer:
        """Accept, Reject…, Approve, Decline…, Done… and the Save of their forms."""
        step = review_step(
            click.verb,
            click.ref,
            click.data,
            action_id=click.action_id,
            ids=click.ids_text,
            head=click.head,
        )
        if isinstance(step, AdaptiveCard):
            return Answer(step)
        done = await self.door.converse(click.who, command=step, pinned_action_id=click.action_id)
        return Answer(review_answer(done.reply))

    async def save_date(self, click: Click) -> Answer:
        picked = click.text("new_due") or None
        reason = click.text("reason").strip()
        command = buttons.revision(click.ref.target, picked, reason, today=click.today)
        if isinstance(command, buttons.FormProblems):
            return _date_form(click, problem=command.text, picked=picked, reason=reason)
        return await self._run(click, command)

    async def save_update(self, click: Click) -> Answer:
        note, rag = click.text("note").strip(), click.text("rag") or "none"
        command = buttons.update(click.ref.target, note, rag)
        if isinstance(command, buttons.FormProblems):
            return _update_form(click, problem=command.text, note=note, rag=rag)
        return await self._run(click, command)

    async def unknown(self, click: Click) -> Answer:
        """A verb no card draws any more (a button on an old card)."""
        return Answer(render.refreshed_card(error("I don't know that button."), []))

    async def _run(self, click: Click, command: Command) -> Answer:
        """The command, then the clicked card redrawn for everyone who sees it."""
        outcome = await self.door.converse(
            click.who, command=command, pinned_action_id=click.action_id
        )
        ok = outcome.reply.ok
        card = await self._refreshed(
            outcome.reply,
            click.ids,
            click.today,
            head=click.head,
            changed=click.action_id if ok else None,
        )
        return Answer(card, shared=ok)

    async def _refreshed(
        self, reply: Reply, ids: list[int], today: date, *, head: str, changed: int | None = None
    ) -> AdaptiveCard:
        cards = await asyncio.to_thread(current_cards, self.door.sessions, ids, today=today)
        return render.refreshed_card(
            Reply(lines=reply.lines, ok=reply.ok), cards, head=head, changed=changed
        )


@dataclass(frozen=True)
class Answer:
    """The card that replaces the one clicked; `shared`: what it shows changed for everyone
    who sees that card (a form, or a refusal, is only the clicker's)."""

    card: AdaptiveCard
    shared: bool = False


@dataclass(frozen=True)
class Click:
    """A click under an action, read once: who, what the button carries, its verb, the
    action and the actions its card shows (`ids`), the clicker's today, the card's heading."""

    who: Who
    data: dict[str, Any]
    verb: str
    action_id: int
    ids: list[int]
    today: date
    ref: ActionRef
    head: str

    @property
    def ids_text(self) -> str:
        return ",".join(str(i) for i in self.ids)

    def text(self, field: str) -> str:
        return str(self.data.get(field) or "")


ClickAnswer = Callable[[Click], Awaitable[Answer]]


def _date_form(click: Click, **kept: Any) -> Answer:
    return Answer(
        render.new_date_form(
            action_id=click.action_id,
            label=click.ref.label,
            ids=click.ids_text,
            head=click.head,
            current=click.ref.due,
            today=click.today,
            **kept,
        )
    )


def _update_form(click: Click, **kept: Any) -> Answer:
    return Answer(
        render.add_update_form(
            action_id=click.action_id,
            label=click.ref.label,
            ids=click.ids_text,
            head=click.head,
            **kept,
        )
    )


def register(app: App, door: TeamsDoor) -> None:
    """Card buttons are routed by their verb (`data.action`), one handler per verb (the quick
    buttons and the closure verbs each one handler, as their verb says what they run)."""
    cards = Cards(door)

    def on(verb: str, handler: Handler) -> None:
        app.on_card_action_execute(verb, guarded("card action", handler))

    for verb in verbs.IMPORT_BUTTONS:
        on(verb, cards.on_import_click)
    for verb in (verbs.MAP_OWNER, verbs.SAVE_OWNER):
        on(verb, cards.on_map_owner)
    on(verbs.CHOOSE, cards.on_choose)
    by_verb: dict[str, ClickAnswer] = {
        verbs.NEW_DATE: cards.new_date,
        verbs.ADD_UPDATE: cards.add_update,
        verbs.SHOW: cards.show,
        verbs.SAVE_DATE: cards.save_date,
        verbs.SAVE_UPDATE: cards.save_update,
        **dict.fromkeys(buttons.QUICK, cards.quick),
        **dict.fromkeys(sorted(CLOSURE_VERBS), cards.closure),
    }
    for verb, answer in by_verb.items():
        on(verb, cards.on_action(answer))
    # Last, so a verb registered above is answered there: any other (an old card's button).
    app.on_card_action_execute(guarded("card action", cards.on_action(cards.unknown)))
