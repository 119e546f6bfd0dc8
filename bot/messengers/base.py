"""Platforms behind one Protocol. Jobs talk to a Messenger and never to a platform SDK."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from bot.core.messages import Reply


@dataclass
class Address:
    """Where a direct message goes. A messenger may fill in ids it learns (and time zones)."""

    person_id: int | None = None
    email: str | None = None
    slack_user_id: str | None = None
    teams_user_id: str | None = None  # the AAD object id (or a 29: chat id)
    tz: str | None = None
    # Teams' conversation reference: how a proactive message reaches the person.
    teams_conversation_id: str | None = None
    teams_service_url: str | None = None
    teams_tenant_id: str | None = None
    teams_removed: bool = False  # they removed actionbot in Teams: nothing goes there


class DeliveryError(Exception):
    """A send failed. `permanent` ones are recorded and reported, never retried."""

    permanent = False

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(DeliveryError):
    """HTTP 429: try again after `retry_after` seconds."""


class TemporaryFailure(DeliveryError):
    """5xx or a network error: retry with backoff."""


class PermanentFailure(DeliveryError):
    """user_not_found, channel_not_found and the like."""

    permanent = True


class Removed(PermanentFailure):
    """The person removed (or blocked) actionbot on this platform: nothing more is sent to
    them there until they come back to it."""


PartHook = Callable[["Progress"], None]


def _no_hook(_: Progress) -> None:
    pass


@dataclass
class Progress:
    """How far a delivery of several messages (parts) got.

    A messenger calls `starting(part)` just before it sends a part and `confirmed(part, …)`
    as soon as the platform says it took it; the worker records each in its own short
    transaction. A part that was started but never confirmed (the answer was lost, or the
    process died) is `unsure`: before sending it again the messenger looks for it on the
    platform, by the delivery `key` carried in each message, and sends it only if it is
    not there.
    """

    sent: int = 0
    thread: str | None = None  # the first message's id; the other parts go in its thread
    channel: str | None = None  # where the parts land (a DM's own channel id), once known
    unsure: int | None = None
    key: str = ""
    on_start: PartHook = field(default=_no_hook, repr=False, compare=False)
    on_sent: PartHook = field(default=_no_hook, repr=False, compare=False)
    # The part already recorded as starting (by the claim, or with the part before it).
    premarked: int | None = field(default=None, repr=False, compare=False)

    def starting(self, part: int) -> None:
        self.unsure = part
        if self.premarked != part:  # else the worker recorded it already, with the last step
            self.on_start(self)
        self.premarked = None

    def confirmed(
        self, part: int, *, message_id: str | None, channel: str | None, last: bool = False
    ) -> None:
        """Slack has `part`. Recorded at once with the next part marked as starting (one
        transaction for both); the last part is recorded by the worker's closing one."""
        self.sent = part + 1
        self.thread = self.thread or message_id
        self.channel = self.channel or channel
        if last:
            self.unsure = None
            return
        self.unsure = self.premarked = part + 1
        self.on_sent(self)

    def not_sent(self) -> None:
        """The platform said no to the part being sent: its outcome is known after all."""
        self.unsure = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "thread": self.thread,
            "channel": self.channel,
            "unsure": self.unsure,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, key: str) -> Progress:
        return cls(
            sent=int(data.get("sent", 0)),
            thread=data.get("thread"),
            channel=data.get("channel"),
            unsure=data.get("unsure"),
            key=key,
        )


class Messenger(Protocol):
    platform: str

    def send_direct(self, address: Address, replies: list[Reply], progress: Progress) -> Address:
        """DM one person. Returns the address with any ids learned on the way."""
        ...

    def post_channel(self, channel: str, replies: list[Reply], progress: Progress) -> None:
        """Post the first message to the channel and the rest into its thread."""
        ...


@dataclass(frozen=True)
class FileUpload:
    filename: str
    content: bytes
    title: str
    alt_text: str | None = None


@runtime_checkable
class FileMessenger(Protocol):
    def upload_file(self, channel: str, upload: FileUpload, *, thread: str | None) -> None:
        """Share the file in the channel (in the thread of message `thread`, if given)."""
        ...
