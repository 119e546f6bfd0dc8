"""Every button the renderers draw has a listener in each door, asked of the real Bolt app and
the real Teams SDK router: a kind added to the neutral reply (bot/core/messages.py) without
its verb (bot/commands/buttons.py, verbs.py) fails here instead of being clicked into
silence (Slack answers an unmatched action with a 404; Teams reaches the catch-all that
says "I don't know that button")."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any, get_args

from microsoft_teams.api.activities.invoke.adaptive_card import AdaptiveCardInvokeActivity
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.commands import buttons, verbs
from bot.core.clock import FixedClock
from bot.core.messages import ActionCard, Button, ButtonKind, Reply, Row
from bot.handlers.slack.gate import BUTTONS as GATE_BUTTONS
from bot.handlers.teams.closure import VERBS as CLOSURE_VERBS
from bot.handlers.teams.gate import outage_guard
from bot.render import blocks, cards
from bot.render.closure_cards import done_form, reason_form
from tests.harness import slack_world
from tests.teams_harness import executes, teams_world

CLOCK = FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))


def card(action_id: int, review: str | None = None) -> ActionCard:
    return ActionCard(
        action_id=action_id,
        plan_code="FIP",
        ref="2.4",
        title="Close the gap",
        owners=["Jane"],
        due=date(2018, 3, 31),
        due_label="due in 75 days",
        status="in_progress",
        rag=None,
        review=review,
    )


def every_button() -> Reply:
    """A reply with every kind of button a reply can carry."""
    return Reply(
        lines=["All of them."],
        cards=[card(1), card(2, review="verify"), card(3, review="extend")],
        choices=[
            Button("choose", "FIP:2.4", "1|2.4 done"),
            *(Button(kind, kind, "0" * 32) for kind in ("import_apply", "import_cancel")),
            Button("import_again", "Preview again", "0" * 32),
        ],
        rows=[Row("Finance Director: nobody", Button("map_owner", "Map…", "Finance Director"))],
    )


def slack_action_ids() -> dict[str, str]:
    """action_id → the value its button carries, for every button Slack is shown."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "button":
                found[str(node["action_id"])] = str(node.get("value", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks.reply_message(every_button()))
    return found


def teams_verbs() -> set[str]:
    """Every verb a Teams card or form draws (`data.action`, on which the SDK routes)."""
    drawn = [
        *cards.reply_cards(every_button()),
        cards.new_date_form(
            action_id=1, label="FIP:2.4", ids="1", current=None, today=CLOCK.now().date()
        ),
        cards.add_update_form(action_id=1, label="FIP:2.4", ids="1"),
        cards.map_owner_form(owner="Finance Director"),
        *(
            reason_form(action_id=2, label="FIP:2.4", kind=k, ids="2")
            for k in ("reject", "decline")
        ),
        done_form(action_id=2, label="FIP:2.4", ref="2.4", types="pdf", ids="2"),
    ]
    return {str(e["data"]["action"]) for c in drawn for e in executes(cards.card_json(c))}


def test_the_reply_here_draws_every_kind_of_button() -> None:
    """What the checks below draw covers every ButtonKind: a new kind must be added here."""
    reply = every_button()
    kinds = {b.kind for b in reply.choices} | {r.button.kind for r in reply.rows}
    kinds |= {b.kind for c in reply.cards for b in c.button_list()}
    assert kinds == set(get_args(ButtonKind))


def test_every_slack_button_has_a_listener_and_passes_the_gate(db_url: str) -> None:
    ids = slack_action_ids()
    assert len(ids) >= len(get_args(ButtonKind))
    with slack_world(db_url, clock=CLOCK) as world:
        bolt = world.service.bolt
        assert bolt is not None

        async def listeners_for(action_id: str, value: str) -> list[str]:
            body = {
                "type": "block_actions",
                "user": {"id": "U1"},
                "actions": [{"action_id": action_id, "value": value, "type": "button"}],
            }
            request = AsyncBoltRequest(body=body, mode="socket_mode")
            return [
                listener.ack_function.__name__
                for listener in bolt._async_listeners
                if await listener.async_matches(req=request, resp=BoltResponse(status=200))
            ]

        for action_id, value in ids.items():
            matched = asyncio.run(listeners_for(action_id, value))
            assert matched, f"no Slack listener for {action_id}"
            rule = next((ok for pattern, ok in GATE_BUTTONS if pattern.match(action_id)), None)
            assert rule is not None and rule(value), f"the gate refuses {action_id}={value!r}"


def test_every_teams_verb_has_a_handler_of_its_own(db_url: str) -> None:
    drawn = teams_verbs()
    with teams_world(db_url, clock=CLOCK) as world:
        router = world.service.teams.router

        def answered_by(verb: str) -> str:
            """The handler that answers `verb`: the first the SDK runs after the middleware."""
            activity = AdaptiveCardInvokeActivity.model_validate(
                {
                    "type": "invoke",
                    "name": "adaptiveCard/action",
                    "id": "a1",
                    "channelId": "msteams",
                    "from": {"id": "29:u"},
                    "recipient": {"id": "28:bot"},
                    "conversation": {"id": "c1"},
                    "value": {
                        "action": {"type": "Action.Execute", "verb": verb, "data": {"action": verb}}
                    },
                }
            )
            handlers = [h for h in router.select_handlers(activity) if h is not outage_guard]
            return handlers[0].__name__

        # The catch-all answers a verb from an old card; a drawn verb reaches its own handler,
        # shared only within a family whose verb says what it runs.
        assert answered_by("no-such-verb") == "unknown"
        families: dict[str, set[str]] = {}
        for verb in drawn:
            families.setdefault(answered_by(verb), set()).add(verb)
        assert families.pop("quick") == set(buttons.QUICK)
        assert families.pop("closure") == CLOSURE_VERBS
        assert families.pop("on_import_click") == set(verbs.IMPORT_BUTTONS)
        assert families.pop("on_map_owner") == {verbs.MAP_OWNER, verbs.SAVE_OWNER}
        assert all(len(family) == 1 for family in families.values()), families
        assert "unknown" not in families
