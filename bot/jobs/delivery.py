"""The delivery worker: send what the outbox holds, mark it sent, retry or give up.

Each delivery is claimed, sent and marked in one short transaction holding its row lock,
so two workers (two `actionbot serve` processes on PostgreSQL) never send the same row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.jobs.file_delivery import is_file_delivery, send_file
from bot.messages import Reply, reply_from_dict, reply_to_dict
from bot.messenger import Address, DeliveryError, Messenger, Progress, RateLimited
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


def deliver_pending(
    sessions: sessionmaker[Session],
    messengers: Mapping[str, Messenger],
    *,
    clock: Clock,
    sleep: Callable[[float], None],
    limit: int = 10_000,
) -> DeliveryStats:
    """Send up to `limit` due deliveries. `sleep` is injected so tests never really wait."""
    stats = DeliveryStats()
    for _ in range(limit):
        with sessions() as session, session.begin():
            delivery = claim_next(session, now=clock.now())
            if delivery is None:
                break
            _attempt(session, delivery, messengers, clock=clock, sleep=sleep, stats=stats)
    return stats


def _attempt(
    session: Session,
    delivery: Delivery,
    messengers: Mapping[str, Messenger],
    *,
    clock: Clock,
    sleep: Callable[[float], None],
    stats: DeliveryStats,
) -> None:
    delivery.platform = route(session, delivery, messengers)
    messenger = messengers.get(delivery.platform)
    if messenger is None:
        _give_up(delivery, f"no messenger for platform {delivery.platform!r}", stats)
        return
    progress = Progress(**delivery.payload.get("progress", {}))
    try:
        _attempt_sending(
            session, delivery, messenger, progress, clock=clock, sleep=sleep, stats=stats
        )
    except Exception as exc:
        # A bug or a message the platform can never take must not block the queue behind it,
        # and is not retried: a half-sent message would repeat. It is reported like a
        # permanent error.
        log.exception("delivery %s failed unexpectedly", delivery.key)
        _give_up(delivery, f"{type(exc).__name__}: {exc}", stats)
    # Saved with the row, so a retry resumes after the messages that already went.
    delivery.payload = {**delivery.payload, "progress": asdict(progress)}


def _attempt_sending(
    session: Session,
    delivery: Delivery,
    messenger: Messenger,
    progress: Progress,
    *,
    clock: Clock,
    sleep: Callable[[float], None],
    stats: DeliveryStats,
) -> None:
    for _ in range(INLINE_RATE_LIMIT_TRIES):
        delivery.attempts += 1
        try:
            _send(session, delivery, messenger, progress)
        except RateLimited as exc:
            stats.rate_limited += 1
            wait = exc.retry_after if exc.retry_after is not None else 1.0
            if wait <= INLINE_RATE_LIMIT_WAIT:
                sleep(wait)
                continue
            _later(delivery, clock, timedelta(seconds=wait), str(exc), stats)
            return
        except DeliveryError as exc:
            if exc.permanent or delivery.attempts >= MAX_ATTEMPTS:
                _give_up(delivery, str(exc), stats)
            else:
                _later(delivery, clock, backoff(delivery.attempts), str(exc), stats)
            return
        delivery.state = "sent"
        delivery.sent_at = clock.now()
        delivery.last_error = None
        stats.sent += 1
        return
    _later(delivery, clock, timedelta(seconds=INLINE_RATE_LIMIT_WAIT), "still rate limited", stats)


def _later(
    delivery: Delivery, clock: Clock, wait: timedelta, error: str, stats: DeliveryStats
) -> None:
    delivery.not_before = clock.now() + wait
    delivery.last_error = error
    stats.rescheduled += 1


def _give_up(delivery: Delivery, error: str, stats: DeliveryStats) -> None:
    delivery.state = "failed"
    delivery.last_error = error
    stats.failed += 1
    stats.failures.append(f"{delivery.kind} to {delivery.recipient}: {error}")
    stats.failed_rows.append(FailedDelivery(delivery.key, delivery.kind, delivery.recipient, error))
    log.warning("delivery %s failed permanently: %s", delivery.key, error)


def _send(session: Session, delivery: Delivery, messenger: Messenger, progress: Progress) -> None:
    payload = delivery.payload
    if is_file_delivery(payload):
        send_file(session, delivery, messenger)
        return
    replies = [reply_from_dict(r) for r in payload.get("replies", [])] or [reply_from_dict(payload)]
    kind, _, target = delivery.recipient.partition(":")
    if kind == "channel":
        messenger.post_channel(target, replies, progress)
        return
    person, address = _address(session, kind, target)
    address = messenger.send_direct(address, replies, progress)
    if person is not None:
        _remember(session, person, address, delivery)


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
        teams_user_id=person.teams_user_id,
        tz=person.tz,
        teams_conversation_id=person.teams_conversation_id,
        teams_service_url=person.teams_service_url,
        teams_tenant_id=person.teams_tenant_id,
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
        return delivery.platform
    known = [
        platform
        for platform, linked in (
            ("slack", person.slack_user_id),
            ("teams", person.teams_user_id or person.teams_conversation_id),
        )
        if linked and platform in messengers
    ]
    for choice in (person.preferred_platform, person.last_platform):
        if choice in known:
            return choice
    if known:
        return known[0]
    if delivery.platform not in messengers and len(messengers) == 1:
        return next(iter(messengers))
    return delivery.platform


def _remember(session: Session, person: Person, address: Address, delivery: Delivery) -> None:
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


def reply_payload(replies: list[Reply]) -> dict[str, object]:
    return {"replies": [reply_to_dict(r) for r in replies]}
