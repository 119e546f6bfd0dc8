"""Evidence files in EVIDENCE_DIR: named by their SHA-256 (never by the name a person gave),
the register keeping name, size, type, SHA-256 and place; read back checked, a file gone or
changed in the folder reported rather than crashed on. SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.handlers.console import ConsoleDoor
from bot.services.closure.evidence import Attachment
from bot.services.export import export_json
from store.db import make_session_factory
from store.models import Evidence, Plan
from tests.handlers.test_console import NOW, seeded
from tests.services.test_closure import closure_plan

HOSTILE_NAMES = (
    "../../etc/passwd.pdf",
    "/etc/shadow.txt",
    "minutes\x1b[31m\x07\r\nred <!channel> *bold* 🎉.pdf",
)


def folder_door(
    db_url: str, sessions: sessionmaker[Session], folder: Path
) -> tuple[ConsoleDoor, sessionmaker[Session]]:
    seeded(db_url, sessions)
    closure_plan(sessions, verify="Internal Audit", approve=None)
    kept = make_session_factory(sessions.kw["bind"], evidence_dir=folder)
    settings = Settings(_env_file=None, DATABASE_URL=db_url, EVIDENCE_DIR=str(folder))  # type: ignore[call-arg]
    return ConsoleDoor(sessions=kept, clock=FixedClock(NOW), settings=settings), kept


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_files_go_to_the_folder_named_by_sha256_never_by_the_name_given(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    root = tmp_path / "root"
    folder = root / "deep" / "evidence"
    console, kept = folder_door(db_url, sessions, folder)
    finance = console.user("Finance")
    sent = [Attachment(name, f"bytes of {i}".encode()) for i, name in enumerate(HOSTILE_NAMES)]
    done = console._converse(finance, text="2.4 done", attachments=sent).reply
    assert done.ok, done.text
    digests = {hashlib.sha256(a.data).hexdigest(): a for a in sent}
    assert files_under(root) == sorted(folder / d[:2] / d for d in digests)
    assert not (root / "etc").exists() and not Path("/etc/passwd.pdf").exists()
    with kept() as session:
        rows = session.scalars(select(Evidence).order_by(Evidence.id)).all()
        assert [r.filename for r in rows] == list(HOSTILE_NAMES)  # as given, not as a path
        for row in rows:
            assert row.content is None and row.size == len(digests[row.sha256 or ""].data)
            assert row.location == f"{row.sha256[:2]}/{row.sha256}"  # type: ignore[index]
        plan = session.scalar(select(Plan))
        assert plan is not None
        exported = json.loads(export_json(session, plan=plan))
    [record] = [r for r in exported if r.get("evidence")]
    assert [(e["filename"], e["stored"], e["problem"]) for e in record["evidence"]] == [
        (name, "folder", None) for name in HOSTILE_NAMES
    ]
    shown = console.say(finance, "2.4").reply
    assert all(name in shown.text for name in HOSTILE_NAMES) and "⚠" not in shown.text


def test_the_same_bytes_twice_are_one_file_in_the_folder(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    console, kept = folder_door(db_url, sessions, tmp_path / "evidence")
    finance = console.user("Finance")
    for name in ("a.pdf", "b.pdf"):
        assert console._converse(
            finance, text="2.4 done", attachments=[Attachment(name, b"%PDF same")]
        ).reply.ok
    assert len(files_under(tmp_path / "evidence")) == 1
    with kept() as session:
        assert len(session.scalars(select(Evidence)).all()) == 2


def test_a_file_gone_or_changed_in_the_folder_is_reported_not_crashed_on(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    console, kept = folder_door(db_url, sessions, tmp_path / "evidence")
    finance = console.user("Finance")
    sent = [Attachment("gone.pdf", b"%PDF gone"), Attachment("changed.pdf", b"%PDF changed")]
    assert console._converse(finance, text="2.4 done", attachments=sent).reply.ok
    with kept() as session:
        gone, changed = session.scalars(select(Evidence).order_by(Evidence.id)).all()
    evidence = tmp_path / "evidence"
    (evidence / (gone.location or "")).unlink()
    (evidence / (changed.location or "")).write_bytes(b"%PDF tampered with")
    shown = console.say(finance, "2.4").reply
    assert shown.ok
    assert "gone.pdf (9 bytes, SHA-256 " in shown.text
    assert "⚠ missing from the evidence folder" in shown.text
    assert "⚠ changed since it was kept (its SHA-256 no longer matches)" in shown.text
    with kept() as session:
        plan = session.scalar(select(Plan))
        assert plan is not None
        [record] = [r for r in json.loads(export_json(session, plan=plan)) if r.get("evidence")]
    problems = [e["problem"] for e in record["evidence"]]
    assert problems == [
        "missing from the evidence folder",
        "changed since it was kept (its SHA-256 no longer matches)",
    ]


def test_a_folder_moved_and_evidence_dir_pointed_at_it_still_serves_its_files(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    console, _ = folder_door(db_url, sessions, tmp_path / "old")
    finance = console.user("Finance")
    sent = [Attachment("minutes.pdf", b"%PDF moved")]
    assert console._converse(finance, text="2.4 done", attachments=sent).reply.ok
    (tmp_path / "old").rename(tmp_path / "new")
    moved = make_session_factory(sessions.kw["bind"], evidence_dir=tmp_path / "new")
    settings = Settings(_env_file=None, DATABASE_URL=db_url, EVIDENCE_DIR=str(tmp_path / "new"))  # type: ignore[call-arg]
    after = ConsoleDoor(sessions=moved, clock=FixedClock(NOW), settings=settings)
    shown = after.say(after.user("Finance"), "2.4").reply
    assert "minutes.pdf (10 bytes, SHA-256 " in shown.text and "⚠" not in shown.text
    unset = ConsoleDoor(sessions=sessions, clock=FixedClock(NOW), settings=settings)
    assert "⚠ kept in the evidence folder, and EVIDENCE_DIR is not set" in (
        unset.say(unset.user("Finance"), "2.4").reply.text
    )


def test_without_evidence_dir_the_bytes_stay_in_the_register(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    console = seeded(db_url, sessions)
    closure_plan(sessions, verify="Internal Audit", approve=None)
    finance = console.user("Finance")
    sent = [Attachment("../../etc/passwd.pdf", b"%PDF kept")]
    assert console._converse(finance, text="2.4 done", attachments=sent).reply.ok
    with sessions() as session:
        row = session.scalars(select(Evidence)).one()
        assert (row.content, row.location) == (b"%PDF kept", None)
        plan = session.scalar(select(Plan))
        assert plan is not None
        [record] = [r for r in json.loads(export_json(session, plan=plan)) if r.get("evidence")]
    assert (record["evidence"][0]["stored"], record["evidence"][0]["problem"]) == ("register", None)


def test_a_folder_that_cannot_be_written_refuses_the_file_and_changes_nothing(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    console, kept = folder_door(db_url, sessions, blocker)
    refused = console._converse(
        console.user("Finance"), text="2.4 done", attachments=[Attachment("a.pdf", b"%PDF")]
    ).reply
    assert not refused.ok and "could not be written to the evidence folder" in refused.text
    assert "Nothing was changed" in refused.text
    with kept() as session:
        assert session.scalar(select(Evidence)) is None


def test_names_too_long_to_keep_as_given_or_with_nul_are_refused(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    console, kept = folder_door(db_url, sessions, tmp_path / "evidence")
    finance = console.user("Finance")
    for name in ("x" * 3000 + ".pdf", "a\x00b.pdf"):
        refused = console._converse(
            finance, text="2.4 done", attachments=[Attachment(name, b"%PDF")]
        ).reply
        assert not refused.ok and "at most 300 characters" in refused.text
    with kept() as session:
        assert session.scalar(select(Evidence)) is None
    assert files_under(tmp_path / "evidence") == []
