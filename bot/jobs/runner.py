"""Job entry points: one sweep, one digest, one delivery round. Plain functions of
(runtime, time); the scheduler, the CLI and `/action admin` all call these."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.calendar import calendar_for
from bot.core.collector import collector_paused
from bot.core.config import Settings
from bot.core.messages import Reply, reply_payload
from bot.core.runtime import Runtime
from bot.core.schedule import parse_days
from bot.jobs.admin_summary import ADMIN_SUMMARY, delivery_problem, note_problems, queue_summary
from bot.jobs.delivery import DeliveryStats, FailedDelivery, deliver_pending
from bot.jobs.digest import build_digest, digest_replies, digest_title, week_facts
from bot.jobs.digest_chart import (
    DigestChart,
    digest_charts,
    enqueue_charts,
    host_charts,
    report_lines,
)
from bot.jobs.facts import events_since, load_facts
from bot.jobs.nudges import SweepResult, admin_recipients, sweep
from bot.jobs.planner import local_day
from bot.jobs.reviews import digest_lines as review_digest_lines
from bot.messengers.base import Messenger
from bot.services.closure.report import digest_lines as closure_digest_lines
from bot.services.closure.report import with_closure_lines
from bot.services.closure.review import awaiting_verification_ids
from store.outbox import enqueue, existing_keys, failed_since


@dataclass
class DigestResult:
    replies: list[Reply]
    channel: str
    key: str
    enqueued: bool
    stats: DeliveryStats = field(default_factory=DeliveryStats)
    charts: list[DigestChart] = field(default_factory=list)


def run_sweep(runtime: Runtime, *, now: datetime, dry_run: bool = False) -> SweepResult:
    """Plan today's reminders as of `now` into the outbox (or, dry, just say what they'd be)."""
    cal = calendar_for(runtime.settings.holiday_region)
    with collector_paused(), runtime.sessions() as session:
        transaction = session.begin()
        try:
            result = sweep(session, now=now, settings=runtime.settings, cal=cal)
        except BaseException:
            transaction.rollback()
            raise
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return result


def digest_key(channel: str, now: datetime, *, scheduled: bool) -> str:
    if scheduled:
        year, week, _ = now.isocalendar()
        return f"channel:{channel}:digest:{year}-W{week:02d}"
    return f"channel:{channel}:digest:{now.isoformat()}"


def run_digest(
    runtime: Runtime,
    *,
    now: datetime,
    channel: str | None = None,
    dry_run: bool = False,
    scheduled: bool = False,
    platform: str = "slack",
) -> DigestResult:
    """Build the digest as of `now` and put it in the outbox for `channel`.

    The scheduled digest is keyed by ISO week, so it goes out once a week however many
    processes or restarts try; an on-demand one is keyed by the instant.
    """
    settings = runtime.settings
    configured = (
        settings.teams_digest_conversation if platform == "teams" else settings.digest_channel
    )
    target = channel or configured
    if not target:
        name = "TEAMS_DIGEST_CONVERSATION" if platform == "teams" else "DIGEST_CHANNEL"
        raise ValueError(f"no digest channel: set {name} or pass --channel")
    cal = calendar_for(settings.holiday_region)
    today, _ = local_day(now, settings.tz)
    with runtime.sessions() as session, session.begin():
        facts = load_facts(session, default_days=parse_days(settings.nudge_days), open_only=False)
        events = events_since(session, since=now - timedelta(days=7))
        failures = [
            delivery_problem(
                session,
                FailedDelivery(d.key, d.kind, d.recipient, d.last_error or "", d.platform),
                today=today,
            ).text.removeprefix("• ")
            for d in failed_since(session, since=now - timedelta(days=7))
            if d.kind != ADMIN_SUMMARY
        ]
        unreachable = {
            owner: [f"{a.plan_code}:{a.ref}" for a in actions]
            for owner, actions in facts.unreachable.items()
        }
        week: dict[str, set[int]] = {}
        charts = digest_charts(
            facts,
            today=today,
            platform=platform,
            shown=platform != "teams" or settings.public_url is not None,
        )
        sections = build_digest(
            facts,
            events,
            now=now,
            today=today,
            cal=cal,
            failures=failures,
            unreachable=unreachable,
            week=week,
            report_lines=with_closure_lines(
                report_lines(session, charts, now=now, cal=cal, tz=settings.tz),
                with_closure_lines(
                    closure_digest_lines(session, now=now),
                    review_digest_lines(session, now=now, tz=settings.tz, cal=cal),
                ),
            ),
            platform=platform,
            awaiting=frozenset(awaiting_verification_ids(session)),
        )
        replies = digest_replies(sections, title=digest_title(week_facts(week), today))
        key = digest_key(target, now, scheduled=scheduled)
        enqueued = False
        if not dry_run:
            fresh = not existing_keys(session, keys=[key])
            if platform == "teams" and fresh:  # the pictures go inside the cards
                host_charts(session, replies, charts, public_url=settings.public_url, now=now)
            enqueued = enqueue(
                session,
                key=key,
                platform=platform,
                recipient=f"channel:{target}",
                kind="digest",
                payload=reply_payload(replies),
                not_before=now,
                now=now,
            )
            if platform == "slack":  # uploaded into the digest's thread, each its own row
                enqueue_charts(session, charts, digest_key=key, channel=target, now=now)
    return DigestResult(replies, target, key, enqueued, charts=charts)


def digest_platforms(settings: Settings) -> list[str]:
    """Where the weekly digest goes: each platform with a digest channel configured."""
    platforms = ["slack"] if settings.digest_channel else []
    if settings.teams_digest_conversation:
        platforms.append("teams")
    return platforms


def run_delivery(
    runtime: Runtime,
    messengers: Mapping[str, Messenger],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryStats:
    stats = deliver_pending(runtime.sessions, messengers, clock=runtime.clock, sleep=sleep)
    if _tell_admins(runtime, stats):
        stats.absorb(
            deliver_pending(runtime.sessions, messengers, clock=runtime.clock, sleep=sleep)
        )
    return stats


def _tell_admins(runtime: Runtime, stats: DeliveryStats) -> bool:
    """Note this round's undeliverable messages, and queue the day's admin summary once the
    office day has begun; True when a summary was queued.

    A failed summary to an admin is not itself reported, or one bad admin id would loop.
    """
    now = runtime.clock.now()
    settings = runtime.settings
    failed = [f for f in stats.failed_rows if f.kind != ADMIN_SUMMARY]
    today, hour = local_day(now, settings.tz)
    office_open = hour >= settings.nudge_hour and calendar_for(
        settings.holiday_region
    ).is_working_day(today)
    with runtime.sessions.begin() as session:
        if failed:
            note_problems(
                session, (delivery_problem(session, f, today=today) for f in failed), now=now
            )
        if not office_open:
            return False
        return queue_summary(session, admins=admin_recipients(settings), today=today, now=now)
