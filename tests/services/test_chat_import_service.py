"""bot/services/imports/chat.py without any platform: the grammar, which plan a file goes to,
Excel and Word files, and two Import clicks at the same moment (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.commands.grammar import parse, to_text
from bot.commands.help import help_text
from bot.commands.types import AdminImport, ParseError
from bot.core.messages import Reply
from bot.services.audit import Actor
from bot.services.imports.apply import ImportOptions, import_file
from bot.services.imports.chat import (
    AGAIN,
    APPLY,
    ChatImportAnswer,
    Decision,
    Upload,
    decide,
    plan_code_for,
    preview_upload,
    request_for,
)
from bot.services.imports.message import ReadOptions
from store.models import Action, Event, PendingImport, Plan
from tests.conftest import FIXTURES, SAMPLES
from tests.plan_workbooks import (
    FIRST_REFS,
    FIRST_SHEET,
    ODD_OWNER,
    ODD_REF,
    SECOND_REFS,
    SECOND_SHEET,
    odd_headers_csv,
    two_sheet_workbook,
)

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
TODAY = date(2018, 1, 15)
ADMINS = frozenset({"uadmin"})


def test_admin_import_in_the_grammar() -> None:
    assert parse("admin import", today=TODAY) == AdminImport()
    assert parse("admin import ncc", today=TODAY) == AdminImport("NCC")
    assert isinstance(parse("admin import NCC AFEP", today=TODAY), ParseError)
    for command in (AdminImport(), AdminImport("NCC")):
        assert parse(to_text(command), today=TODAY) == command
    assert "admin import [PLAN]" in help_text(today=TODAY, admin=True)
    assert "admin import" not in help_text(today=TODAY, admin=False)


def _seed(sessions: sessionmaker[Session]) -> None:
    import_file(
        sessions,
        path=SAMPLES / "ncc-financial-management-2017.csv",
        options=ImportOptions(
            plan_code="NCC", source_file="ncc.csv", default_due=date(2018, 3, 31)
        ),
        actor=Actor("test", "cli"),
        now=NOW,
    )


@pytest.mark.parametrize(
    ("filename", "comment", "expected"),
    [
        ("anything.csv", "NCC", "NCC"),
        ("anything.csv", "ncc", "NCC"),  # the plan's own spelling
        ("anything.csv", "import ncc", "NCC"),
        ("anything.csv", "/action admin import afep", "AFEP"),  # a new plan, upper-cased
        ("NCC.csv", "", "NCC"),
        ("ncc-2018 final.xlsx", "", "NCC"),
    ],
)
def test_which_plan_a_file_goes_to(
    sessions: sessionmaker[Session], filename: str, comment: str, expected: str
) -> None:
    _seed(sessions)
    with sessions() as session:
        assert plan_code_for(session, filename=filename, comment=comment, platform="slack") == (
            expected
        )


@pytest.mark.parametrize(
    ("filename", "comment", "said"),
    [
        ("AFEP.csv", "", "Which plan is AFEP.csv for?"),  # a name never makes a new plan
        ("plan.csv", "please import this for NCC", "is not one"),
    ],
)
def test_a_file_whose_plan_is_unclear_is_asked_about(
    sessions: sessionmaker[Session], filename: str, comment: str, said: str
) -> None:
    _seed(sessions)
    with sessions() as session:
        answer = plan_code_for(session, filename=filename, comment=comment, platform="slack")
    assert isinstance(answer, Reply) and not answer.ok and said in answer.text


def _preview(sessions: sessionmaker[Session], upload: Upload) -> ChatImportAnswer:
    return preview_upload(
        sessions,
        upload,
        platform="slack",
        user_id="UADMIN",
        email=None,
        admins=ADMINS,
        now=NOW,
        attach=True,
    )


@pytest.mark.parametrize(
    "name", ["ncc-financial-management-2017.xlsx", "ncc-financial-management-2017.docx"]
)
def test_excel_and_word_files_preview_and_import(
    sessions: sessionmaker[Session], name: str
) -> None:
    data = (FIXTURES / "office" / name).read_bytes()
    answer = _preview(sessions, Upload(name, data, "OFFICE"))
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


def test_two_import_clicks_at_once_import_once(sessions: sessionmaker[Session]) -> None:
    _seed(sessions)
    edited = (
        (SAMPLES / "ncc-financial-management-2017.csv")
        .read_bytes()
        .replace(b"Strengthening political involvement", b"Deepening political involvement")
    )
    answer = _preview(sessions, Upload("NCC.csv", edited))
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


# -- how to read the file, from the message (the command line's --sheet, --map, --default-due)


def _click(sessions: sessionmaker[Session], answer: ChatImportAnswer, kind: Decision) -> Reply:
    [button] = [b for b in answer.reply.choices if b.kind == kind]
    return _decide(sessions, button.value, kind).reply


def _decide(sessions: sessionmaker[Session], pending_id: str, kind: Decision) -> ChatImportAnswer:
    return decide(
        sessions,
        pending_id,
        kind,
        platform="slack",
        user_id="UADMIN",
        email=None,
        admins=ADMINS,
        now=NOW,
        attach=True,
    )


def _refs(sessions: sessionmaker[Session], code: str) -> list[str]:
    with sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.code == code)).one_or_none()
        if plan is None:
            return []
        return sorted(session.scalars(select(Action.ref).where(Action.plan_id == plan.id)))


def _pending(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count(PendingImport.id))) or 0)


@pytest.mark.parametrize(
    ("comment", "code", "options"),
    [
        ("NCC", "NCC", ReadOptions()),
        ("import ncc sheet 2", "NCC", ReadOptions(sheet="2")),
        ('NCC sheet "Action plan"', "NCC", ReadOptions(sheet="Action plan")),
        ("NCC sheet \u201cAction plan\u201d", "NCC", ReadOptions(sheet="Action plan")),
        ("NCC sheet Children\u2019s", "NCC", ReadOptions(sheet="Children\u2019s")),
        ("NCC sheet Children's", "NCC", ReadOptions(sheet="Children's")),
        ("NCC SHEET all", "NCC", ReadOptions(sheet="all")),
        (
            'NCC map ref="Action Ref." map Owners=\u201cLead Officer\u201d',
            "NCC",
            ReadOptions(mapping=(("ref", "Action Ref."), ("owners", "Lead Officer"))),
        ),
        ("NCC due 2027-03-31", "NCC", ReadOptions(default_due=date(2027, 3, 31))),
        (
            "NCC --sheet 2 --map ref=Key --default-due 2027-03-31",
            "NCC",
            ReadOptions("2", (("ref", "Key"),), date(2027, 3, 31)),
        ),
        ("NCC \u2014sheet 2", "NCC", ReadOptions(sheet="2")),  # autocorrected --sheet
        ("sheet 2", "NCC", ReadOptions(sheet="2")),  # no code: the file's name says NCC
        ("AFEP sheet all", "AFEP", ReadOptions(sheet="all")),  # a new plan
    ],
)
def test_the_message_says_the_plan_and_how_to_read_the_file(
    sessions: sessionmaker[Session], comment: str, code: str, options: ReadOptions
) -> None:
    _seed(sessions)
    with sessions() as session:
        wanted = request_for(session, filename="NCC.xlsx", comment=comment, platform="slack")
    assert wanted == (code, options)
    assert ReadOptions.from_json(options.to_json()) == options


@pytest.mark.parametrize(
    ("comment", "said"),
    [
        ("NCC sheet", "`sheet` needs a value"),
        ("NCC tab 2", "'tab' is not one of `sheet`, `map` or `due`"),
        ("NCC archive-missing", "'archive-missing' is not one of `sheet`, `map` or `due`"),
        ("NCC map colour=Status", "`map` names an unknown field 'colour'; fields are: ref,"),
        ("NCC map ref", "`map` wants field=\"Header in file\", got 'ref'"),
        ('NCC sheet "Action plan', "a quote is not closed"),
        ("NCC due 31/03/2027", "`due` wants a date as YYYY-MM-DD"),
        ("NCC sheet 1 sheet 2", "name one sheet"),
        ("N.C.C sheet 2", "'N.C.C' is not one"),
    ],
)
def test_a_message_that_cannot_be_read_is_answered_in_chat_terms(
    sessions: sessionmaker[Session], comment: str, said: str
) -> None:
    _seed(sessions)
    with sessions() as session:
        answer = request_for(session, filename="plan.xlsx", comment=comment, platform="slack")
    assert isinstance(answer, Reply) and not answer.ok
    assert said in answer.text and "Nothing was changed" in answer.text
    assert "--" not in answer.text.replace(comment, "")


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
    answer = _preview(sessions, Upload("book.xlsx", two_sheet_workbook(), comment))
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
    done = _click(sessions, answer, APPLY)
    assert done.ok and f"{len(refs)} added" in done.text
    assert _refs(sessions, "TWO") == sorted(refs)


def test_preview_again_and_import_read_the_file_as_the_first_preview_did(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    answer = _preview(sessions, Upload("book.xlsx", two_sheet_workbook(), "TWO sheet 2"))
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
    assert _refs(sessions, "TWO") == FIRST_REFS
    moved = _click(sessions, answer, APPLY)
    assert not moved.ok and "since this preview" in moved.text
    [again] = [b for b in moved.choices if b.kind == AGAIN]
    fresh = _decide(sessions, again.value, AGAIN)
    # Still sheet 2: read as sheet 1 it would be "0 to add, 2 unchanged".
    assert "3 to add, 0 to change, 0 unchanged" in fresh.reply.text
    assert "Read as your message said: `sheet 2`" in fresh.reply.text
    done = _click(sessions, fresh, APPLY)
    assert done.ok and "3 added" in done.text
    assert _refs(sessions, "TWO") == FIRST_REFS + SECOND_REFS


def test_the_previews_digest_covers_the_options(sessions: sessionmaker[Session]) -> None:
    answer = _preview(sessions, Upload("book.xlsx", two_sheet_workbook(), "TWO sheet 2"))
    with sessions() as session:
        [row] = session.scalars(select(PendingImport)).all()
        assert ReadOptions.from_json(row.options) == ReadOptions(sheet="2")
        row.options = ReadOptions(sheet="1").to_json()  # another reading than the preview's
        session.commit()
    refused = _click(sessions, answer, APPLY)
    assert not refused.ok and "other than the preview showed" in refused.text
    assert _refs(sessions, "TWO") == []


def test_a_reference_column_with_an_unusual_header_is_named_with_map(
    sessions: sessionmaker[Session],
) -> None:
    unread = _preview(sessions, Upload("odd.csv", odd_headers_csv(), "ODD"))
    text = unread.reply.text
    assert not unread.reply.ok and "no reference column found" in text
    assert 'name it with the message `ODD map ref="<header>"`' in text
    assert "Send the file again with the message" in text and "Nothing was changed" in text
    assert "--map" not in text
    assert _pending(sessions) == 0

    comment = f'ODD map ref="{ODD_REF}" map owners=\u201c{ODD_OWNER}\u201d'
    answer = _preview(sessions, Upload("odd.csv", odd_headers_csv(), comment))
    assert answer.reply.ok and "2 to add" in answer.reply.text, answer.reply.text
    assert _click(sessions, answer, APPLY).ok
    assert _refs(sessions, "ODD") == ["A-1", "A-2"]
    with sessions() as session:
        owners = session.scalars(select(Action.owners_text).order_by(Action.ref)).all()
    assert list(owners) == ["Head of Finance", "Head of HR"]


@pytest.mark.parametrize(
    ("filename", "data", "comment", "said"),
    [
        (
            "book.xlsx",
            two_sheet_workbook(),
            "TWO sheet 3",
            f"`sheet 3`: the workbook has 2 sheets: '{FIRST_SHEET}', '{SECOND_SHEET}'",
        ),
        ("book.xlsx", two_sheet_workbook(), 'TWO sheet "Budget"', '`sheet "Budget"`: no such'),
        # A digit Python reads as one but int() does not: a sheet name, not a crash.
        ("book.xlsx", two_sheet_workbook(), 'TWO sheet "²"', '`sheet "²"`: no such'),
        ("odd.csv", odd_headers_csv(), "ODD sheet 2", "`sheet` is for Excel workbooks"),
        (  # raised inside the sheet, and said with the sheet's name before it
            "book.xlsx",
            two_sheet_workbook(),
            'TWO sheet 2 map title="Task"',
            f"sheet '{SECOND_SHEET}': `map title=\"Task\"`: no such column",
        ),
        (
            "odd.csv",
            odd_headers_csv(),
            'ODD map ref="Key"',
            "`map ref=\"Key\"`: no such column; the file has: 'Tracker Key'",
        ),
    ],
)
def test_options_the_file_does_not_fit_are_answered_and_nothing_is_kept(
    sessions: sessionmaker[Session], filename: str, data: bytes, comment: str, said: str
) -> None:
    answer = _preview(sessions, Upload(filename, data, comment))
    text = answer.reply.text
    assert not answer.reply.ok and said in text, text
    assert f"this one was `{comment}`" in text
    assert "--sheet" not in text and "--map" not in text
    assert not answer.reply.choices
    assert _pending(sessions) == 0
    assert _refs(sessions, comment.split()[0]) == []


def test_due_gives_undated_actions_the_plans_default_due_date(
    sessions: sessionmaker[Session],
) -> None:
    undated = b"Ref,Action,Owner\n1,Publish the budget timetable,Finance\n"
    without = _preview(sessions, Upload("u.csv", undated, "UND"))
    assert "would have no due date" in without.reply.text
    answer = _preview(sessions, Upload("u.csv", undated, "UND due 2027-03-31"))
    assert "would have no due date" not in answer.reply.text
    assert "Read as your message said: `due 2027-03-31`" in answer.reply.text
    assert _click(sessions, answer, APPLY).ok
    with sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.code == "UND")).one()
        due = session.scalars(select(Action.due_date).where(Action.plan_id == plan.id)).one()
    assert plan.default_due == date(2027, 3, 31) == due
