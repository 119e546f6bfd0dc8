"""bot/services/imports/decision.py without any platform: Import, Cancel and Preview again,
and two Import clicks at the same moment (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.messages import Reply
from bot.services.audit import Actor
from bot.services.imports.apply import ImportOptions, import_file
from bot.services.imports.decision import decide
from bot.services.imports.preview import AGAIN, APPLY
from bot.services.imports.upload import Upload
from store.models import Action, Event, PendingImport, Plan
from tests.conftest import FIXTURES, SAMPLES
from tests.plan_workbooks import FIRST_REFS, SECOND_REFS, two_sheet_workbook
from tests.services.imports.chat_import import (
    ADMINS,
    NOW,
    click,
    decide_on,
    preview_of,
    refs_of,
    seed,
)


def test_two_import_clicks_at_once_import_once(sessions: sessionmaker[Session]) -> None:
    seed(sessions)
    edited = (
        (SAMPLES / "ncc-financial-management-2017.csv")
        .read_bytes()
        .replace(b"Strengthening political involvement", b"Deepening political involvement")
    )
    answer = preview_of(sessions, Upload("NCC.csv", edited))
    [apply] = [b for b in answer.reply.choices if b.kind == APPLY]
    with sessions() as session:
        before = session.scalar(select(func.count(Event.id)))
    start = threading.Barrier(2)
    results: list[Reply] = []

    def click() -> None:
        start.wait()
        results.append(
            decide(
                sessions,
                apply.value,
                APPLY,
                platform="slack",
                user_id="UADMIN",
                email=None,
                admins=ADMINS,
                now=NOW,
                attach=True,
            ).reply
        )

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.ok for r in results) == [False, True]
    assert any("already imported" in r.text for r in results)
    with sessions() as session:
        fields = session.scalars(select(Event.field).where(Event.source == "slack")).all()
        assert session.scalar(select(func.count(Event.id))) == before + len(fields)
        assert sorted(fields) == ["plan.source_file", "title"]  # once each
        [row] = session.scalars(select(PendingImport)).all()
        assert row.state == "applied" and row.data is None


@pytest.mark.parametrize(
    "name", ["ncc-financial-management-2017.xlsx", "ncc-financial-management-2017.docx"]
)
def test_excel_and_word_files_preview_and_import(
    sessions: sessionmaker[Session], name: str
) -> None:
    data = (FIXTURES / "office" / name).read_bytes()
    answer = preview_of(sessions, Upload(name, data, "OFFICE"))
    assert answer.reply.ok, answer.reply.text
    assert "There is no plan OFFICE yet" in answer.reply.text
    assert "25 to add" in answer.reply.text
    [apply] = [b for b in answer.reply.choices if b.kind == APPLY]
    done = decide(
        sessions,
        apply.value,
        APPLY,
        platform="slack",
        user_id="UADMIN",
        email=None,
        admins=ADMINS,
        now=NOW,
        attach=True,
    )
    assert done.reply.ok and "25 added" in done.reply.text
    with sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.code == "OFFICE")).one()
        assert session.scalar(select(func.count(Action.id)).where(Action.plan_id == plan.id)) == 25


def test_preview_again_and_import_read_the_file_as_the_first_preview_did(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    answer = preview_of(sessions, Upload("book.xlsx", two_sheet_workbook(), "TWO sheet 2"))
    assert "3 to add" in answer.reply.text
    # Meanwhile someone imports the workbook's first sheet into TWO from the command line.
    path = tmp_path / "book.xlsx"
    path.write_bytes(two_sheet_workbook())
    import_file(
        sessions,
        path=path,
        options=ImportOptions(plan_code="TWO", source_file="book.xlsx"),
        actor=Actor("test", "cli"),
        now=NOW,
    )
    assert refs_of(sessions, "TWO") == FIRST_REFS
    moved = click(sessions, answer, APPLY)
    assert not moved.ok and "since this preview" in moved.text
    [again] = [b for b in moved.choices if b.kind == AGAIN]
    fresh = decide_on(sessions, again.value, AGAIN)
    # Still sheet 2: read as sheet 1 it would be "0 to add, 2 unchanged".
    assert "3 to add, 0 to change, 0 unchanged" in fresh.reply.text
    assert "Read as your message said: `sheet 2`" in fresh.reply.text
    done = click(sessions, fresh, APPLY)
    assert done.ok and "3 added" in done.text
    assert refs_of(sessions, "TWO") == FIRST_REFS + SECOND_REFS
