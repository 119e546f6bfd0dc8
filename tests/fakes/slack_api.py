"""A fake Slack Web API served on loopback, for tests.

It follows bolt-python's ``tests/mock_web_api_server`` approach: a real stdlib
HTTP server running in a background thread, so a real ``slack_sdk`` client
(``WebClient`` over urllib, ``AsyncWebClient`` over aiohttp, Bolt's
``respond()`` over ``WebhookClient``) talks to it over 127.0.0.1.

    with FakeSlackAPI() as fake:
        fake.add_user("U123", email="ann@example.org")
        client = WebClient(token=fake.bot_token, base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.calls_to("chat.postMessage")[0].params["text"] == "hi"

How requests arrive (see slack_sdk/web/base_client.py and async_internal_utils.py):

* ``WebClient`` always POSTs. ``json=`` methods (chat.*, views.*) send a JSON body;
  ``params=`` methods (auth.test, conversations.*, users.*, files.*) send a
  form-encoded body. An argument-less call (``auth_test()``) sends an empty body
  labelled ``application/json``.
* ``AsyncWebClient`` honours ``http_verb``: GET methods (users.info, ...) and even
  POSTs made with ``params=`` carry their arguments in the *query string*.

The fake therefore merges query string + body, whatever the verb. Header names in
``Call.headers`` are lower-cased, because urllib capitalises them
("Content-type", "User-agent") while aiohttp sends them as given.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.fakes.block_kit import SlackRefusal, check_message, check_view
from tests.fakes.signing import new_trigger_id

__all__ = ["Call", "FakeFile", "FakeSlackAPI", "SharedFile"]

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
TRIGGER_TTL = 3.0  # seconds: "trigger_id expires 3 seconds after it is sent to your app"
_TRIGGER = re.compile(r"^\d+\.\d+\.[0-9a-f]+$")

# Form/query values with these names are JSON documents inside a string
# (slack_sdk json.dumps()es them for params= methods); they are decoded to Python.
# Free-text fields such as ``text`` are never touched, even if they look like JSON.
JSON_FIELDS = frozenset(
    {
        "attachments",
        "blocks",
        "chunks",
        "files",
        "metadata",
        "outputs",
        "profile",
        "unfurls",
        "user_auth_blocks",
        "view",
    }
)

_APP_LEVEL_METHODS = frozenset({"apps.connections.open"})
_MESSAGE_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update"})
_TS_BASE = 1_700_000_000


@dataclass
class Call:
    """One request the fake received."""

    method: str  # "chat.postMessage", "response_url:<key>", "upload:<file id>"
    params: dict[str, Any]  # query string + form/JSON body, JSON fields decoded
    headers: dict[str, str]  # lower-cased names
    status: int  # HTTP status the fake answered
    response: dict[str, Any] = field(default_factory=dict)  # JSON body the fake answered
    http_method: str = "POST"  # AsyncWebClient uses GET for read methods


@dataclass
class FakeFile:
    """A file announced by files.getUploadURLExternal."""

    id: str
    filename: str
    length: int  # as declared to files.getUploadURLExternal
    alt_txt: str | None = None
    snippet_type: str | None = None
    data: bytes | None = None  # what was POSTed to the upload URL
    title: str | None = None
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False


@dataclass
class _FailProgram:
    error: str
    status: int
    remaining: int | None  # None: forever
    retry_after: int | None


@dataclass
class _Reply:
    status: int
    body: dict[str, Any] | str | bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SharedFile:
    """A file a person shared (uploaded) in Slack, served at its url_private_download."""

    id: str
    name: str
    data: bytes
    mimetype: str
    user: str
    downloads: int = 0  # GETs answered with the file itself
    refused: int = 0  # GETs without the bot token, answered with the sign-in page
    # Hostile shares: a download address somewhere else, or a 302 from here to elsewhere.
    download_url: str | None = None
    redirect_to: str | None = None


class _SlackError(Exception):
    """Raised by a method implementation to answer {"ok": false, "error": ...}."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSlackAPI


_PIECE = 16 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.0: one request per connection, so no keep-alive handler threads
    # linger after stop().
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.fake._handle(self.command, self.path, headers, body)
        if isinstance(reply.body, bytes):
            payload = reply.body
            content_type = reply.headers.pop("Content-Type", "application/octet-stream")
        elif isinstance(reply.body, str):
            payload = reply.body.encode("utf-8")
            content_type = reply.headers.pop("Content-Type", "text/plain; charset=utf-8")
        else:
            payload = json.dumps(reply.body).encode("utf-8")
            content_type = JSON_CONTENT_TYPE
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        # As a real server does, a large body goes out in pieces: a client that stops at the
        # first packet gets part of the file, here as in production.
        for start in range(0, len(payload), _PIECE):
            self.wfile.write(payload[start : start + _PIECE])
            self.wfile.flush()


def _decode_json_fields(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    for name in JSON_FIELDS & out.keys():
        value = out[name]
        if isinstance(value, str) and value[:1] in ("[", "{"):
            try:
                out[name] = json.loads(value)
            except ValueError:
                pass  # leave it; the method implementation may reject it
    return out


def _parse_params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    text = body.decode("utf-8", errors="replace").strip()
    if text:
        if "json" in content_type or text.startswith("{"):
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict):
                params.update(decoded)
            else:
                params["_raw_body"] = text
        elif "x-www-form-urlencoded" in content_type:
            params.update(parse_qsl(text, keep_blank_values=True))
        else:  # multipart (deprecated files.upload) and anything else: not parsed
            params["_raw_body"] = text
    return _decode_json_fields(params)


def _tz_offset(tz: str) -> int:
    try:
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds()) if offset is not None else 0


class FakeSlackAPI:
    """Fake Slack Web API on http://127.0.0.1:<random port>/api/."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        team_id: str = "T0001",
        bot_user_id: str = "UBOT",
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ) -> None:
        self.bot_token = bot_token
        # An Enterprise Grid workspace's org, and whether the app is installed org-wide:
        # what auth.test says about the install.
        self.enterprise_id = enterprise_id
        self.org_wide = org_wide
        # Socket Mode: the app-level token and the WebSocket URL apps.connections.open hands out.
        self.app_token: str | None = None
        self.socket_mode_url: str | None = None
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = "B" + bot_user_id.removeprefix("U")
        self.calls: list[Call] = []
        self.server_errors: list[Exception] = []  # exceptions raised inside the fake
        self.files: dict[str, FakeFile] = {}
        # Files people shared, by id (see share_file); served under /files-pri/.
        self.shared: dict[str, SharedFile] = {}
        self.views: dict[str, dict[str, Any]] = {}
        # Every message posted, per channel id, oldest first (conversations.history/replies).
        self.history: dict[str, list[dict[str, Any]]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._lock = threading.RLock()
        self._arrived = threading.Condition(self._lock)
        self._fail: dict[str, deque[_FailProgram]] = {}
        self._rate_every = 0
        self._rate_retry_after = 0
        self._rate_methods: frozenset[str] | None = None
        self._rate_count = 0
        self._seq = 0
        # views.open takes a trigger_id that an interaction handed out, once, within
        # TRIGGER_TTL seconds of it (Slack: invalid_ / exchanged_ / expired_trigger_id).
        self.trigger_clock: Callable[[], float] = time.monotonic
        self._triggers: dict[str, float | None] = {}  # id → issued at; None once exchanged
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._root = ""
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "conversations.open": self._conversations_open,
            "conversations.list": self._conversations_list,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.lookupByEmail": self._users_lookup_by_email,
            "users.info": self._users_info,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.info": self._files_info,
            "apps.connections.open": self._apps_connections_open,
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlackAPI:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        host, port = server.server_address[:2]
        self._root = f"http://{host!s}:{port}"
        self._server = server
        # A short poll interval keeps stop() fast (shutdown() waits for one poll).
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"FakeSlackAPI:{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlackAPI:
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
        """``http://127.0.0.1:PORT/api/`` — the trailing slash matters: WebClient
        builds URLs with ``urljoin(base_url, method)``."""
        if not self._root:
            raise RuntimeError("FakeSlackAPI is not started")
        return self._root + "/api/"

    # ------------------------------------------------------------------ set-up

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        tz: str = "Europe/London",
        name: str | None = None,
        is_bot: bool = False,
        team_id: str | None = None,
    ) -> None:
        """A person; `team_id` puts them in another workspace (a shared channel's guest, or
        anyone whose workspace the app is also in: users.info answers for them)."""
        display = name if name is not None else user_id.lower()
        profile: dict[str, Any] = {"real_name": display, "display_name": display}
        if email is not None:
            profile["email"] = email
        user = {
            "id": user_id,
            "team_id": team_id or self.team_id,
            "name": display,
            "real_name": display,
            "deleted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": _tz_offset(tz),
            "profile": profile,
        }
        with self._lock:
            self._users[user_id] = user

    def issue_trigger(self, trigger_id: str | None = None) -> str:
        """A trigger_id as Slack puts in a command's or an interaction's payload: the test
        harness asks for one per request it sends. Issuing an id again keeps its first time."""
        trigger_id = trigger_id or new_trigger_id()
        with self._lock:
            self._triggers.setdefault(trigger_id, self.trigger_clock())
        return trigger_id

    def add_channel(self, channel_id: str, name: str) -> None:
        channel = {
            "id": channel_id,
            "name": name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_private": False,
            "is_archived": False,
            "is_member": True,
            "created": _TS_BASE,
            "creator": self.bot_user_id,
            "num_members": 1,
        }
        with self._lock:
            self._channels[channel_id] = channel

    def fail(
        self,
        method: str,
        *,
        error: str,
        status: int = 200,
        times: int | None = 1,
        retry_after: int | None = None,
    ) -> None:
        """The next ``times`` calls to ``method`` answer {"ok": false, "error": error}.

        Programs for one method queue up in order; ``times=None`` never runs out.
        """
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        with self._lock:
            self._fail.setdefault(method, deque()).append(
                _FailProgram(error=error, status=status, remaining=times, retry_after=retry_after)
            )

    def rate_limit_every(
        self, n: int, *, retry_after: int = 0, methods: set[str] | None = None
    ) -> None:
        """Every n-th Web API call (to ``methods``, or to any method) answers HTTP 429.

        Upload URLs and response_urls are never rate limited by this program.
        ``n=0`` switches it off.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        with self._lock:
            self._rate_every = n
            self._rate_retry_after = retry_after
            self._rate_methods = frozenset(methods) if methods is not None else None
            self._rate_count = 0

    def share_file(
        self,
        name: str,
        data: bytes,
        *,
        user: str,
        mimetype: str | None = None,
        download_url: str | None = None,
        redirect_to: str | None = None,
    ) -> dict[str, Any]:
        """A file `user` uploads, as Slack describes it in a `message` event's `files`.

        Its `url_private_download` is served on loopback only to a request carrying the bot
        token (`Authorization: Bearer …`); anything else gets Slack's answer to a missing
        token: a redirect to an HTML sign-in page. A hostile share names another
        `download_url`, or is answered with a 302 to `redirect_to`.
        """
        with self._lock:
            file_id = f"F{self._next_seq():07d}"
            kind = mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.shared[file_id] = SharedFile(
                file_id, name, data, kind, user, download_url=download_url, redirect_to=redirect_to
            )
            return self._shared_object(self.shared[file_id])

    def file_input_value(self, *file_ids: str) -> dict[str, Any]:
        """A `file_input` element's value in a view_submission's state, as Slack sends it:
        the file objects of files people uploaded in the form. Only files this workspace
        holds: an id it does not know raises KeyError (a test sends such an id by hand)."""
        with self._lock:
            return {
                "type": "file_input",
                "files": [self._shared_object(self.shared[i]) for i in file_ids],
            }

    def _shared_object(self, f: SharedFile) -> dict[str, Any]:
        path = f"{self._root}/files-pri/{self.team_id}-{f.id}"
        return {
            "id": f.id,
            "created": _TS_BASE,
            "timestamp": _TS_BASE,
            "name": f.name,
            "title": f.name,
            "mimetype": f.mimetype,
            "filetype": f.name.rsplit(".", 1)[-1].lower() if "." in f.name else "binary",
            "pretty_type": f.mimetype,
            "user": f.user,
            "user_team": self.team_id,
            "editable": False,
            "size": len(f.data),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "public_url_shared": False,
            "url_private": f"{path}/{quote(f.name)}",
            "url_private_download": f.download_url or f"{path}/download/{quote(f.name)}",
            "permalink": f"https://fake-workspace.slack.com/files/{f.user}/{f.id}/{quote(f.name)}",
        }

    def _serve_shared(self, path: str, headers: dict[str, str]) -> _Reply:
        rest = path[len("/files-pri/") :]
        key, _, tail = rest.partition("/")
        file_id = key.removeprefix(f"{self.team_id}-")
        f = self.shared.get(file_id)
        if f is None:
            return _Reply(404, "Not Found")
        authorization = headers.get("authorization", "")
        if authorization != f"Bearer {self.bot_token}":
            # Slack does not say 401: it sends the browser to sign in.
            f.refused += 1
            return _Reply(302, "", {"Location": f"{self._root}/signin?redir={quote(path)}"})
        if unquote(tail) not in (f.name, f"download/{f.name}"):
            return _Reply(404, "Not Found")
        if f.redirect_to:
            return _Reply(302, "", {"Location": f.redirect_to})
        f.downloads += 1
        return _Reply(200, f.data, {"Content-Type": f.mimetype})

    def response_url(self, key: str) -> str:
        if not self._root:
            raise RuntimeError("FakeSlackAPI is not started")
        return f"{self._root}/response_url/{quote(key, safe='')}"

    # ------------------------------------------------------------------ inspection

    def wait_for(self, method: str, count: int = 1, *, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls to `method` have arrived (woken by each call, no polling).

        Raises:
            AssertionError: they did not arrive within `timeout` seconds.
        """
        with self._arrived:
            arrived = self._arrived.wait_for(
                lambda: len([c for c in self.calls if c.method == method]) >= count, timeout
            )
            calls = [c for c in self.calls if c.method == method]
        assert arrived, f"expected {count} call(s) to {method}, got {len(calls)}"
        return calls

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def posted_messages(self) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method in _MESSAGE_METHODS and c.status == 200 and c.response.get("ok")
            ]

    def reset(self) -> None:
        """Forget calls, failure programs, views and files; keep users and channels."""
        with self._lock:
            self.calls.clear()
            self._fail.clear()
            self._rate_every = 0
            self._rate_count = 0
            self._rate_methods = None
            self.files.clear()
            self.views.clear()
            self.history.clear()

    # ------------------------------------------------------------------ HTTP entry

    def _handle(
        self, http_method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> _Reply:
        url = urlsplit(raw_path)
        path = url.path
        content_type = headers.get("content-type", "")
        with self._lock:  # serialise: deterministic order and counters
            method: str = raw_path
            params: dict[str, Any] = {}
            try:
                if path.startswith("/api/"):
                    method = unquote(path[len("/api/") :])
                    params = _parse_params(url.query, content_type, body)
                    reply = self._api(method, params, headers)
                elif path.startswith("/upload/"):
                    # The SDK POSTs the raw bytes, without any token.
                    file_id = unquote(path[len("/upload/") :])
                    method = "upload:" + file_id
                    params = {"file_id": file_id, "length": len(body)}
                    reply = self._programmed(method, rate_limit=False) or self._upload(
                        file_id, body
                    )
                elif path.startswith("/files-pri/"):
                    method = "download:" + path
                    reply = self._serve_shared(path, headers)
                elif path == "/signin":
                    method = "signin"
                    page = "<!DOCTYPE html><html><body>Sign in to Slack</body></html>"
                    reply = _Reply(200, page, {"Content-Type": "text/html; charset=utf-8"})
                elif path.startswith("/response_url/"):
                    method = "response_url:" + unquote(path[len("/response_url/") :])
                    params = _parse_params(url.query, content_type, body)
                    reply = self._programmed(method, rate_limit=False) or self._respond(params)
                else:
                    method = path
                    params = _parse_params(url.query, content_type, body)
                    reply = _Reply(404, {"ok": False, "error": "not_found"})
            except Exception as e:  # a bug in the fake: answer loudly instead of hanging up
                reply = _Reply(500, {"ok": False, "error": "fake_server_error", "detail": repr(e)})
                self.server_errors.append(e)
            response = reply.body if isinstance(reply.body, dict) else {}
            # Recorded before the response is written: once a client has its
            # answer, the Call is visible to the test thread.
            self.calls.append(Call(method, params, headers, reply.status, response, http_method))
            self._arrived.notify_all()
            return reply

    def _programmed(self, method: str, *, rate_limit: bool) -> _Reply | None:
        if (
            rate_limit
            and self._rate_every
            and (self._rate_methods is None or method in self._rate_methods)
        ):
            self._rate_count += 1
            if self._rate_count % self._rate_every == 0:
                return _Reply(
                    429,
                    {"ok": False, "error": "ratelimited"},
                    {"Retry-After": str(self._rate_retry_after)},
                )
        queue = self._fail.get(method)
        if queue:
            program = queue[0]
            if program.remaining is not None:
                program.remaining -= 1
                if program.remaining <= 0:
                    queue.popleft()
            extra = {} if program.retry_after is None else {"Retry-After": str(program.retry_after)}
            return _Reply(program.status, {"ok": False, "error": program.error}, extra)
        return None

    def _api(self, method: str, params: dict[str, Any], headers: dict[str, str]) -> _Reply:
        programmed = self._programmed(method, rate_limit=True)
        if programmed is not None:
            return programmed
        impl = self._methods.get(method)
        if impl is None:
            return _Reply(200, {"ok": False, "error": "unknown_method", "req_method": method})
        auth_error = self._auth_error(params, headers, app_level=method in _APP_LEVEL_METHODS)
        if auth_error is not None:
            return _Reply(200, {"ok": False, "error": auth_error})
        try:
            return _Reply(200, {"ok": True, **impl(params)})
        except _SlackError as e:
            body: dict[str, Any] = {"ok": False, "error": e.error}
            if e.messages:
                body["response_metadata"] = {"messages": e.messages}
            return _Reply(200, body)

    def _auth_error(
        self, params: dict[str, Any], headers: dict[str, str], *, app_level: bool = False
    ) -> str | None:
        authorization = headers.get("authorization", "")
        token: str | None = None
        if authorization.lower().startswith("bearer "):
            token = authorization[len("bearer ") :].strip()
        elif params.get("token"):
            token = str(params["token"])
        if not token:
            return "not_authed"
        if app_level:
            # apps.connections.open takes only the app-level token (xapp-…).
            if token == self.bot_token:
                return "not_allowed_token_type"
            return None if token == self.app_token else "invalid_auth"
        if token != self.bot_token:
            return "invalid_auth"
        return None

    # ------------------------------------------------------------------ helpers

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _next_ts(self) -> str:
        n = self._next_seq()
        return f"{_TS_BASE + n}.{n % 1_000_000:06d}"

    def _resolve_channel(self, channel: Any) -> str:
        if not isinstance(channel, str) or not channel:
            raise _SlackError("channel_not_found")
        if channel in self._users:  # posting to a user ID goes to their DM
            return "D" + channel
        if channel.startswith("#"):
            for ch in self._channels.values():
                if ch["name"] == channel[1:]:
                    return str(ch["id"])
            raise _SlackError("channel_not_found")
        return channel  # IDs are accepted without checking add_channel()

    def _user(self, user_id: Any) -> dict[str, Any]:
        user = self._users.get(str(user_id)) if user_id else None
        if user is None:
            raise _SlackError("user_not_found")
        return user

    @staticmethod
    def _check_blocks(params: dict[str, Any]) -> list[Any] | None:
        """Everything Slack checks in a message body (tests/fakes/block_kit.py)."""
        try:
            return check_message(params)
        except SlackRefusal as e:
            raise _SlackError(e.error, *e.messages) from e

    def _message(self, params: dict[str, Any], ts: str, blocks: list[Any] | None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "text": params.get("text") or "",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "ts": ts,
        }
        if blocks is not None:
            message["blocks"] = blocks
        if params.get("attachments"):
            message["attachments"] = params["attachments"]
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        return message

    @staticmethod
    def _require_text(params: dict[str, Any], blocks: list[Any] | None) -> None:
        if not (
            params.get("text") or params.get("markdown_text") or blocks or params.get("attachments")
        ):
            raise _SlackError("no_text")

    def _check_view(self, view: Any, *, allowed_types: frozenset[str]) -> dict[str, Any]:
        if not isinstance(view, dict):
            raise _SlackError("invalid_arguments", "[ERROR] missing required field: view")
        view_type = view.get("type")
        if not view_type:
            raise _SlackError(
                "invalid_arguments", "[ERROR] missing required field: type [json-pointer:/view]"
            )
        if view_type not in allowed_types:
            raise _SlackError(
                "invalid_arguments",
                f"[ERROR] unsupported type: {view_type} [json-pointer:/view/type]",
            )
        try:
            check_view(view)
        except SlackRefusal as e:
            raise _SlackError(e.error, *e.messages) from e
        if view_type == "modal" and not view.get("title"):
            raise _SlackError(
                "invalid_arguments", "[ERROR] missing required field: title [json-pointer:/view]"
            )
        return view

    def _stored_view(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "app_id": "A0001",
            "bot_id": self.bot_id,
            "type": view["type"],
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "state": {"values": {}},
            "hash": f"{_TS_BASE}.h{self._next_seq()}",
            "root_view_id": view_id,
            "previous_view_id": None,
        }
        self.views[view_id] = stored
        return stored

    @staticmethod
    def _respond(params: dict[str, Any]) -> _Reply:
        """A message posted to a response_url is checked like chat.postMessage."""
        try:
            check_message(params)
        except SlackRefusal as e:
            return _Reply(
                200, {"ok": False, "error": e.error, "response_metadata": {"messages": e.messages}}
            )
        return _Reply(200, {"ok": True})

    def _upload(self, file_id: str, body: bytes) -> _Reply:
        f = self.files.get(file_id)
        if f is None:
            return _Reply(404, "Not Found")
        f.data = body
        return _Reply(200, f"OK - {len(body)}")  # text/plain, like files.slack.com

    # ------------------------------------------------------------------ methods

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "actionbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": self.org_wide,
            **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
        }

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(params.get("channel"))
        blocks = self._check_blocks(params)
        self._require_text(params, blocks)
        ts = self._next_ts()
        message = self._message(params, ts, blocks)
        self._keep(channel, message, params.get("metadata"))
        return {"channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        self._resolve_channel(params.get("channel"))
        user = params.get("user")
        if not isinstance(user, str) or user[:1] not in ("U", "W"):
            raise _SlackError("user_not_found")
        blocks = self._check_blocks(params)
        self._require_text(params, blocks)
        return {"message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._resolve_channel(params.get("channel"))
        ts = params.get("ts")
        if not ts:
            raise _SlackError("message_not_found")
        blocks = self._check_blocks(params)
        self._require_text(params, blocks)
        return {
            "channel": channel,
            "ts": ts,
            "text": params.get("text") or "",
            "message": self._message(params, str(ts), blocks),
        }

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            return {"channel": {"id": params["channel"]}, "already_open": True}
        users = params.get("users")
        raw: list[Any] = users if isinstance(users, list) else str(users or "").split(",")
        ids = [str(u).strip() for u in raw if str(u).strip()]
        if not ids:
            raise _SlackError("users_list_not_supplied")
        for uid in ids:
            self._user(uid)
        if len(ids) == 1:
            channel_id = "D" + ids[0]
        else:
            channel_id = "G" + "".join(sorted(ids))
        return {"no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def _conversations_list(self, params: dict[str, Any]) -> dict[str, Any]:
        channels = list(self._channels.values())
        try:
            limit = int(params.get("limit") or 100)
            cursor = str(params.get("cursor") or "")
            start = int(base64.b64decode(cursor).decode().removeprefix("offset:")) if cursor else 0
        except ValueError as e:
            raise _SlackError("invalid_cursor") from e
        page = channels[start : start + max(limit, 1)]
        end = start + len(page)
        next_cursor = (
            base64.b64encode(f"offset:{end}".encode()).decode() if end < len(channels) else ""
        )
        return {"channels": page, "response_metadata": {"next_cursor": next_cursor}}

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(params.get("channel") or "")
        if channel_id in self._channels:
            return {"channel": self._channels[channel_id]}
        if channel_id.startswith("D") and channel_id[1:] in self._users:
            return {"channel": {"id": channel_id, "is_im": True, "user": channel_id[1:]}}
        raise _SlackError("channel_not_found")

    def _keep(self, channel: str, message: dict[str, Any], metadata: Any) -> None:
        kept = dict(message)
        if isinstance(metadata, dict):
            kept["metadata"] = metadata
        self.history.setdefault(channel, []).append(kept)

    def _read_channel(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        channel = str(params.get("channel") or "")
        if not channel:
            raise _SlackError("invalid_arguments", "[ERROR] missing required field: channel")
        if channel[:1] in ("U", "W"):
            raise _SlackError("channel_not_found")  # history wants the DM's id, not a user's
        if channel.startswith("D") and channel[1:] not in self._users:
            raise _SlackError("channel_not_found")
        # Other ids are accepted without add_channel(), as chat.postMessage accepts them.
        return self.history.get(channel, [])

    @staticmethod
    def _page(
        messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Slack's cursor pagination, and metadata only when include_all_metadata is set."""
        try:
            limit = min(max(int(params.get("limit") or 100), 1), 999)
            cursor = str(params.get("cursor") or "")
            start = int(base64.b64decode(cursor).decode().removeprefix("offset:")) if cursor else 0
        except ValueError as e:
            raise _SlackError("invalid_cursor") from e
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        page = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in messages[start : start + limit]
        ]
        end = start + len(page)
        more = end < len(messages)
        next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if more else ""
        return page, {"has_more": more, "response_metadata": {"next_cursor": next_cursor}}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages, newest first (thread replies are not in a channel's history)."""
        top = [
            m
            for m in self._read_channel(params)
            if not m.get("thread_ts") or m.get("thread_ts") == m["ts"]
        ]
        page, rest = self._page(list(reversed(top)), params)
        return {"messages": page, **rest}

    def _conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent, then its replies, oldest first."""
        ts = str(params.get("ts") or "")
        thread = [
            m for m in self._read_channel(params) if m["ts"] == ts or m.get("thread_ts") == ts
        ]
        if not thread or thread[0]["ts"] != ts:
            raise _SlackError("thread_not_found")
        page, rest = self._page(thread, params)
        return {"messages": page, **rest}

    def _users_lookup_by_email(self, params: dict[str, Any]) -> dict[str, Any]:
        email = str(params.get("email") or "").lower()
        for user in self._users.values():
            if str(user["profile"].get("email", "")).lower() == email and email:
                return {"user": user}
        raise _SlackError("users_not_found")

    def _apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.socket_mode_url is None:
            raise _SlackError("socket_mode_not_enabled")
        return {"url": self.socket_mode_url}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"user": self._user(params.get("user"))}

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id") and not params.get("interactivity_pointer"):
            raise _SlackError("invalid_arguments", "[ERROR] missing required field: trigger_id")
        view = self._check_view(params.get("view"), allowed_types=frozenset({"modal"}))
        if params.get("trigger_id"):
            self._exchange(str(params["trigger_id"]))
        return {"view": self._stored_view(view, f"V{self._next_seq():07d}")}

    def _exchange(self, trigger_id: str) -> None:
        if not _TRIGGER.match(trigger_id) or trigger_id not in self._triggers:
            raise _SlackError("invalid_trigger_id")
        issued = self._triggers[trigger_id]
        if issued is None:
            raise _SlackError("exchanged_trigger_id")
        if self.trigger_clock() - issued > TRIGGER_TTL:
            raise _SlackError("expired_trigger_id")
        self._triggers[trigger_id] = None

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(params.get("view"), allowed_types=frozenset({"modal", "home"}))
        view_id = params.get("view_id")
        if not view_id and params.get("external_id"):
            matches = [v for v in self.views.values() if v["external_id"] == params["external_id"]]
            if not matches:
                raise _SlackError("not_found")
            view_id = matches[0]["id"]
        if not view_id:
            raise _SlackError("invalid_arguments", "[ERROR] view_id or external_id is required")
        known = self.views.get(str(view_id))
        if known is not None and params.get("hash") and params["hash"] != known["hash"]:
            raise _SlackError("hash_conflict")
        # Unknown view IDs are accepted: payload views (signing.py) never passed through the fake.
        return {"view": self._stored_view(view, str(view_id))}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("user_id"):
            raise _SlackError("invalid_arguments", "[ERROR] missing required field: user_id")
        view = self._check_view(params.get("view"), allowed_types=frozenset({"home"}))
        return {"view": self._stored_view(view, f"VH{params['user_id']}")}

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        try:
            length = int(params.get("length", ""))
        except ValueError as e:
            raise _SlackError("invalid_arguments", "[ERROR] missing required field: length") from e
        if not filename:
            raise _SlackError("invalid_arguments", "[ERROR] missing required field: filename")
        file_id = f"F{self._next_seq():07d}"
        self.files[file_id] = FakeFile(
            id=file_id,
            filename=str(filename),
            length=length,
            alt_txt=params.get("alt_txt"),
            snippet_type=params.get("snippet_type"),
        )
        return {"upload_url": f"{self._root}/upload/{file_id}", "file_id": file_id}

    def _files_info(self, params: dict[str, Any]) -> dict[str, Any]:
        f = self.shared.get(str(params.get("file") or ""))
        if f is None:
            raise _SlackError("file_not_found")
        return {"file": self._shared_object(f), "comments": [], "response_metadata": {}}

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        items = params.get("files")
        if not isinstance(items, list) or not items:
            raise _SlackError("invalid_arguments", "[ERROR] missing required field: files")
        channels: list[str] = []
        if params.get("channel_id"):
            channels.append(self._resolve_channel(params["channel_id"]))
        if params.get("channels"):
            channels += [self._resolve_channel(c) for c in str(params["channels"]).split(",") if c]
        out: list[dict[str, Any]] = []
        for item in items:
            f = self.files.get(str(item.get("id")) if isinstance(item, dict) else "")
            if f is None or f.data is None:
                raise _SlackError("file_not_found")
            f.title = item.get("title") or f.filename
            f.channels = channels
            f.initial_comment = params.get("initial_comment")
            f.thread_ts = params.get("thread_ts")
            f.completed = True
            mimetype = mimetypes.guess_type(f.filename)[0] or "application/octet-stream"
            out.append(
                {
                    "id": f.id,
                    "created": _TS_BASE,
                    "timestamp": _TS_BASE,
                    "name": f.filename,
                    "title": f.title,
                    "mimetype": mimetype,
                    "filetype": f.filename.rsplit(".", 1)[-1] if "." in f.filename else "binary",
                    "user": self.bot_user_id,
                    "size": len(f.data),
                    "channels": [c for c in channels if c.startswith("C")],
                    "ims": [c for c in channels if c.startswith("D")],
                    "groups": [c for c in channels if c.startswith("G")],
                }
            )
        return {"files": out}
