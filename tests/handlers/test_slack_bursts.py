"""Item 6: an ack inside Slack's 3 s whatever the register is doing, and a request Slack (or
an impatient person) sends twice changes things once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bot.core.clock import FixedClock
from bot.handlers.slack.budget import WORKING_ON_IT
from store.db import normalise_url
from store.models import Event
from tests.handlers.test_slack import FINANCE, action, events
from tests.harness import SlackWorld, seed_sample, slack_world


def world_for(db_url: str, **kw: object) -> Iterator[SlackWorld]:
    clock = FixedClock(datetime(2018, 1, 15, 9, 0, tzinfo=UTC))
    with slack_world(db_url, clock=clock, **kw) as w:  # type: ignore[arg-type]
        seed_sample(w.runtime, clock.now())
        w.fake.add_user(FINANCE, email="finance@northants.example")
        yield w


@pytest.fixture
def busy_world(db_url: str) -> Iterator[SlackWorld]:
    # As in production (listeners after the ack), with a short budget so the test is quick.
    yield from world_for(db_url, inline=False, ack_budget=0.3)


@pytest.fixture
def world(db_url: str) -> Iterator[SlackWorld]:
    yield from world_for(db_url)


@contextmanager
def register_locked(db_url: str, *, tables: str = "action, event") -> Iterator[threading.Event]:
    """Another writer holds the register until the yielded event is set (on PostgreSQL, the
    `tables` named; SQLite locks the whole file)."""
    release = threading.Event()
    held = threading.Event()
    url = normalise_url(db_url)
    sqlite = make_url(url).get_backend_name() == "sqlite"
    engine = create_engine(url, isolation_level="AUTOCOMMIT" if sqlite else None)

    def hold() -> None:
        with engine.connect() as connection:
            if sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(text(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE"))
            held.set()
            release.wait(30)
            connection.exec_driver_sql("ROLLBACK") if sqlite else connection.rollback()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert held.wait(10)
    try:
        yield release
    finally:
        release.set()
        thread.join(10)
        engine.dispose()


def test_a_busy_register_is_acked_in_time_and_answered_through_response_url(
    busy_world: SlackWorld, db_url: str
) -> None:
    world = busy_world
    world.command("mine", user=FINANCE, key="warm")  # people are known before the lock
    with register_locked(db_url) as release:
        response = world.command("2.4 done", user=FINANCE, key="busy")
        assert response.status_code == 200
        assert response.json()["text"] == WORKING_ON_IT
        assert world.fake.calls_to("response_url:busy") == []
        release.set()
        answer = world.fake.wait_for("response_url:busy", timeout=30)[-1]
    assert "is now done" in json.dumps(answer.params)
    assert action(world, "2.4").status == "done"
    assert [e.new_value for e in events(world, "2.4") if e.field == "status"] == ["done"]


def test_a_command_sent_twice_changes_the_register_once(world: SlackWorld) -> None:
    first = world.command("2.4 progress drafted the paper", user=FINANCE, trigger_id="t-1")
    again = world.command("2.4 progress drafted the paper", user=FINANCE, trigger_id="t-1")
    assert first.status_code == again.status_code == 200
    assert "in progress" in json.dumps(first.json())
    assert again.content == b""
    notes = [e for e in events(world, "2.4") if e.note == "drafted the paper"]
    assert len(notes) == 1


def test_a_repeat_seen_only_by_the_register_changes_nothing(world: SlackWorld) -> None:
    # Another process (or this one before a restart) had the request: only the table knows.
    world.command("2.4 progress first try", user=FINANCE, trigger_id="t-2")
    world.service.door.seen._checks.clear()  # type: ignore[union-attr]
    again = world.command("2.4 progress first try", user=FINANCE, trigger_id="t-2")
    assert again.status_code == 200 and again.content == b""
    with world.runtime.sessions() as session:
        notes = session.scalars(select(Event).where(Event.note == "first try")).all()
    assert len(notes) == 1


def test_a_click_sent_twice_changes_the_register_once(world: SlackWorld) -> None:
    a = action(world, "2.4")
    for _ in range(2):
        response = world.click("action_at_risk", str(a.id), user=FINANCE, key="c", trigger_id="t-3")
        assert response.status_code == 200
    assert action(world, "2.4").rag == "amber"
    assert len(world.fake.calls_to("response_url:c")) == 1
    assert len([e for e in events(world, "2.4") if e.field == "rag"]) == 1


def test_an_event_retry_is_answered_and_ignored(world: SlackWorld) -> None:
    event = {"type": "app_home_opened", "user": FINANCE, "tab": "home", "event_ts": "1.0"}
    assert world.event(event, event_id="Ev1").status_code == 200
    assert world.event(event, event_id="Ev1", retry=1).status_code == 200
    assert len(world.fake.calls_to("views.publish")) == 1


def test_a_modal_submitted_while_the_register_is_busy_closes_in_time_then_dms(
    busy_world: SlackWorld, db_url: str
) -> None:
    world = busy_world
    a = action(world, "2.7")
    values = {
        "date": {"value": {"type": "datepicker", "selected_date": "2018-06-30"}},
        "reason": {"value": {"type": "plain_text_input", "value": "waiting on audit"}},
    }
    with register_locked(db_url) as release:
        response = world.submit("new_date", values, user=FINANCE, metadata=str(a.id))
        assert response.status_code == 200 and response.content == b""  # the modal closes
        assert world.fake.calls_to("chat.postMessage") == []
        release.set()
        [dm] = world.fake.wait_for("chat.postMessage", timeout=30)
    assert dm.params["channel"] == FINANCE
    assert "30 Jun" in json.dumps(dm.params)
    assert action(world, "2.7").due_date is not None
    assert str(action(world, "2.7").due_date) == "2018-06-30"
