"""Slack formatting in plan text and notes is shown as written; actionbot's own still works.

Regression: `*bold*`, `_it_`, `~strike~` and backticks in plan text and notes were bold,
italic, struck and code in Slack (7, 4, 5 and 7 of 44 messages). The fake Slack reads every
message as Slack does (tests/fakes/block_kit.py `shown`), so a mark Slack would eat fails
here: the plan's words must be shown with their marks and no style.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FixedClock
from bot.jobs.runner import run_delivery, run_digest, run_sweep
from bot.messengers.slack import SlackMessenger, make_web_client
from tests.fakes.block_kit import shown, styles_of
from tests.harness import TOKEN, SlackWorld, seed_owners_and_plan, slack_world

FINANCE = "UFIN"
# Each mark around a word of its own, so a test can tell it was eaten.
MARKED = ["*boldword*", "_italicword_", "~strikeword~", "`codeword`"]
PLAN = {
    "F1": "Pay the *boldword* invoices",
    "F2": "Review _italicword_ budgets",
    "F3": "Cut ~strikeword~ costs",
    "F4": "Run `codeword` now",
}


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 1, 15, 9, 30, tzinfo=UTC))
    with slack_world(db_url, clock=clock) as w:
        path = tmp_path / "marked.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Ref", "Action", "Owner", "Target date", "Latest update", "Theme"])
            for n, (ref, title) in enumerate(PLAN.items()):
                owner = "Finance" if n else "Finance; *Unmapped* _team_"
                writer.writerow([ref, title, owner, f"1{n}/01/2018", "~strikeword~ ok", "_Theme_"])
        seed_owners_and_plan(w.runtime, clock.now(), path, "FMT")
        w.fake.add_user(FINANCE, email="finance@northants.example")
        yield w


def eaten(payload: Any) -> list[str]:
    """The marked words Slack would format in this message: shown without their marks, or
    (plan titles and notes, which actionbot never styles) with a style. An owner or theme
    name may sit inside actionbot's own bold or code (a heading, a command to type): there
    its marks must still show."""
    text, _ = shown(payload)
    found = []
    for token in [*MARKED, "*Unmapped*", "_team_", "_Theme_"]:
        inner = token[1:-1]
        if inner not in text:
            continue
        if token not in text or (token in MARKED and styles_of(payload, token)):
            found.append(token)
    return found


def test_marks_in_plan_text_and_notes_are_shown_as_written_in_every_slack_message(
    world: SlackWorld,
) -> None:
    acks = [
        world.command("mine", user=FINANCE, key="a").json(),
        world.command("F1", user=FINANCE, key="b").json(),
        world.command(
            "F2 note *boldword* and _italicword_ `codeword`", user=FINANCE, key="c"
        ).json(),
        world.command("F2", user=FINANCE, key="d").json(),
        world.command("F3 date 30/06/2018 ~strikeword~ waiting", user=FINANCE, key="e").json(),
        world.command("F3", user=FINANCE, key="f").json(),
    ]
    world.event(
        {"type": "app_home_opened", "user": FINANCE, "channel": "DFIN", "tab": "home"},
        event_id="EvHome",
    )
    messenger = SlackMessenger(make_web_client(world.runtime.settings, TOKEN))
    run_sweep(world.runtime, now=world.clock.now())
    run_digest(world.runtime, now=world.clock.now())
    stats = run_delivery(world.runtime, {"slack": messenger}, sleep=lambda _: None)
    assert stats.failed == 0, stats.failures
    sent = [
        c.params.get("view") or c.params
        for c in world.fake.calls
        if c.method.startswith(("chat.", "response_url", "views."))
    ]
    messages = [m for m in acks + sent if isinstance(m, dict) and m.get("blocks")]
    assert len(messages) >= 9
    problems = {n: eaten(m) for n, m in enumerate(messages) if eaten(m)}
    assert problems == {}, {n: (p, shown(messages[n])[0][:300]) for n, p in problems.items()}
    everything = "\n".join(shown(m)[0] for m in messages)
    for token in MARKED:
        assert token in everything  # each was shown somewhere, as written
    # actionbot's own emphasis is still there: the action's label is bold on its card.
    assert styles_of(acks[1], "FMT:F1") == {"bold"}
    assert "code" in (styles_of(acks[0], "/action") or set()) or "/action" not in shown(acks[0])[0]


def test_a_title_that_is_only_marks_is_still_a_title(world: SlackWorld) -> None:
    answer = world.command("F4", user=FINANCE).json()
    assert styles_of(answer, "Run `codeword` now") == set()
    assert json.dumps(answer).count("rich_text") >= 1  # shown by Slack's literal rich text
