"""Slack's end of Socket Mode, served on loopback for tests.

A Socket Mode app calls ``apps.connections.open`` with its app-level token, gets a
``wss://`` URL and opens a WebSocket there; Slack then sends ``hello`` and delivers
each slash command, interaction or event as an envelope, which the app must
acknowledge by sending back ``{"envelope_id": …, "payload": …}`` within 3 seconds
(https://api.slack.com/apis/socket-mode). This server plays Slack's part with
aiohttp, in its own thread and event loop:

    with FakeSocketMode() as socket_mode:
        fake.app_token, fake.socket_mode_url = APP_TOKEN, socket_mode.url
        ...  # start the app
        envelope_id = socket_mode.send("slash_commands", {...})
        ack = socket_mode.wait_for_ack(envelope_id)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from types import TracebackType
from typing import Any

from aiohttp import WSMsgType, web

__all__ = ["FakeSocketMode"]


class FakeSocketMode:
    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self.connections = 0
        self._ids = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._socket: web.WebSocketResponse | None = None
        self._changed = threading.Condition()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.url = ""

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> FakeSocketMode:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        # Slack hands out wss://; on loopback the same protocol runs without TLS.
        self.url = f"ws://127.0.0.1:{port}/link"

    async def _stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)  # answers the SDK's pings with pongs
        await socket.prepare(request)
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A0FAKEAPP"},
            }
        )
        with self._changed:
            self._socket = socket
            self.connections += 1
            self._changed.notify_all()
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                continue
            body = json.loads(message.data)
            with self._changed:
                self.acks[str(body.get("envelope_id"))] = body
                self._changed.notify_all()
        return socket

    # ------------------------------------------------------------------ test API

    def wait_for_connection(self, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._socket is not None, timeout=timeout):
                raise AssertionError("the app never opened a Socket Mode connection")

    def send(self, envelope_type: str, payload: dict[str, Any]) -> str:
        """Deliver one envelope the way Slack does; returns its envelope_id."""
        self.wait_for_connection()
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": payload,
            "accepts_response_payload": envelope_type != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        socket = self._socket
        assert socket is not None
        future = asyncio.run_coroutine_threadsafe(socket.send_json(envelope), self._loop)
        future.result(timeout=10)
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self.acks, timeout=timeout):
                raise AssertionError(f"envelope {envelope_id} was never acknowledged")
            return self.acks[envelope_id]
