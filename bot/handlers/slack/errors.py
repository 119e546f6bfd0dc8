"""The one error path of the Slack door (Bolt's `app.error`): what a listener raised, logged
and answered; an outage of the register answered 503 with a plain sentence."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack.budget import VERIFIED
from store.outage import outage_of

log = logging.getLogger(__name__)


async def on_error(
    error: Exception,
    body: dict[str, Any],
    request: AsyncBoltRequest,
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> BoltResponse | None:
    verified = request.mode == "socket_mode" or request.context.get(VERIFIED) is True
    if not verified:
        # Never act on what an unverified body says, not even to say sorry.
        log.warning("error on an unverified Slack request: %s", type(error).__name__)
        return None
    outage = outage_of(error)
    if outage is not None:
        # The database is down, locked or out of disk: nothing to debug in a traceback.
        log.warning(outage.log_line("a Slack request"))
        await _tell(outage.reply, body, respond, client)
        return BoltResponse(status=503, body="")
    log.exception("unhandled error in a Slack listener", exc_info=error)
    if body.get("response_url"):
        await respond(
            text="Sorry, something went wrong on my side and nothing was changed. "
            "Please try again; if it keeps happening, tell an actionbot admin.",
            response_type="ephemeral",
            replace_original=False,
        )
    return None


async def _tell(
    text: str, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
) -> None:
    """Say `text` where the request can still be answered: its response_url, else a DM."""
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    user = user or (event or {}).get("user")
    try:
        if body.get("response_url"):
            await respond(text=text, response_type="ephemeral", replace_original=False)
        elif isinstance(user, str) and user:
            await client.chat_postMessage(channel=user, text=text)
    except SlackApiError as exc:
        log.warning("could not tell the user: %s", exc.response.get("error"))


def register(app: AsyncApp) -> None:
    app.error(on_error)
