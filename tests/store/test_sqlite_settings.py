"""The SQLite settings every connection gets (store.db._sqlite_pragmas)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from store.db import make_engine


def test_a_sqlite_register_runs_wal_with_synchronous_normal(tmp_path: Path) -> None:
    # WAL + synchronous=NORMAL: commits do not wait for an fsync (the per-request duplicate
    # check and an import's commit), yet a crash never corrupts the file.
    engine = make_engine(f"sqlite:///{tmp_path / 'register.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
