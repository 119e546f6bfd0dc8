"""Prove the fake Slack Web API and the request signer behave like Slack."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import pytest
from slack_bolt import App, BoltRequest, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookClient

from tests.fakes.signing import (
    block_action_body,
    event_body,
    new_trigger_id,
    sign,
    slash_command_body,
    view_submission_body,
)
from tests.fakes.slack_api import FakeSlackAPI

SECRET = "test-signing-secret"
NOW = 1_700_000_000


class FixedClock(Clock):
    def now(self) -> float:
        return float(NOW)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlackAPI]:
    # slack_sdk sends *everything* (even 127.0.0.1) through HTTP(S)_PROXY if set.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SKIP_SLACK_SDK_WARNING", "1")
    with FakeSlackAPI() as api:
        api.add_user("U123", email="ann@example.org", name="Ann", tz="America/New_York")
        api.add_channel("C0001", "general")
        yield api
        assert api.server_errors == []  # the fake itself must never crash


@pytest.fixture
def client(fake: FakeSlackAPI) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.base_url)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record (instead of doing) RateLimitErrorRetryHandler's sleeps.

    The handler sleeps int(Retry-After) + random.random(), so even Retry-After: 0
    would really wait up to a second per retry.
    """
    recorded: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=recorded.append))
    monkeypatch.setattr(builtin_handlers, "random", SimpleNamespace(random=lambda: 0.25))
    return recorded


@pytest.fixture
def fake_sleeps_client(fake: FakeSlackAPI, sleeps: list[float]) -> tuple[WebClient, list[float]]:
    client = WebClient(
        token=fake.bot_token,
        base_url=fake.base_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    return client, sleeps


def api_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> Any:
    return excinfo.value.response["error"]


# --------------------------------------------------------------------- auth


def test_base_url_is_loopback_with_trailing_slash(fake: FakeSlackAPI) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert fake.base_url.endswith("/api/")


def test_auth_test_with_good_token(fake: FakeSlackAPI, client: WebClient) -> None:
    resp = client.auth_test()
    assert resp["team_id"] == "T0001"
    assert resp["user_id"] == "UBOT"
    (call,) = fake.calls_to("auth.test")
    assert call.status == 200
    assert call.headers["authorization"] == "Bearer xoxb-test-token"
    assert call.response["ok"] is True


def test_auth_test_with_bad_token(fake: FakeSlackAPI) -> None:
    bad = WebClient(token="xoxb-wrong", base_url=fake.base_url)
    with pytest.raises(SlackApiError) as excinfo:
        bad.auth_test()
    assert api_error(excinfo) == "invalid_auth"
    assert excinfo.value.response.status_code == 200  # Slack says so in the body, not the status


def test_every_method_checks_the_token(fake: FakeSlackAPI) -> None:
    bad = WebClient(token="xoxb-wrong", base_url=fake.base_url)
    with pytest.raises(SlackApiError) as excinfo:
        bad.chat_postMessage(channel="C0001", text="hi")
    assert api_error(excinfo) == "invalid_auth"
    anonymous = WebClient(base_url=fake.base_url)
    with pytest.raises(SlackApiError) as excinfo:
        anonymous.users_info(user="U123")
    assert api_error(excinfo) == "not_authed"
    assert fake.posted_messages() == []


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("nope.nothing")
    assert api_error(excinfo) == "unknown_method"
    assert excinfo.value.response.headers["Content-Type"] == "application/json; charset=utf-8"


# --------------------------------------------------------------------- chat


def test_chat_post_message_is_recorded_with_blocks_parsed(
    fake: FakeSlackAPI, client: WebClient
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C0001", text="hi", blocks=blocks)
    second = client.chat_postMessage(channel="C0001", text="again", thread_ts=first["ts"])

    assert first["channel"] == "C0001"
    assert first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    call = fake.calls_to("chat.postMessage")[0]
    assert call.params["blocks"] == blocks  # a list, not a JSON string
    assert call.params["text"] == "hi"
    assert [c.params["text"] for c in fake.posted_messages()] == ["hi", "again"]


def test_form_encoded_blocks_are_decoded_too(fake: FakeSlackAPI, client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    client.api_call(
        "chat.postMessage",
        params={"channel": "C0001", "text": "[not json]", "blocks": json.dumps(blocks)},
    )
    (call,) = fake.calls_to("chat.postMessage")
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.params["blocks"] == blocks
    assert call.params["text"] == "[not json]"


def test_post_message_to_user_id_lands_in_their_dm(client: WebClient) -> None:
    assert client.chat_postMessage(channel="U123", text="psst")["channel"] == "DU123"


def test_more_than_50_blocks_rejected(fake: FakeSlackAPI, client: WebClient) -> None:
    divider = {"type": "divider"}
    client.chat_postMessage(channel="C0001", text="ok", blocks=[divider] * 50)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C0001", text="too many", blocks=[divider] * 51)
    assert api_error(excinfo) == "invalid_blocks"
    assert len(fake.posted_messages()) == 1


def test_post_ephemeral_and_update(fake: FakeSlackAPI, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0001", text="v1")
    client.chat_postEphemeral(channel="C0001", user="U123", text="only you")
    updated = client.chat_update(channel="C0001", ts=posted["ts"], text="v2")
    assert updated["ts"] == posted["ts"]
    assert [c.method for c in fake.posted_messages()] == [
        "chat.postMessage",
        "chat.postEphemeral",
        "chat.update",
    ]
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C0001")
    assert api_error(excinfo) == "no_text"


# --------------------------------------------------------------------- users & conversations


def test_users_lookup_by_email(client: WebClient) -> None:
    user = client.users_lookupByEmail(email="ann@example.org")["user"]
    assert user["id"] == "U123"
    assert user["tz"] == "America/New_York"
    with pytest.raises(SlackApiError) as excinfo:
        client.users_lookupByEmail(email="nobody@example.org")
    assert api_error(excinfo) == "users_not_found"


def test_users_info(client: WebClient) -> None:
    user = client.users_info(user="U123")["user"]
    assert user["profile"]["email"] == "ann@example.org"
    assert user["tz_offset"] in (-5 * 3600, -4 * 3600)
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U999")
    assert api_error(excinfo) == "user_not_found"


def test_conversations_open(fake: FakeSlackAPI, client: WebClient) -> None:
    assert client.conversations_open(users="U123")["channel"]["id"] == "DU123"
    assert fake.calls_to("conversations.open")[0].params == {"users": "U123"}
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_open(users="U999")
    assert api_error(excinfo) == "user_not_found"


def test_conversations_list_and_info(fake: FakeSlackAPI, client: WebClient) -> None:
    fake.add_channel("C0002", "random")
    fake.add_channel("C0003", "plans")
    # Iterating a SlackResponse mutates and re-yields the *same* object, so read
    # each page inside the loop (list(...) would give N copies of the last page).
    pages = [[c["id"] for c in page["channels"]] for page in client.conversations_list(limit=2)]
    assert pages == [
        ["C0001", "C0002"],
        ["C0003"],
    ]
    assert client.conversations_info(channel="C0002")["channel"]["name"] == "random"
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_info(channel="C9999")
    assert api_error(excinfo) == "channel_not_found"


# --------------------------------------------------------------------- views


def test_views_publish_validates(fake: FakeSlackAPI, client: WebClient) -> None:
    divider = {"type": "divider"}
    ok = client.views_publish(user_id="U123", view={"type": "home", "blocks": [divider] * 100})
    assert ok["view"]["type"] == "home"
    with pytest.raises(SlackApiError) as excinfo:
        client.views_publish(user_id="U123", view={"type": "home", "blocks": [divider] * 101})
    assert api_error(excinfo) == "invalid_arguments"
    with pytest.raises(SlackApiError) as excinfo:
        client.views_publish(user_id="U123", view={"blocks": []})
    assert api_error(excinfo) == "invalid_arguments"


def test_views_open_then_update(fake: FakeSlackAPI, client: WebClient) -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Plan"},
        "blocks": [{"type": "divider"}],
    }
    opened = client.views_open(trigger_id=fake.issue_trigger(), view=modal)["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    assert updated["view"]["id"] == opened["id"]
    with pytest.raises(SlackApiError) as excinfo:  # stale hash
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal)
    assert api_error(excinfo) == "hash_conflict"


def test_views_open_takes_an_issued_trigger_once_and_within_three_seconds(
    fake: FakeSlackAPI, client: WebClient
) -> None:
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Plan"},
        "blocks": [{"type": "divider"}],
    }
    now = [1000.0]
    fake.trigger_clock = lambda: now[0]
    for trigger, error in (
        ("trig-1", "invalid_trigger_id"),
        (new_trigger_id(), "invalid_trigger_id"),
    ):
        with pytest.raises(SlackApiError) as excinfo:  # never issued by an interaction
            client.views_open(trigger_id=trigger, view=modal)
        assert api_error(excinfo) == error
    issued = fake.issue_trigger()
    client.views_open(trigger_id=issued, view=modal)
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=issued, view=modal)
    assert api_error(excinfo) == "exchanged_trigger_id"
    late = fake.issue_trigger()
    now[0] += 3.5
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=late, view=modal)
    assert api_error(excinfo) == "expired_trigger_id"
    in_time = fake.issue_trigger()
    now[0] += 2.9
    assert client.views_open(trigger_id=in_time, view=modal)["ok"]
    with pytest.raises(SlackApiError) as excinfo:  # a bad view is refused before the trigger
        client.views_open(trigger_id=fake.issue_trigger(), view={"type": "modal", "blocks": []})
    assert api_error(excinfo) == "invalid_arguments"


# --------------------------------------------------------------------- files


def test_files_upload_v2_round_trip(fake: FakeSlackAPI, client: WebClient) -> None:
    content = b"owner,action\nann,report\n"
    resp = client.files_upload_v2(
        content=content,
        filename="plan.csv",
        title="Plan",
        channel="C0001",
        initial_comment="here you go",
    )
    file_id = resp["file"]["id"]
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        f"upload:{file_id}",
        "files.completeUploadExternal",
    ]
    assert fake.calls_to("files.getUploadURLExternal")[0].params["length"] == str(len(content))
    complete = fake.calls_to("files.completeUploadExternal")[0].params
    assert complete["files"] == [{"id": file_id, "title": "Plan"}]
    stored = fake.files[file_id]
    assert stored.data == content
    assert stored.completed
    assert stored.channels == ["C0001"]
    assert stored.initial_comment == "here you go"


def test_complete_upload_without_uploading_fails(client: WebClient) -> None:
    file_id = client.files_getUploadURLExternal(filename="x.txt", length=3)["file_id"]
    with pytest.raises(SlackApiError) as excinfo:
        client.files_completeUploadExternal(files=[{"id": file_id, "title": "x"}])
    assert api_error(excinfo) == "file_not_found"


# --------------------------------------------------------------------- failure programs


def test_rate_limit_retried_by_handler(
    fake: FakeSlackAPI, fake_sleeps_client: tuple[WebClient, list[float]]
) -> None:
    client, sleeps = fake_sleeps_client
    fake.fail("chat.postMessage", error="ratelimited", status=429, times=2, retry_after=0)
    resp = client.chat_postMessage(channel="C0001", text="eventually")
    assert resp["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 429, 200]
    assert sleeps == [0.25, 0.25]  # int(Retry-After) + random.random()


def test_retry_after_is_honoured(
    fake: FakeSlackAPI, fake_sleeps_client: tuple[WebClient, list[float]]
) -> None:
    client, sleeps = fake_sleeps_client
    fake.fail("users.info", error="ratelimited", status=429, times=1, retry_after=3)
    client.users_info(user="U123")
    assert sleeps == [3.25]


def test_rate_limit_gives_up_after_max_retries(
    fake: FakeSlackAPI, fake_sleeps_client: tuple[WebClient, list[float]]
) -> None:
    client, sleeps = fake_sleeps_client
    fake.fail("chat.postMessage", error="ratelimited", status=429, times=3, retry_after=0)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C0001", text="never")
    assert excinfo.value.response.status_code == 429
    assert len(fake.calls_to("chat.postMessage")) == 3
    assert len(sleeps) == 2


def test_rate_limit_every_without_handler(fake: FakeSlackAPI, client: WebClient) -> None:
    fake.rate_limit_every(2, retry_after=7, methods={"chat.postMessage"})
    client.auth_test()
    client.auth_test()  # other methods are not counted
    client.chat_postMessage(channel="C0001", text="1")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C0001", text="2")
    response = excinfo.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    assert response.headers["Retry-After"] == "7"
    client.chat_postMessage(channel="C0001", text="3")
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [200, 429, 200]


def test_rate_limit_every_with_handler(
    fake: FakeSlackAPI, fake_sleeps_client: tuple[WebClient, list[float]]
) -> None:
    client, sleeps = fake_sleeps_client
    fake.rate_limit_every(2)
    for i in range(3):
        client.chat_postMessage(channel="C0001", text=str(i))
    assert [c.params["text"] for c in fake.posted_messages()] == ["0", "1", "2"]
    assert [c.status for c in fake.calls] == [200, 429, 200, 429, 200]
    assert len(sleeps) == 2


def test_fail_once_then_recover(fake: FakeSlackAPI, client: WebClient) -> None:
    fake.fail("conversations.open", error="fatal_error", status=500)
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_open(users="U123")
    assert excinfo.value.response.status_code == 500
    assert api_error(excinfo) == "fatal_error"
    assert client.conversations_open(users="U123")["channel"]["id"] == "DU123"


def test_fail_forever(fake: FakeSlackAPI, client: WebClient) -> None:
    fake.fail("users.info", error="account_inactive", times=None)
    for _ in range(4):
        with pytest.raises(SlackApiError) as excinfo:
            client.users_info(user="U123")
        assert api_error(excinfo) == "account_inactive"
    client.auth_test()  # other methods unaffected
    fake.reset()
    assert fake.calls == []
    assert client.users_info(user="U123")["user"]["id"] == "U123"  # users survive reset()


# --------------------------------------------------------------------- other transports


def test_async_client_sends_get_params_in_query_string(fake: FakeSlackAPI) -> None:
    async def run() -> tuple[Any, Any]:
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.base_url)
        user = await client.users_info(user="U123")
        posted = await client.chat_postMessage(channel="C0001", text="async hi")
        return user["user"]["id"], posted["channel"]

    assert asyncio.run(run()) == ("U123", "C0001")
    (info,) = fake.calls_to("users.info")
    assert info.http_method == "GET"
    assert info.params == {"user": "U123"}


def test_response_url_records_posts(fake: FakeSlackAPI) -> None:
    url = fake.response_url("cmd-1")
    resp = WebhookClient(url).send(text="done", response_type="ephemeral")
    assert resp.status_code == 200
    (call,) = fake.calls_to("response_url:cmd-1")
    assert call.params == {"text": "done", "response_type": "ephemeral"}


# --------------------------------------------------------------------- signing


def test_sign_is_accepted_by_signature_verifier() -> None:
    body = slash_command_body("list", user_id="U123")
    headers = sign(body, secret=SECRET, timestamp=NOW)
    verifier = SignatureVerifier(SECRET, clock=FixedClock())
    assert verifier.is_valid(
        body=body,
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )
    assert verifier.is_valid_request(body, headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert not verifier.is_valid_request(body + "x", headers)
    assert not SignatureVerifier("other", clock=FixedClock()).is_valid_request(body, headers)


def test_sign_json_body_content_type() -> None:
    body = event_body({"type": "app_mention", "user": "U123", "text": "hi"}, event_id="Ev1")
    headers = sign(body, secret=SECRET, timestamp=NOW)
    assert headers["Content-Type"] == "application/json"
    assert SignatureVerifier(SECRET, clock=FixedClock()).is_valid_request(body, headers)


def test_bodies_look_like_slack() -> None:
    command = dict(parse_qsl(slash_command_body("add a b&c", user_id="U123", response_url="u")))
    assert command["text"] == "add a b&c"
    assert command["command"] == "/action"
    assert command["response_url"] == "u"

    (key, raw), *rest = parse_qsl(block_action_body(user_id="U123", action_id="done", value="7"))
    assert key == "payload"
    assert rest == []
    action = json.loads(raw)
    assert action["type"] == "block_actions"
    assert action["actions"][0]["value"] == "7"
    assert action["channel"]["id"] == "C0001"

    submission = json.loads(
        dict(
            parse_qsl(
                view_submission_body(
                    user_id="U123",
                    callback_id="new_action",
                    values={"b": {"a": {"type": "plain_text_input", "value": "x"}}},
                    private_metadata="42",
                )
            )
        )["payload"]
    )
    assert submission["view"]["callback_id"] == "new_action"
    assert submission["view"]["state"]["values"]["b"]["a"]["value"] == "x"
    assert submission["view"]["private_metadata"] == "42"

    envelope = json.loads(event_body({"type": "app_home_opened", "user": "U1"}, event_id="Ev9"))
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"] == "Ev9"


def signed_request(body: str, *, secret: str = SECRET) -> BoltRequest:
    # Bolt checks the timestamp against the real clock (5 minutes tolerance).
    headers: dict[str, str | Sequence[str]] = dict(
        sign(body, secret=secret, timestamp=int(time.time()))
    )
    return BoltRequest(body=body, headers=headers)


def test_bolt_app_end_to_end(fake: FakeSlackAPI) -> None:
    app = App(
        client=WebClient(token=fake.bot_token, base_url=fake.base_url),
        signing_secret=SECRET,
        process_before_response=True,  # run listeners inline: no threads to wait for
    )

    @app.command("/action")
    def handle(ack: Any, respond: Respond, command: dict[str, Any], client: WebClient) -> None:
        ack()
        respond(f"got {command['text']}")
        client.chat_postMessage(channel=command["user_id"], text="dm")

    @app.action("done")
    def clicked(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_update(
            channel=body["channel"]["id"],
            ts=body["message"]["ts"],
            text=body["actions"][0]["value"],
        )

    body = slash_command_body("list", user_id="U123", response_url=fake.response_url("c1"))
    assert app.dispatch(signed_request(body)).status == 200
    body = block_action_body(user_id="U123", action_id="done", value="closed")
    assert app.dispatch(signed_request(body)).status == 200
    assert app.dispatch(signed_request(body, secret="wrong")).status == 401

    assert fake.calls_to("auth.test")  # Bolt authorised the requests against the fake
    assert fake.calls_to("response_url:c1")[0].params["text"] == "got list"
    assert [
        (c.method, c.response["channel"], c.params["text"]) for c in fake.posted_messages()
    ] == [
        ("chat.postMessage", "DU123", "dm"),
        ("chat.update", "C0001", "closed"),
    ]


def test_a_file_input_value_holds_only_files_slack_has_and_files_info_refuses_others(
    fake: FakeSlackAPI, client: WebClient
) -> None:
    shared = fake.share_file("minutes.pdf", b"%PDF", user="U123")
    value = fake.file_input_value(shared["id"])
    assert value["type"] == "file_input" and [f["id"] for f in value["files"]] == [shared["id"]]
    assert client.files_info(file=shared["id"])["file"]["name"] == "minutes.pdf"
    with pytest.raises(KeyError):
        fake.file_input_value("F0NOTREAL")
    with pytest.raises(SlackApiError) as excinfo:
        client.files_info(file="F0NOTREAL")
    assert excinfo.value.response["error"] == "file_not_found"
