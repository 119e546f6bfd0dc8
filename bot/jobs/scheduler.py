"""APScheduler wiring: the only module that knows about APScheduler.

Every few minutes: a nudge sweep (idempotent thanks to the outbox keys) and a delivery
round; once a week, the digest. With PostgreSQL several processes may run: only the one
holding a session-level advisory lock plans (a dedicated connection holds it), while
deliveries are shared safely through FOR UPDATE SKIP LOCKED. SQLite: one process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, text

from bot.core.config import ConfigError
from bot.core.runtime import Runtime
from bot.jobs.runner import digest_key, digest_platforms, run_delivery, run_digest, run_sweep
from bot.messengers.base import Messenger
from store.outbox import existing_keys

log = logging.getLogger(__name__)
LEADER_LOCK_KEY = 0x61637462  # "actb"
SWEEP_MINUTES = 10
DELIVERY_MINUTES = 1


class Leadership:
    """Who plans. On PostgreSQL, whoever holds the advisory lock; elsewhere, always us."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._connection: Connection | None = None
        self._lock = threading.Lock()

    def is_leader(self) -> bool:
        if self.runtime.engine.dialect.name != "postgresql":
            return True
        with self._lock:
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = self.runtime.engine.connect()
                    got = self._connection.execute(
                        text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_LOCK_KEY}
                    ).scalar()
                    self._connection.commit()
                    if not got:
                        self._connection.close()
                        self._connection = None
                        return False
                self._connection.execute(text("SELECT 1"))
            except Exception:  # noqa: BLE001 - a lost connection means we lost the lock
                log.warning("leader lock connection lost; another process may take over")
                self._connection = None
                return False
            return True

    def release(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def parse_digest_cron(spec: str, tz: str = "Europe/London") -> CronTrigger:
    """ "mon 08:30" (day and time) or a crontab line ("30 8 * * mon") in the zone `tz`.

    Raises:
        ConfigError: naming the setting and both accepted forms.
    """
    text = spec.strip()
    try:
        if len(text.split()) == 5:
            return CronTrigger.from_crontab(text, timezone=tz)
        day, _, clock = text.partition(" ")
        hour, _, minute = clock.partition(":")
        return CronTrigger(
            day_of_week=day or "mon", hour=int(hour or 8), minute=int(minute or 0), timezone=tz
        )
    except ValueError as exc:
        raise ConfigError(
            f"ACTIONBOT_DIGEST_CRON {spec!r} is not understood ({exc}); "
            "write a day and time like 'mon 08:30' or a crontab line like '30 8 * * mon'"
        ) from exc


def missed_digest_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """This ISO week's scheduled digest time if it has passed, else None.

    APScheduler keeps its schedule in memory, so a digest due while the bot was down would
    wait a week; the sweep calls this to post it late instead (the outbox key is per week,
    so it still goes once).
    """
    last: datetime | None = None
    fire: datetime | None = trigger.get_next_fire_time(None, now - timedelta(days=7))
    while fire is not None and fire <= now:
        last = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    if last is None or last.isocalendar()[:2] != now.astimezone(last.tzinfo).isocalendar()[:2]:
        return None
    return last


def build_scheduler(runtime: Runtime, messengers: Mapping[str, Messenger]) -> BackgroundScheduler:
    leadership = Leadership(runtime)
    scheduler = BackgroundScheduler(timezone=runtime.settings.tz)

    digest_trigger = parse_digest_cron(runtime.settings.digest_cron, runtime.settings.tz)

    def sweep_job() -> None:
        if leadership.is_leader():
            now = runtime.clock.now()
            result = run_sweep(runtime, now=now)
            log.info("nudge sweep: %s", result)
            settings = runtime.settings
            for platform in digest_platforms(settings):
                channel = (
                    settings.teams_digest_conversation
                    if platform == "teams"
                    else settings.digest_channel
                ) or ""
                if missed_digest_time(digest_trigger, now) is None:
                    break
                with runtime.sessions() as session:
                    key = digest_key(channel, now, scheduled=True)
                    sent = bool(existing_keys(session, keys=[key]))
                if not sent:
                    log.info("posting this week's digest late: the bot was down at its time")
                    run_digest(runtime, now=now, scheduled=True, platform=platform)
        delivery_job()

    def delivery_job() -> None:
        stats = run_delivery(runtime, messengers)
        if stats.sent or stats.failed or stats.rescheduled:
            log.info("deliveries: %s", stats)

    def digest_job() -> None:
        if leadership.is_leader():
            for platform in digest_platforms(runtime.settings):
                result = run_digest(
                    runtime, now=runtime.clock.now(), scheduled=True, platform=platform
                )
                log.info(
                    "digest for %s: %s",
                    result.channel,
                    "queued" if result.enqueued else "already sent",
                )
        delivery_job()

    common = {
        "replace_existing": True,
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": 300,
    }
    scheduler.add_job(sweep_job, IntervalTrigger(minutes=SWEEP_MINUTES), id="nudge_sweep", **common)
    scheduler.add_job(
        delivery_job, IntervalTrigger(minutes=DELIVERY_MINUTES), id="delivery", **common
    )
    scheduler.add_job(digest_job, digest_trigger, id="weekly_digest", **common)
    return scheduler
