"""Audit-grade closure through the services, as the console door reaches them: a plan with a
verifier and a date approver, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.services.audit import Actor
from bot.services.closure.evidence import Attachment
from bot.services.closure.review import (
    ReviewerError,
    awaiting_verification_ids,
    find_reviewer,
    reviewer,
    set_reviewer,
)
from bot.services.export import export_json
from store.models import Action, Delivery, Event, Evidence, Plan, Review
from store.queries import plan_by_code
from tests.handlers.test_console import NOW, seeded

LINK = "https://intranet.example/minutes.pdf"


def closure_plan(
    sessions: sessionmaker[Session], *, verify: str | None, approve: str | None
) -> None:
    with sessions() as session:
        plan = plan_by_code(session, code="NCC")
        assert plan is not None
        for duty, spec in (("verify_by", verify), ("approve_dates_by", approve)):
            who = find_reviewer(session, spec, now=NOW) if spec else None
            set_reviewer(session, plan, duty, who, actor=Actor("cli", "cli"), now=NOW)  # type: ignore[arg-type]
        session.commit()


def action(session: Session, ref: str) -> Action:
    found = session.scalar(select(Action).where(Action.ref == ref))
    assert found is not None
    return found


def test_done_with_evidence_is_rejected_then_done_again_then_accepted(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    closure_plan(sessions, verify="Internal Audit", approve="CEO")
    finance, audit = console.user("Finance"), console.user("Internal Audit")

    done = console.say(finance, f"/action 2.4 done evidence {LINK} budget signed off").reply
    assert done.ok and "awaits verification by Internal Audit" in done.text
    with sessions() as session:
        assert action(session, "2.4").status != "done"
        assert awaiting_verification_ids(session) == {action(session, "2.4").id}
        kept = session.scalars(select(Evidence)).all()
        assert [(e.kind, e.url) for e in kept] == [("link", LINK)]

    bare = console.say(audit, "2.4 reject").reply
    assert not bare.ok and "Say why" in bare.text
    rejected = console.say(audit, "2.4 reject no signed minutes").reply
    assert rejected.ok and "back to its owners" in rejected.text
    with sessions() as session:
        assert action(session, "2.4").status == "in_progress"
        assert awaiting_verification_ids(session) == set()
        told = session.scalars(select(Delivery).where(Delivery.kind == "notice")).all()
        assert told and "no signed minutes" in str(told[0].payload)

    assert console.say(finance, "2.4 done evidence https://intranet.example/signed.pdf").reply.ok
    accepted = console.say(audit, "2.4 accept").reply
    assert accepted.ok and "verified and done" in accepted.text
    with sessions() as session:
        assert action(session, "2.4").status == "done"
        states = [r.state for r in session.scalars(select(Review).order_by(Review.id))]
        assert states == ["rejected", "accepted"]
        fields = [
            (e.field, e.new_value)
            for e in session.scalars(
                select(Event)
                .where(Event.action_id == action(session, "2.4").id, Event.source == "console")
                .order_by(Event.id)
            )
        ]
    assert ("verification", "requested") in fields and ("verification", "rejected") in fields
    assert fields.count(("evidence", LINK)) == 1 and ("status", "done") == fields[-1]

    shown = console.say(finance, "2.4").reply
    assert "Verified" in shown.text and LINK in shown.text
    assert "verified it as done" in shown.text and "rejected it as not done" in shown.text


def test_an_owner_cannot_verify_their_own_action_nor_a_stranger_any(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    closure_plan(sessions, verify="Finance", approve=None)
    finance = console.user("Finance")
    assert console.say(finance, "2.4 done").reply.ok
    own = console.say(finance, "2.4 accept").reply
    assert not own.ok and "is yours" in own.text
    stranger = console.say(console.user("CEO"), "2.4 accept").reply
    assert not stranger.ok and "Only NCC's verifier, Finance, can do that" in stranger.text
    with sessions() as session:
        assert action(session, "2.4").status != "done"
        assert session.scalar(select(Review.state)) == "pending"


def test_date_request_declined_then_requested_again_and_approved(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    closure_plan(sessions, verify=None, approve="CEO")
    finance, ceo = console.user("Finance"), console.user("CEO")
    with sessions() as session:
        before = action(session, "2.7").due_date

    asked = console.say(finance, "2.7 date 30/06/2018 awaiting audit").reply
    assert asked.ok and "waiting for approval by CEO" in asked.text
    again = console.say(finance, "2.7 date 31/07/2018 another try").reply
    assert not again.ok and "already has a new date waiting" in again.text
    declined = console.say(ceo, "2.7 decline the committee set this date").reply
    assert declined.ok and "declined" in declined.text
    with sessions() as session:
        assert action(session, "2.7").due_date == before
        assert action(session, "2.7").slip_count == 0

    assert console.say(finance, "2.7 date 30/06/2018 awaiting audit").reply.ok
    approved = console.say(ceo, "2.7 approve").reply
    assert approved.ok and "moved from" in approved.text
    with sessions() as session:
        moved = action(session, "2.7")
        assert moved.due_date == date(2018, 6, 30) and moved.slip_count == 1
        assert [r.state for r in session.scalars(select(Review).order_by(Review.id))] == [
            "declined",
            "approved",
        ]
    history = console.say(finance, "2.7").reply.text
    assert "asked to move the due date" in history and "declined the new date" in history
    assert "approved the new date" in history


def test_an_admins_own_date_change_applies_and_is_recorded_as_approved_by_them(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    closure_plan(sessions, verify=None, approve="CEO")
    moved = console.say(console.user("admin"), "2.7 date 30/06/2018 agreed at committee").reply
    assert moved.ok and "moved from" in moved.text
    with sessions() as session:
        review = session.scalar(select(Review))
        assert review is not None and review.state == "approved"
        assert review.decided_by == review.requested_by
        assert action(session, "2.7").due_date == date(2018, 6, 30)


def test_plans_without_closure_settings_behave_as_before(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    finance = console.user("Finance")
    assert "is now done" in console.say(finance, "2.4 done").reply.text
    assert "moved from" in console.say(finance, "2.7 date 30/06/2018 late").reply.text
    refused = console.say(finance, "2.4 accept").reply
    assert not refused.ok and "has no verifier" in refused.text
    with sessions() as session:
        assert session.scalar(select(Review)) is None


def test_evidence_links_must_be_web_links_and_are_exported(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    finance = console.user("Finance")
    bad = console.say(finance, "2.4 done evidence javascript:alert(1)").reply
    assert not bad.ok and "not a web link" in bad.text
    ftp = console.say(finance, "2.4 done evidence ftp://files.example/x.pdf").reply
    assert not ftp.ok
    hostile = 'https://x.example/?q=<!channel>&=HYPERLINK("http://evil.example","x")'
    assert console.say(finance, f"2.4 done evidence {LINK} {hostile}").reply.ok
    with sessions() as session:
        plan = plan_by_code(session, code="NCC")
        assert plan is not None
        text = export_json(session, plan=plan)
    assert LINK in text and "<!channel>" in text and '"evidence"' in text


def test_a_verifier_is_a_role_or_an_email(db_url: str, sessions: sessionmaker[Session]) -> None:
    seeded(db_url, sessions)
    with sessions() as session:
        assert find_reviewer(session, "internal  audit", now=NOW).name == "Internal Audit"
        assert find_reviewer(session, "auditor@council.example", now=NOW).kind == "person"
        try:
            find_reviewer(session, "Nobody", now=NOW)
        except ReviewerError as exc:
            assert "no owner role and no email" in str(exc)
        else:  # pragma: no cover
            raise AssertionError("a verifier nobody knows was accepted")
        plan = session.scalar(select(Plan))
        assert plan is not None and reviewer(plan, "verify_by") is None


def test_help_names_the_closure_forms_only_where_a_plan_uses_them(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    finance = console.user("Finance")
    assert "accept" not in console.say(finance, "help").reply.text
    closure_plan(sessions, verify="Internal Audit", approve=None)
    helped = console.say(finance, "help").reply.text
    assert "REF accept" in helped and "REF done evidence LINK" in helped


def test_awaiting_verification_stops_the_owners_reminders(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    from bot.core.clock import FixedClock
    from bot.core.config import Settings
    from bot.core.runtime import open_runtime
    from bot.jobs.runner import run_sweep

    console = seeded(db_url, sessions)
    closure_plan(sessions, verify="Internal Audit", approve=None)
    settings = Settings(_env_file=None, DATABASE_URL=db_url)  # type: ignore[call-arg]
    runtime = open_runtime(settings, clock=FixedClock(NOW))

    def reminded() -> set[int]:
        result = run_sweep(runtime, now=NOW, dry_run=True)
        return {i.action_id for m, _ in result.messages if m.kind == "nudge" for i in m.items}

    with sessions() as session:
        target = action(session, "2.4").id
    assert target in reminded()  # 14 days before the due date: every action's owners hear
    assert console.say(console.user("Finance"), "2.4 done").reply.ok
    after = reminded()
    assert target not in after and after  # the others still do
    runtime.engine.dispose()


def test_a_file_at_the_console_is_kept_with_its_size_type_and_sha256(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    console = seeded(db_url, sessions)
    closure_plan(sessions, verify="Internal Audit", approve=None)
    plain = tmp_path / "minutes.pdf"
    plain.write_bytes(b"%PDF-1.4 signed minutes")
    finance = console.user("Finance")
    done = console.say(finance, f"2.4 done evidence {plain} {LINK} all signed").reply
    assert done.ok and "2 pieces of evidence" in done.text
    with sessions() as session:
        [file] = session.scalars(select(Evidence).where(Evidence.kind == "file")).all()
        assert (file.filename, file.size, file.media_type) == ("minutes.pdf", 23, "application/pdf")
        assert file.sha256 == hashlib.sha256(b"%PDF-1.4 signed minutes").hexdigest()
        assert file.content == b"%PDF-1.4 signed minutes"
        assert session.scalar(select(Review.note)) == "all signed"
    shown = console.say(finance, "2.4").reply.text
    assert "minutes.pdf (23 bytes, SHA-256 " in shown


def test_evidence_over_the_cap_or_of_another_type_changes_nothing(
    db_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    from bot.services.closure.evidence import MAX_EVIDENCE_BYTES

    console = seeded(db_url, sessions)
    closure_plan(sessions, verify="Internal Audit", approve=None)
    finance = console.user("Finance")
    script = tmp_path / "run.exe"
    script.write_bytes(b"MZ")
    big = tmp_path / "huge.pdf"
    big.write_bytes(b"0" * (MAX_EVIDENCE_BYTES + 1))
    for path, said in ((script, "not a kind of file kept"), (big, "may be up to 10 MB")):
        refused = console.say(finance, f"2.4 done evidence {path}").reply
        assert not refused.ok and said in refused.text and "Nothing was changed" in refused.text
    # The service refuses the same, for files a platform door hands it.
    sent = console._converse(
        finance, text="2.4 done", attachments=[Attachment("run.exe", b"MZ")]
    ).reply
    assert not sent.ok and "not a kind of file kept" in sent.text
    with sessions() as session:
        assert session.scalar(select(Evidence)) is None and session.scalar(select(Review)) is None
