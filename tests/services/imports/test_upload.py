"""bot/services/imports/upload.py without any platform: the grammar, which plan a file goes
to, what the message sent with it says (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.commands.grammar import parse, to_text
from bot.commands.help import help_text
from bot.commands.types import AdminImport, ParseError
from bot.core.messages import Reply
from bot.services.imports.message import ReadOptions
from bot.services.imports.upload import Upload, check_upload, plan_code_for, request_for
from tests.plan_workbooks import FIRST_SHEET, SECOND_SHEET, odd_headers_csv, two_sheet_workbook
from tests.services.imports.chat_import import (
    ADMINS,
    NOW,
    TODAY,
    pending_count,
    preview_of,
    refs_of,
    seed,
)


def test_admin_import_in_the_grammar() -> None:
    assert parse("admin import", today=TODAY) == AdminImport()
    assert parse("admin import ncc", today=TODAY) == AdminImport("NCC")
    assert isinstance(parse("admin import NCC AFEP", today=TODAY), ParseError)
    for command in (AdminImport(), AdminImport("NCC")):
        assert parse(to_text(command), today=TODAY) == command
    assert "admin import [PLAN]" in help_text(today=TODAY, admin=True)
    assert "admin import" not in help_text(today=TODAY, admin=False)


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
    seed(sessions)
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
    seed(sessions)
    with sessions() as session:
        answer = plan_code_for(session, filename=filename, comment=comment, platform="slack")
    assert isinstance(answer, Reply) and not answer.ok and said in answer.text


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
    seed(sessions)
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
    seed(sessions)
    with sessions() as session:
        answer = request_for(session, filename="plan.xlsx", comment=comment, platform="slack")
    assert isinstance(answer, Reply) and not answer.ok
    assert said in answer.text and "Nothing was changed" in answer.text
    assert "--" not in answer.text.replace(comment, "")


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
    answer = preview_of(sessions, Upload(filename, data, comment))
    text = answer.reply.text
    assert not answer.reply.ok and said in text, text
    assert f"this one was `{comment}`" in text
    assert "--sheet" not in text and "--map" not in text
    assert not answer.reply.choices
    assert pending_count(sessions) == 0
    assert refs_of(sessions, comment.split()[0]) == []


def test_two_files_sent_together_are_refused_before_either_is_fetched(
    sessions: sessionmaker[Session],
) -> None:
    """The rule the Slack and Teams doors each wrote for themselves, now asked of the service."""
    seed(sessions)

    def check(files: int) -> Reply | None:
        return check_upload(
            sessions,
            platform="slack",
            user_id="UADMIN",
            email=None,
            filename="ncc.csv",
            comment="NCC",
            size=100,
            admins=ADMINS,
            now=NOW,
            files=files,
        )

    assert check(1) is None
    refused = check(2)
    assert refused is not None and not refused.ok
    assert "one plan file at a time" in " ".join(refused.lines)
