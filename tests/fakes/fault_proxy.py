"""A loopback HTTP proxy in front of the fake Slack that breaks calls the way networks do.

    with FakeSlackAPI() as fake, FaultProxy(fake.base_url) as proxy:
        proxy.program("chat.postMessage", Fault.RESET_AFTER, at=2)  # 2nd post: Slack takes it,
        client = WebClient(base_url=proxy.base_url, ...)           # the answer never comes

Faults, per Web API method, on the n-th call to it through the proxy:

* ``RESET_BEFORE``: the connection is reset before the request reaches Slack.
* ``RESET_AFTER``: Slack takes the request; the connection is reset instead of the answer.
* ``ERROR_AFTER``: Slack takes the request; the client gets HTTP 503 instead of the answer.
* ``SLOW_AFTER``: Slack takes the request; the answer is held until the client has given up
  (``release()``, or the proxy's ``hold_limit``).
* ``HOLD_AFTER``: Slack takes the request; the proxy sets ``accepted`` and holds the answer
  until ``release()``, so a test can kill the client process between Slack's "ok" and
  anything the client does next (a crash point at the HTTP boundary).
"""

from __future__ import annotations

import enum
import http.client
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit


class Fault(enum.Enum):
    RESET_BEFORE = "reset_before"
    RESET_AFTER = "reset_after"
    ERROR_AFTER = "error_after"
    SLOW_AFTER = "slow_after"
    HOLD_AFTER = "hold_after"


@dataclass
class _Program:
    fault: Fault
    at: int  # the n-th call to the method (1-based) through the proxy


@dataclass
class Passage:
    """One call through the proxy and what the proxy did to it."""

    method: str
    number: int
    fault: Fault | None
    upstream_status: int | None = None  # None: Slack never saw it


@dataclass
class _State:
    programs: dict[str, list[_Program]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    passages: list[Passage] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: FaultProxy


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _relay(self) -> None:
        proxy = self.server.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        method = urlsplit(self.path).path.rsplit("/", 1)[-1]
        passage = proxy._passage(method)
        if passage.fault is Fault.RESET_BEFORE:
            self._reset()
            return
        status, headers, payload = proxy._forward(self.command, self.path, self.headers, body)
        passage.upstream_status = status
        fault = passage.fault
        if fault is Fault.RESET_AFTER:
            self._reset()
            return
        if fault is Fault.ERROR_AFTER:
            status, headers, payload = 503, [("Content-Type", "text/plain")], b"upstream timeout"
        elif fault in (Fault.SLOW_AFTER, Fault.HOLD_AFTER):
            proxy.accepted.set()
            proxy._released.wait(proxy.hold_limit)
        try:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up (timed out, or was killed) before the answer came

    def _reset(self) -> None:
        # SO_LINGER 0: close() sends RST, as a dropped connection does, not a polite FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True


class FaultProxy:
    """An HTTP proxy on 127.0.0.1 forwarding to `upstream` (the fake Slack's base URL)."""

    def __init__(self, upstream: str, *, hold_limit: float = 10.0) -> None:
        parts = urlsplit(upstream)
        self._upstream_host = parts.hostname or "127.0.0.1"
        self._upstream_port = parts.port or 80
        self._upstream_path = parts.path  # "/api/"
        self.hold_limit = hold_limit
        self.accepted = threading.Event()
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._state = _State()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FaultProxy:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.proxy = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "FaultProxy is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self._upstream_path}"

    def program(self, method: str, fault: Fault, *, at: int) -> None:
        """Break the `at`-th call (counted from now on, 1-based) to `method`."""
        with self._lock:
            done = self._state.counts[method]
            self._state.programs.setdefault(method, []).append(_Program(fault, done + at))

    def release(self) -> None:
        """Let held answers go (to whoever is still listening)."""
        self._released.set()

    def rearm(self) -> None:
        """Forget programs and hold state; keep counting calls."""
        with self._lock:
            self._state.programs.clear()
        self.accepted.clear()
        self._released.clear()

    @property
    def passages(self) -> list[Passage]:
        with self._lock:
            return list(self._state.passages)

    def _passage(self, method: str) -> Passage:
        with self._lock:
            self._state.counts[method] += 1
            number = self._state.counts[method]
            fault = next(
                (p.fault for p in self._state.programs.get(method, []) if p.at == number), None
            )
            passage = Passage(method, number, fault)
            self._state.passages.append(passage)
            return passage

    def _forward(
        self, verb: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(
            self._upstream_host, self._upstream_port, timeout=30
        )
        try:
            forwarded = {
                k: v for k, v in headers.items() if k.lower() not in ("host", "connection")
            }
            connection.request(verb, path, body=body, headers=forwarded)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()
