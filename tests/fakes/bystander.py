"""A server on loopback that should never be contacted: it records every request.

Hostile attachments name it (another port on the same host as the fake Slack or the fake
OneDrive, or where a file host's redirect points); a test then checks it heard nothing,
above all no `Authorization` header.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass
class Heard:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Bystander:
    heard: list[Heard] = field(default_factory=list)

    def __enter__(self) -> Bystander:
        bystander = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                bystander.heard.append(
                    Heard("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
                )
                body = b"owner,title\nfrom,the bystander\n"
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"
