"""The Slack Messenger: DMs and channel posts through the Web API, errors classified.

It deliberately has no RateLimitErrorRetryHandler: a 429 comes back to the delivery
worker as RateLimited, which waits Retry-After (on an injectable sleeper) or reschedules.
Nor is a post ever retried blindly: each carries its delivery key in its metadata, and a
post whose answer was lost is looked for in the conversation before it is sent again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http.client import HTTPException
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse

from bot.core.config import Settings
from bot.core.messages import Reply
from bot.messengers.base import (
    Address,
    DeliveryError,
    FileUpload,
    PermanentFailure,
    Progress,
    RateLimited,
    TemporaryFailure,
)
from bot.render.blocks import reply_pages

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "invalid_auth",
        "not_authed",
        "missing_scope",
    }
)


# Slack refusing what actionbot rendered is a bug in actionbot, not a bad address: it is
# logged at ERROR with the message's shape, and reported to admins like any give-up.
RENDERING_ERRORS = frozenset({"invalid_blocks", "msg_too_long", "msg_blocks_too_long", "no_text"})
RENDERING_BUG = "a bug in actionbot, Slack refused the message as actionbot built it"


# Slack's own trouble: it may have done the work before failing to say so.
UNSURE_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable"})

DELIVERY_EVENT = "actionbot_delivery"  # the metadata event_type every outbox message carries
LOOKUP_PAGES = 5  # how far back (pages of conversations.history) to look for an unsure part


class NoRetryForPosts(ConnectionErrorRetryHandler):
    """Retry a lost connection, except for chat.postMessage: Slack may have taken the post
    before the connection dropped, and a blind retry would post it twice. The delivery
    worker decides instead, after looking for the message."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if request.url.rstrip("/").endswith("/chat.postMessage"):
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def make_web_client(settings: Settings, token: str, *, timeout: float = 15) -> WebClient:
    return WebClient(
        token=token,
        base_url=settings.slack_api_url or WebClient.BASE_URL,
        retry_handlers=[NoRetryForPosts(max_retry_count=2)],
        # Typed int, but urllib takes fractions of a second as well (the fault tests do).
        timeout=timeout,  # type: ignore[arg-type]
    )


class Unsure(TemporaryFailure):
    """The platform may or may not have taken the message (no answer, or a 5xx)."""


class SlackMessenger:
    platform = "slack"

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        calls: dict[str, Callable[..., SlackResponse]] = {
            "chat.postMessage": self.client.chat_postMessage,
            "users.lookupByEmail": self.client.users_lookupByEmail,
            "conversations.open": self.client.conversations_open,
            "conversations.history": self.client.conversations_history,
            "conversations.replies": self.client.conversations_replies,
        }
        try:
            response = calls[method](**kwargs)
        except SlackApiError as exc:
            if exc.response.get("error") in RENDERING_ERRORS:
                raise _rendering_bug(method, exc, kwargs) from exc
            raise _classify(method, exc) from exc
        except (URLError, OSError, TimeoutError, HTTPException) as exc:
            raise Unsure(f"{method}: {type(exc).__name__}: {exc}") from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    def _user_for(self, address: Address) -> Address:
        if address.slack_user_id:
            return address
        if not address.email:
            raise PermanentFailure("no Slack id and no email for this person")
        data = self._call("users.lookupByEmail", email=address.email)
        user = data.get("user") or {}
        address.slack_user_id = str(user["id"])
        if user.get("tz") and not address.tz:
            address.tz = str(user["tz"])
        return address

    def send_direct(self, address: Address, replies: list[Reply], progress: Progress) -> Address:
        address = self._user_for(address)
        # Posting to a user id lands in the app's DM with them; no conversations.open needed.
        # One DM a day: anything that does not fit in it goes into its thread.
        assert address.slack_user_id is not None
        self._post_threaded(address.slack_user_id, replies, progress)
        return address

    def post_channel(self, channel: str, replies: list[Reply], progress: Progress) -> None:
        self._post_threaded(channel, replies, progress)

    def _post_threaded(self, channel: str, replies: list[Reply], progress: Progress) -> None:
        """The first message to `channel`, the rest in its thread; resumes at `progress`."""
        messages = _messages(replies)
        for part in range(progress.sent, len(messages)):
            if progress.unsure == part:
                found = self._look_for(channel, part, progress)
                if found is not None:
                    last = part == len(messages) - 1
                    progress.confirmed(part, message_id=found, channel=progress.channel, last=last)
                    continue
            progress.starting(part)
            metadata = {
                "event_type": DELIVERY_EVENT,
                "event_payload": {"key": progress.key, "part": part},
            }
            try:
                posted = self._call(
                    "chat.postMessage",
                    channel=channel,
                    thread_ts=progress.thread,
                    metadata=metadata,
                    **messages[part],
                )
            except Unsure:
                raise
            except DeliveryError:
                progress.not_sent()  # Slack answered: it did not take this one
                raise
            progress.confirmed(
                part,
                message_id=posted.get("ts"),
                channel=str(posted.get("channel") or ""),
                last=part == len(messages) - 1,
            )

    def _look_for(self, channel: str, part: int, progress: Progress) -> str | None:
        """`_find`, with every failure temporary: not knowing is no reason to send, nor to
        give up at once (an app installed before it had the history scopes says
        missing_scope until it is reinstalled; admins hear of it if it never is)."""
        try:
            return self._find(channel, part, progress)
        except RateLimited:
            raise
        except DeliveryError as exc:
            raise TemporaryFailure(
                f"cannot check whether Slack already has part {part + 1}, so it was not sent "
                f"again: {exc}"
            ) from exc

    def _find(self, channel: str, part: int, progress: Progress) -> str | None:
        """The ts of `part` if Slack already has it (an earlier try's answer was lost)."""
        where = progress.channel or self._conversation_of(channel)
        progress.channel = where
        if part == 0 or progress.thread is None:
            method, extra = "conversations.history", {}
        else:
            method, extra = "conversations.replies", {"ts": progress.thread}
        cursor = ""
        for _ in range(LOOKUP_PAGES):
            data = self._call(
                method,
                channel=where,
                include_all_metadata=True,
                limit=200,
                **extra,
                **({"cursor": cursor} if cursor else {}),
            )
            for message in data.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if (
                    meta.get("event_type") == DELIVERY_EVENT
                    and payload.get("key") == progress.key
                    and payload.get("part") == part
                ):
                    log.info(
                        "part %s of %s was already in Slack; not sent again", part, progress.key
                    )
                    return str(message.get("ts"))
            cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return None

    def _conversation_of(self, channel: str) -> str:
        """A channel id as conversations.history wants it: a user id becomes their DM's id."""
        if channel[:1] not in ("U", "W"):
            return channel
        data = self._call("conversations.open", users=channel)
        return str((data.get("channel") or {}).get("id") or channel)

    def upload_file(self, channel: str, upload: FileUpload, *, thread: str | None) -> None:
        """files_upload_v2: files.getUploadURLExternal, the bytes, files.completeUploadExternal."""
        try:
            self.client.files_upload_v2(
                channel=channel,
                filename=upload.filename,
                content=upload.content,
                title=upload.title,
                alt_txt=upload.alt_text,
                thread_ts=thread,
            )
        except SlackApiError as exc:
            raise _classify("files_upload_v2", exc) from exc
        except (SlackRequestError, URLError, OSError, TimeoutError) as exc:
            raise TemporaryFailure(f"files_upload_v2: {exc}") from exc


def _messages(replies: list[Reply]) -> list[dict[str, Any]]:
    return [message for reply in replies for message in reply_pages(reply)]


def _shape(message: dict[str, Any]) -> str:
    """Block kinds and sizes, e.g. "header:24 section:2890 context:61 (3 blocks, 2975 chars)"."""
    blocks = message.get("blocks") or []
    sizes = [f"{b.get('type')}:{len(json.dumps(b, ensure_ascii=False))}" for b in blocks]
    total = sum(len(json.dumps(b, ensure_ascii=False)) for b in blocks)
    text = len(str(message.get("text") or ""))
    return f"{' '.join(sizes)} ({len(blocks)} blocks, {total} chars; text {text} chars)"


def _rendering_bug(method: str, exc: SlackApiError, message: dict[str, Any]) -> PermanentFailure:
    error = str(exc.response.get("error"))
    detail = (exc.response.get("response_metadata") or {}).get("messages") or []
    log.error(
        "BUG: Slack refused a message actionbot rendered (%s %s): %s; blocks %s",
        method,
        error,
        "; ".join(str(d) for d in detail) or "no detail",
        _shape(message),
    )
    # The code stays the last "method: code" pair, which the admins' summary reads.
    return PermanentFailure(f"{method}: {error} ({RENDERING_BUG}, details in the log under BUG)")


def _classify(method: str, exc: SlackApiError) -> Exception:
    response = exc.response
    error = str(response.get("error", "unknown_error"))
    status = response.status_code
    if status == 429 or error == "ratelimited":
        header = response.headers.get("Retry-After") or response.headers.get("retry-after") or "1"
        value = header[0] if isinstance(header, list) else header
        return RateLimited(f"{method}: rate limited", retry_after=float(value))
    if error in PERMANENT_ERRORS:
        return PermanentFailure(f"{method}: {error}")
    if status >= 500 or error in UNSURE_ERRORS:
        return Unsure(f"{method}: {error} (HTTP {status})")
    return TemporaryFailure(f"{method}: {error} (HTTP {status})")
