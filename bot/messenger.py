"""Platforms behind one Protocol. Jobs talk to a Messenger and never to a platform SDK."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.messages import Reply


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


@dataclass
class Progress:
    """How far a delivery of several messages got. A messenger counts each message as it
    goes; a retry after a failure part-way resumes there and never repeats a message."""

    sent: int = 0
    thread: str | None = None  # the channel message the rest are threaded under


class Messenger(Protocol):
    platform: str

    def send_direct(self, address: Address, replies: list[Reply], progress: Progress) -> Address:
        """DM one person. Returns the address with any ids learned on the way."""
        ...

    def post_channel(self, channel: str, replies: list[Reply], progress: Progress) -> None:
        """Post the first message to the channel and the rest into its thread."""
        ...
