"""What every entry point needs: settings, an upgraded database and a clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from store.db import make_engine, make_session_factory, upgrade
from store.health import Probe, State


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = field(default_factory=SystemClock)

    @cached_property
    def _probe(self) -> Probe:
        return Probe(self.engine)

    def database_state(self) -> State:
        """up, busy (SQLite locked, no connection free), down or full; within a second."""
        return self._probe()


def open_runtime(
    settings: Settings, *, clock: Clock | None = None, migrate: bool = True
) -> Runtime:
    """Connect to the register and bring its schema up to date (Alembic)."""
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine, evidence_dir=settings.evidence_dir),
        clock=clock or SystemClock(),
    )
