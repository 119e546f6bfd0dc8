"""`/action REF`: the action first, then what helps, the plan's own words only when useful."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.services.conversation import Who, converse
from store.models import Action, Plan

NOW = datetime(2018, 3, 29, 10, 0, tzinfo=UTC)


def show(sessions: sessionmaker[Session], text: str) -> list[str]:
    outcome = converse(
        sessions,
        Who("slack", "UADMIN"),
        text=text,
        admins=frozenset({"uadmin"}),
        default_tz="Europe/London",
        now=NOW,
    )
    assert outcome.reply.ok, outcome.reply.lines
    return outcome.reply.text.splitlines()


@pytest.fixture
def plan(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with sessions.begin() as session:
        plan = Plan(code="FIN", name="Finance", created_at=NOW, updated_at=NOW)
        session.add_all(
            [
                Action(
                    plan=plan,
                    ref="1",
                    title="Close the accounts",
                    tasks=["Reconcile", "Sign off"],
                    outcome="Accounts closed on time",
                    target_text="end of June 2018",
                    target_date=date(2018, 6, 30),
                    due_date=date(2018, 6, 30),
                    created_at=NOW,
                    updated_at=NOW,
                ),
                Action(
                    plan=plan,
                    ref="2",
                    title="Audit",
                    target_text="29/06/2018",
                    target_date=date(2018, 6, 29),
                    due_date=date(2018, 6, 29),
                    created_at=NOW,
                    updated_at=NOW,
                ),
            ]
        )
    return sessions


def test_the_action_comes_first_then_facts_then_details(plan: sessionmaker[Session]) -> None:
    lines = show(plan, "FIN:1")
    assert lines[0] == "FIN:1 Close the accounts"  # the phone notification
    assert lines[1] == "due in 93 days (Sat 30 Jun) · not started · owners: no owner"
    assert lines[2:] == [
        "Tasks: • Reconcile",
        "• Sign off",
        "Outcome: Accounts closed on time",
        "The plan said: end of June 2018",
    ]


def test_a_plain_date_as_written_is_not_repeated(plan: sessionmaker[Session]) -> None:
    assert not any("The plan said" in line for line in show(plan, "FIN:2"))


def test_after_a_revision_the_plans_date_and_the_move_are_shown(
    plan: sessionmaker[Session],
) -> None:
    converse(
        plan,
        Who("slack", "UADMIN"),
        text="FIN:2 date 31/07/2018 audit delayed",
        admins=frozenset({"uadmin"}),
        default_tz="Europe/London",
        now=NOW,
    )
    lines = show(plan, "FIN:2")
    assert lines[1].startswith("due in 124 days (Tue 31 Jul)")
    assert "Date moved: 1 time" in lines
    assert "The plan said: 29/06/2018 (due then Fri 29 Jun)" in lines
    assert "History:" in lines
    assert lines[-1] == (
        "Thu 29 Mar: Slack user UADMIN moved the due date from Fri 29 Jun to Tue 31 Jul: "
        "“audit delayed” (Slack)"
    )
