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

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, text

from bot.jobs.runner import run_delivery, run_digest, run_sweep
from bot.messenger import Messenger
from bot.runtime import Runtime

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


def parse_digest_cron(spec: str) -> CronTrigger:
    """ "mon 08:30" → every Monday at 08:30 (ACTIONBOT_TZ)."""
    day, _, clock = spec.strip().partition(" ")
    hour, _, minute = clock.partition(":")
    return CronTrigger(day_of_week=day or "mon", hour=int(hour or 8), minute=int(minute or 0))


def build_scheduler(runtime: Runtime, messengers: Mapping[str, Messenger]) -> BackgroundScheduler:
    leadership = Leadership(runtime)
    scheduler = BackgroundScheduler(timezone=runtime.settings.tz)

    def sweep_job() -> None:
        if leadership.is_leader():
            result = run_sweep(runtime, now=runtime.clock.now())
            log.info("nudge sweep: %s", result)
        delivery_job()

    def delivery_job() -> None:
        stats = run_delivery(runtime, messengers)
        if stats.sent or stats.failed or stats.rescheduled:
            log.info("deliveries: %s", stats)

    def digest_job() -> None:
        if leadership.is_leader() and runtime.settings.digest_channel:
            result = run_digest(runtime, now=runtime.clock.now(), scheduled=True)
            log.info(
                "digest for %s: %s", result.channel, "queued" if result.enqueued else "already sent"
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
    scheduler.add_job(
        digest_job, parse_digest_cron(runtime.settings.digest_cron), id="weekly_digest", **common
    )
    return scheduler
