"""Accepted evidence types per plan: `plans set CODE --evidence-types …` (and `default`),
shown by `plans show` and `plans list --json`; a file of another type is refused naming the
plan's types, and nothing changes. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.services.closure.evidence import Attachment
from store.models import Event, Evidence, Review
from tests.cli.test_cli import run
from tests.handlers.test_console import seeded
from tests.services.test_closure import closure_plan


def test_a_plans_own_evidence_types_are_set_shown_and_set_back_to_default(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    seeded(db_url, sessions)
    code, out, _ = run(db_url, "plans", "set", "NCC", "--evidence-types", "pdf, DOCX,.xlsx,png,jpg")
    assert code == 0 and "evidence files: pdf, docx, xlsx, png, jpg" in out
    code, out, _ = run(db_url, "plans", "show", "NCC")
    assert code == 0 and "evidence files: pdf, docx, xlsx, png, jpg" in out
    _, out, _ = run(db_url, "plans", "list", "--json")
    [plan] = json.loads(out)
    assert plan["evidence_types"] == ["pdf", "docx", "xlsx", "png", "jpg"]
    _, out, _ = run(db_url, "plans", "show", "NCC", "--json")
    assert json.loads(out)["evidence_types"] == ["pdf", "docx", "xlsx", "png", "jpg"]
    code, out, _ = run(db_url, "plans", "set", "NCC", "--evidence-types", "default")
    assert (
        code == 0 and "evidence files: pdf, docx, xlsx, pptx, csv" in out and "(the default)" in out
    )
    _, out, _ = run(db_url, "plans", "list", "--json")
    assert json.loads(out)[0]["evidence_types"] is None
    with sessions() as session:
        changes = session.scalars(
            select(Event).where(Event.field == "plan.evidence_types").order_by(Event.id)
        ).all()
        assert [(e.old_value, e.new_value) for e in changes] == [
            (None, ".pdf,.docx,.xlsx,.png,.jpg"),
            (".pdf,.docx,.xlsx,.png,.jpg", None),
        ]


def test_an_unknown_or_empty_type_list_is_refused_and_changes_nothing(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    seeded(db_url, sessions)
    for spec, said in (("pdf,exe", "exe: evidence may be pdf, docx"), (" , ", "no type at all")):
        code, _, err = run(db_url, "plans", "set", "NCC", "--evidence-types", spec)
        assert code == 1 and said in " ".join(err.split())
    _, out, _ = run(db_url, "plans", "list", "--json")
    assert json.loads(out)[0]["evidence_types"] is None
    with sessions() as session:
        assert session.scalar(select(Event).where(Event.field == "plan.evidence_types")) is None


def test_a_file_of_a_type_the_plan_does_not_accept_is_refused_naming_its_types(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    console = seeded(db_url, sessions)
    closure_plan(sessions, verify="Internal Audit", approve=None)
    assert run(db_url, "plans", "set", "NCC", "--evidence-types", "pdf,png")[0] == 0
    finance = console.user("Finance")
    sheet = tmp_path / "budget.xlsx"  # a type the global list keeps, this plan does not
    sheet.write_bytes(b"PK sheet")
    typed = console.say(finance, f"2.4 done evidence {sheet}").reply
    sent = console._converse(
        finance, text="2.4 done", attachments=[Attachment("budget.xlsx", b"PK sheet")]
    ).reply
    for refused in (typed, sent):
        assert not refused.ok
        assert (
            "'budget.xlsx' is not a kind of file kept as evidence on NCC; accepted: pdf, png."
            in (refused.text)
        )
        assert "Nothing was changed" in refused.text
    with sessions() as session:
        assert session.scalar(select(Evidence)) is None and session.scalar(select(Review)) is None
    kept = console._converse(
        finance, text="2.4 done", attachments=[Attachment("minutes.PDF", b"%PDF")]
    ).reply
    assert kept.ok, kept.text
