"""bot/services/imports/preview.py without any platform: what a preview reads and shows
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.services.imports.message import ReadOptions
from bot.services.imports.preview import APPLY
from bot.services.imports.upload import Upload
from store.models import Action, PendingImport, Plan
from tests.plan_workbooks import (
    FIRST_REFS,
    ODD_OWNER,
    ODD_REF,
    SECOND_REFS,
    SECOND_SHEET,
    odd_headers_csv,
    two_sheet_workbook,
)
from tests.services.imports.chat_import import click, pending_count, preview_of, refs_of


@pytest.mark.parametrize(
    ("comment", "refs"),
    [
        ("TWO sheet 2", SECOND_REFS),
        (f'TWO sheet "{SECOND_SHEET.lower()}"', SECOND_REFS),
        ("TWO sheet all", FIRST_REFS + SECOND_REFS),
        ("TWO", FIRST_REFS),
    ],
)
def test_a_workbook_is_read_on_the_sheet_the_message_names(
    sessions: sessionmaker[Session], comment: str, refs: list[str]
) -> None:
    answer = preview_of(sessions, Upload("book.xlsx", two_sheet_workbook(), comment))
    text = answer.reply.text
    assert answer.reply.ok, text
    assert f"{len(refs)} to add" in text
    for ref in FIRST_REFS + SECOND_REFS:
        assert (f"• {ref}" in text) is (ref in refs), ref
    if comment == "TWO":
        # The importer's hint, in the form this admin can use.
        assert f"'{SECOND_SHEET}' also look like plans (the message `TWO sheet all`" in text
        assert "--sheet" not in text
    else:
        assert f"Read as your message said: `{comment[4:]}`" in text
    done = click(sessions, answer, APPLY)
    assert done.ok and f"{len(refs)} added" in done.text
    assert refs_of(sessions, "TWO") == sorted(refs)


def test_the_previews_digest_covers_the_options(sessions: sessionmaker[Session]) -> None:
    answer = preview_of(sessions, Upload("book.xlsx", two_sheet_workbook(), "TWO sheet 2"))
    with sessions() as session:
        [row] = session.scalars(select(PendingImport)).all()
        assert ReadOptions.from_json(row.options) == ReadOptions(sheet="2")
        row.options = ReadOptions(sheet="1").to_json()  # another reading than the preview's
        session.commit()
    refused = click(sessions, answer, APPLY)
    assert not refused.ok and "other than the preview showed" in refused.text
    assert refs_of(sessions, "TWO") == []


def test_a_reference_column_with_an_unusual_header_is_named_with_map(
    sessions: sessionmaker[Session],
) -> None:
    unread = preview_of(sessions, Upload("odd.csv", odd_headers_csv(), "ODD"))
    text = unread.reply.text
    assert not unread.reply.ok and "no reference column found" in text
    assert 'name it with the message `ODD map ref="<header>"`' in text
    assert "Send the file again with the message" in text and "Nothing was changed" in text
    assert "--map" not in text
    assert pending_count(sessions) == 0

    comment = f'ODD map ref="{ODD_REF}" map owners=\u201c{ODD_OWNER}\u201d'
    answer = preview_of(sessions, Upload("odd.csv", odd_headers_csv(), comment))
    assert answer.reply.ok and "2 to add" in answer.reply.text, answer.reply.text
    assert click(sessions, answer, APPLY).ok
    assert refs_of(sessions, "ODD") == ["A-1", "A-2"]
    with sessions() as session:
        owners = session.scalars(select(Action.owners_text).order_by(Action.ref)).all()
    assert list(owners) == ["Head of Finance", "Head of HR"]


def test_due_gives_undated_actions_the_plans_default_due_date(
    sessions: sessionmaker[Session],
) -> None:
    undated = b"Ref,Action,Owner\n1,Publish the budget timetable,Finance\n"
    without = preview_of(sessions, Upload("u.csv", undated, "UND"))
    assert "would have no due date" in without.reply.text
    answer = preview_of(sessions, Upload("u.csv", undated, "UND due 2027-03-31"))
    assert "would have no due date" not in answer.reply.text
    assert "Read as your message said: `due 2027-03-31`" in answer.reply.text
    assert click(sessions, answer, APPLY).ok
    with sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.code == "UND")).one()
        due = session.scalars(select(Action.due_date).where(Action.plan_id == plan.id)).one()
    assert plan.default_due == date(2027, 3, 31) == due
