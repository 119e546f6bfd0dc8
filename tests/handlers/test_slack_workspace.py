"""Slack: only the installed workspace (and, where set, the allowed Grid org) gets in.

One app's signing secret signs every workspace's requests to it, so a signature proves only
that Slack sent a request. Requests here are signed like Slack's, by workspaces and orgs
other than the one the fake's auth.test names.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.core.clock import FixedClock
from bot.core.config import ConfigError
from bot.handlers.slack.gate import Installed
from bot.render.blocks import ADD_UPDATE_VIEW
from store.models import Event, InboundEvent, Person
from store.queries import actions_by_ref
from tests.harness import SlackWorld, seed_sample, slack_world

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
EVIL_TEAM = "TEVIL0001"
EVIL_ORG = "EEVIL0001"
FINANCE_EMAIL = "finance@northants.example"
GATE = "bot.handlers.slack.gate"


@pytest.fixture
def world(db_url: str) -> Iterator[SlackWorld]:
    with slack_world(db_url, clock=FixedClock(NOW)) as w:
        seed_sample(w.runtime, NOW)
        w.fake.add_user("UFIN", email=FINANCE_EMAIL)
        # Another workspace's user whose profile email is Finance's.
        w.fake.add_user("UEVIL", email=FINANCE_EMAIL, team_id=EVIL_TEAM)
        yield w


def state(w: SlackWorld) -> tuple[Any, ...]:
    with w.runtime.sessions() as session:
        people = session.execute(
            select(Person.id, Person.email, Person.slack_user_id).order_by(Person.id)
        ).all()
        events = session.scalar(select(func.count()).select_from(Event))
        inbound = session.scalar(select(func.count()).select_from(InboundEvent))
        return tuple(people), events, inbound


def refused(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == GATE and "HTTP 403" in r.message]


def web_api_calls(w: SlackWorld) -> list[str]:
    return [c.method for c in w.fake.calls if c.method != "auth.test"]


def test_a_command_from_another_workspace_is_refused_before_any_look_up(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    """The reproduction: a signed `/action 1.1 note x` from TEVIL0001 by a user whose
    users.info email is Finance's was applied, and Finance's Slack id moved to them."""
    assert world.command("mine", user="UFIN").status_code == 200  # Finance, linked
    world.fake.reset()
    before = state(world)
    caplog.set_level(logging.INFO)
    answer = world.command("1.1 note x", user="UEVIL", team_id=EVIL_TEAM, key="evil")
    assert answer.status_code == 403
    assert state(world) == before
    assert web_api_calls(world) == []  # no users.info, nothing said anywhere
    (line,) = refused(caplog)
    assert EVIL_TEAM in line


def test_app_home_from_another_workspace_lists_nothing(world: SlackWorld) -> None:
    before = state(world)
    event = {"type": "app_home_opened", "user": "UEVIL", "channel": "DEVIL", "tab": "home"}
    answer = world.event(event, event_id="Ev1", team_id=EVIL_TEAM)
    assert answer.status_code == 403
    assert "views.publish" not in web_api_calls(world)
    assert state(world) == before


def test_clicks_forms_and_messages_from_another_workspace_are_refused(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = state(world)
    with world.runtime.sessions() as session:
        [action] = actions_by_ref(session, ref="2.4", plan_code="NCC")
    click = world.click("action_done", str(action.id), user="UEVIL", team_id=EVIL_TEAM)
    form = world.submit(
        ADD_UPDATE_VIEW,
        {"note": {"value": {"type": "plain_text_input", "value": "pwned"}}},
        user="UEVIL",
        metadata=str(action.id),
        team_id=EVIL_TEAM,
    )
    dm = world.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "DEVIL",
            "user": "UEVIL",
            "text": "2.4 done",
            "ts": "1700000000.000100",
        },
        event_id="Ev2",
        team_id=EVIL_TEAM,
    )
    assert [click.status_code, form.status_code, dm.status_code] == [403, 403, 403]
    assert state(world) == before
    assert web_api_calls(world) == []
    assert len(refused(caplog)) == 3


def test_a_guest_from_another_workspace_in_a_shared_dm_is_refused(world: SlackWorld) -> None:
    """The envelope is our installation's; the person (`event.user_team`, `user.team_id`)
    is another workspace's, as in a Slack Connect channel."""
    before = state(world)
    dm = world.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "DSHARED",
            "user": "UEVIL",
            "user_team": EVIL_TEAM,
            "text": "2.4 done",
            "ts": "1700000000.000200",
        },
        event_id="Ev3",
    )
    with world.runtime.sessions() as session:
        [action] = actions_by_ref(session, ref="2.4", plan_code="NCC")
    click = world.click("action_done", str(action.id), user="UEVIL", user_team_id=EVIL_TEAM)
    assert (dm.status_code, click.status_code) == (403, 403)
    assert state(world) == before


def test_another_enterprise_org_is_refused_even_with_our_team_id(world: SlackWorld) -> None:
    answer = world.command("mine", user="UFIN", enterprise_id=EVIL_ORG)
    assert answer.status_code == 403


def test_our_own_workspace_still_gets_in(world: SlackWorld) -> None:
    answer = world.command("2.4 done", user="UFIN", team_id="T0001")
    assert answer.status_code == 200
    assert "NCC:2.4 is now done" in json.dumps(answer.json())


def test_the_allowed_grid_org_lets_its_other_workspaces_in(db_url: str) -> None:
    install = {"team_id": "T0001", "enterprise_id": "E0001"}
    with slack_world(
        db_url, clock=FixedClock(NOW), install=install, SLACK_ENTERPRISE_ID="E0001"
    ) as w:
        seed_sample(w.runtime, NOW)
        w.fake.add_user("UFIN", email=FINANCE_EMAIL, team_id="T0002")
        sister = w.command("2.4 done", user="UFIN", team_id="T0002", enterprise_id="E0001")
        assert sister.status_code == 200 and "is now done" in json.dumps(sister.json())
        outside = w.command("mine", user="UFIN", team_id="T0003", enterprise_id=EVIL_ORG, key="o")
        assert outside.status_code == 403
        # Without an org in the request, only the installed workspace itself is let in.
        assert w.command("mine", user="UFIN", team_id="T0004", key="n").status_code == 403


def test_without_slack_enterprise_id_a_grid_workspace_install_keeps_its_sisters_out(
    db_url: str,
) -> None:
    install = {"team_id": "T0001", "enterprise_id": "E0001"}
    with slack_world(db_url, clock=FixedClock(NOW), install=install) as w:
        seed_sample(w.runtime, NOW)
        w.fake.add_user("UFIN", email=FINANCE_EMAIL)
        home = w.command("mine", user="UFIN", enterprise_id="E0001")
        assert home.status_code == 200
        sister = w.command("mine", user="UFIN", team_id="T0002", enterprise_id="E0001", key="s")
        assert sister.status_code == 403


def test_slack_enterprise_id_that_is_not_the_tokens_org_is_refused_at_start() -> None:
    identity = {"ok": True, "team_id": "T0001", "enterprise_id": "E0001"}
    with pytest.raises(ConfigError, match="SLACK_ENTERPRISE_ID=E0002"):
        Installed.of(identity, allowed_org="E0002")
    with pytest.raises(ConfigError, match="no Enterprise Grid org"):
        Installed.of({"ok": True, "team_id": "T0001"}, allowed_org="E0001")
    org_wide = Installed.of(
        {"team_id": None, "enterprise_id": "E0001", "is_enterprise_install": True},
        allowed_org=None,
    )
    assert org_wide.org == "E0001"


def test_socket_mode_acknowledges_another_workspaces_command_and_ignores_it(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    import gc
    from urllib.parse import parse_qsl

    from bot.app.serve import serve
    from bot.core.runtime import open_runtime
    from tests.fakes.signing import slash_command_body
    from tests.fakes.slack_api import FakeSlackAPI
    from tests.fakes.socket_mode import FakeSocketMode
    from tests.handlers.test_socket_mode import APP_TOKEN, running
    from tests.harness import TOKEN, make_settings

    caplog.set_level(logging.INFO)
    with FakeSlackAPI(bot_token=TOKEN) as fake, FakeSocketMode() as socket_mode:
        fake.app_token, fake.socket_mode_url = APP_TOKEN, socket_mode.url
        fake.add_user("UEVIL", email=FINANCE_EMAIL, team_id=EVIL_TEAM)
        runtime = open_runtime(
            make_settings(db_url, fake, SLACK_APP_TOKEN=APP_TOKEN), clock=FixedClock(NOW)
        )
        seed_sample(runtime, NOW)
        gc.unfreeze()
        with running(serve(runtime, host="127.0.0.1", port=0)):
            socket_mode.wait_for_connection()
            body = slash_command_body(
                "2.4 done", user_id="UEVIL", team_id=EVIL_TEAM, response_url=fake.response_url("e")
            )
            envelope = socket_mode.send("slash_commands", dict(parse_qsl(body)))
            ack = socket_mode.wait_for_ack(envelope)
        with runtime.sessions() as session:
            [action] = actions_by_ref(session, ref="2.4", plan_code="NCC")
            linked = session.scalar(select(Person).where(Person.slack_user_id == "UEVIL"))
            assert action.status != "done" and linked is None
        runtime.engine.dispose()
    assert ack == {"envelope_id": envelope}  # acknowledged, nothing said
    assert {c.method for c in fake.calls} == {"auth.test", "apps.connections.open"}
    assert any("Socket Mode" in m and EVIL_TEAM in m for m in caplog.messages)
