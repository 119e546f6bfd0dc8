"""The Slack Web API client actionbot uses: base URL override and real retry handling."""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.config import Settings

# Slack may have taken a post whose answer was lost (a reset, a 5xx): retrying it blindly
# would post it twice. Reads, views and the like are safe to repeat.
NOT_REPEATABLE = ("/chat.postMessage", "/chat.postEphemeral")


def _repeatable(request: HttpRequest) -> bool:
    return not request.url.rstrip("/").endswith(NOT_REPEATABLE)


class _ConnectionErrors(AsyncConnectionErrorRetryHandler):
    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return _repeatable(request) and await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


class _ServerErrors(AsyncServerErrorRetryHandler):
    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return _repeatable(request) and await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


def make_async_client(settings: Settings, token: str) -> AsyncWebClient:
    """slack_sdk retries only connection errors by default; 429s and 5xx need handlers too,
    and posts must not be repeated blindly."""
    handlers: list[AsyncRetryHandler] = [
        _ConnectionErrors(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        _ServerErrors(max_retry_count=2),
    ]
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url or AsyncWebClient.BASE_URL,
        retry_handlers=handlers,
    )
