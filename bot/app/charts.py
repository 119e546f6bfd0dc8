"""GET /charts/<token>.png: the digest charts Teams cards show, straight from the register.

Teams fetches a card's image from its URL (the chart is too big to ride inside the card), so
actionbot answers at the same public address as /api/messages. The token is random and
long; an unknown or expired one is 404, and nothing but a chart is ever served here.
"""

from __future__ import annotations

import asyncio
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.core.runtime import Runtime
from store.hosted import CHART, hosted_file

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def chart_route(runtime: Runtime) -> Route:
    def load(token: str) -> bytes | None:
        with runtime.sessions() as session:
            row = hosted_file(session, token=token, kind=CHART, now=runtime.clock.now())
            return row.content if row is not None else None

    async def chart(request: Request) -> Response:
        token = str(request.path_params["token"])
        png = await asyncio.to_thread(load, token) if _TOKEN.match(token) else None
        if png is None:
            return Response("No such chart (or it has expired).", status_code=404)
        return Response(
            png,
            media_type="image/png",
            headers={
                "Cache-Control": "public, max-age=86400, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return Route("/charts/{token}.png", chart, methods=["GET"])
