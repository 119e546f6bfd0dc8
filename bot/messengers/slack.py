"""The Slack Messenger: DMs and channel posts through the Web API, errors classified.

It deliberately has no RateLimitErrorRetryHandler: a 429 comes back to the delivery
worker as RateLimited, which waits Retry-After (on an injectable sleeper) or reschedules.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot.config import Settings
from bot.jobs.file_delivery import FileUpload
from bot.messages import Reply
from bot.messenger import Address, PermanentFailure, Progress, RateLimited, TemporaryFailure
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


def make_web_client(settings: Settings, token: str) -> WebClient:
    return WebClient(
        token=token,
        base_url=settings.slack_api_url or WebClient.BASE_URL,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2)],
        timeout=15,
    )


class SlackMessenger:
    platform = "slack"

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        try:
            if method == "chat.postMessage":
                response = self.client.chat_postMessage(**kwargs)
            else:
                response = self.client.users_lookupByEmail(**kwargs)
        except SlackApiError as exc:
            if exc.response.get("error") in RENDERING_ERRORS:
                raise _rendering_bug(method, exc, kwargs) from exc
            raise _classify(method, exc) from exc
        except (URLError, OSError, TimeoutError) as exc:
            raise TemporaryFailure(f"{method}: {exc}") from exc
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
        for message in _messages(replies)[progress.sent :]:
            posted = self._call(
                "chat.postMessage", channel=channel, thread_ts=progress.thread, **message
            )
            progress.thread = progress.thread or posted.get("ts")
            progress.sent += 1

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
    return TemporaryFailure(f"{method}: {error} (HTTP {status})")
