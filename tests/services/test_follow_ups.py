"""What runs after an answer (a job, a committee pack) is part of the service's outcome, so a
door runs it without reading the command or the reply's words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.services.actions import MakePack, RunJob
from bot.services.conversation import Outcome, Who, converse
from store.models import Plan

NOW = datetime(2018, 4, 2, 9, 0, tzinfo=UTC)


def said(sessions: sessionmaker[Session], text: str, *, user: str = "UADMIN") -> Outcome:
    return converse(
        sessions,
        Who("slack", user),
        text=text,
        admins=frozenset({"uadmin"}),
        default_tz="Europe/London",
        now=NOW,
    )


@pytest.fixture
def plan(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with sessions.begin() as session:
        session.add(Plan(code="FIN", name="Finance", created_at=NOW, updated_at=NOW))
    return sessions


@pytest.mark.parametrize(("text", "job"), [("admin nudge", "nudge"), ("admin digest", "digest")])
def test_an_admin_job_is_a_follow_up(plan: sessionmaker[Session], text: str, job: str) -> None:
    outcome = said(plan, text)
    assert outcome.reply.ok and outcome.follow_up == RunJob(job)  # type: ignore[arg-type]


def test_a_committee_pack_is_a_follow_up_with_its_meeting(plan: sessionmaker[Session]) -> None:
    assert said(plan, "admin report FIN").follow_up == MakePack("FIN", None)
    outcome = said(plan, "admin report FIN issue Audit Committee 12 April")
    assert isinstance(outcome.follow_up, MakePack) and outcome.follow_up.plan == "FIN"
    assert outcome.follow_up.meeting == "Audit Committee 12 April"


def test_a_refused_command_has_no_follow_up(plan: sessionmaker[Session]) -> None:
    outcome = said(plan, "admin nudge", user="UOWNER")
    assert not outcome.reply.ok and outcome.follow_up is None
    outcome = said(plan, "admin report NOPE")
    assert not outcome.reply.ok and outcome.follow_up is None


def test_an_ordinary_command_has_none(plan: sessionmaker[Session]) -> None:
    assert said(plan, "help").follow_up is None
