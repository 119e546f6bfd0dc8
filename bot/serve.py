"""`actionbot serve`: uvicorn with the one ASGI app, Socket Mode when configured, and the
schedules (reminders, deliveries, the weekly digest) in the same process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

import uvicorn

from bot.jobs.runner import digest_platforms, run_delivery, run_digest, run_sweep
from bot.jobs.scheduler import build_scheduler
from bot.messenger import Messenger
from bot.messengers.slack import SlackMessenger, make_web_client
from bot.runtime import Runtime
from bot.server import build_app, check_slack_token

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


async def serve(runtime: Runtime, *, host: str, port: int) -> None:
    messengers: dict[str, Messenger] = {}
    if runtime.settings.slack_enabled:
        token, _ = runtime.settings.require_slack()
        messengers["slack"] = SlackMessenger(make_web_client(runtime.settings, token))
    if runtime.settings.teams_enabled and runtime.settings.teams_client_id:
        from bot.messengers.teams import make_teams_messenger

        messengers["teams"] = make_teams_messenger(runtime.settings)
    service = build_app(runtime, run_job=job_trigger(runtime, messengers))
    if service.teams is not None:
        # Registers POST /api/messages with our route and builds the JWT validator; the
        # SDK's own server (App.start) is never used.
        await service.teams.initialize()
        log.info("Teams: answering POST /api/messages")
    if service.slack_client is not None:
        identity = await check_slack_token(service.slack_client)
        log.info("Slack token accepted: %s", identity)
    scheduler = build_scheduler(runtime, messengers) if messengers else None
    if scheduler is not None:
        scheduler.start()
        log.info("schedules started: reminders, deliveries, weekly digest")
    # log_config=None: uvicorn's lines go through our handler (JSON, secrets scrubbed).
    config = uvicorn.Config(
        service.asgi, host=host, port=port, log_level="info", lifespan="off", log_config=None
    )
    tasks = [uvicorn.Server(config).serve()]
    app_token = runtime.settings.slack_app_token
    socket = None
    if app_token is not None and service.bolt is not None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        socket = AsyncSocketModeHandler(service.bolt, app_token.get_secret_value())
        tasks.append(socket.start_async())  # type: ignore[no-untyped-call]
        log.info("Socket Mode: no public URL needed")
    try:
        await asyncio.gather(*tasks)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if socket is not None:
            # Say goodbye on the WebSocket, so Slack routes the next envelope elsewhere at once.
            await socket.close_async()  # type: ignore[no-untyped-call]
