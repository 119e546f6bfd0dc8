"""The fake Slack refuses what real Slack refuses: Block Kit limits, sizes, metadata shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.block_kit import MAX_BLOCKS_CHARS, blocks_chars
from tests.fakes.slack_api import FakeSlackAPI


@pytest.fixture
def fake() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI() as api:
        api.add_user("U123", email="ann@example.org")
        api.add_channel("C0001", "general")
        yield api
        assert api.server_errors == []


@pytest.fixture
def client(fake: FakeSlackAPI) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.base_url)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def refusal(client: WebClient, **kwargs: Any) -> str:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C0001", **kwargs)
    assert excinfo.value.response.status_code == 200  # Slack answers errors with HTTP 200
    assert excinfo.value.response["ok"] is False
    return str(excinfo.value.response["error"])


BAD_BLOCKS = {
    "section text over 3,000": [section("x" * 3001)],
    "empty section text": [section("")],
    "context element over 3,000": [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c" * 3001}]}
    ],
    "header over 150": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
    "header in mrkdwn": [{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}],
    "button text over 75": [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "a",
                    "text": {"type": "plain_text", "text": "b" * 76},
                }
            ],
        }
    ],
    "26 elements in an actions block": [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": f"a{i}",
                    "text": {"type": "plain_text", "text": "b"},
                }
                for i in range(26)
            ],
        }
    ],
    "11 context elements": [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}
    ],
    "unknown block type": [{"type": "sparkle", "text": "hi"}],
    "no type": [{"text": {"type": "mrkdwn", "text": "hi"}}],
    "block_id over 255": [{**section("hi"), "block_id": "b" * 256}],
}


@pytest.mark.parametrize("name", sorted(BAD_BLOCKS))
def test_blocks_slack_would_refuse_are_refused_everywhere(
    fake: FakeSlackAPI, client: WebClient, name: str
) -> None:
    blocks = BAD_BLOCKS[name]
    assert refusal(client, text="t", blocks=blocks) == "invalid_blocks"
    with pytest.raises(SlackApiError):
        client.chat_postEphemeral(channel="C0001", user="U123", text="t", blocks=blocks)
    with pytest.raises(SlackApiError):
        client.chat_update(channel="C0001", ts="1.1", text="t", blocks=blocks)
    with pytest.raises(SlackApiError) as excinfo:
        client.views_publish(user_id="U123", view={"type": "home", "blocks": blocks})
    assert excinfo.value.response["error"] == "invalid_arguments"
    assert fake.posted_messages() == []


def test_the_total_characters_across_blocks_are_limited_under_50_blocks(
    client: WebClient,
) -> None:
    # Five sections of 2,500 characters: each is fine alone, together Slack refuses them.
    blocks = [section("y" * 2500) for _ in range(5)]
    assert blocks_chars(blocks) > MAX_BLOCKS_CHARS
    assert refusal(client, text="t", blocks=blocks) == "msg_blocks_too_long"
    client.chat_postMessage(channel="C0001", text="t", blocks=blocks[:4])


def test_a_view_has_no_cumulative_message_limit_but_100_blocks(client: WebClient) -> None:
    client.views_publish(
        user_id="U123", view={"type": "home", "blocks": [section("z" * 2900)] * 10}
    )
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U123", view={"type": "home", "blocks": [section("z")] * 101})


def test_a_modal_title_over_24_characters_is_refused(client: WebClient) -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "t" * 25},
        "blocks": [section("hi")],
    }
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id="x", view=view)
    assert excinfo.value.response["error"] == "invalid_arguments"


def test_message_text_over_40000_characters_is_refused(client: WebClient) -> None:
    assert refusal(client, text="m" * 40_001) == "msg_too_long"
    client.chat_postMessage(channel="C0001", text="m" * 40_000)


@pytest.mark.parametrize(
    ("metadata", "error"),
    [
        ({"event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": "delivery", "event_payload": "k"}, "invalid_metadata_schema"),
        ({"event_type": "", "event_payload": {}}, "invalid_metadata_schema"),
    ],
)
def test_metadata_needs_an_event_type_and_a_payload_object(
    client: WebClient, metadata: dict[str, Any], error: str
) -> None:
    assert refusal(client, text="t", metadata=metadata) == error


def test_good_metadata_is_accepted(fake: FakeSlackAPI, client: WebClient) -> None:
    metadata = {"event_type": "actionbot_delivery", "event_payload": {"key": "k1"}}
    client.chat_postMessage(channel="C0001", text="t", metadata=metadata)
    assert fake.calls_to("chat.postMessage")[0].params["metadata"] == metadata


def test_a_response_url_checks_its_message_like_chat_post_message(fake: FakeSlackAPI) -> None:
    url = fake.response_url("r1")
    bad = httpx.post(url, json={"text": "t", "blocks": [section("x" * 3001)]})
    assert bad.status_code == 200 and bad.json()["ok"] is False
    assert bad.json()["error"] == "invalid_blocks"
    too_long = httpx.post(url, json={"text": "t", "blocks": [section("y" * 2500)] * 5})
    assert too_long.json()["error"] == "msg_blocks_too_long"
    good = httpx.post(url, json={"text": "t", "blocks": [section("fine")]})
    assert good.json() == {"ok": True}
