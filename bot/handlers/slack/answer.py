"""Answer Slack the moment a listener calls `ack()`, not on Bolt's next 10 ms poll.

With `process_before_response=False`, Bolt's AsyncioListenerRunner starts the listener as a
task and then polls `ack.response` every 10 ms (slack_bolt/listener/asyncio_runner.py), so
an answer waits for the next tick: 10 ms for a listener that acks at once, 20 ms for one that
needs 10.5 ms to find the answer (`/action mine` on PostgreSQL). Bolt's other mode,
`process_before_response=True`, awaits the listener and answers with what it acked, with no
poll; but it holds the HTTP answer until the listener returns, and ours go on after their
ack (respond(), posting, DM-ing a file).

So Bolt runs with `process_before_response=True` (bot/app/asgi.py) and every listener is
registered through `AnswerAtAck`: what Bolt awaits ends as soon as the listener acks, and
the rest of the listener carries on as a task, as under Bolt's own runner. `inline` (tests,
FaaS) awaits the whole listener instead, as Bolt's flag means.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.kwargs_injection.async_utils import build_async_required_kwargs
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.payload_utils import is_event
from slack_bolt.response import BoltResponse
from slack_bolt.util.utils import get_arg_names_of_callable

Listener = Callable[..., Awaitable[Any]]
# Bolt's own limit for a listener's ack (AsyncListener.ack_timeout): beyond it Slack has
# given up, so there is nothing left to answer with.
ACK_TIMEOUT = 3.0

log = logging.getLogger("actionbot.slack")


class _SignallingAck:
    """The request's own ack (Bolt answers with what it records), which also says when it
    has been called."""

    def __init__(self, real: AsyncAck) -> None:
        self._real = real
        self.called = asyncio.Event()

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        try:
            return await self._real(*args, **kwargs)
        finally:
            self.called.set()


class AnswerAtAck:
    """Wraps listeners so Bolt answers Slack as soon as they ack (see the module's doc)."""

    def __init__(self, *, inline: bool, on_error: Listener) -> None:
        self.inline = inline
        self.on_error = on_error
        self._running: set[asyncio.Future[Any]] = set()

    def __call__(self, listener: Listener) -> Listener:
        wanted = _listener_args(listener)

        async def answer_at_ack(request: AsyncBoltRequest, response: BoltResponse) -> None:
            kwargs = _kwargs(listener, wanted, request, response)
            if self.inline:
                await listener(**kwargs)
                return
            if is_event(request.body):
                # Bolt acks an event itself once this returns, before the work is done.
                self._carry_on(asyncio.ensure_future(listener(**kwargs)), request)
                return
            real = kwargs.get("ack")
            ack = _SignallingAck(real) if isinstance(real, AsyncAck) else None
            if ack is not None:
                kwargs["ack"] = ack
            task = asyncio.ensure_future(listener(**kwargs))
            waiting: set[asyncio.Future[Any]] = {task}
            if ack is not None:
                waiting.add(asyncio.ensure_future(ack.called.wait()))
            try:
                await asyncio.wait(
                    waiting, return_when=asyncio.FIRST_COMPLETED, timeout=ACK_TIMEOUT
                )
            except BaseException:
                # This request was cancelled (shutdown, a closed socket): the listener
                # still finishes, and its failures still reach the error handler.
                self._carry_on(task, request)
                raise
            finally:
                for waiter in waiting - {task}:
                    waiter.cancel()
            acked = ack is not None and ack.called.is_set()
            if task.done() and not acked:
                task.result()  # a failure before the ack: Bolt's error handler answers it
                return
            if not acked:
                log.warning("%s did not ack within %.0f s", _name(listener), ACK_TIMEOUT)
            self._carry_on(task, request)

        # For Bolt's logs, which name a listener after its function.
        answer_at_ack.__name__ = getattr(listener, "__name__", answer_at_ack.__name__)
        answer_at_ack.__qualname__ = getattr(listener, "__qualname__", answer_at_ack.__name__)
        return answer_at_ack

    def _carry_on(self, task: asyncio.Future[Any], request: AsyncBoltRequest) -> None:
        """Let the rest of a listener run after the answer; a failure goes to the error
        handler, as Bolt's runner sends one that happens after the ack."""
        self._running.add(task)

        def finished(done: asyncio.Future[Any]) -> None:
            self._running.discard(done)
            if done.cancelled() or done.exception() is None:
                return
            error = done.exception()
            assert error is not None
            report = asyncio.ensure_future(self._report(error, request))
            self._running.add(report)
            report.add_done_callback(self._running.discard)

        task.add_done_callback(finished)

    async def _report(self, error: BaseException, request: AsyncBoltRequest) -> None:
        if not isinstance(error, Exception):
            return
        try:
            kwargs = build_async_required_kwargs(
                logger=log,
                required_arg_names=_listener_args(self.on_error),
                request=request,
                response=None,
                error=error,
                next_keys_required=False,
            )
            await self.on_error(**kwargs)
        except Exception:
            log.exception("the error handler failed on an error after the ack")


def _name(listener: Listener) -> str:
    return str(getattr(listener, "__qualname__", listener))


def _listener_args(listener: Listener) -> list[str]:
    """The names Bolt would inject into `listener`, without `self`."""
    names = get_arg_names_of_callable(listener)
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


def _kwargs(
    listener: Listener, wanted: list[str], request: AsyncBoltRequest, response: BoltResponse
) -> dict[str, Any]:
    return build_async_required_kwargs(
        logger=log,
        # Bolt pops from the list it is given: a copy each time.
        required_arg_names=list(wanted),
        request=request,
        response=response,
        this_func=listener,
        next_keys_required=False,
    )
