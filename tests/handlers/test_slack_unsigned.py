"""Item 3: a request Slack did not sign gets 401 and nothing else, ever."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.signing import block_action_body, sign, slash_command_body
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import SECRET, SlackWorld, slack_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlackWorld]:
    # Nothing unsigned reaches the register, so one SQLite world serves every case.
    # Not inline: the listeners run after the ack, as in production.
    path = tmp_path_factory.mktemp("unsigned") / "register.db"
    with slack_world(f"sqlite:///{path}", inline=False) as w:
        w.fake.add_user("UFIN", email="finance@northants.example")
        yield w


@pytest.fixture(autouse=True)
def _fresh_fake(world: SlackWorld) -> None:
    world.fake.reset()


@pytest.fixture
def attacker() -> Iterator[FakeSlackAPI]:
    """An endpoint on loopback that records anything sent to it."""
    with FakeSlackAPI() as fake:
        yield fake


def good_headers(body: str) -> dict[str, str]:
    return sign(body, secret=SECRET, timestamp=int(time.time()))


def forged(body: str, kind: str) -> dict[str, Any]:
    headers: dict[str, Any] = dict(good_headers(body))
    if kind == "non-numeric timestamp":
        headers["X-Slack-Request-Timestamp"] = "not-a-number"
    elif kind == "empty timestamp":
        headers["X-Slack-Request-Timestamp"] = ""
    elif kind == "huge timestamp":
        headers["X-Slack-Request-Timestamp"] = "9" * 400
    elif kind == "no headers":
        del headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    elif kind == "wrong signature":
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    elif kind == "other secret":
        headers = sign(body, secret="someone-else", timestamp=int(time.time()))
    elif kind == "stale":
        headers = sign(body, secret=SECRET, timestamp=int(time.time()) - 3600)
    elif kind == "garbage signature":
        headers["X-Slack-Signature"] = "v0=\u00e9t\u00e9".encode("latin-1")
    return headers


KINDS = [
    "non-numeric timestamp",
    "empty timestamp",
    "huge timestamp",
    "no headers",
    "wrong signature",
    "other secret",
    "stale",
    "garbage signature",
]


@pytest.mark.parametrize("kind", KINDS)
def test_an_unverifiable_request_gets_401_and_nothing_is_posted_anywhere(
    world: SlackWorld, attacker: FakeSlackAPI, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bodies = [
        slash_command_body("2.4 done", user_id="UFIN", response_url=attacker.response_url("cmd")),
        # An interaction whose action_id no listener knows makes Bolt's error path run too.
        block_action_body(
            user_id="UFIN",
            action_id="no_such_action",
            value="1",
            response_url=attacker.response_url("click"),
        ),
        block_action_body(
            user_id="UFIN",
            action_id="action_done",
            value="not-a-number",
            response_url=attacker.response_url("bad"),
        ),
    ]
    for body in bodies:
        response = world.http.post(
            f"{world.base}/slack/events", content=body.encode(), headers=forged(body, kind)
        )
        assert response.status_code == 401, (kind, response.status_code, response.text)
    assert attacker.calls == [], [c.method for c in attacker.calls]
    assert world.fake.calls_to("chat.postMessage") == []
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_the_error_handler_answers_only_a_verified_response_url(
    world: SlackWorld, attacker: FakeSlackAPI
) -> None:
    # A signed request whose listener fails may be answered at its own response_url.
    body = block_action_body(
        user_id="UFIN",
        action_id="action_done",
        value="not-a-number",
        response_url=world.fake.response_url("signed"),
    )
    response = world.http.post(
        f"{world.base}/slack/events", content=body.encode(), headers=good_headers(body)
    )
    assert response.status_code in (200, 400)
    assert attacker.calls == []
