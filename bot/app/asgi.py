"""One ASGI application: Slack (and later Teams) on one port, plus a health check.

`build_app` wires everything and starts nothing; uvicorn (or a test client) runs it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app.charts import chart_route
from bot.core.config import ConfigError, Settings
from bot.core.runtime import Runtime
from bot.handlers.slack import register as register_slack
from bot.handlers.slack.budget import ACK_BUDGET, ARRIVED, VERIFIED
from bot.handlers.slack.door import JobTrigger, SlackDoor
from bot.handlers.slack.gate import Malformed, Workspace, check_shape, is_signed, parse_body
from bot.messengers.slack_client import make_async_client

log = logging.getLogger(__name__)

HEALTHZ_TIMEOUT = 1.0  # seconds: a load balancer's probe must not hang


@dataclass
class Service:
    asgi: Starlette
    bolt: AsyncApp | None
    slack_client: AsyncWebClient | None
    door: SlackDoor | None
    # The Teams SDK App; `await teams.initialize()` before serving (it registers the route).
    teams: Any = None


def build_bolt(
    runtime: Runtime,
    *,
    run_job: JobTrigger | None = None,
    inline: bool = False,
    ack_budget: float = ACK_BUDGET,
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
        # Always: bot/handlers/slack/answer.py answers at each listener's ack (or at its end
        # when `inline`), without Bolt's 10 ms poll for the ack.
        process_before_response=True,
        logger=_bolt_logger(),
    )
    door = SlackDoor(
        sessions=runtime.sessions,
        clock=runtime.clock,
        settings=runtime.settings,
        run_job=run_job,
        ack_budget=ack_budget,
    )
    register_slack(bolt, door, inline=inline)
    return bolt, door


def build_teams(
    runtime: Runtime, *, run_job: JobTrigger | None = None, token: Any = None
) -> tuple[Any, Route]:
    """The Teams SDK App and our route for POST /api/messages (imported only when used:
    the SDK is large and reads `.env` on import, see bot/messengers/teams_client.py)."""
    from bot.handlers.teams import register as register_teams
    from bot.handlers.teams.door import TeamsDoor
    from bot.handlers.teams.gate import gated_route, outage_guard
    from bot.messengers.teams_client import HostRoutes, build_teams_app
    from bot.messengers.teams_directory import make_directory

    creds = runtime.settings.require_teams()
    if creds.insecure:
        log.warning(
            "ACTIONBOT_TEAMS_INSECURE_DEV is on: POST /api/messages accepts requests WITHOUT "
            "checking that they come from Microsoft. Never run like this where Teams or "
            "anybody else can reach it."
        )
    host = HostRoutes()
    app = build_teams_app(runtime.settings, host, token=token)
    door = TeamsDoor(
        sessions=runtime.sessions,
        clock=runtime.clock,
        settings=runtime.settings,
        run_job=run_job,
        directory=make_directory(app, runtime.settings),
    )
    # First, so it wraps every handler registered after it. What `App.use` does; its type
    # hint says a middleware returns nothing, though the SDK answers with what it returns.
    app.router.add_handler(lambda _: True, outage_guard)
    register_teams(app, door)
    # The tenant check is ours: the SDK checks the token, not whose tenant sent it.
    return app, gated_route(host.route("/api/messages"), allowed=runtime.settings.teams_tenants)


def build_app(
    runtime: Runtime,
    *,
    run_job: JobTrigger | None = None,
    inline: bool = False,
    teams_token: Any = None,
    ack_budget: float = ACK_BUDGET,
) -> Service:
    """The ASGI app: POST /slack/events (when Slack is configured), POST /api/messages (when
    Teams is), GET /charts/<token>.png (the Teams digest's pictures) and GET /healthz.
    `teams_token` replaces the Teams client secret (tests)."""
    bolt: AsyncApp | None = None
    door: SlackDoor | None = None
    routes: list[Route] = []

    # Its own threads: a health check never queues behind the listeners' work.
    probes = ThreadPoolExecutor(max_workers=2, thread_name_prefix="healthz")

    async def healthz(_: Request) -> Response:
        running = asyncio.get_running_loop().run_in_executor(probes, runtime.database_state)
        try:
            state = await asyncio.wait_for(running, timeout=HEALTHZ_TIMEOUT)
        except TimeoutError:
            state = "busy"
        ok = state == "up"
        return JSONResponse({"ok": ok, "database": state}, status_code=200 if ok else 503)

    routes.append(Route("/healthz", healthz, methods=["GET"]))
    routes.append(chart_route(runtime))
    if runtime.settings.slack_enabled:
        bolt, door = build_bolt(runtime, run_job=run_job, inline=inline, ack_budget=ack_budget)
        handler = AsyncSlackRequestHandler(bolt)
        _, secret = runtime.settings.require_slack()

        async def slack_events(request: Request) -> Response:
            arrived = time.monotonic()
            body = await request.body()
            if not is_signed(body, request.headers, secret=secret):
                # One line, no traceback, and nothing from the body is used: it is not Slack's.
                log.warning("refused a Slack request that is not signed (HTTP 401)")
                return Response(status_code=401)
            try:
                check_shape(parse_body(body, request.headers.get("content-type", "")))
            except Malformed as exc:
                log.warning("refused a signed Slack request: %s (HTTP 400)", exc)
                return Response(status_code=400)
            return await handler.handle(request, {VERIFIED: True, ARRIVED: arrived})

        if secret:
            routes.append(Route("/slack/events", slack_events, methods=["POST"]))
    teams = None
    if runtime.settings.teams_enabled:
        teams, route = build_teams(runtime, run_job=run_job, token=teams_token)
        routes.append(route)
    return Service(
        asgi=Starlette(routes=routes),
        bolt=bolt,
        slack_client=bolt.client if bolt else None,
        door=door,
        teams=teams,
    )


class _SameToken(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and warns that it is unused
    beside the client it is given: that client holds the very same token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    logger = logging.getLogger("actionbot.slack")
    if not any(isinstance(f, _SameToken) for f in logger.filters):
        logger.addFilter(_SameToken())
    return logger


async def check_slack_token(client: AsyncWebClient) -> AsyncSlackResponse:
    """Call auth.test; a ConfigError says plainly when the token is wrong."""
    try:
        return await client.auth_test()
    except SlackApiError as exc:
        problem = exc.response.get("error", "unknown error")
        raise ConfigError(
            f"Slack refused SLACK_BOT_TOKEN ({problem}): copy the Bot User OAuth Token (xoxb-…) "
            "from your app's OAuth & Permissions page"
        ) from exc


async def check_app_token(settings: Settings, app_token: str) -> None:
    """Ask for a Socket Mode URL once: a wrong SLACK_APP_TOKEN is refused at start, plainly,
    instead of being retried for ever by the Socket Mode client."""
    client = AsyncWebClient(
        token=app_token, base_url=settings.slack_api_url or AsyncWebClient.BASE_URL
    )
    try:
        await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        problem = exc.response.get("error", "unknown error")
        raise ConfigError(
            f"Slack refused SLACK_APP_TOKEN ({problem}): create an app-level token with "
            "connections:write under Basic Information → App-Level Tokens, and turn on "
            "Socket Mode"
        ) from exc


def prime_authorization(bolt: AsyncApp, identity: AsyncSlackResponse) -> None:
    """Hand Bolt, and the workspace check, the auth.test answer we already have, so neither
    calls auth.test itself."""
    # Bolt keeps it on its single-workspace authorization middleware and exposes no setter.
    for middleware in bolt._async_middleware_list:
        if isinstance(middleware, AsyncSingleTeamAuthorization):
            middleware.auth_test_result = identity
        if isinstance(middleware, Workspace):
            middleware.know(identity)
