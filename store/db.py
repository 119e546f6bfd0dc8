"""Engines, sessions and schema upgrades. Nothing here runs at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Re-exported: they lived here before the CLI needed them without SQLAlchemy.
from store.evidence_files import SESSION_KEY as EVIDENCE_DIR_KEY
from store.revisions import MIGRATIONS_DIR as MIGRATIONS_DIR
from store.revisions import script_head as script_head

if TYPE_CHECKING:
    from alembic.config import Config


def normalise_url(url: str) -> str:
    """Let admins write `postgresql://…` (as psql and Heroku do) and still get psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url` with the settings actionbot relies on."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        # Several threads (Bolt's listener pool, the scheduler) share one SQLite file.
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        # SQLite has one writer, and every transaction here takes the write lock at BEGIN.
        # Threads queue for one connection in FIFO order instead of polling the file lock
        # with SQLite's growing sleeps (a convoy: bursts then took seconds, not milliseconds).
        if make_url(url).database not in (None, "", ":memory:"):  # a file: a QueuePool
            kwargs.setdefault("pool_size", 1)
            kwargs.setdefault("max_overflow", 0)
            kwargs.setdefault("pool_timeout", 60)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite only opens a transaction at the first write, so a read-then-update (two owners
    # changing one action at once) would lose an update; we issue BEGIN ourselves instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is SQLite's documented safe setting: a commit no longer waits for
    # an fsync (the WAL is synced at checkpoints), so a power cut can lose the last commits
    # before it but never corrupts the file; a crash of the process alone loses nothing.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    # Take the write lock when the transaction starts: SQLite's stand-in for SELECT … FOR UPDATE.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(
    engine: Engine, *, evidence_dir: Path | None = None
) -> sessionmaker[Session]:
    """Sessions on `engine`; `evidence_dir` (EVIDENCE_DIR) is where evidence files go
    (store/evidence_files.py), None: in the register."""
    info = {EVIDENCE_DIR_KEY: str(evidence_dir)} if evidence_dir else {}
    return sessionmaker(engine, expire_on_commit=False, info=info)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


MIGRATION_LOCK_KEY = 0x61636D69  # "acmi": any constant other processes do not use


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (Alembic), on the engine's own connection."""
    if revision == "head" and at_head(engine):
        # Nothing to do, and Alembic itself (with every migration script) costs a CLI command
        # about 0.2 s of CPU just to load and find that out.
        return
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several instances starting at once: one migrates, the others wait for it and
            # then find nothing to do. Released when this transaction ends.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def at_head(engine: Engine) -> bool:
    """True when the database records exactly the scripts' head revision (one cheap query)."""
    head = script_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except Exception:  # noqa: BLE001 - no table yet, or unreadable: let Alembic decide
        return False
    return [row[0] for row in rows] == [head]
