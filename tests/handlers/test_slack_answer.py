"""AnswerAtAck with a real Bolt app: Slack gets its answer at the listener's ack, while the
rest of the listener carries on; a failure after the ack reaches the error handler."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack.answer import AnswerAtAck
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import TOKEN, slack_world

Dispatch = Callable[[AsyncBoltRequest], Awaitable[BoltResponse]]


class Listening:
    """A listener the test steps through, and what the error handler saw."""

    def __init__(self, slack: FakeSlackAPI) -> None:
        self.slack = slack
        self.release = asyncio.Event()
        self.finished = asyncio.Event()
        self.errors: list[Exception] = []
        self.reported = asyncio.Event()

    async def on_error(self, error: Exception, body: dict[str, Any]) -> None:
        self.errors.append(error)
        self.reported.set()


def app_with(
    listening: Listening,
    listener: Callable[..., Awaitable[None]],
    *,
    inline: bool = False,
    event: bool = False,
) -> AsyncApp:
    answer = AnswerAtAck(inline=inline, on_error=listening.on_error)
    app = AsyncApp(
        # Bolt asks auth.test before the first listener: the loopback fake answers.
        client=AsyncWebClient(token=TOKEN, base_url=listening.slack.base_url),
        request_verification_enabled=False,  # the HTTP gate is not what this tests
        process_before_response=True,
    )
    if event:
        app.event("app_home_opened")(answer(listener))
    else:
        app.command("/action")(answer(listener))
    app.error(listening.on_error)
    return app


def command() -> AsyncBoltRequest:
    body = urlencode(
        {
            "command": "/action",
            "text": "mine",
            "user_id": "U1",
            "team_id": "T1",
            "channel_id": "C1",
            "trigger_id": "1.2.3",
            "response_url": "http://127.0.0.1:9/response",
        }
    )
    return AsyncBoltRequest(
        body=body, headers={"content-type": ["application/x-www-form-urlencoded"]}
    )


def home_opened() -> AsyncBoltRequest:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A1",
            "event_id": "Ev1",
            "event": {"type": "app_home_opened", "user": "U1", "tab": "home"},
        }
    )
    return AsyncBoltRequest(body=body, headers={"content-type": ["application/json"]})


async def answered(app: AsyncApp, request: AsyncBoltRequest) -> BoltResponse:
    """Bolt's answer to Slack; a listener that holds it fails the test, not hangs it."""
    return await asyncio.wait_for(app.async_dispatch(request), timeout=5)


async def settle(event: asyncio.Event) -> None:
    await asyncio.wait_for(event.wait(), timeout=5)


def test_the_answer_goes_at_the_ack_and_the_listener_carries_on() -> None:
    async def scenario(slack: FakeSlackAPI) -> None:
        listening = Listening(slack)

        async def listener(ack: AsyncAck) -> None:
            await ack(text="here you are")
            await listening.release.wait()
            listening.finished.set()

        response = await answered(app_with(listening, listener), command())
        assert response.status == 200
        assert "here you are" in response.body
        assert not listening.finished.is_set()  # answered while the listener still ran
        listening.release.set()
        await settle(listening.finished)
        assert listening.errors == []

    with FakeSlackAPI(bot_token=TOKEN) as slack:
        asyncio.run(scenario(slack))


def test_inline_answers_when_the_listener_has_finished() -> None:
    async def scenario(slack: FakeSlackAPI) -> None:
        listening = Listening(slack)

        async def listener(ack: AsyncAck) -> None:
            await ack(text="done")
            await asyncio.sleep(0)  # the listener goes on after its ack
            listening.finished.set()

        response = await answered(app_with(listening, listener, inline=True), command())
        assert listening.finished.is_set()
        assert "done" in response.body

    with FakeSlackAPI(bot_token=TOKEN) as slack:
        asyncio.run(scenario(slack))


def test_a_failure_after_the_ack_reaches_the_error_handler() -> None:
    async def scenario(slack: FakeSlackAPI) -> None:
        listening = Listening(slack)

        async def listener(ack: AsyncAck) -> None:
            await ack(text="answered")
            await listening.release.wait()
            raise RuntimeError("after the ack")

        response = await answered(app_with(listening, listener), command())
        assert response.status == 200 and "answered" in response.body
        listening.release.set()
        await settle(listening.reported)
        assert [str(e) for e in listening.errors] == ["after the ack"]

    with FakeSlackAPI(bot_token=TOKEN) as slack:
        asyncio.run(scenario(slack))


def test_a_failure_before_the_ack_is_bolts_to_answer() -> None:
    async def scenario(slack: FakeSlackAPI) -> None:
        listening = Listening(slack)

        async def listener(ack: AsyncAck) -> None:
            raise ValueError("before the ack")

        response = await answered(app_with(listening, listener), command())
        assert response.status == 500
        assert [str(e) for e in listening.errors] == ["before the ack"]

    with FakeSlackAPI(bot_token=TOKEN) as slack:
        asyncio.run(scenario(slack))


def test_an_event_is_acked_at_once_and_handled_after() -> None:
    async def scenario(slack: FakeSlackAPI) -> None:
        listening = Listening(slack)

        async def listener(event: dict[str, Any]) -> None:
            assert event["type"] == "app_home_opened"
            await listening.release.wait()
            listening.finished.set()

        response = await answered(app_with(listening, listener, event=True), home_opened())
        assert response.status == 200
        assert not listening.finished.is_set()
        listening.release.set()
        await settle(listening.finished)
        assert listening.errors == []

    with FakeSlackAPI(bot_token=TOKEN) as slack:
        asyncio.run(scenario(slack))


def test_a_failure_in_an_event_listener_reaches_the_error_handler() -> None:
    async def scenario(slack: FakeSlackAPI) -> None:
        listening = Listening(slack)

        async def listener(event: dict[str, Any]) -> None:
            await listening.release.wait()
            raise RuntimeError("in the event")

        response = await answered(app_with(listening, listener, event=True), home_opened())
        assert response.status == 200
        listening.release.set()
        await settle(listening.reported)
        assert [str(e) for e in listening.errors] == ["in the event"]

    with FakeSlackAPI(bot_token=TOKEN) as slack:
        asyncio.run(scenario(slack))


def test_a_cancelled_request_still_reports_its_listeners_failure() -> None:
    """Shutdown or a closed Socket Mode connection cancels the dispatch before the ack: the
    listener finishes on its own, and what goes wrong still reaches the error handler."""

    async def scenario(slack: FakeSlackAPI) -> None:
        listening = Listening(slack)
        started = asyncio.Event()

        async def listener(ack: AsyncAck) -> None:
            started.set()
            await listening.release.wait()
            raise RuntimeError("after the cancel")

        dispatch = asyncio.ensure_future(app_with(listening, listener).async_dispatch(command()))
        await settle(started)
        dispatch.cancel()
        await asyncio.gather(dispatch, return_exceptions=True)
        assert dispatch.cancelled()
        listening.release.set()
        await settle(listening.reported)
        assert [str(e) for e in listening.errors] == ["after the cancel"]

    with FakeSlackAPI(bot_token=TOKEN) as slack:
        asyncio.run(scenario(slack))


def test_actionbots_bolt_app_leaves_the_answer_to_answer_at_ack(db_url: str) -> None:
    """Without process_before_response Bolt polls for the ack every 10 ms, and AnswerAtAck
    would only add a wrapper: it is what takes the 10 ms off every answer."""
    with slack_world(db_url, inline=False) as world:
        assert world.service.bolt is not None
        assert world.service.bolt.process_before_response is True
