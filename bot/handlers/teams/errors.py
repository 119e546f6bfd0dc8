"""The one error path of the Teams door: whatever a handler raised is logged whole and the
person told that nothing was changed; an outage of the register goes on to the gate (503).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from microsoft_teams.api.models import AdaptiveCardActionMessageResponse
from microsoft_teams.apps import ActivityContext

from bot.handlers.teams.door import InvokeAnswer
from store.outage import outage_of

log = logging.getLogger(__name__)

SORRY_MESSAGE = (
    "Sorry, something went wrong on my side and nothing was changed. "
    "Please try again; if it keeps happening, tell an actionbot admin."
)
SORRY_CLICK = "Sorry, something went wrong on my side and nothing was changed."
SORRY_REPORT = (
    "Sorry, something went wrong on my side and the report was not sent. "
    "Please try again, or use `actionbot report`."
)
Handler = Callable[[ActivityContext[Any]], Awaitable[Any]]


async def on_error(ctx: ActivityContext[Any], kind: str) -> InvokeAnswer | None:
    """Whatever a handler raised: logged whole, and the person told that nothing was
    changed, in the form the activity can take (a card action answers its invoke)."""
    log.exception("unhandled error in a Teams %s", kind)
    if kind == "card action":
        return AdaptiveCardActionMessageResponse(value=SORRY_CLICK)
    await ctx.send(SORRY_REPORT if kind == "file consent answer" else SORRY_MESSAGE)
    return None


def guarded(kind: str, handler: Handler) -> Handler:
    """`handler` behind the one error path (a `kind` of handler says how to answer)."""

    async def run(ctx: ActivityContext[Any]) -> Any:
        try:
            return await handler(ctx)
        except Exception as error:
            if outage_of(error) is not None:
                raise  # the register is down: the gate before the door answers 503
            return await on_error(ctx, kind)

    run.__name__ = handler.__name__  # the router's handlers named after what they answer
    return run
