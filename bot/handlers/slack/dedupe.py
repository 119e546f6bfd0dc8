"""Slack sends an event again when it saw no answer in time: each delivery is answered once.

`Seen` remembers what this process has taken (and the register what any process has), and
`Deduplication` drops a repeat before Bolt runs a listener for it."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.services.inbound import first_time

log = logging.getLogger(__name__)


class Seen:
    """Requests from Slack seen before: a request Slack sends twice must act once.

    Slack retries Events API deliveries (X-Slack-Retry-Num), and a slow answer makes people
    (and Slack) send a command or a click again; Bolt de-duplicates none of it. The first
    delivery of an event_id, or of a command's or interaction's trigger_id, records a row
    with a unique key; a repeat is answered 200 and changes nothing.

    The check has two halves so that it never delays an ack: a repeat this process has
    seen is turned away at once, in memory; the durable check (the register may be busy)
    runs beside the listener, which awaits it before it changes anything.
    """

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, *, size: int = 10_000):
        self.sessions = sessions
        self.clock = clock
        self.size = size
        self._checks: OrderedDict[str, asyncio.Future[bool]] = OrderedDict()

    def seen_here(self, key: str) -> bool:
        """True for a repeat of a request this process has had; else start the durable check."""
        if key in self._checks:
            return True
        check = asyncio.ensure_future(
            asyncio.to_thread(
                first_time, self.sessions, platform="slack", event_id=key, now=self.clock.now()
            )
        )
        # A listener that never awaits it (a page turn) must not leave a failure (the
        # database down) to be logged with a traceback as "never retrieved".
        check.add_done_callback(_retrieved)
        self._checks[key] = check
        while len(self._checks) > self.size:
            self._checks.popitem(last=False)
        return False

    async def first(self, body: dict[str, Any]) -> bool:
        """False when the register says this request was had before (another process, or
        before a restart): the listener then does nothing."""
        key = delivery_key(body)
        check = self._checks.get(key) if key else None
        if check is None:
            return True
        if not await asyncio.shield(check):
            log.info("repeated Slack request %s ignored", key)
            return False
        return True


def _retrieved(done: asyncio.Future[bool]) -> None:
    if not done.cancelled():
        done.exception()


class Deduplication(AsyncMiddleware):
    """Turns away, at once, a request this process has had (see `Seen`)."""

    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        key = delivery_key(req.body)
        if key is None:
            if req.headers.get("x-slack-retry-num"):
                # A retry of something without an id: its first delivery reached us.
                log.info("Slack retry without an id ignored")
                return BoltResponse(status=200, body="")
            return await next()
        if self.seen.seen_here(key):
            log.info("repeated Slack request %s ignored", key)
            return BoltResponse(status=200, body="")
        return await next()


def delivery_key(body: dict[str, Any]) -> str | None:
    """What makes a request from Slack the same request again."""
    if body.get("type") == "event_callback":
        event_id = body.get("event_id")
        return str(event_id) if event_id else None
    if body.get("type") == "view_closed":
        return None
    trigger = body.get("trigger_id")
    return f"trigger:{trigger}" if isinstance(trigger, str) and trigger else None
