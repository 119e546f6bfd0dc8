"""The delivery worker: send what the outbox holds, mark it sent, retry or give up.

A delivery is claimed under a lease (one short transaction), so two workers (two
`actionbot serve` processes on PostgreSQL) never send the same row; each part is then
recorded in its own transaction as soon as the platform confirms it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.core.messages import for_platform, reply_from_dict
from bot.jobs.file_delivery import is_file_delivery, send_file
from bot.messengers.base import (
    Address,
    DeliveryError,
    Messenger,
    PermanentFailure,
    Progress,
    RateLimited,
    Removed,
)
from store.models import Delivery, Person
from store.outbox import claim_next
from store.queries import person_by_email, person_by_platform_id

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
INLINE_RATE_LIMIT_WAIT = 30.0  # wait this long in place; longer Retry-After reschedules
INLINE_RATE_LIMIT_TRIES = 5


@dataclass(frozen=True)
class FailedDelivery:
    key: str
    kind: str
    recipient: str
    error: str
    platform: str = "slack"  # where it failed: the admins' summary speaks that platform


@dataclass
class DeliveryStats:
    sent: int = 0
    rescheduled: int = 0
    failed: int = 0
    rate_limited: int = 0
    failures: list[str] = field(default_factory=list)
    failed_rows: list[FailedDelivery] = field(default_factory=list)

    def absorb(self, other: DeliveryStats) -> None:
        """Add another round's figures to these."""
        self.sent += other.sent
        self.rescheduled += other.rescheduled
        self.failed += other.failed
        self.rate_limited += other.rate_limited
        self.failures += other.failures
        self.failed_rows += other.failed_rows

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.rescheduled} to retry later, {self.failed} failed, "
            f"{self.rate_limited} rate-limit waits"
        )


def backoff(attempts: int) -> timedelta:
    """1, 4, 16, 64 … minutes, capped at 6 hours."""
    return timedelta(minutes=min(4 ** max(attempts - 1, 0), 360))


LEASE = timedelta(minutes=15)  # no other worker takes a row while one is sending it


@dataclass
class Claimed:
    """A delivery taken from the outbox: what the worker knows and decides while sending,
    outside any transaction (the network is never waited on with the register locked)."""

    id: int
    key: str
    platform: str
    recipient: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    state: str = "pending"
    not_before: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    premarked: int | None = None  # the part the claim recorded as starting
    removed: bool = False  # the platform said they removed or blocked actionbot


def deliver_pending(
    sessions: sessionmaker[Session],
    messengers: Mapping[str, Messenger],
    *,
    clock: Clock,
    sleep: Callable[[float], None],
    limit: int = 10_000,
) -> DeliveryStats:
    """Send up to `limit` due deliveries. `sleep` is injected so tests never really wait.

    Each part of a message is recorded as sent in its own short transaction the moment
    Slack confirms it, so a crash repeats at most the one part whose answer was lost, and
    that part is looked for on the platform before it is sent again.
    """
    stats = DeliveryStats()
    for _ in range(limit):
        claimed = _claim(sessions, clock, messengers)
        if claimed is None:
            break
        _attempt(sessions, claimed, messengers, clock=clock, sleep=sleep, stats=stats)
    return stats


def _claim(
    sessions: sessionmaker[Session], clock: Clock, messengers: Mapping[str, Messenger]
) -> Claimed | None:
    with sessions() as session, session.begin():
        delivery = claim_next(session, now=clock.now())
        if delivery is None:
            return None
        delivery.platform = route(session, delivery, messengers)
        # A lease instead of a row lock held across the network: the lock ends with this
        # transaction, and the row is not due again until the lease runs out.
        delivery.not_before = clock.now() + LEASE
        # The next part is about to go: say so now, so the send needs no transaction of its
        # own before it (an unsure part from an earlier try stays unsure).
        progress = dict(delivery.payload.get("progress") or {})
        next_part = int(progress.get("sent", 0))
        if progress.get("unsure") is None:
            delivery.payload = {**delivery.payload, "progress": {**progress, "unsure": next_part}}
        return Claimed(
            id=delivery.id,
            key=delivery.key,
            platform=delivery.platform,
            recipient=delivery.recipient,
            kind=delivery.kind,
            payload=dict(delivery.payload, progress=progress),
            attempts=delivery.attempts,
            premarked=next_part,
        )


def _save_progress(
    sessions: sessionmaker[Session], delivery_id: int, progress: Progress, clock: Clock
) -> None:
    with sessions() as session, session.begin():
        row = session.get(Delivery, delivery_id)
        if row is None:
            return
        row.payload = {**row.payload, "progress": progress.to_dict()}
        row.not_before = clock.now() + LEASE


def _attempt(
    sessions: sessionmaker[Session],
    claimed: Claimed,
    messengers: Mapping[str, Messenger],
    *,
    clock: Clock,
    sleep: Callable[[float], None],
    stats: DeliveryStats,
) -> None:
    messenger = messengers.get(claimed.platform)
    progress = Progress.from_dict(claimed.payload.get("progress", {}), key=claimed.key)

    def record(p: Progress) -> None:
        _save_progress(sessions, claimed.id, p, clock)

    progress.on_start = progress.on_sent = record
    progress.premarked = claimed.premarked
    learned: tuple[int, Address] | None = None
    if messenger is None:
        _give_up(claimed, f"no messenger for platform {claimed.platform!r}", stats)
    else:
        try:
            learned = _attempt_sending(
                sessions, claimed, messenger, progress, clock=clock, sleep=sleep, stats=stats
            )
        except Exception as exc:
            # A bug or a message the platform can never take must not block the queue behind
            # it, and is not retried. It is reported like a permanent error.
            log.exception("delivery %s failed unexpectedly", claimed.key)
            _give_up(claimed, f"{type(exc).__name__}: {exc}", stats)
    with sessions() as session, session.begin():
        row = session.get(Delivery, claimed.id)
        if row is None:
            return
        row.attempts = claimed.attempts
        row.state = claimed.state
        row.last_error = claimed.last_error
        row.sent_at = claimed.sent_at or row.sent_at
        if claimed.not_before is not None:
            row.not_before = claimed.not_before
        # Saved with the row, so a retry resumes after the messages that already went.
        row.payload = {**row.payload, "progress": progress.to_dict()}
        if learned is not None:
            person = session.get(Person, learned[0])
            if person is not None:
                _remember(session, person, learned[1], claimed)
        if claimed.removed and claimed.platform == "teams":
            kind, _, target = claimed.recipient.partition(":")
            gone, _ = _address(session, kind, target)
            if gone is not None and gone.teams_removed_at is None:
                gone.teams_removed_at = clock.now()


def _attempt_sending(
    sessions: sessionmaker[Session],
    delivery: Claimed,
    messenger: Messenger,
    progress: Progress,
    *,
    clock: Clock,
    sleep: Callable[[float], None],
    stats: DeliveryStats,
) -> tuple[int, Address] | None:
    """Send; returns (person id, address) when the platform told us ids worth keeping."""
    for _ in range(INLINE_RATE_LIMIT_TRIES):
        delivery.attempts += 1
        try:
            learned = _send(sessions, delivery, messenger, progress)
        except RateLimited as exc:
            stats.rate_limited += 1
            wait = exc.retry_after if exc.retry_after is not None else 1.0
            if wait <= INLINE_RATE_LIMIT_WAIT:
                sleep(wait)
                continue
            _later(delivery, clock, timedelta(seconds=wait), str(exc), stats)
            return None
        except DeliveryError as exc:
            delivery.removed = isinstance(exc, Removed)
            if exc.permanent or delivery.attempts >= MAX_ATTEMPTS:
                _give_up(delivery, str(exc), stats)
            else:
                _later(delivery, clock, backoff(delivery.attempts), str(exc), stats)
            return None
        delivery.state = "sent"
        delivery.sent_at = clock.now()
        delivery.last_error = None
        stats.sent += 1
        return learned
    _later(delivery, clock, timedelta(seconds=INLINE_RATE_LIMIT_WAIT), "still rate limited", stats)
    return None


def _later(
    delivery: Claimed, clock: Clock, wait: timedelta, error: str, stats: DeliveryStats
) -> None:
    delivery.not_before = clock.now() + wait
    delivery.last_error = error
    stats.rescheduled += 1


def _give_up(delivery: Claimed, error: str, stats: DeliveryStats) -> None:
    delivery.state = "failed"
    delivery.last_error = error
    stats.failed += 1
    stats.failures.append(f"{delivery.kind} to {delivery.recipient}: {error}")
    stats.failed_rows.append(
        FailedDelivery(delivery.key, delivery.kind, delivery.recipient, error, delivery.platform)
    )
    log.warning("delivery %s failed permanently: %s", delivery.key, error)


def _send(
    sessions: sessionmaker[Session], delivery: Claimed, messenger: Messenger, progress: Progress
) -> tuple[int, Address] | None:
    payload = delivery.payload
    if is_file_delivery(payload):
        with sessions() as session:
            row = session.get(Delivery, delivery.id)
            if row is None:
                raise PermanentFailure("the delivery row is gone")
            send_file(session, row, messenger)
        return None
    replies = [reply_from_dict(r) for r in payload.get("replies", [])] or [reply_from_dict(payload)]
    replies = [for_platform(r, messenger.platform) for r in replies]
    kind, _, target = delivery.recipient.partition(":")
    if kind == "channel":
        messenger.post_channel(target, replies, progress)
        return None
    with sessions() as session:
        person, address = _address(session, kind, target)
        person_id = person.id if person is not None else None
    address = messenger.send_direct(address, replies, progress)
    return (person_id, address) if person_id is not None else None


def _address(session: Session, kind: str, target: str) -> tuple[Person | None, Address]:
    person: Person | None = None
    if kind == "person":
        person = session.get(Person, int(target))
    elif kind == "email":
        person = person_by_email(session, email=target)
        if person is None:
            return None, Address(email=target)
    elif kind == "slack":
        return None, Address(slack_user_id=target)
    elif kind == "teams":
        person = person_by_platform_id(session, platform="teams", user_id=target)
        if person is None:
            return None, Address(teams_user_id=target)
    if person is None:
        return None, Address()
    return person, Address(
        person_id=person.id,
        email=person.email,
        slack_user_id=person.slack_user_id,
        # A person known from a mention has only the chat id (29:…), which opens a chat too.
        teams_user_id=person.teams_user_id or person.teams_chat_id,
        tz=person.tz,
        teams_conversation_id=person.teams_conversation_id,
        teams_service_url=person.teams_service_url,
        teams_tenant_id=person.teams_tenant_id,
        teams_removed=person.teams_removed_at is not None,
    )


def route(session: Session, delivery: Delivery, messengers: Mapping[str, Messenger]) -> str:
    """The platform a row goes out on. Channels and platform ids keep theirs; a person goes
    where they are reachable, and a person on both platforms gets it once, on the one they
    prefer (owners file), else the one they used last."""
    kind, _, target = delivery.recipient.partition(":")
    if kind in ("slack", "teams"):
        return kind
    if kind not in ("person", "email"):
        return delivery.platform
    person = (
        session.get(Person, int(target))
        if kind == "person"
        else person_by_email(session, email=target)
    )
    if person is None:
        # Somebody known only by email (an admin the owners file does not list): the one
        # platform there is, when only one is configured.
        return _only(messengers) or delivery.platform
    teams = person.teams_user_id or person.teams_chat_id or person.teams_conversation_id
    known = [
        platform
        for platform, linked in (
            ("slack", person.slack_user_id),
            ("teams", teams and person.teams_removed_at is None),
        )
        if linked and platform in messengers
    ]
    for choice in (person.preferred_platform, person.last_platform):
        if choice in known:
            return choice
    if known:
        return known[0]
    if delivery.platform not in messengers:
        return _only(messengers) or delivery.platform
    return delivery.platform


def _only(messengers: Mapping[str, Messenger]) -> str | None:
    return next(iter(messengers)) if len(messengers) == 1 else None


def _remember(session: Session, person: Person, address: Address, delivery: Claimed) -> None:
    """Cache ids and time zones the platform told us, so the next send needs no lookup.

    Never at the cost of the send: an id another person already holds is left alone, since a
    failed commit here would leave a sent message marked pending, and it would go twice.
    """
    taken = (
        address.slack_user_id is not None
        and person_by_platform_id(session, platform="slack", user_id=address.slack_user_id)
        is not None
    )
    if address.slack_user_id and not person.slack_user_id and not taken:
        person.slack_user_id = address.slack_user_id
        person.updated_at = delivery.sent_at or person.updated_at
    if address.tz and not person.tz:
        person.tz = address.tz
    if address.teams_conversation_id and not person.teams_conversation_id:
        person.teams_conversation_id = address.teams_conversation_id
