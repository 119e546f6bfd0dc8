"""The Teams SDK (microsoft-teams-apps) as actionbot uses it: configured only from Settings.

Two things the SDK does on its own are undone or overridden here, so that `Settings` is the
only source of configuration:

* importing `microsoft_teams.apps` runs `load_dotenv()` on the working directory, copying a
  stray `.env` into `os.environ`; the import below puts the environment back as it was;
* `App()` falls back to `CLIENT_ID`, `CLIENT_SECRET`, `TENANT_ID`, `SERVICE_URL`, `CLOUD`,
  `OAUTH_URL` and `DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS` for any option left `None`;
  `build_teams_app` passes every one of them.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

_environment = dict(os.environ)
from microsoft_teams.api.activities import MessageActivityInput, SentActivity  # noqa: E402
from microsoft_teams.api.auth.cloud_environment import (  # noqa: E402
    PUBLIC,
    CloudEnvironment,
    with_overrides,
)
from microsoft_teams.api.auth.credentials import TokenProvider  # noqa: E402
from microsoft_teams.api.clients import ApiClient  # noqa: E402
from microsoft_teams.api.clients.api_client_settings import ApiClientSettings  # noqa: E402
from microsoft_teams.api.clients.conversation.params import (  # noqa: E402
    CreateConversationParams,
)
from microsoft_teams.api.models import Account, ConversationAccount  # noqa: E402
from microsoft_teams.api.models.account import TeamsChannelAccount  # noqa: E402
from microsoft_teams.apps import App  # noqa: E402
from microsoft_teams.apps.http.adapter import HttpServerAdapter  # noqa: E402
from microsoft_teams.cards import AdaptiveCard  # noqa: E402
from microsoft_teams.common import ClientOptions  # noqa: E402

for _name in set(os.environ) - set(_environment):
    del os.environ[_name]
os.environ.update(_environment)

from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from bot.core.config import Settings  # noqa: E402

TIMEOUT = 15.0  # seconds for every call to the Bot Connector; the SDK's default is none
T = TypeVar("T")


class HostRoutes:
    """An HttpServerAdapter that serves nothing itself: the SDK registers its handler for
    POST /api/messages here (in `App.initialize()`), and our Starlette route calls it."""

    def __init__(self) -> None:
        self.handlers: dict[tuple[str, str], Any] = {}

    def register_route(self, method: str, path: str, handler: Any) -> None:
        self.handlers[(method, path)] = handler

    def serve_static(self, path: str, directory: str) -> None:
        raise NotImplementedError("actionbot serves no Teams tabs")

    async def start(self, port: int) -> None:
        raise RuntimeError("actionbot owns the server: call App.initialize(), not App.start()")

    async def stop(self) -> None:
        return None

    def route(self, path: str = "/api/messages") -> Route:
        async def endpoint(request: Request) -> Response:
            handler = self.handlers.get(("POST", path))
            if handler is None:  # App.initialize() has not run yet
                return JSONResponse({"error": "Teams is starting"}, status_code=503)
            try:
                body = await request.json()
            except ValueError:
                return JSONResponse({"error": "body is not JSON"}, status_code=400)
            if not isinstance(body, dict):
                return JSONResponse({"error": "body is not an object"}, status_code=400)
            result = await handler({"body": body, "headers": dict(request.headers)})
            if result.get("body") is not None:
                return JSONResponse(result["body"], status_code=result["status"])
            return Response(status_code=result["status"])

        return Route(path, endpoint, methods=["POST"])


def teams_cloud(settings: Settings) -> CloudEnvironment:
    """The public cloud, with the signing-key location overridden only when configured."""
    return with_overrides(PUBLIC, openid_metadata_url=settings.teams_openid_metadata_url or None)


def build_teams_app(
    settings: Settings, adapter: HttpServerAdapter, *, token: TokenProvider | None = None
) -> App:
    """The SDK App, every option given explicitly.

    `token` replaces the client-secret flow (MSAL) with a callable; tests use it because
    MSAL only talks to https endpoints.
    """
    creds = settings.require_teams()
    cloud = teams_cloud(settings)
    return App(
        client_id=creds.client_id,
        client_secret=None if token is not None else creds.client_secret,
        tenant_id=creds.tenant_id,
        token=token,
        cloud=cloud,
        service_url=settings.teams_service_url,
        api_client_settings=ApiClientSettings(oauth_url=cloud.token_service_url),
        client=ClientOptions(timeout=TIMEOUT),
        http_server_adapter=adapter,
        messaging_endpoint="/api/messages",
        dangerously_allow_unauthenticated_requests=creds.insecure,
        state=False,
        fetch_user_token=False,
    )


class TeamsConnector:
    """Calls to the Bot Connector from synchronous code (the delivery worker's threads).

    The SDK's httpx client belongs to the event loop that first used it, so
    `asyncio.run(app.send(...))` fails on its second call. This owns one long-lived loop in a
    daemon thread and its own ApiClient per service URL; it borrows only the App's token
    provider, which caches tokens and is safe to share.
    """

    def __init__(
        self,
        app: App,
        *,
        timeout: float = TIMEOUT,
        app_id: str | None = None,
        signed: bool = True,
    ) -> None:
        """`signed=False` (ACTIONBOT_TEAMS_INSECURE_DEV only): no token on any call, for a
        local connector such as Microsoft 365 Agents Playground; `app_id` then stands in
        for a registration there may not be."""
        found = app.id or app_id
        if found is None:
            raise ValueError("proactive messages need TEAMS_CLIENT_ID")
        self.app_id: str = found
        self._app = app
        self._timeout = timeout
        self._signed = signed
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="teams-connector"
        )
        self._thread.start()
        self._apis: dict[str, ApiClient] = {}

    def _api(self, service_url: str) -> ApiClient:
        key = service_url.rstrip("/")
        if key not in self._apis:  # only ever touched on self._loop
            self._apis[key] = ApiClient(
                key,
                ClientOptions(timeout=self._timeout),
                ApiClientSettings(oauth_url=self._app.cloud.token_service_url),
                cloud=self._app.cloud,
                token_provider=self._app.token_provider if self._signed else None,
            )
        return self._apis[key]

    def run(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run a coroutine on the connector's loop from synchronous code; its result."""
        return self._run(make)

    def _run(self, make: Callable[[], Awaitable[T]]) -> T:
        async def wrapped() -> T:
            return await make()

        future = asyncio.run_coroutine_threadsafe(wrapped(), self._loop)
        return future.result(self._timeout * 2 + 5)

    def create_personal(self, service_url: str, tenant_id: str, user: str) -> str:
        """Open (or find) the 1:1 chat with `user` (AAD object id or 29: id); its id."""

        async def go() -> str:
            params = personal_conversation_params(f"28:{self.app_id}", tenant_id, user)
            created = await self._api(service_url).conversations.create(params)
            return str(created.id)

        return self._run(go)

    def send(
        self, service_url: str, conversation_id: str, activity: MessageActivityInput
    ) -> SentActivity:
        async def go() -> SentActivity:
            activity.from_ = Account(id=f"28:{self.app_id}")
            activity.conversation = ConversationAccount(id=conversation_id)
            api = self._api(service_url)
            return await api.conversations.create_activity(conversation_id, activity)

        return self._run(go)

    def member(self, service_url: str, conversation_id: str, user_id: str) -> TeamsChannelAccount:
        async def go() -> TeamsChannelAccount:
            api = self._api(service_url)
            member = await api.conversations.get_member_by_id(conversation_id, user_id)
            return cast(TeamsChannelAccount, member)

        return self._run(go)

    def close(self) -> None:
        async def shut() -> None:
            for api in self._apis.values():
                await api.http.http.aclose()

        if self._thread.is_alive():
            self._run(shut)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)


def personal_conversation_params(
    bot_id: str, tenant_id: str, user: str
) -> CreateConversationParams:
    """What opens (or finds) the 1:1 chat between the bot (`28:<app id>`) and `user`."""
    # `bot` and `isGroup` are not fields of the model; extras keep the key given.
    return CreateConversationParams.model_validate(
        {
            "members": [{"id": user}],
            "tenantId": tenant_id,
            "channelData": {"tenant": {"id": tenant_id}},
            "bot": {"id": bot_id},
            "isGroup": False,
        }
    )


def card_activity(summary: str, cards: list[AdaptiveCard]) -> MessageActivityInput:
    """A message of Adaptive Cards; `summary` is what notifications and old clients show."""
    activity = MessageActivityInput(summary=summary[:1000] or "actionbot")
    for card in cards:
        activity = activity.add_card(card)
    return activity
