"""Item 8: signed payloads that are not what Slack sends get 400 and one log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from tests.fakes.signing import block_action_body, event_body, view_submission_body
from tests.harness import SlackWorld, slack_world


@pytest.fixture(scope="module", params=["sqlite"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SlackWorld]:
    # Nothing here reaches the register, so one SQLite world serves every case.
    path = tmp_path_factory.mktemp("malformed") / "register.db"
    with slack_world(f"sqlite:///{path}", inline=False) as w:
        yield w


def click(**action: Any) -> dict[str, Any]:
    body = block_action_body(user_id="UFIN", action_id="action_done", value="1")
    payload: dict[str, Any] = json.loads(dict(parse_qsl(body))["payload"])
    payload["actions"][0].update(action)
    return payload


def submission(**values: Any) -> dict[str, Any]:
    body = view_submission_body(
        user_id="UFIN",
        callback_id="new_date",
        values={
            "date": {"value": {"type": "datepicker", "selected_date": "2018-06-30"}},
            "reason": {"value": {"type": "plain_text_input", "value": "late"}},
        },
        private_metadata="1",
    )
    payload: dict[str, Any] = json.loads(dict(parse_qsl(body))["payload"])
    payload["view"]["state"]["values"].update(values)
    return payload


def form(payload: Any) -> str:
    return urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)})


def without(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    node = payload
    for name in path[:-1]:
        node = node[name]
    del node[path[-1]]
    return payload


def edit(payload: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    change(payload)
    return payload


CASES: dict[str, str] = {
    "payload is not JSON": form("{not json"),
    "payload is a JSON list": form("[1, 2]"),
    "payload is a JSON string": form('"hello"'),
    "no user": form(without(click(), "user")),
    "user is a string": form(edit(click(), lambda p: p.update(user="UFIN"))),
    "no actions": form(without(click(), "actions")),
    "empty actions": form(edit(click(), lambda p: p.update(actions=[]))),
    "actions is a dict": form(edit(click(), lambda p: p.update(actions={"a": 1}))),
    "unknown action_id": form(click(action_id="drop_tables")),
    "action_id is a number": form(click(action_id=42)),
    "value is not a number": form(click(value="2.4; DROP")),
    "value is a list": form(click(value=[1])),
    "page value is not JSON": form(click(action_id="page_next", value="{")),
    "choose value has no pin": form(click(action_id="action_choose_1", value="2.4 done")),
    "unknown payload type": form(edit(click(), lambda p: p.update(type="shortcut_of_doom"))),
    "view without state": form(without(submission(), "view", "state")),
    "view with an unknown callback": form(
        edit(submission(), lambda p: p["view"].update(callback_id="nope"))
    ),
    "view metadata is not an id": form(
        edit(submission(), lambda p: p["view"].update(private_metadata="x"))
    ),
    "view date is not a date": form(
        submission(date={"value": {"type": "datepicker", "selected_date": "2018-13-45"}})
    ),
    "view reason is a number": form(
        submission(reason={"value": {"type": "plain_text_input", "value": 7}})
    ),
    "event without event": json.dumps({"type": "event_callback", "event_id": "Ev1"}),
    "event body is not JSON": "{" + event_body({"type": "app_home_opened"}, event_id="Ev2")[1:-1],
    "home opened without user": event_body({"type": "app_home_opened"}, event_id="Ev3"),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_malformed_signed_payload_gets_400_and_one_log_line(
    world: SlackWorld, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = world.post(CASES[kind])
    assert response.status_code == 400, (kind, response.status_code, response.text)
    refusals = [r for r in caplog.records if "refused a signed Slack request" in r.getMessage()]
    assert len(refusals) == 1, [r.getMessage() for r in caplog.records]
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert world.fake.calls == []


def test_a_well_formed_click_still_goes_through(world: SlackWorld) -> None:
    response = world.post(form(click(value="999999")))
    assert response.status_code == 200


def update_form(rag: Any) -> dict[str, Any]:
    body = view_submission_body(
        user_id="UFIN",
        callback_id="add_update",
        values={
            "note": {"value": {"type": "plain_text_input", "value": "progress"}},
            "rag": {"value": {"type": "static_select", "selected_option": rag}},
        },
        private_metadata="1",
    )
    payload: dict[str, Any] = json.loads(dict(parse_qsl(body))["payload"])
    return payload


NESTED = "[" * 50_000
BROKE_WITH_500: dict[str, str] = {
    "rag.selected_option is a list": form(update_form([{"value": "red"}])),
    "rag.selected_option.value is a dict": form(update_form({"value": {"x": 1}})),
    "payload nested 50,000 deep": form(NESTED),
    "event body nested 50,000 deep": NESTED,
    "event body an object nested 50,000 deep": '{"type":' + NESTED,
}


@pytest.mark.parametrize("kind", sorted(BROKE_WITH_500))
def test_a_rag_choice_that_is_a_list_or_a_body_nested_50000_deep_is_400_not_500(
    world: SlackWorld, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = world.post(BROKE_WITH_500[kind])
    assert response.status_code == 400, (kind, response.status_code)
    refusals = [r for r in caplog.records if "refused a signed Slack request" in r.getMessage()]
    assert len(refusals) == 1
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_a_well_formed_update_form_with_a_rag_choice_still_goes_through(world: SlackWorld) -> None:
    response = world.post(form(update_form({"value": "red", "text": {"type": "plain_text"}})))
    assert response.status_code == 200
