"""Issue 25 in chat: an admin sends the bot committee minutes (PDF or Word) or a report, as
with a workbook; the preview lists every action read with where it is and the words it
came from, and what was read but is no action; Import writes them, as source slack/teams.
Real file download from the fakes, real HTTP, real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.core.clock import FixedClock
from store.models import Action, Event, Plan
from tests.conftest import FIXTURES
from tests.handlers.test_slack_chat_import import ADMIN, button, click, said, upload
from tests.handlers.test_teams_chat_import import admin, cards_to, import_button, send_file
from tests.harness import SlackWorld, slack_world
from tests.teams_harness import TeamsWorld, teams_world

PUBLISHED = FIXTURES / "published"
MINUTES = "wessex-audit-governance-minutes-2026-03-12"
REPORT = "mercia-vale-fit-for-the-future-q3-report.pdf"

CLOCK = FixedClock(datetime(2026, 3, 20, 9, 0, tzinfo=UTC))


@pytest.fixture
def slack(db_url: str) -> Iterator[SlackWorld]:
    with slack_world(db_url, clock=CLOCK) as world:
        world.fake.add_user(ADMIN, email="admin@northants.example")
        yield world


@pytest.fixture
def teams(db_url: str) -> Iterator[TeamsWorld]:
    with teams_world(db_url, clock=CLOCK) as world:
        yield world


def _refs(session_world: SlackWorld | TeamsWorld, code: str) -> list[str]:
    with session_world.runtime.sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.code == code)).one()
        return list(
            session.scalars(
                select(Action.ref).where(Action.plan_id == plan.id).order_by(Action.position)
            )
        )


def test_slack_admin_sends_minutes_as_a_pdf_and_imports_them(slack: SlackWorld) -> None:
    data = (PUBLISHED / f"{MINUTES}.pdf").read_bytes()
    upload(slack, f"{MINUTES}.pdf", data, text="WBC")
    [preview] = said(slack)
    text = json.dumps(preview, ensure_ascii=False)
    assert "Import preview: WBC" in text and "7 to add" in text
    assert "Read as minutes, read from a PDF, 3 pages" in text
    # The whole preview, every action with page and sentence, goes as a file.
    [shared] = [f for f in slack.fake.files.values() if f.completed]
    assert shared.data is not None
    whole = shared.data.decode()
    assert (
        "29/26 (c) (page 2): Chief Internal Auditor; Tue 30 Jun 2026 (by the end of June 2026)"
        in whole
    )
    assert (
        "“(c) the Chief Internal Auditor bring the results of a follow-up audit of fleet fuel "
        "cards to the Committee by the end of June 2026.”"
    ) in whole
    assert "Not actions, not imported (11):" in whole
    assert "34/26 (page 3): the press and public excluded" in whole
    with slack.runtime.sessions() as session:
        assert session.scalars(select(Plan).where(Plan.code == "WBC")).first() is None

    done = click(slack, "import_apply", button(preview, "import_apply"))
    assert f"Imported {MINUTES}.pdf into plan WBC: 7 added" in json.dumps(done)
    assert _refs(slack, "WBC") == [
        "27/26", "28/26 (b)", "29/26 (b)", "29/26 (c)", "31/26 (b)", "31/26 (c)", "33/26 (b)",
    ]  # fmt: skip
    with slack.runtime.sessions() as session:
        sources = set(session.scalars(select(Event.source).where(Event.plan_id.is_not(None))))
        extra = session.scalars(select(Action.extra).where(Action.ref == "29/26 (c)")).one()
    assert "slack" in sources
    assert extra["Source file"] == f"{MINUTES}.pdf" and extra["Source page"] == "2"


def test_slack_a_document_with_no_actions_is_refused_and_nothing_kept(slack: SlackWorld) -> None:
    upload(slack, "letter.pdf", (FIXTURES / "documents" / "letter.pdf").read_bytes(), text="X")
    [answer] = said(slack)
    text = json.dumps(answer)
    assert "has no plan table, no minutes with resolutions and no list of actions" in text
    assert "Nothing was changed" in text


def test_teams_admin_sends_minutes_in_word_and_imports_them(teams: TeamsWorld) -> None:
    ada = admin(teams)
    send_file(teams, ada, f"{MINUTES}.docx", (PUBLISHED / f"{MINUTES}.docx").read_bytes(), "WBC")
    [preview] = cards_to(teams, ada)
    text = json.dumps(preview, ensure_ascii=False)
    assert "Import preview: WBC" in text and "7 to add" in text
    assert "27/26 (paragraph 18)" in text
    assert "within five working days of this meeting" in text
    assert "Not actions, not imported (11):" in text
    teams.click(ada, import_button(preview))
    assert len(_refs(teams, "WBC")) == 7


def test_teams_admin_sends_a_report_and_imports_its_actions(teams: TeamsWorld) -> None:
    ada = admin(teams)
    send_file(teams, ada, REPORT, (PUBLISHED / REPORT).read_bytes(), "MV")
    [preview] = cards_to(teams, ada)
    text = json.dumps(preview, ensure_ascii=False)
    assert "Read from the report (17)" in text
    assert "under 'Completed this quarter': done" in text
    teams.click(ada, import_button(preview))
    assert len(_refs(teams, "MV")) == 17
