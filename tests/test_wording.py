"""Sentences people read say what is so, in plain English: counts agree with their nouns, a
plan named by its code is not named twice, and an example never shows a date in the past.
Each test is named after the wording that was wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy.orm import Session, sessionmaker

from bot.commands.grammar import parse
from bot.commands.types import ParseError
from bot.core.calendar import WorkingCalendar
from bot.core.messages import plan_label
from bot.jobs.digest import plan_sections
from bot.jobs.planner import ActionFacts
from bot.services.imports.apply import ImportReport
from tests.handlers.test_console import seeded

ROOT = Path(__file__).parent.parent


def test_the_slack_usage_hint_never_shows_a_date_in_the_past() -> None:
    """Regression: the hint said `2.7 date 30/06/2018 REASON`, refused since 2018."""
    manifest = yaml.safe_load((ROOT / "manifests" / "slack.yaml").read_text(encoding="utf-8"))
    hint = manifest["features"]["slash_commands"][0]["usage_hint"]
    examples = [
        e.strip().replace("REASON", "late").replace("NOTE", "late") for e in hint.split("|")
    ]
    assert any(e.startswith("2.7 date") for e in examples)
    start = date(2031, 1, 1)
    for offset in range(0, 366, 5):
        today = start + timedelta(days=offset)
        for example in examples:
            assert not isinstance(parse(example, today=today), ParseError), (example, today)


def test_a_plan_named_by_its_code_is_not_named_twice() -> None:
    """Regression: "PC25: PC25"."""
    assert plan_label("PC25", "PC25") == "PC25"
    assert plan_label("PC25", " pc25 ") == "PC25"
    assert plan_label("PC25", None) == "PC25"
    assert plan_label("NCC", "Financial improvement plan") == "NCC: Financial improvement plan"


def test_no_due_in_the_next_7_days_actions_of_yours(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)  # Fri 16 Mar 2018; the plan is due Sat 31 Mar
    said = console.say(console.user("Finance"), "due 7d")
    assert said.reply.lines == ["No actions of yours due in the next 7 days. 🎉"]
    said = console.say(console.user("Finance"), "overdue")
    assert said.reply.lines == ["No overdue actions of yours. 🎉"]


def test_1_plans_and_a_plan_named_by_its_code(db_url: str, sessions: sessionmaker[Session]) -> None:
    console = seeded(db_url, sessions)  # one plan, NCC, imported without a name
    said = console.say(console.user("admin"), "admin plans")
    assert said.reply.title == "1 plan"
    assert said.reply.lines[0].startswith("NCC: 25 actions, 25 open, 0 overdue")


def test_1_action_is_past_their_due_date() -> None:
    today = date(2018, 4, 30)
    late = ActionFacts(1, "FIN", "F1", "Title", date(2018, 4, 2), "in_progress", None, ("A",))
    sections = plan_sections(
        "FIN",
        "FIN",
        [late],
        [],
        now=datetime(2018, 4, 30, 8, tzinfo=UTC),
        today=today,
        cal=WorkingCalendar("GB-ENG"),
        created={},
    )
    assert sections[0].title == "FIN"
    overdue = next(s for s in sections if s.title.startswith("Overdue in all"))
    assert overdue.lines[0].startswith("1 action is past its due date, the oldest due Mon 2 Apr")


def test_1_warnings() -> None:
    report = ImportReport(
        plan_code="NCC",
        plan_created=True,
        results=[],
        missing=[],
        archived=[],
        warnings=["one"],
        columns=[],
        encoding="utf-8",
        delimiter=",",
        dry_run=False,
    )
    assert report.summary == "Plan NCC: 0 added, 0 changed, 0 unchanged, 1 warning"
