"""Hostile plan text and hostile notes, end to end: a plan file with mrkdwn in its cells is
imported, reminders and the digest go out and people use /action, all through the real
app into the strict fake Slack. Nothing live (a channel ping, a link, a mention) may reach
Slack from text that did not come from actionbot itself."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FixedClock
from bot.jobs.runner import run_delivery, run_digest, run_sweep
from bot.messengers.slack import SlackMessenger, make_web_client
from store.models import Event
from tests.harness import TOKEN, SlackWorld, seed_owners_and_plan, slack_world

FINANCE = "UFIN"
ADMIN = "UADMIN"
LONG = "Reconcile the ledgers " + "and the <!everyone> sub-ledgers " * 95  # ~3,000 characters
HOSTILE = {
    "H1": "Pay <!channel> now",
    "H2": "&lt;!channel&gt; in the file, escaped once already",
    "H3": "<https://evil.example|Open budget>",
    "H4": '=HYPERLINK("https://evil.example","Click")',
    "H5": LONG,
    "H6": "🚨 Ping <#C0001> and <@UBOSS> and <!subteam^S1> 🎉",
    "R&D<!here>": "A shared action whose very ref is hostile",
}
SHARED = "R&D<!here>"
# Live Slack markup: a special mention, a link, a user, channel or group mention.
LIVE = re.compile(r"<(?:[!@#]|https?:|mailto:)")


def write_plan(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Ref", "Action", "Owner", "Target date", "Latest update", "Theme"])
        for n, (ref, title) in enumerate(HOSTILE.items()):
            owner = {"H3": "<!here> squad", SHARED: "Finance; Procurement"}.get(ref, "Finance")
            writer.writerow(
                [ref, title, owner, f"{10 + n}/01/2018", "<!here> see <http://x.example|y>", ref]
            )


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 1, 15, 9, 30, tzinfo=UTC))
    with slack_world(db_url, clock=clock) as w:
        plan = tmp_path / "hostile.csv"
        write_plan(plan)
        seed_owners_and_plan(w.runtime, clock.now(), plan, "HOST")
        w.fake.add_user(FINANCE, email="finance@northants.example")
        w.fake.add_user(ADMIN, email="admin@northants.example")
        yield w


def mrkdwn_texts(payload: Any) -> list[str]:
    """Every string Slack parses as mrkdwn: `text` of a message and mrkdwn text objects
    (not plain_text objects, nor rich text `text` runs, which Slack shows as written)."""
    found: list[str] = []
    if isinstance(payload, dict):
        literal = payload.get("type") in ("plain_text", "text")
        if not literal and isinstance(payload.get("text"), str):
            found.append(payload["text"])
        for key, value in payload.items():
            if key != "text" or not isinstance(value, str):
                found += mrkdwn_texts(value)
    elif isinstance(payload, list):
        for item in payload:
            found += mrkdwn_texts(item)
    return found


def assert_nothing_live(payloads: list[Any]) -> None:
    for payload in payloads:
        for text in mrkdwn_texts(payload):
            assert not LIVE.search(text), text[:300]


def test_hostile_plan_text_reaches_slack_escaped_everywhere(world: SlackWorld) -> None:
    acks = [
        world.command("H1", user=FINANCE).json(),
        world.command("H5", user=FINANCE).json(),
        world.command("H6 note R&D <!here> <https://evil.example|budget>", user=FINANCE).json(),
        world.command("mine", user=FINANCE).json(),
        world.command("H9 <!channel>", user=FINANCE).json(),  # refused: no such action
        world.command(f"{SHARED} done", user=FINANCE, key="shared").json(),
    ]
    # The one-line notice to the action's other owners, in the channel, escaped too.
    [notice] = world.fake.wait_for("response_url:shared")
    assert notice.params["response_type"] == "in_channel"
    assert "R&amp;D&lt;!here&gt;" in notice.params["text"]
    messenger = SlackMessenger(make_web_client(world.runtime.settings, TOKEN))
    run_sweep(world.runtime, now=world.clock.now())
    run_digest(world.runtime, now=world.clock.now())
    stats = run_delivery(world.runtime, {"slack": messenger}, sleep=lambda _: None)
    assert stats.failed == 0, stats.failures

    calls = [
        c for c in world.fake.calls if c.method.startswith(("chat.", "response_url", "views."))
    ]
    assert all(c.response.get("ok") for c in calls), [c.response for c in calls]
    posted = [c.params for c in calls]
    channels = {p.get("channel") for p in posted}
    assert {"CDIGEST", FINANCE} <= channels  # the digest and a reminder DM went out
    assert_nothing_live(acks + posted)

    everything = json.dumps(acks + posted, ensure_ascii=False)
    assert "Pay &lt;!channel&gt; now" in everything
    # Decoded once by the HTML cleaner, escaped once by the renderer: shown as in the file.
    assert "&lt;!channel&gt; in the file" in everything
    assert "&lt;https://evil.example|Open budget&gt;" in everything
    assert "=HYPERLINK(" in everything and "🚨" in everything
    assert "&amp;amp;" not in everything  # never escaped twice
    # The 3,000-character title is shown whole by /action H5, over several sections.
    assert "&lt;!here&gt; squad" in everything  # the unmapped owner, in the digest
    show = json.dumps(acks[1]["blocks"], ensure_ascii=False)
    assert show.count("&lt;!everyone&gt;") == LONG.count("<!everyone>")


def test_slash_text_is_stored_as_typed_and_shown_escaped_once(world: SlackWorld) -> None:
    body = world.command("H1 note R&D <b>signed</b> off", user=FINANCE).json()
    with world.runtime.sessions() as session:
        note = session.query(Event).filter(Event.field == "note").one().note
    assert note == "R&D <b>signed</b> off"  # not R&amp;D
    assert "R&amp;amp;D" not in json.dumps(body, ensure_ascii=False)
    shown = world.command("H1", user=FINANCE).json()
    assert "R&amp;D &lt;b&gt;signed&lt;/b&gt; off" in json.dumps(shown, ensure_ascii=False)
    assert "R&amp;amp;D" not in json.dumps(shown, ensure_ascii=False)


def test_a_typed_entity_stays_what_was_typed(world: SlackWorld) -> None:
    world.command("H1 note use &lt; for less-than", user=FINANCE)
    with world.runtime.sessions() as session:
        note = session.query(Event).filter(Event.field == "note").one().note
    assert note == "use &lt; for less-than"


def test_due_dates_are_real_dates_after_import(world: SlackWorld) -> None:
    """The hostile rows still import as actions with their dates (nothing dropped)."""
    from store.queries import actions_by_ref

    with world.runtime.sessions() as session:
        for n, ref in enumerate(HOSTILE):
            [found] = actions_by_ref(session, ref=ref, plan_code="HOST")
            assert found.due_date == date(2018, 1, 10 + n)
