"""`/action admin report CODE [issue MEETING]` in the grammar: parsed, refused clearly, read
back, in help."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands.grammar import parse, to_text
from bot.commands.help import help_text
from bot.commands.types import AdminReport, ParseError

TODAY = date(2018, 4, 16)


def test_admin_report_parses_and_reads_back() -> None:
    command = parse("admin report ncc", today=TODAY)
    assert command == AdminReport("NCC")
    assert parse(to_text(command), today=TODAY) == command


@pytest.mark.parametrize(
    ("text", "meeting"),
    [
        ("admin report ncc issue Audit Committee 12 March 2027", "Audit Committee 12 March 2027"),
        ("admin report NCC ISSUE  Cabinet's  meeting ", "Cabinet's meeting"),
        ('admin report NCC issue "Audit & Risk" <b>', '"Audit & Risk" <b>'),
    ],
)
def test_admin_report_issue_keeps_the_meeting_as_typed(text: str, meeting: str) -> None:
    command = parse(text, today=TODAY)
    assert command == AdminReport("NCC", meeting)
    assert parse(to_text(command), today=TODAY) == command


def test_admin_report_without_one_plan_or_a_meeting_is_refused() -> None:
    for text in ("admin report", "admin report NCC AFEP", "admin report 2.4"):
        result = parse(text, today=TODAY)
        assert isinstance(result, ParseError), text
        assert result.message == "Name one plan by its code."
    result = parse("admin report NCC issue", today=TODAY)
    assert isinstance(result, ParseError) and result.message == "Which meeting is the pack for?"


def test_help_shows_it_to_admins_only() -> None:
    assert "admin report PLAN [issue MEETING]" in help_text(admin=True, today=TODAY)
    assert "admin report" not in help_text(admin=False, today=TODAY)
