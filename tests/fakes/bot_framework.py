"""A loopback stand-in for the Microsoft services a Teams bot talks to.

* login.botframework.com: OpenID metadata and the JWKS the SDK fetches to check the Bearer
  token on POST /api/messages. The fake holds the private key, so tests sign real RS256
  JWTs and the SDK's validation stays on.
* OneDrive/SharePoint: a file a person sends the bot in a personal chat arrives as an
  attachment whose `downloadUrl` carries its own short-lived credential (`tempauth`); the
  fake serves it to a plain GET with that credential and nothing else (no bearer token).
* the Bot Connector (smba.trafficmanager.net/…): `POST /v3/conversations`,
  `POST|PUT /v3/conversations/{id}/activities[/{aid}]` and
  `GET /v3/conversations/{id}/members/{user}` (the roster, with email and UPN).
* Microsoft Graph (graph.microsoft.com): `GET /v1.0/users/{id or email}`, answered only with
  a Graph token and only when the admin granted the app User.Read.All (`graph_granted`).

As strict as the real one where it matters to us: outbound calls must carry a Bearer
token; an activity over 28 KB is refused with 413; a conversation id it never created and
no channel is 404; a user who blocked the bot is 403 `MessageWritesBlocked`, one who removed
the app 403 `BotNotInConversationRoster` (for new chats too); a new chat with someone of
another tenant than the one it names is 403 `AclCheckFailed`. A member look-up answers only
for members of that conversation: a 1:1 chat knows its one user, a team's channel the team
(`join`); anybody else is 404, as in a real tenant. Updating a message (PUT) needs the id of
one the bot posted in that conversation. Canned failures (429 with Retry-After, 5xx) can be
queued.

Time: every call to the connector or Graph costs `latency` seconds on a virtual clock. While
the harness has a request from Teams open (`begin_request`/`end_request`), what the bot
spends is added up, so a test sees a request Teams would have given up on (about 15 s)
without any real waiting. A card's `Image` must have an absolute
https URL (plain http only for a loopback host, i.e. a test's own server) and is fetched at
once, as a Teams client would: anything but a PNG or JPEG of at most 1 MB and 1024 x 1024
pixels is refused with 400 (stricter than Teams, which would show a broken picture).

Files (the file consent flow): a file consent card is refused unless the app manifest says
`supportsFiles: true` and the conversation is a personal chat. `upload_session()` stands in
for the OneDrive upload session Teams opens when the user clicks Allow; its loopback
`uploadUrl` takes PUTs the way OneDrive does: no Authorization header, `Content-Range`
fragments in order, each but the last a multiple of 320 KiB; 202 until the last, then 201
with the driveItem. The uploaded bytes are kept in `uploads`. Runs in its own thread, because the
SDK fetches the JWKS with a blocking call inside the bot's event loop.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from PIL import Image as PILImage
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.harness import serve_in_thread

BF_ISSUER = "https://api.botframework.com"
MAX_ACTIVITY_BYTES = 28 * 1024
MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGE_PIXELS = 1024
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent"
FRAGMENT_UNIT = 320 * 1024
MAX_FRAGMENT = 60 * 1024 * 1024
MANIFEST = Path(__file__).resolve().parents[2] / "manifests" / "teams" / "manifest.json"
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def manifest_supports_files() -> bool:
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return all(bool(bot.get("supportsFiles")) for bot in manifest.get("bots", []))


@dataclass
class UploadSession:
    name: str
    received: bytearray = field(default_factory=bytearray)
    total: int | None = None
    done: bool = False
    fragments: int = 0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int = 200
    answer: Any = None  # what the fake answered (e.g. {"id": …} for a posted activity)


@dataclass
class TeamsUser:
    aad_id: str
    chat_id: str  # 29:…
    name: str
    email: str | None = None
    upn: str | None = None
    blocked: bool = False
    # Another Microsoft 365 tenant (None: the council's own). Any tenant's user can message
    # a bot, and Teams signs their activities like everybody else's.
    tenant: str | None = None
    installed: bool = True  # False once they removed the app (`uninstall`)


@dataclass
class FakeBotFramework:
    kid: str = "test-key-1"
    requests: list[Recorded] = field(default_factory=list)
    canned: list[tuple[int, dict[str, str], Any]] = field(default_factory=list)
    users: dict[str, TeamsUser] = field(default_factory=dict)  # by aad id
    conversations: dict[str, str] = field(default_factory=dict)  # personal conv id → aad id
    jwks_fetches: int = 0
    base_url: str = ""
    images: dict[str, bytes] = field(default_factory=dict)  # every card image fetched, by URL
    sessions: dict[str, UploadSession] = field(default_factory=dict)
    supports_files: bool = field(default_factory=manifest_supports_files)
    # Files people sent the bot, by unique id: (name, bytes, tempauth); and GETs answered.
    sent_files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)
    downloads: list[Recorded] = field(default_factory=list)
    # A team's conversations (19:…, the part before ";messageid=") → its members' AAD ids.
    teams: dict[str, set[str]] = field(default_factory=dict)
    # Activity ids the bot posted, by conversation (the part before ";messageid=").
    posted: dict[str, set[str]] = field(default_factory=dict)
    graph_granted: bool = False  # the admin consented to User.Read.All for the app
    graph_requests: list[Recorded] = field(default_factory=list)
    latency: float = 0.4  # virtual seconds per connector or Graph call
    # The local connector of Microsoft 365 Agents Playground takes calls without a token;
    # Teams' never does.
    playground: bool = False
    spent: float = 0.0  # virtual seconds spent while a request from Teams was open
    # The council's own tenant (a user's `tenant` None): a new chat must name its user's.
    home_tenant: str | None = None

    def __post_init__(self) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._next_id = 1_700_000_000_000
        self._open = 0

    # -- what tests use -------------------------------------------------------------

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    def add_user(
        self,
        aad_id: str,
        *,
        name: str,
        email: str | None = None,
        upn: str | None = None,
        tenant: str | None = None,
    ) -> TeamsUser:
        user = TeamsUser(aad_id, f"29:1{aad_id}", name, email, upn or email, tenant=tenant)
        self.users[aad_id] = user
        return user

    def personal_conversation(self, user: TeamsUser) -> str:
        conversation = f"a:1{user.aad_id}"
        self.conversations[conversation] = user.aad_id
        return conversation

    def join(self, team_conversation: str, *users: TeamsUser) -> None:
        """Make `users` members of a team: its channels' member look-ups know them."""
        base = team_conversation.split(";messageid=")[0]
        self.teams.setdefault(base, set()).update(u.aad_id for u in users)

    def uninstall(self, user: TeamsUser) -> None:
        """The user removed the app: every send to them is 403 from now on."""
        user.installed = False

    # -- Teams' patience: a virtual clock ---------------------------------------------

    def begin_request(self) -> None:
        with self._lock:
            self._open += 1
            if self._open == 1:
                self.spent = 0.0

    def end_request(self) -> float:
        """Virtual seconds the bot spent on calls while the request was open."""
        with self._lock:
            self._open -= 1
            return self.spent

    def _charge(self) -> None:
        with self._lock:
            if self._open:
                self.spent += self.latency

    def wait_for(self, predicate: Any, *, timeout: float = 10.0) -> None:
        """Block until `predicate(self)` holds, woken by each request (no polling).

        Raises:
            AssertionError: it did not hold within `timeout` seconds.
        """
        with self._arrived:
            held = self._arrived.wait_for(lambda: predicate(self), timeout)
        assert held, "the bot did not make the calls expected in time"

    def sign(self, *, app_id: str, key: Any = None, **claims: Any) -> str:
        """A Bot Framework channel token, as Teams sends in `Authorization: Bearer`."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": BF_ISSUER,
            "aud": app_id,
            "serviceurl": self.base_url,
            "nbf": now - 5,
            "iat": now - 5,
            "exp": now + 3600,
        }
        payload.update(claims)
        return jwt.encode(
            payload, key or self.private_key, algorithm="RS256", headers={"kid": self.kid}
        )

    def file_attachment(
        self, name: str, data: bytes, *, download_url: str | None = None
    ) -> dict[str, Any]:
        """The attachment Teams puts on a message when a person sends the bot `name`; a
        hostile one names another `download_url` (any host, port or scheme)."""
        if not self.supports_files:
            # Without supportsFiles in the manifest, Teams offers no way to attach a file.
            raise AssertionError("the app manifest does not set supportsFiles: true")
        unique_id = str(uuid.uuid4()).upper()
        tempauth = uuid.uuid4().hex
        self.sent_files[unique_id] = (name, data, tempauth)
        file_type = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return {
            "contentType": "application/vnd.microsoft.teams.file.download.info",
            "contentUrl": f"https://contoso-my.sharepoint.com/personal/u/Documents/{name}",
            "name": name,
            "content": {
                "downloadUrl": download_url
                or f"{self.base_url}/personal/download.aspx?UniqueId={unique_id}"
                f"&tempauth={tempauth}",
                "uniqueId": unique_id,
                "fileType": file_type,
                "etag": '"{' + unique_id + '},1"',
            },
        }

    async def _download(self, request: Request) -> Response:
        rec = Recorded(request.method, request.url.path, dict(request.headers), None)
        self.downloads.append(rec)
        found = self.sent_files.get(request.query_params.get("UniqueId", ""))
        if found is None:
            rec.status = 404
            return JSONResponse({"error": {"code": "itemNotFound"}}, status_code=404)
        name, data, tempauth = found
        # The URL is its own credential; a bearer token on top is refused, as SharePoint does.
        if request.query_params.get("tempauth") != tempauth or "authorization" in rec.headers:
            rec.status = 401
            return JSONResponse({"error": {"code": "InvalidAuthenticationToken"}}, status_code=401)
        return Response(data, media_type="application/octet-stream")

    def fail_next(self, status: int, *, retry_after: str | None = None, body: Any = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.canned.append((status, headers, body or {"error": {"code": f"HTTP{status}"}}))

    def activities(self, conversation: str | None = None) -> list[Recorded]:
        """Activities the bot posted successfully (to `conversation`, or anywhere)."""
        found = [
            r
            for r in self.requests
            if "/activities" in r.path and r.method == "POST" and r.status < 300
        ]
        if conversation is not None:
            found = [r for r in found if r.path == f"/v3/conversations/{conversation}/activities"]
        return found

    def cards(self, conversation: str | None = None) -> list[dict[str, Any]]:
        return [
            a["content"]
            for r in self.activities(conversation)
            for a in r.body.get("attachments") or []
        ]

    def upload_session(self, name: str) -> dict[str, str]:
        """What Teams puts in `uploadInfo` when the user accepts a file named `name`."""
        session_id = uuid.uuid4().hex
        self.sessions[session_id] = UploadSession(name)
        return {
            "name": name,
            "uploadUrl": f"{self.base_url}/upload/{session_id}",
            "contentUrl": f"{self.base_url}/onedrive/Documents/Applications/actionbot/{name}",
            "uniqueId": session_id.upper(),
            "fileType": name.rsplit(".", 1)[-1],
        }

    @property
    def uploads(self) -> dict[str, bytes]:
        """Completed uploads: file name → bytes."""
        return {s.name: bytes(s.received) for s in self.sessions.values() if s.done}

    def created(self) -> list[Recorded]:
        return [r for r in self.requests if r.path == "/v3/conversations" and r.status < 300]

    # -- the ASGI app ---------------------------------------------------------------

    def _jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]})
        return jwk

    async def _openid(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": BF_ISSUER,
                "jwks_uri": f"{self.base_url}/v1/.well-known/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _keys(self, request: Request) -> Response:
        self.jwks_fetches += 1
        return JSONResponse({"keys": [self._jwk()]})

    async def _record(self, request: Request) -> Recorded:
        raw = await request.body()
        body = json.loads(raw) if raw else None
        rec = Recorded(request.method, request.url.path, dict(request.headers), body)
        self._charge()
        with self._lock:
            self.requests.append(rec)
        return rec

    def _done(self, rec: Recorded, response: Response) -> Response:
        """Note the answer and wake anybody waiting for calls."""
        rec.status = response.status_code
        with self._arrived:
            self._arrived.notify_all()
        return response

    def _refuse(self, rec: Recorded, status: int, code: str, message: str = "") -> Response:
        error = {"code": code, "message": message} if message else {"code": code}
        return self._done(rec, JSONResponse({"error": error}, status_code=status))

    def _answer(self, rec: Recorded, default: Any, status: int = 200) -> Response:
        signed = rec.headers.get("authorization", "").startswith("Bearer ey")
        if not signed and not self.playground:
            return self._refuse(rec, 401, "Unauthorized")
        with self._lock:
            canned = self.canned.pop(0) if self.canned else None
        if canned is not None:
            code, headers, body = canned
            return self._done(rec, JSONResponse(body, status_code=code, headers=headers))
        rec.answer = default
        return self._done(rec, JSONResponse(default, status_code=status))

    async def _create_conversation(self, request: Request) -> Response:
        rec = await self._record(request)
        members = (rec.body or {}).get("members") or []
        user = self._user(members[0]["id"]) if members else None
        if user is None:
            return self._refuse(rec, 404, "NotFound")
        body = rec.body or {}
        named = body.get("tenantId") or ((body.get("channelData") or {}).get("tenant") or {}).get(
            "id"
        )
        theirs = user.tenant or self.home_tenant
        if not self.playground and theirs is not None and named != theirs:
            # Teams answers a chat asked for in a tenant the user is not in as it does for an
            # external guest (botframework-sdk#4286); the Playground has no tenants.
            return self._refuse(rec, 403, "ServiceError", "Failure due to: AclCheckFailed.")
        if not user.installed:
            # The app is not installed for them: a bot cannot open a chat with them.
            return self._refuse(rec, 403, "Forbidden", "BotNotInConversationRoster")
        # One 1:1 chat per person and bot: Teams finds the existing one, or makes it.
        return self._answer(rec, {"id": self.personal_conversation(user)})

    def _user(self, some_id: str) -> TeamsUser | None:
        for user in self.users.values():
            if some_id.lower() in (user.aad_id.lower(), user.chat_id.lower()):
                return user
        return None

    async def _activities(self, request: Request) -> Response:
        rec = await self._record(request)
        cid = request.path_params["cid"]
        base = cid.split(";messageid=")[0]
        if not base.startswith("19:") and base not in self.conversations:
            return self._refuse(rec, 404, "ConversationNotFound")
        owner = self.users.get(self.conversations.get(base, ""))
        if owner is not None and not owner.installed:
            return self._refuse(rec, 403, "Forbidden", "BotNotInConversationRoster")
        if owner is not None and owner.blocked:
            return self._refuse(rec, 403, "Forbidden", "MessageWritesBlocked")
        updating = request.path_params.get("aid")
        if request.method == "PUT" and updating not in self.posted.get(base, set()):
            # Only a message the bot itself posted in this conversation can be updated.
            return self._refuse(rec, 404, "ActivityNotFoundInConversation")
        if len(json.dumps(rec.body).encode()) > MAX_ACTIVITY_BYTES:
            return self._refuse(rec, 413, "MessageSizeTooBig")
        bad_file = self._check_files(rec.body, personal=base.startswith("a:"))
        if bad_file:
            return self._refuse(rec, 400, "BadArgument", bad_file)
        bad_image = self._check_images(rec.body)
        if bad_image:
            return self._refuse(rec, 400, "BadArgument", bad_image)
        if updating:
            return self._answer(rec, {"id": updating})
        with self._lock:
            self._next_id += 1
            new_id = str(self._next_id)
            self.posted.setdefault(base, set()).add(new_id)
        return self._answer(rec, {"id": new_id}, status=201)

    def _check_files(self, body: Any, *, personal: bool) -> str | None:
        for attachment in (body or {}).get("attachments") or []:
            if attachment.get("contentType") != CONSENT_CARD:
                continue
            if not self.supports_files:
                return "file consent cards need supportsFiles: true in the app manifest"
            if not personal:
                return "bots can send files only in a personal chat"
            content = attachment.get("content") or {}
            if not isinstance(content.get("sizeInBytes"), int) or not attachment.get("name"):
                return "a file consent card needs the file's name and sizeInBytes"
        return None

    async def _upload(self, request: Request) -> Response:
        """A OneDrive upload session: one fragment per PUT, in order."""
        session = self.sessions.get(request.path_params["sid"])
        body = await request.body()
        if session is None or session.done:
            return JSONResponse({"error": {"code": "itemNotFound"}}, status_code=404)
        if "authorization" in request.headers:
            # OneDrive: the upload URL is pre-authorised; a bearer token here is refused.
            return JSONResponse({"error": {"code": "unauthenticated"}}, status_code=401)
        match = _RANGE.match(request.headers.get("content-range", ""))
        if match is None:
            return JSONResponse({"error": {"code": "invalidRange"}}, status_code=400)
        start, end, total = (int(g) for g in match.groups())
        length = int(request.headers.get("content-length", "-1"))
        if length != len(body) or end - start + 1 != len(body) or end >= total:
            return JSONResponse({"error": {"code": "invalidRange"}}, status_code=400)
        if start != len(session.received) or session.total not in (None, total):
            return JSONResponse({"error": {"code": "invalidRange"}}, status_code=416)
        last = end + 1 == total
        if len(body) > MAX_FRAGMENT or (not last and len(body) % FRAGMENT_UNIT):
            return JSONResponse({"error": {"code": "invalidRange"}}, status_code=400)
        session.total = total
        session.received += body
        session.fragments += 1
        if not last:
            return JSONResponse({"nextExpectedRanges": [f"{end + 1}-"]}, status_code=202)
        session.done = True
        return JSONResponse(
            {"id": uuid.uuid4().hex, "name": session.name, "size": total}, status_code=201
        )

    def _check_images(self, body: Any) -> str | None:
        """Why a card image in this activity cannot be shown, or None when all can."""
        for attachment in (body or {}).get("attachments") or []:
            for url in _image_urls(attachment.get("content")):
                problem = self._fetch_image(url)
                if problem:
                    return f"Image {url[:80]!r}: {problem}"
        return None

    def _fetch_image(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
            return "the url must be absolute https"
        try:
            # The bot's server runs in another thread, so a blocking fetch here is safe.
            response = httpx.get(url, timeout=10)
        except httpx.HTTPError as exc:
            return f"could not be fetched ({type(exc).__name__})"
        if response.status_code != 200:
            return f"fetching it gave HTTP {response.status_code}"
        data = response.content
        if len(data) > MAX_IMAGE_BYTES:
            return f"{len(data)} bytes, over {MAX_IMAGE_BYTES}"
        try:
            with PILImage.open(io.BytesIO(data)) as image:
                kind, size = image.format, image.size
        except (OSError, ValueError):
            return "not an image"
        if kind not in ("PNG", "JPEG"):
            return f"{kind} is not PNG or JPEG"
        if max(size) > MAX_IMAGE_PIXELS:
            return f"{size[0]}x{size[1]} pixels, over {MAX_IMAGE_PIXELS}"
        self.images[url] = data
        return None

    def _members_of(self, conversation: str) -> set[str] | None:
        """AAD ids Teams answers member look-ups for in `conversation`; None: unknown."""
        base = conversation.split(";messageid=")[0]
        if base in self.conversations:  # a 1:1 chat knows its one user
            return {self.conversations[base]}
        return self.teams.get(base)

    def _member_json(self, user: TeamsUser) -> dict[str, Any]:
        return {
            "id": user.chat_id,
            "name": user.name,
            "aadObjectId": user.aad_id,
            "email": user.email,
            "userPrincipalName": user.upn,
            "tenantId": "tenant",
            "userRole": "user",
        }

    async def _member(self, request: Request) -> Response:
        rec = await self._record(request)
        members = self._members_of(request.path_params["cid"])
        if members is None:
            return self._refuse(rec, 404, "ConversationNotFound")
        user = self._user(request.path_params["uid"])
        if user is None or user.aad_id not in members:
            return self._refuse(rec, 404, "MemberNotFoundInConversation")
        return self._answer(rec, self._member_json(user))

    async def _graph_user(self, request: Request) -> Response:
        """Microsoft Graph `GET /v1.0/users/{id | userPrincipalName}` (User.Read.All)."""
        raw = await request.body()
        rec = Recorded(request.method, request.url.path, dict(request.headers), raw or None)
        self._charge()
        with self._lock:
            self.graph_requests.append(rec)
        bearer = rec.headers.get("authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(bearer, options={"verify_signature": False})
        except jwt.PyJWTError:
            claims = {}
        if "graph.microsoft.com" not in str(claims.get("aud", "")):
            return self._refuse(rec, 401, "InvalidAuthenticationToken", "Access token is empty.")
        if not self.graph_granted:
            return self._refuse(rec, 403, "Authorization_RequestDenied", "Insufficient privileges.")
        wanted = request.path_params["uid"].lower()
        user = next(
            (u for u in self.users.values() if wanted in (u.aad_id.lower(), (u.upn or "").lower())),
            None,
        )
        if user is None:  # Graph knows Entra object ids and UPNs, not Teams chat ids (29:…)
            return self._refuse(rec, 404, "Request_ResourceNotFound")
        body = {
            "id": user.aad_id,
            "displayName": user.name,
            "mail": user.email,
            "userPrincipalName": user.upn,
        }
        rec.answer = body
        return self._done(rec, JSONResponse(body))

    def asgi(self) -> Starlette:
        activity = "/v3/conversations/{cid:path}/activities"
        return Starlette(
            routes=[
                Route("/v1/.well-known/openidconfiguration", self._openid, methods=["GET"]),
                Route("/v1/.well-known/keys", self._keys, methods=["GET"]),
                Route("/v3/conversations", self._create_conversation, methods=["POST"]),
                Route(activity + "/{aid}", self._activities, methods=["PUT", "POST"]),
                Route(activity, self._activities, methods=["POST"]),
                Route("/v3/conversations/{cid:path}/members/{uid}", self._member, methods=["GET"]),
                Route("/v1.0/users/{uid}", self._graph_user, methods=["GET"]),
                Route("/upload/{sid}", self._upload, methods=["PUT"]),
                Route("/personal/download.aspx", self._download, methods=["GET"]),
            ]
        )


def _image_urls(element: Any) -> Iterator[str]:
    """Every `Image` url anywhere in a card (bodies, containers, columns, image sets)."""
    if isinstance(element, dict):
        if element.get("type") == "Image":
            yield str(element.get("url", ""))
        for value in element.values():
            yield from _image_urls(value)
    elif isinstance(element, list):
        for item in element:
            yield from _image_urls(item)


@contextmanager
def fake_bot_framework() -> Iterator[FakeBotFramework]:
    fake = FakeBotFramework()
    with serve_in_thread(fake.asgi()) as url:
        fake.base_url = url
        yield fake
