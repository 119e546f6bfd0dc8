"""One ASGI application: Slack (and later Teams) on one port, plus a health check.

`build_app` wires everything and starts nothing; uvicorn (or a test client) runs it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import ConfigError
from bot.handlers import slack as slack_handlers
from bot.handlers.slack import JobTrigger, SlackDoor
from bot.messengers.slack_client import make_async_client
from bot.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class Service:
    asgi: Starlette
    bolt: AsyncApp | None
    slack_client: AsyncWebClient | None
    door: SlackDoor | None


def build_bolt(
    runtime: Runtime, *, run_job: JobTrigger | None = None, inline: bool = False
) -> tuple[AsyncApp, SlackDoor]:
    """The Bolt app. `inline` finishes listeners before answering Slack (FaaS, tests)."""
    token, secret = runtime.settings.require_slack()
    client = make_async_client(runtime.settings, token)
    bolt = AsyncApp(
        client=client,
        signing_secret=secret or None,
        # Bolt skips the check for Socket Mode envelopes itself; every HTTP request is checked.
        # Without a secret (Socket Mode only) build_app serves no HTTP route for Slack at all.
        request_verification_enabled=bool(secret),
        process_before_response=inline,
        logger=logging.getLogger("actionbot.slack"),
    )
    door = SlackDoor(
        sessions=runtime.sessions, clock=runtime.clock, settings=runtime.settings, run_job=run_job
    )
    slack_handlers.register(bolt, door)
    return bolt, door


def build_app(
    runtime: Runtime, *, run_job: JobTrigger | None = None, inline: bool = False
) -> Service:
    """The ASGI app: POST /slack/events (when Slack is configured) and GET /healthz."""
    bolt: AsyncApp | None = None
    door: SlackDoor | None = None
    routes: list[Route] = []

    async def healthz(_: Request) -> Response:
        ok = runtime.database_ok()
        return JSONResponse(
            {"ok": ok, "database": "up" if ok else "down"}, status_code=200 if ok else 503
        )

    routes.append(Route("/healthz", healthz, methods=["GET"]))
    if runtime.settings.slack_enabled:
        bolt, door = build_bolt(runtime, run_job=run_job, inline=inline)
        handler = AsyncSlackRequestHandler(bolt)

        async def slack_events(request: Request) -> Response:
            return await handler.handle(request)

        _, secret = runtime.settings.require_slack()
        if secret:
            routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    return Service(
        asgi=Starlette(routes=routes),
        bolt=bolt,
        slack_client=bolt.client if bolt else None,
        door=door,
    )


async def check_slack_token(client: AsyncWebClient) -> str:
    """Call auth.test; a ConfigError says plainly when the token is wrong."""
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        problem = exc.response.get("error", "unknown error")
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({problem}): copy the Bot User OAuth Token (xoxb-…) "
            "from your app's OAuth & Permissions page"
        ) from exc
    return f"{response.get('user')} in {response.get('team')}"
