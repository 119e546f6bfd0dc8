"""bot/services/chat_import.py without any platform: the grammar, which plan a file goes to,
Excel and Word files, and two Import clicks at the same moment (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.commands import AdminImport, ParseError, help_text, parse, to_text
from bot.messages import Reply
from bot.services.audit import Actor
from bot.services.chat_import import (
    APPLY,
    ChatImportAnswer,
    Upload,
    decide,
    plan_code_for,
    preview_upload,
)
from bot.services.imports import ImportOptions, import_file
from store.models import Action, Event, PendingImport, Plan
from tests.conftest import FIXTURES, SAMPLES

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
