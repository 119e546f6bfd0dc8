"""`actionbot serve` with SLACK_APP_TOKEN: commands arrive over Socket Mode, no public URL.

The real `serve()` coroutine runs in a thread; Slack's side is a fake Web API plus a fake
Socket Mode WebSocket server, both on loopback.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from bot.app.serve import serve
from bot.core.clock import FixedClock
from bot.core.runtime import open_runtime
from store.queries import actions_by_ref
from tests.fakes.signing import slash_command_body
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.socket_mode import FakeSocketMode
from tests.harness import TOKEN, make_settings, seed_sample, slack_world

APP_TOKEN = "xapp-1-A0FAKEAPP-1-0123456789"
FINANCE = "UFIN"
NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)


@contextmanager
def running(coroutine: Coroutine[Any, Any, None]) -> Iterator[None]:
    """Run `coroutine` on its own event loop in a thread; cancel it on the way out."""
    loop = asyncio.new_event_loop()
    task = loop.create_task(coroutine)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            loop.run_until_complete(task)
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # surfaced by the test, not lost in a thread
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        loop.call_soon_threadsafe(task.cancel)
        thread.join(timeout=10)
        loop.close()
    assert not failures, failures


def test_socket_mode_answers_slash_commands_without_a_public_url(db_url: str) -> None:
    with FakeSlackAPI(bot_token=TOKEN) as fake, FakeSocketMode() as socket_mode:
        fake.app_token, fake.socket_mode_url = APP_TOKEN, socket_mode.url
        fake.add_user(FINANCE, email="finance@northants.example")
        runtime = open_runtime(
            make_settings(db_url, fake, SLACK_APP_TOKEN=APP_TOKEN), clock=FixedClock(NOW)
        )
        seed_sample(runtime, NOW)

        gc.unfreeze()  # what an earlier test froze is not this serve's doing
        with running(serve(runtime, host="127.0.0.1", port=0)):
            socket_mode.wait_for_connection()
            # Start-up's objects are out of the cyclic collector's reach (no full-GC pauses
            # walking them mid-request).
            assert gc.get_freeze_count() > 0
            command = dict(
                parse_qsl(
                    slash_command_body(
                        "2.4 done invoices cleared",
                        user_id=FINANCE,
                        response_url=fake.response_url("sm1"),
                    )
                )
            )
            envelope_id = socket_mode.send("slash_commands", command)
            ack = socket_mode.wait_for_ack(envelope_id)
        runtime.engine.dispose()

    # The answer rides back on the acknowledgement itself: no response_url round trip.
    assert ack["envelope_id"] == envelope_id
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "NCC:2.4 is now done" in json.dumps(ack["payload"])
    assert not fake.calls_to("response_url:sm1")
    # The WebSocket URL was asked for with the app-level token, never the bot token.
    opened = fake.calls_to("apps.connections.open")
    assert opened and {c.headers["authorization"] for c in opened} == {f"Bearer {APP_TOKEN}"}
    assert fake.calls[0].method == "auth.test"  # the token check still runs first
    with runtime.sessions() as session:
        [action] = actions_by_ref(session, ref="2.4", plan_code="NCC")
        assert action.status == "done"
        changes = [(e.field, e.source, e.actor, e.new_value) for e in action.events]
    assert ("status", "slack", "slack:UFIN (finance@northants.example)", "done") in changes


def test_socket_mode_still_checks_signatures_on_http(db_url: str) -> None:
    # Socket Mode needs no signature, but the HTTP door stays open beside it and must not
    # become a way in: an unsigned update over HTTP is refused and changes nothing.
    body = slash_command_body("4.5 done", user_id="UADMIN")
    with slack_world(db_url, inline=True, SLACK_APP_TOKEN=APP_TOKEN) as world:
        seed_sample(world.runtime, NOW)
        unsigned = world.http.post(
            f"{world.base}/slack/events",
            content=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        forged = world.post(body, secret="not-the-secret")
        with world.runtime.sessions() as session:
            [action] = actions_by_ref(session, ref="4.5", plan_code="NCC")
    assert (unsigned.status_code, forged.status_code) == (401, 401)
    assert action.status != "done"


def test_socket_mode_without_a_signing_secret_serves_no_http_door(db_url: str) -> None:
    with slack_world(db_url, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="") as world:
        seed_sample(world.runtime, NOW)
        response = world.http.post(
            f"{world.base}/slack/events",
            content=slash_command_body("4.5 done", user_id="UADMIN").encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert world.http.get(f"{world.base}/healthz").status_code == 200
        with world.runtime.sessions() as session:
            [action] = actions_by_ref(session, ref="4.5", plan_code="NCC")
    assert response.status_code == 404
    assert action.status != "done"
