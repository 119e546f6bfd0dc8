"""`admin plans` in Slack and Teams names each plan's verifier and date approver, shown as
written (escaped once, by each platform's renderer), and nothing for a plan without them."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.services.people.owners import import_owners, read_owners_file
from store.db import transaction
from tests.handlers.test_hostile_text import assert_nothing_live
from tests.handlers.test_teams_people import said, someone
from tests.harness import SlackWorld, seed_sample, slack_world
from tests.services.test_closure import closure_plan
from tests.teams_harness import TeamsWorld, teams_world

NOW = datetime(2018, 3, 16, 10, 0, tzinfo=UTC)
ROLE = 'Audit <!channel> *bold* [b]x[/b] =HYPERLINK("http://evil.example","x") 🦉'


def hostile_verifier(runtime: object, tmp_path: Path) -> None:
    owners = tmp_path / "owners.csv"
    with owners.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["owner", "email"], [ROLE, "audit@council.example"]])
    sessions = runtime.sessions  # type: ignore[attr-defined]
    with transaction(sessions) as session:
        import_owners(session, rows=read_owners_file(owners), now=NOW)
    closure_plan(sessions, verify=ROLE, approve="ceo@northants.example")


@pytest.fixture
def slack(db_url: str, tmp_path: Path) -> Iterator[SlackWorld]:
    with slack_world(db_url, clock=FixedClock(NOW)) as world:
        seed_sample(world.runtime, NOW)
        world.fake.add_user("UADMIN", email="admin@northants.example")
        yield world


@pytest.fixture
def teams(db_url: str) -> Iterator[TeamsWorld]:
    with teams_world(db_url, clock=FixedClock(NOW)) as world:
        seed_sample(world.runtime, NOW)
        yield world


def test_admin_plans_in_slack_names_the_verifier_and_approver(
    slack: SlackWorld, tmp_path: Path
) -> None:
    before = slack.command("admin plans", user="UADMIN").json()
    assert "verified by" not in json.dumps(before)
    hostile_verifier(slack.runtime, tmp_path)
    after = slack.command("admin plans", user="UADMIN").json()
    assert_nothing_live([after])
    # The notification text escaped once for mrkdwn; the blocks' rich text as written.
    assert f"verified by {ROLE.replace('<', '&lt;').replace('>', '&gt;')}, dates" in after["text"]
    [block] = after["blocks"][1]["elements"][0]["elements"]
    assert f"verified by {ROLE}, dates approved by ceo@northants.example" in block["text"]


def test_admin_plans_in_teams_names_the_verifier_and_approver(
    teams: TeamsWorld, tmp_path: Path
) -> None:
    admin = someone(teams, "Ada Admin", "admin@northants.example", 2)
    assert "verified by" not in said(teams, admin, "admin plans")
    hostile_verifier(teams.runtime, tmp_path)
    texts = "\n".join(
        block["text"]
        for card in json.loads(said(teams, admin, "admin plans"))
        for block in card["body"]
    )
    # Teams markdown escaped once (shown as written), the mention broken by a word joiner.
    escaped = (
        "Audit <\u2060!channel> \\*bold\\* \\[b\\]x\\[/b\\] "
        '=HYPERLINK("http://evil.example","x") 🦉'
    )
    assert f"verified by {escaped}, dates approved by ceo@northants.example" in texts
