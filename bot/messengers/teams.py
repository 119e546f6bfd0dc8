"""The Teams Messenger: 1:1 messages and channel posts through the Bot Connector.

The SDK does not retry connector calls, so every failure comes back classified for the
delivery worker: 429 → RateLimited (it waits Retry-After), 412/5xx and network errors (the
connector's, or the Entra token endpoint's while MSAL fetches a token) → TemporaryFailure
(backoff), 403 → Removed (they removed or blocked actionbot: nothing more is sent there
until they come back), 400/404/413 → PermanentFailure (reported to admins).
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from microsoft_teams.api.activities import MessageActivityInput
from microsoft_teams.api.auth.credentials import TokenProvider
from microsoft_teams.apps import to_threaded_conversation_id
from microsoft_teams.cards import AdaptiveCard

from bot.core.config import ConfigError, Settings
from bot.core.messages import Reply
from bot.messengers.base import (
    Address,
    DeliveryError,
    PermanentFailure,
    Progress,
    RateLimited,
    Removed,
    TemporaryFailure,
)
from bot.messengers.teams_client import (
    HostRoutes,
    TeamsConnector,
    build_teams_app,
    card_activity,
)
from bot.messengers.teams_directory import TeamsDirectory, make_directory
from bot.render.cards import reply_cards, summary

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_LATER = frozenset({408, 412, 500, 502, 503, 504})
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
# Stand-ins for the app registration and tenant a local Playground does not have.
DEV_APP_ID = "00000000-0000-0000-0000-0000000000de"
DEV_TENANT = "00000000-0000-0000-0000-000000000001"


class TeamsMessenger:
    platform = "teams"

    def __init__(
        self,
        connector: TeamsConnector,
        *,
        tenant_id: str | None,
        service_url: str,
        directory: TeamsDirectory | None = None,
        local: bool = False,
    ) -> None:
        self.connector = connector
        self.tenant_id = tenant_id
        self.service_url = service_url  # for channels, and people we have no reference for
        self.directory = directory  # Microsoft Graph, when an admin granted it
        # A local connector (ACTIONBOT_TEAMS_INSECURE_DEV): everything goes to service_url,
        # never to a URL an activity named.
        self.local = local

    def send_direct(self, address: Address, replies: list[Reply], progress: Progress) -> Address:
        if address.teams_removed:
            raise Removed(
                "Teams: they removed actionbot (or Teams refused it for them); nothing is "
                "sent there until they add it again or write to it"
            )
        service_url = (None if self.local else address.teams_service_url) or self.service_url
        if not address.teams_conversation_id:
            user = address.teams_user_id or self._entra_id(address.email)
            tenant = address.teams_tenant_id or self.tenant_id
            if not user or not tenant:
                raise PermanentFailure(
                    "no Teams id for this person: they need to message actionbot in Teams once, "
                    "or have teams_id in the owners file"
                    + ("" if self.directory else " (or let actionbot use Graph: TEAMS_GRAPH)")
                )
            address.teams_user_id = user
            address.teams_conversation_id = self._call(
                "create conversation", self.connector.create_personal, service_url, tenant, user
            )
        conversation = address.teams_conversation_id
        # No threads in a 1:1 chat: a long day's list is several consecutive messages.
        for text, card in _messages(replies)[progress.sent :]:
            self._call("send", self.connector.send, service_url, conversation, _one(text, card))
            progress.sent += 1
        return address

    def _entra_id(self, email: str | None) -> str | None:
        """The Entra object id Graph has for `email` (an admin named only by email)."""
        if not email or self.directory is None:
            return None
        directory = self.directory
        found = self.connector.run(lambda: directory.user(email))
        return found.entra_id if found else None

    def post_channel(self, channel: str, replies: list[Reply], progress: Progress) -> None:
        """The first card as a new post in the channel, the rest as replies in its thread."""
        for text, card in _messages(replies)[progress.sent :]:
            target = (
                to_threaded_conversation_id(channel, progress.thread)
                if progress.thread
                else channel
            )
            sent = self._call(
                "post", self.connector.send, self.service_url, target, _one(text, card)
            )
            progress.thread = progress.thread or str(sent.id)
            progress.sent += 1

    def _call(self, what: str, call: Callable[..., T], *args: Any) -> T:
        try:
            return call(*args)
        except httpx.HTTPStatusError as exc:
            raise classify(what, exc) from exc
        except (httpx.TransportError, concurrent.futures.TimeoutError, OSError) as exc:
            # OSError covers TimeoutError and what MSAL raises when the Entra token endpoint
            # cannot be reached: its HTTP library's (requests') errors are OSErrors.
            raise TemporaryFailure(f"Teams {what}: {type(exc).__name__}: {exc}") from exc
        except ValueError as exc:  # MSAL was answered, but gave no token
            raise TemporaryFailure(f"Teams {what}: {exc}") from exc


def classify(what: str, exc: httpx.HTTPStatusError) -> DeliveryError:
    response = exc.response
    status = response.status_code
    try:
        detail = response.json().get("error", {})
        code = f"{detail.get('code', '')} {detail.get('message', '')}".strip()
    except ValueError:
        code = ""
    message = f"Teams {what}: HTTP {status}" + (f" {code}" if code else "")
    if status == 429:
        header = response.headers.get("Retry-After") or "1"
        try:
            wait = float(header)
        except ValueError:
            wait = 1.0
        return RateLimited(message, retry_after=wait)
    if status in RETRY_LATER or status >= 500:
        return TemporaryFailure(message)
    if status == 403:
        message += " (the user blocked or uninstalled actionbot, or it is not installed)"
        return Removed(message)
    return PermanentFailure(message)


def _messages(replies: list[Reply]) -> list[tuple[str, AdaptiveCard]]:
    return [(summary(reply), card) for reply in replies for card in reply_cards(reply)]


def _one(summary: str, card: AdaptiveCard) -> MessageActivityInput:
    return card_activity(summary, [card])


def make_teams_messenger(
    settings: Settings, *, token: TokenProvider | None = None
) -> TeamsMessenger:
    """A messenger with its own connector thread; `token` replaces the secret (tests).

    With ACTIONBOT_TEAMS_INSECURE_DEV every proactive message goes to TEAMS_SERVICE_URL (a
    local Agents Playground) without a token, so the whole loop can be tried without a
    tenant; a TEAMS_SERVICE_URL that is not on this machine is refused.
    """
    creds = settings.require_teams()
    app = build_teams_app(settings, HostRoutes(), token=token)
    if creds.insecure:
        host = urlsplit(settings.teams_service_url).hostname or ""
        if host not in LOOPBACK:
            raise ConfigError(
                "ACTIONBOT_TEAMS_INSECURE_DEV sends reminders without a token: set "
                "TEAMS_SERVICE_URL to the local Agents Playground's connector, e.g. "
                "http://localhost:56150/_connector (see 'Try it in Teams without a tenant')"
            )
        return TeamsMessenger(
            TeamsConnector(app, app_id=DEV_APP_ID, signed=False),
            tenant_id=settings.teams_tenant_id or DEV_TENANT,
            service_url=settings.teams_service_url,
            local=True,
        )
    return TeamsMessenger(
        TeamsConnector(app),
        tenant_id=settings.teams_tenant_id,
        service_url=settings.teams_service_url,
        directory=make_directory(app, settings),
    )
