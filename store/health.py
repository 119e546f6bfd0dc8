"""`/healthz`'s question: can the register take a write right now? Answered within a second.

The app's own engine is the wrong thing to ask: a SQLite register has one pooled connection
(store/db.py), and a write lock held elsewhere makes a new transaction wait 30 s for it, so a
health check through it hangs exactly when it matters. The probe opens its own short-lived
connection with a short timeout instead.
"""

from __future__ import annotations

from typing import Literal, cast

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from store.outage import outage_of

State = Literal["up", "busy", "down", "full"]
TIMEOUT_S = 0.8


class Probe:
    """Asks the database behind `engine` for a write lock (SQLite) or a round trip
    (PostgreSQL), waiting at most TIMEOUT_S."""

    def __init__(self, engine: Engine) -> None:
        url = engine.url
        self.sqlite = url.get_backend_name() == "sqlite"
        args: dict[str, object]
        if self.sqlite:
            args = {"timeout": TIMEOUT_S, "check_same_thread": False, "isolation_level": None}
        else:
            args = {
                "connect_timeout": max(1, round(TIMEOUT_S)),
                "options": f"-c statement_timeout={int(TIMEOUT_S * 1000)}",
            }
        self.engine = create_engine(url, poolclass=NullPool, connect_args=args)

    def __call__(self) -> State:
        try:
            with self.engine.connect() as connection:
                if self.sqlite:
                    # The write lock every command takes at BEGIN (store/db.py), and let go.
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                    connection.exec_driver_sql("ROLLBACK")
                else:
                    connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure is a state to report
            outage = outage_of(exc)
            return "down" if outage is None else cast(State, outage.kind)
        return "up"
