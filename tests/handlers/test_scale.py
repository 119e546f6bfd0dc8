"""Every kind of message at scale, through the real app into the strict fake Slack.

A 300-action plan with long titles and hostile text: an owner with 200 of them, 80 due
today; the weekly digest of all 300; App Home and `/action mine` paged to the end. Slack
must accept every message, and every action must appear somewhere: nothing lost.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FixedClock
from bot.jobs.runner import run_delivery, run_digest, run_sweep
from bot.messengers.slack import SlackMessenger, make_web_client
from bot.services.audit import Actor
from bot.services.imports.apply import ImportOptions, import_file
from bot.services.people.owners import import_owners, read_owners_file
from store.db import transaction
from tests.conftest import SAMPLES
from tests.handlers.test_hostile_text import assert_nothing_live
from tests.harness import TOKEN, SlackWorld, slack_world

FINANCE = "UFIN"
TODAY = date(2018, 1, 15)
REFS = [f"S{n:03d}" for n in range(1, 301)]
FINANCE_REFS = REFS[:200]
DUE_TODAY = REFS[:80]
TAIL = " & review <!channel> <https://evil.example|budget> with the s151 officer" * 3


def title(ref: str) -> str:
    return f"Recover the position on contract {ref}: renegotiate, re-tender or exit{TAIL}"


def write_plan(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Ref", "Action", "Owner", "Target date", "RAG", "Latest update"])
        for n, ref in enumerate(REFS):
            due = TODAY if ref in DUE_TODAY else TODAY + timedelta(days=30 + n % 20)
            owner = "Finance" if ref in FINANCE_REFS else "Procurement"
            update = f"Note on {ref}: <!here> supplier & legal still arguing"
            writer.writerow([ref, title(ref), owner, f"{due:%d/%m/%Y}", "Red", update])


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 1, 15, 9, 30, tzinfo=UTC))
    with slack_world(db_url, clock=clock) as w:
        with transaction(w.runtime.sessions) as session:
            import_owners(
                session, rows=read_owners_file(SAMPLES / "ncc-owners-example.csv"), now=clock.now()
            )
        plan = tmp_path / "big.csv"
        write_plan(plan)
        import_file(
            w.runtime.sessions,
            path=plan,
            options=ImportOptions(plan_code="BIG", source_file="big.csv"),
            actor=Actor("test", "cli"),
            now=clock.now(),
        )
        w.fake.add_user(FINANCE, email="finance@northants.example")
        w.fake.add_user("UPROC", email="procurement@northants.example")
        yield w


def refs_in(payload: Any) -> set[str]:
    return set(re.findall(r"BIG:(S\d{3})", json.dumps(payload, ensure_ascii=False)))


def accepted(world: SlackWorld, method_prefix: str) -> list[dict[str, Any]]:
    calls = [c for c in world.fake.calls if c.method.startswith(method_prefix)]
    refused = [c.response for c in calls if not c.response.get("ok")]
    assert refused == [], refused[:1]
    return [c.params for c in calls]


def test_reminders_and_the_digest_of_300_actions_are_accepted_and_complete(
    world: SlackWorld,
) -> None:
    messenger = SlackMessenger(make_web_client(world.runtime.settings, TOKEN))
    run_sweep(world.runtime, now=world.clock.now())
    run_digest(world.runtime, now=world.clock.now())
    stats = run_delivery(world.runtime, {"slack": messenger}, sleep=lambda _: None)
    assert stats.failed == 0, stats.failures

    posted = accepted(world, "chat.postMessage")
    dm = [p for p in posted if p["channel"] == FINANCE]
    digest = [p for p in posted if p["channel"] == "CDIGEST"]
    assert len(digest) > 1  # it ran over into its thread
    assert all(p.get("thread_ts") for p in dm[1:] + digest[1:])
    # The reminder shows the most urgent and says where all 80 are (`/action mine`, paged
    # to the end below): nothing lost, and every part accepted.
    shown = refs_in([p["blocks"] for p in dm])
    assert shown and shown <= set(DUE_TODAY)
    assert "80 actions to look at today" in dm[0]["text"] and "/action mine" in json.dumps(dm)
    assert refs_in([p["blocks"] for p in digest]) == set(REFS)
    assert_nothing_live(posted)


def test_app_home_with_200_actions_pages_to_the_end(world: SlackWorld) -> None:
    event = {"type": "app_home_opened", "user": FINANCE, "tab": "home", "channel": "D1"}
    world.event(event, event_id="EvHome")
    views = [world.fake.wait_for("views.publish", 1)[-1].params["view"]]
    while True:
        nav = [
            e
            for b in views[-1]["blocks"]
            if b.get("block_id") == "home_paging"
            for e in b["elements"]
            if e["action_id"] == "home_next"
        ]
        if not nav:
            break
        world.click(
            "home_next",
            nav[0]["value"],
            user=FINANCE,
            container={"type": "view", "view_id": "VH"},
        )
        views.append(world.fake.wait_for("views.publish", len(views) + 1)[-1].params["view"])
    accepted(world, "views.publish")
    assert len(views) > 1
    assert refs_in(views) == set(FINANCE_REFS)
    assert_nothing_live(views)


def test_action_mine_with_200_actions_pages_to_the_end(world: SlackWorld) -> None:
    pages = [world.command("mine", user=FINANCE).json()]
    for number in range(1, 40):
        nav = [
            e
            for b in pages[-1]["blocks"]
            if b.get("block_id") == "paging"
            for e in b["elements"]
            if e["action_id"] == "page_next"
        ]
        if not nav:
            break
        key = f"p{number}"
        world.click("page_next", nav[0]["value"], user=FINANCE, key=key)
        pages.append(world.fake.wait_for(f"response_url:{key}", 1)[0].params)
    accepted(world, "response_url")
    assert len(pages) > 1
    assert refs_in([p["blocks"] for p in pages]) == set(FINANCE_REFS)
    assert_nothing_live(pages)
