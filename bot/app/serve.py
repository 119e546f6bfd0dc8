"""`actionbot serve`: uvicorn with the one ASGI app, Socket Mode when configured, and the
schedules (reminders, deliveries, the weekly digest) in the same process."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import uvicorn
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.app.asgi import build_app, check_app_token, check_slack_token, prime_authorization
from bot.core.config import ConfigError, Settings
from bot.core.runtime import Runtime
from bot.jobs.runner import digest_platforms, run_delivery, run_digest, run_sweep
from bot.jobs.scheduler import build_scheduler
from bot.messengers.base import Messenger
from bot.messengers.slack import SlackMessenger, make_web_client

log = logging.getLogger(__name__)


def job_trigger(
    runtime: Runtime, messengers: Mapping[str, Messenger]
) -> Callable[[str], Awaitable[str]]:
    """What `/action admin nudge|digest` runs: the same jobs as the schedule, right now."""

    def run(kind: str) -> str:
        now = runtime.clock.now()
        if kind == "digest":
            platforms = digest_platforms(runtime.settings)
            if not platforms:
                raise ValueError(
                    "no digest channel: set DIGEST_CHANNEL or TEAMS_DIGEST_CONVERSATION"
                )
            channels = [run_digest(runtime, now=now, platform=p).channel for p in platforms]
            stats = run_delivery(runtime, messengers)
            return f"Digest posted to channel {', '.join(channels)}: {stats}."
        sweep = run_sweep(runtime, now=now)
        stats = run_delivery(runtime, messengers)
        return f"Reminders: {sweep}. Delivery: {stats}."

    async def trigger(kind: str) -> str:
        try:
            return await asyncio.to_thread(run, kind)
        except ValueError as exc:
            return f"Could not run the {kind}: {exc}"

    return trigger


# Threads for the register and other blocking work of the Slack listeners. Few on purpose:
# every busy thread takes the GIL from the event loop that acks Slack, and with 12 a burst
# of 400 commands on PostgreSQL acked 54 of 440 after Slack's 3 s (bench/burst.py); with 4,
# none. A burst queues here, in memory, and the slow part is answered through response_url.
WORKER_THREADS = 4


def freeze_startup_heap() -> None:
    """Move everything start-up made (modules, the app, SQLAlchemy's mappers) out of the
    cyclic garbage collector's reach. Otherwise every full collection walks those objects
    again: a 50-90 ms pause in the middle of some request, seen as the `/action mine` tail."""
    gc.collect()
    gc.freeze()


async def serve(
    runtime: Runtime,
    *,
    host: str,
    port: int,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Run everything until cancelled. `announce` (else the log, for JSON log collectors) is
    told, one line each, what is connected, what runs and what is missing, then the address
    once it listens."""
    say = announce or log.info
    settings = runtime.settings
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="actionbot")
    )
    say(f"Register: {runtime.engine.url.render_as_string(hide_password=True)}")
    messengers: dict[str, Messenger] = {}
    if settings.slack_enabled:
        token, _ = settings.require_slack()
        messengers["slack"] = SlackMessenger(make_web_client(settings, token))
    if settings.teams_enabled:  # with ACTIONBOT_TEAMS_INSECURE_DEV: a local Playground
        from bot.messengers.teams import make_teams_messenger

        messengers["teams"] = make_teams_messenger(settings)
    service = build_app(runtime, run_job=job_trigger(runtime, messengers))
    if service.teams is not None:
        # Registers POST /api/messages with our route and builds the JWT validator; the
        # SDK's own server (App.start) is never used.
        await service.teams.initialize()
    app_token = settings.slack_app_token
    if service.bolt is not None and service.slack_client is not None:
        identity = await _slack_identity(service.slack_client, settings)
        # Bolt would call auth.test itself on the first request, once per request in flight
        # until one answers: a burst right after start made one call per request.
        prime_authorization(service.bolt, identity)
        if app_token is not None:
            await check_app_token(settings, app_token.get_secret_value())
        who = f"{identity.get('user')} in {identity.get('team')}"
        say(f"Slack: connected as {who}, {_mode(runtime)}")
    else:
        say("Slack: not set up (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to connect it)")
    say(_teams_line(runtime, service.teams is not None, sending="teams" in messengers))
    scheduler = build_scheduler(runtime, messengers) if messengers else None
    for line in _schedule_lines(runtime, running=scheduler is not None):
        say(line)
    freeze_startup_heap()
    # log_config=None: uvicorn's lines go through our handler (JSON, secrets scrubbed).
    config = uvicorn.Config(
        service.asgi, host=host, port=port, log_level="info", lifespan="off", log_config=None
    )
    server = uvicorn.Server(config)
    http = asyncio.ensure_future(server.serve())
    tasks: list[Awaitable[Any]] = [http]
    where = await _bound(server, http, host)
    log.info("listening on %s", where)
    say(f"actionbot is listening on {where} (GET /healthz answers while the register does)")
    socket_mode = None
    if app_token is not None and service.bolt is not None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        socket_mode = AsyncSocketModeHandler(service.bolt, app_token.get_secret_value())
        tasks.append(socket_mode.start_async())  # type: ignore[no-untyped-call]
    if scheduler is not None:
        scheduler.start()
        log.info("schedules started: reminders, deliveries, weekly digest")
    try:
        await asyncio.gather(*tasks)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if socket_mode is not None:
            # Say goodbye on the WebSocket, so Slack routes the next envelope elsewhere at once.
            await socket_mode.close_async()  # type: ignore[no-untyped-call]


async def _slack_identity(client: AsyncWebClient, settings: Settings) -> AsyncSlackResponse:
    """auth.test, once; a Slack that cannot be reached is one ConfigError line, not the
    client's retries and a traceback."""
    # slack_sdk logs each retry of a refused connection at INFO: the error below says it once.
    logging.getLogger("slack_sdk").setLevel(max(logging.WARNING, log.getEffectiveLevel()))
    try:
        return await check_slack_token(client)
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        where = settings.slack_api_url or "https://slack.com/api/"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"cannot reach Slack at {where} ({reason}): check this server's network, "
            "proxy and firewall (or SLACK_API_URL)"
        ) from None


def _mode(runtime: Runtime) -> str:
    settings = runtime.settings
    if settings.slack_app_token is None:
        return "answering POST /slack/events"
    if settings.slack_signing_secret is None:
        return "over Socket Mode (no public URL needed)"
    return "over Socket Mode, and answering signed POST /slack/events"


def _teams_line(runtime: Runtime, answering: bool, *, sending: bool) -> str:
    settings = runtime.settings
    if not answering:
        return (
            "Teams: not set up (set TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and TEAMS_TENANT_ID "
            "to connect it)"
        )
    if not sending:
        return (
            "Teams: answering POST /api/messages UNCHECKED (ACTIONBOT_TEAMS_INSECURE_DEV, a "
            "local emulator only); no app, so nothing is sent to Teams"
        )
    charts = "" if settings.public_url else "; digest charts off (set PUBLIC_URL)"
    return f"Teams: answering POST /api/messages for app {settings.teams_client_id}{charts}"


def _schedule_lines(runtime: Runtime, *, running: bool) -> list[str]:
    settings = runtime.settings
    if not running:
        return ["Schedules: off: no Slack or Teams to send reminders and digests to"]
    digest = digest_platforms(settings)
    where = " and ".join(
        "Slack " + (settings.digest_channel or "")
        if p == "slack"
        else "Teams " + (settings.teams_digest_conversation or "")
        for p in digest
    )
    lines = [
        f"Schedules: reminders at {settings.nudge_hour:02d}:00 on working days "
        f"({settings.holiday_region}), delivered every minute"
        + (f"; the digest {settings.digest_cron} to {where}" if digest else "")
    ]
    if not digest:
        lines.append(
            "Digest: off (set DIGEST_CHANNEL for Slack or TEAMS_DIGEST_CONVERSATION for Teams)"
        )
    return lines


async def _bound(server: uvicorn.Server, serving: asyncio.Future[None], host: str) -> str:
    """The address uvicorn listens on once it does (the real port when asked for port 0)."""
    while not server.started:
        if serving.done():
            serving.result()  # uvicorn gave up (the port is taken): say why
            raise ConfigError(f"could not listen on {host}:{server.config.port}")
        await asyncio.sleep(0.02)  # uvicorn offers no event for "started"
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"http://{host}:{port}"
