"""Closure where leadership reads it: the digest's line per plan, `stats`' time to verify and
to approve, and the committee pack's four sections (every format renders them)."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from zipfile import ZipFile

import pypdfium2
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.runtime import open_runtime
from bot.handlers.console import ConsoleDoor
from bot.jobs.runner import run_digest
from bot.services.packs import preview_report
from tests.cli.test_cli import run
from tests.handlers.test_console import NOW, seeded
from tests.services.test_closure import LINK, closure_plan

LATER = NOW + timedelta(days=2)


def walk_through(db_url: str, sessions: sessionmaker[Session]) -> None:
    """Owners ask at NOW; the verifier and approver answer two days later. 2.4 and 2.7 go
    the whole way; 2.8 waits for verification, 2.9 for a new date."""
    console = seeded(db_url, sessions)
    closure_plan(sessions, verify="Internal Audit", approve="CEO")
    settings = Settings(_env_file=None, DATABASE_URL=db_url)  # type: ignore[call-arg]
    later = ConsoleDoor(sessions=sessions, clock=FixedClock(LATER), settings=settings)
    finance = console.user("Finance")
    audit, ceo = later.user("Internal Audit"), later.user("CEO")
    steps = [
        (console, finance, f"2.4 done evidence {LINK}"),
        (later, audit, "2.4 reject no signed minutes"),
        (console, finance, "2.4 done evidence https://intranet.example/signed.pdf"),
        (later, audit, "2.4 accept"),
        (console, finance, "2.7 date 30/06/2018 awaiting audit"),
        (later, ceo, "2.7 decline the committee set this date"),
        (console, finance, "2.7 date 31/05/2018 audit booked"),
        (later, ceo, "2.7 approve"),
    ]
    for door, user, text in steps:
        assert door.say(user, text).reply.ok, text
    assert console.say(console.user("Commercial Director"), "2.8 done").reply.ok
    asked = console.say(console.user("Management Team"), "2.9 date 30/06/2018 staff away")
    assert asked.reply.ok, asked.reply.text


def test_digest_counts_implemented_verified_rejected_and_dates_waiting(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    walk_through(db_url, sessions)
    settings = Settings(_env_file=None, DATABASE_URL=db_url, DIGEST_CHANNEL="CDIGEST")  # type: ignore[call-arg]
    runtime = open_runtime(settings, clock=FixedClock(LATER))
    result = run_digest(runtime, now=LATER + timedelta(hours=1), dry_run=True)
    runtime.engine.dispose()
    text = "\n".join(r.text for r in result.replies)
    assert (
        "Closure: 1 action implemented, awaiting verification; 1 verified and 1 rejected "
        "this week; 1 new date awaiting approval." in text
    )


def test_stats_give_time_to_verify_and_to_approve(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    walk_through(db_url, sessions)
    code, out, _ = run(db_url, "stats", "--json", "--at", LATER.isoformat())
    assert code == 0
    closure = json.loads(out)["closure"]
    assert closure["verify"] == {"decided": 2, "pending": 1, "median_days": 2.0}
    assert closure["approve"] == {"decided": 2, "pending": 1, "median_days": 2.0}
    code, out, _ = run(db_url, "stats", "--at", LATER.isoformat())
    assert "time to verify: median 2.0 days (2 decided, 1 waiting)" in out


def test_the_pack_has_the_four_closure_sections_in_every_format(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    walk_through(db_url, sessions)
    with sessions() as session:
        report = preview_report(session, plan_code="NCC", fmt="xlsx", now=LATER, tz="Europe/London")
        paper = report.paper
        assert paper is not None
        sections = {s.key: s for s in paper.sections}
        rows = {
            k: len(sections[k].tables[0].rows)
            for k in ("awaiting_verification", "verified", "rejected", "extension_requests")
        }
        assert rows == {
            "awaiting_verification": 1,
            "verified": 1,
            "rejected": 1,
            "extension_requests": 3,  # 2.7 declined, 2.7 approved, 2.9 waiting
        }
        assert "no signed minutes" in json.dumps(paper.json())
        sheets = ZipFile(io.BytesIO(report.content)).namelist()
        assert any("sheet" in name for name in sheets)
        for fmt in ("pdf", "docx", "html"):
            made = preview_report(session, plan_code="NCC", fmt=fmt, now=LATER, tz="Europe/London")
            assert made.content
    # The closure sections come after the register, in the detail: the PDF counted them
    # with the summary, so it drew them on page 1 and again at the end, and left out the
    # four lists before the register (all overdue, all time extensions, completed, escalated).
    assert [s.part for s in paper.sections][-4:] == ["detail"] * 4
    document = pypdfium2.PdfDocument(made_pdf(sessions))
    pages = [
        " ".join(document[i].get_textpage().get_text_range().split()) for i in range(len(document))
    ]
    document.close()
    text = " ".join(pages)
    headings = [s.heading for s in paper.sections]
    assert [text.count(h) for h in headings] == [1] * len(headings), headings
    assert sorted(headings, key=text.find) == headings
    assert not any(s.heading in pages[0] for s in paper.sections if s.part == "detail")


def made_pdf(sessions: sessionmaker[Session]) -> bytes:
    with sessions() as session:
        return preview_report(
            session, plan_code="NCC", fmt="pdf", now=LATER, tz="Europe/London"
        ).content


def test_a_plan_without_closure_has_no_closure_sections_nor_line(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    seeded(db_url, sessions)
    with sessions() as session:
        report = preview_report(session, plan_code="NCC", fmt="xlsx", now=LATER, tz="Europe/London")
        assert report.paper is not None
        assert "verified" not in {s.key for s in report.paper.sections}
    code, out, _ = run(db_url, "stats", "--json", "--at", LATER.isoformat())
    assert "closure" not in json.loads(out)


def test_plans_set_names_the_verifier_and_approver_and_refuses_strangers(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    seeded(db_url, sessions)
    code, out, _ = run(
        db_url, "plans", "set", "NCC", "--verify-by", "Internal Audit", "--approve-dates-by", "ceo"
    )
    assert code == 0 and "closure verified by Internal Audit; new dates approved by CEO" in out
    code, _, err = run(db_url, "plans", "set", "NCC", "--verify-by", "Nobody Here")
    assert code == 1 and "no owner role and no email" in err
    code, out, _ = run(db_url, "plans", "list", "--json")
    [plan] = json.loads(out)
    assert (plan["verify_by"], plan["approve_dates_by"]) == ("Internal Audit", "CEO")
    code, out, _ = run(db_url, "plans", "set", "NCC", "--verify-by", "none")
    assert "closure verified by nobody (done is done)" in out
