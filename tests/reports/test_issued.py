"""Issuing a pack for a meeting: recorded, the baseline of the next pack, listed, and made
again word for word from its record; refused clearly when it cannot be."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.runtime import Runtime
from bot.reports.content import Paper
from bot.reports.formats import render_pack
from bot.services.audit import Actor
from bot.services.conversation import Who, converse
from bot.services.packs import (
    ReportError,
    ReportFile,
    issue_report,
    issued_packs,
    reissue_report,
)
from store.db import transaction
from store.models import IssuedPack
from tests.reports.conftest import AS_OF, FIRST_REPORT, MEETING, say
from tests.reports.reading import TZ, draft, figures, issued, refs

APRIL = "Audit Committee 23 April 2018"


def issue(runtime: Runtime, meeting: str, now: datetime, **options: object) -> ReportFile:
    with transaction(runtime.sessions) as session:
        return issue_report(
            session,
            plan_code="ncc",
            fmt="html",
            now=now,
            tz=TZ,
            meeting=meeting,
            actor=Actor("cli", "cli"),
            issued_by="Jane Clerk",
            issued_at=now,
            **options,  # type: ignore[arg-type]
        )


def test_an_issued_pack_is_recorded_and_is_the_baseline_of_the_next(history: Runtime) -> None:
    made = issue(history, APRIL, AS_OF)
    assert made.issued == 2 and made.filename == "NCC-committee-pack-2018-04-16.html"
    paper = made.paper
    assert paper is not None and paper.meeting == APRIL and paper.kind == "Committee pack"
    assert paper.footer == "Issued 16 Apr 2018 by Jane Clerk"
    with history.sessions() as session:
        row = session.scalars(select(IssuedPack).where(IssuedPack.id == 2)).one()
        assert (row.meeting, row.as_at, row.baseline_at) == (APRIL, AS_OF, FIRST_REPORT)
        assert row.baseline_pack_id == 1 and row.issued_by == "Jane Clerk"
        assert Paper.from_json(row.content) == paper

    later = draft(history, AS_OF + timedelta(days=1))
    assert later.changes == f"Changes since the pack issued for {APRIL} (16 Apr 2018)."
    # Its "then" figures are the figures the April pack printed as "now".
    assert {k: v[1] for k, v in figures(later).items()} == {
        k: v[0] for k, v in figures(paper).items()
    }
    assert refs(later, "completed") == [] and refs(later, "extensions") == []


def test_packs_are_listed_oldest_first(history: Runtime) -> None:
    issue(history, APRIL, AS_OF)
    with history.sessions() as session:
        listed = issued_packs(session, plan_code="ncc")
        assert issued_packs(session) == listed
        with pytest.raises(ReportError, match="no plan 'NOPE'"):
            issued_packs(session, plan_code="NOPE")
    assert [(p.number, p.meeting) for p in listed] == [(1, MEETING), (2, APRIL)]
    assert listed[1].baseline == f"Changes since the pack issued for {MEETING} (10 Mar 2018)."
    assert listed[0].baseline.startswith("This is the plan's first pack")
    assert listed[1].as_at == AS_OF and listed[1].issued_by == "Jane Clerk"


def test_a_reissued_pack_is_word_for_word_after_the_register_moved_on(history: Runtime) -> None:
    made = issue(history, APRIL, AS_OF)
    say = datetime(2018, 4, 17, 9, tzinfo=UTC)
    for text in ("NCC:2.1 done", "NCC:2.2 off track nobody started", "NCC:1.2 note renamed"):
        outcome = converse(
            history.sessions,
            Who("slack", "UADMIN"),
            text=text,
            admins=history.settings.admin_ids,
            default_tz=TZ,
            now=say,
        )
        assert outcome.reply.ok, outcome.reply.text
    with history.sessions() as session:
        again = reissue_report(session, number=2, fmt="html")
        assert again.content == made.content  # the same bytes, chart and all
        for fmt in ("xlsx", "docx", "pdf"):
            assert reissue_report(session, number=2, fmt=fmt).paper == made.paper
        with pytest.raises(ReportError, match="no issued pack number 9"):
            reissue_report(session, number=9, fmt="pdf")
    assert "2.1" in refs(draft(history, say), "completed")  # a fresh pack does move on


def test_the_history_gives_back_what_an_issued_pack_said(history: Runtime) -> None:
    """Rebuilt from the register as at its instant, after later changes, a pack says what its
    record says: the record is a safeguard, not the only source."""
    made = issue(history, APRIL, AS_OF)
    later = AS_OF + timedelta(days=2)
    for text in (
        "NCC:1.2 done",
        "NCC:1.4 off track the supplier went bust",
        "NCC:2.5 date 30/09/2018 new finance director",
        "NCC:1.3 note audit fieldwork started",
    ):
        say(history, text, later)
    issue(history, "Audit Committee 1 June 2018", later)
    rebuilt = draft(history, AS_OF, since=FIRST_REPORT)
    recorded = issued(history, 2)
    assert made.paper == recorded
    assert [s.tables for s in rebuilt.sections][1:] == [s.tables for s in recorded.sections][1:]
    assert figures(rebuilt) == {
        k.replace("Last pack (10 Mar 2018)", "10 Mar 2018"): v for k, v in figures(recorded).items()
    }


@pytest.mark.parametrize(
    ("meeting", "now", "message"),
    [
        ("  ", AS_OF, "name the meeting"),
        ("x" * 201, AS_OF, "longer than 200 characters"),
        (MEETING.upper(), AS_OF, f"a pack for {MEETING} was issued already (number 1"),
        (APRIL, FIRST_REPORT - timedelta(hours=1), "a new pack must show a later position"),
    ],
)
def test_issuing_is_refused_clearly_and_records_nothing(
    history: Runtime, meeting: str, now: datetime, message: str
) -> None:
    with pytest.raises(ReportError, match=message.replace("(", r"\(")):
        issue(history, meeting, now)
    with history.sessions() as session:
        assert len(issued_packs(session)) == 1


def test_a_meeting_name_is_kept_as_written_and_printed_safely(history: Runtime) -> None:
    hostile = 'Audit & <b>Risk</b> =HYPERLINK("http://evil.example","x") \x1b 🎉'
    made = issue(history, hostile, AS_OF)
    assert made.paper is not None
    assert (
        made.paper.meeting == 'Audit & <b>Risk</b> =HYPERLINK("http://evil.example","x") \ufffd 🎉'
    )
    html = render_pack(made.paper, "html").decode()
    assert "&lt;b&gt;Risk&lt;/b&gt;" in html and "<b>Risk" not in html
