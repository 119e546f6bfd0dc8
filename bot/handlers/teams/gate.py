"""The door before the Teams door: only the council's own tenant, and only activities the
Teams SDK can read, reach the SDK.

The SDK checks a request's token (issuer, audience, service URL), not which Microsoft 365
tenant it comes from: any tenant's user can message a bot, and a single-tenant bot still
receives their activities. So every POST /api/messages is checked here first, before the
SDK validates the token or dispatches, and before anything touches the register:

* a body that is not JSON, or that the SDK's own activity models refuse (which would raise
  inside the SDK, an HTTP 500), is answered 400;
* an activity whose tenant (`channelData.tenant.id` and `conversation.tenantId`, both when
  both are given, and they must agree) is not in the allowed list is answered 403; one
  with no tenant at all is refused too, except in the insecure development mode when no
  tenant is configured (a local emulator sends none).

Each refusal is one log line, and nothing else happens.

Past the door, `outage_guard` (the SDK's first middleware) answers an activity that found the
register unusable (the database down or locked, its disk full) with HTTP 503, one log line and
a sentence to the person, instead of a traceback and a 500.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from microsoft_teams.api.activities import ActivityTypeAdapter
from microsoft_teams.api.models import InvokeResponse
from microsoft_teams.apps import ActivityContext
from microsoft_teams.apps.events import CoreActivity
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from store.outage import outage_of

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


class Refused(Exception):
    """An activity turned away at the door: `status` and a reason for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def shown(value: Any) -> str:
    """A value from the request as a log line may show it: no line breaks, at most 64."""
    return repr(_UNPRINTABLE.sub("", str(value))[:64])


def read_activity(body: bytes) -> dict[str, Any]:
    """The activity, as the SDK will read it.

    Raises:
        Refused: (400) not JSON, nested too deep, not an object, or not an activity the
            SDK's models accept.
    """
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise Refused(400, f"body is not JSON ({type(exc).__name__})") from None
    if not isinstance(activity, dict):
        raise Refused(400, "body is not a JSON object")
    try:
        core = CoreActivity.model_validate(activity)
        ActivityTypeAdapter.validate_python(core.model_dump(by_alias=True, exclude_none=True))
    except (ValidationError, ValueError, TypeError, RecursionError) as exc:
        raise Refused(
            400, f"not a Teams activity the SDK can read: {_first_problem(exc)}"
        ) from None
    return activity


def _first_problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))[:80]
        return f"{where}: {first.get('type', 'invalid')}"
    return type(exc).__name__


def tenant_of(activity: dict[str, Any]) -> str:
    """The activity's tenant id, lower-cased.

    Raises:
        Refused: (403) no tenant, or `channelData.tenant.id` and `conversation.tenantId`
            disagree.
    """
    channel_data = activity.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    from_channel = tenant.get("id") if isinstance(tenant, dict) else None
    conversation = activity.get("conversation")
    from_conversation = conversation.get("tenantId") if isinstance(conversation, dict) else None
    given = {str(t).strip().lower() for t in (from_channel, from_conversation) if t}
    if len(given) > 1:
        raise Refused(
            403,
            f"channelData.tenant.id {shown(from_channel)} and conversation.tenantId "
            f"{shown(from_conversation)} disagree",
        )
    if not given:
        raise Refused(403, "no tenant id in the activity")
    return given.pop()


def check_tenant(activity: dict[str, Any], allowed: frozenset[str]) -> None:
    """Raise Refused (403) unless the activity comes from an allowed tenant. An empty
    `allowed` (the insecure development mode without TEAMS_TENANT_ID) lets any through."""
    if not allowed:
        return
    tenant = tenant_of(activity)
    if tenant not in allowed:
        raise Refused(
            403, f"tenant {shown(tenant)} is not TEAMS_TENANT_ID or in TEAMS_ALLOWED_TENANTS"
        )


def gated(endpoint: Endpoint, *, allowed: frozenset[str]) -> Endpoint:
    """`endpoint` (the SDK's POST /api/messages), behind the checks above."""

    async def gate(request: Request) -> Response:
        try:
            check_tenant(read_activity(await request.body()), allowed)
        except Refused as refused:
            log.warning("refused a Teams request: %s (HTTP %d)", refused, refused.status)
            return JSONResponse({"error": "refused"}, status_code=refused.status)
        return await endpoint(request)

    return gate


def gated_route(route: Route, *, allowed: frozenset[str]) -> Route:
    """The same route, with `gated` in front of its endpoint."""
    return Route(route.path, gated(route.endpoint, allowed=allowed), methods=["POST"])


async def outage_guard(ctx: ActivityContext[Any]) -> InvokeResponse[Any] | None:
    """Middleware: the rest of the chain, or 503 and a sentence when the register is down."""
    try:
        await ctx.next()
    except Exception as error:
        outage = outage_of(error)
        if outage is None:
            raise
        log.warning(outage.log_line("a Teams activity"))
        try:
            await ctx.send(outage.reply)
        except Exception as unsent:  # noqa: BLE001 - the answer below says it all the same
            log.warning("could not tell the user: %s", type(unsent).__name__)
        return InvokeResponse(status=503)
    return None
