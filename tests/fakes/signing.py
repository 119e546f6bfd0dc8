"""Build signed request bodies the way Slack sends them to an app.

Bolt's request verification rejects timestamps more than 5 minutes away from
its own clock, so pass ``timestamp=int(time.time())`` when dispatching into a
real ``App`` (the signature itself is deterministic for a given timestamp).

    body = slash_command_body("list", user_id="U123")
    headers = sign(body, secret="s3cret", timestamp=int(time.time()))
    app.dispatch(BoltRequest(body=body, headers=headers))
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

__all__ = [
    "block_action_body",
    "event_body",
    "new_trigger_id",
    "sign",
    "slash_command_body",
    "view_submission_body",
]

API_APP_ID = "A0001"
VERIFICATION_TOKEN = "verification-token"  # the deprecated `token` field Slack still sends
TEAM_DOMAIN = "fake-workspace"
BOT_USER_ID = "UBOT"  # matches FakeSlackAPI's default bot_user_id
BOT_ID = "BBOT"
MESSAGE_TS = "1700000000.000100"
ACTION_TS = "1700000000.000200"


def sign(body: str, *, secret: str, timestamp: int) -> dict[str, str]:
    """Headers Slack would send with ``body``: timestamp, v0 signature, content type."""
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    if signature is None:  # only when timestamp is None; keeps mypy honest
        raise ValueError("could not sign body")
    content_type = (
        "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    )
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
        "Content-Type": content_type,
    }


def new_trigger_id() -> str:
    """A trigger_id shaped like Slack's (``13345224609.738474920.8088930838d88f008e0``)."""
    return f"{secrets.randbelow(10**11)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def _team(team_id: str, enterprise_id: str | None = None) -> dict[str, Any]:
    team = {"id": team_id, "domain": TEAM_DOMAIN}
    return {**team, "enterprise_id": enterprise_id} if enterprise_id else team


def _enterprise(enterprise_id: str | None) -> dict[str, Any] | None:
    return {"id": enterprise_id, "name": "Fake Org"} if enterprise_id else None


_MENTION_MARKUP = re.compile(r"&lt;([@#!][A-Za-z0-9^]+(?:\|[^&]*)?)&gt;")


def as_slack_sends(typed: str) -> str:
    """Slash-command text as Slack sends it with `should_escape: true`: `&`, `<`, `>` the
    person typed become `&amp;`, `&lt;`, `&gt;`; mentions picked from the autocomplete,
    written here as `<@U123|name>`, stay markup."""
    escaped = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION_MARKUP.sub(lambda m: f"<{m.group(1)}>", escaped)


def slash_command_body(
    text: str,
    *,
    user_id: str,
    command: str = "/action",
    team_id: str = "T0001",
    response_url: str = "",
    trigger_id: str | None = None,
    channel_id: str = "C0001",
    enterprise_id: str | None = None,
) -> str:
    """A slash command invocation, form-encoded like Slack sends it (from workspace
    `team_id`, of Enterprise Grid org `enterprise_id` when given).

    Each gets a fresh ``trigger_id`` unless one is given (Slack's are unique per invocation,
    and actionbot treats a repeated one as a repeated request)."""
    return urlencode(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": API_APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
            **({"enterprise_id": enterprise_id} if enterprise_id else {}),
        }
    )


def _interactivity(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})


def block_action_body(
    *,
    user_id: str,
    action_id: str,
    value: str,
    block_id: str = "b1",
    response_url: str = "",
    trigger_id: str | None = None,
    container: dict[str, Any] | None = None,
    team_id: str = "T0001",
    channel_id: str = "C0001",
    enterprise_id: str | None = None,
    user_team_id: str | None = None,
) -> str:
    """A button click (``block_actions``), as ``payload=<urlencoded JSON>``.

    The default container is a bot message in ``channel_id``. Pass
    ``container={"type": "view", "view_id": "V123"}`` for a click inside a modal or
    App Home; the payload then carries ``view`` instead of ``channel``/``message``.
    """
    if container is None:
        container = {
            "type": "message",
            "message_ts": MESSAGE_TS,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
    action = {
        "type": "button",
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": "Button", "emoji": True},
        "value": value,
        "action_ts": ACTION_TS,
    }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, user_team_id or team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(team_id, enterprise_id),
        "enterprise": _enterprise(enterprise_id),
        "is_enterprise_install": False,
        "actions": [action],
    }
    if container.get("type") == "view":
        view_id = str(container.get("view_id", "V0001"))
        payload["view"] = {
            "id": view_id,
            "team_id": team_id,
            "type": str(container.get("view_type", "modal")),
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": "1700000000.view-hash",
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": API_APP_ID,
            "bot_id": BOT_ID,
        }
    else:
        message_channel = str(container.get("channel_id", channel_id))
        payload["channel"] = {"id": message_channel, "name": "general"}
        payload["message"] = {
            "type": "message",
            "subtype": "bot_message",
            "text": "",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "ts": str(container.get("message_ts", MESSAGE_TS)),
            "blocks": [],
        }
        payload["state"] = {"values": {}}
    payload["response_url"] = response_url
    return _interactivity(payload)


def view_submission_body(
    *,
    user_id: str,
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    private_metadata: str = "",
    team_id: str = "T0001",
    view_id: str = "V0001",
    enterprise_id: str | None = None,
) -> str:
    """A modal submission; ``values`` is ``view.state.values``
    (``{block_id: {action_id: {"type": ..., "value": ...}}}``)."""
    payload = {
        "type": "view_submission",
        "team": _team(team_id, enterprise_id),
        "user": _user(user_id, team_id),
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": new_trigger_id(),
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": "1700000000.view-hash",
            "title": {"type": "plain_text", "text": "Modal"},
            "close": {"type": "plain_text", "text": "Cancel"},
            "submit": {"type": "plain_text", "text": "Submit"},
            "clear_on_close": False,
            "notify_on_close": False,
            "root_view_id": view_id,
            "previous_view_id": None,
            "app_id": API_APP_ID,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": BOT_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": _enterprise(enterprise_id),
    }
    return _interactivity(payload)


def event_body(
    event: dict[str, Any],
    *,
    event_id: str,
    team_id: str = "T0001",
    enterprise_id: str | None = None,
) -> str:
    """An Events API ``event_callback`` envelope (JSON), for the installation in `team_id`
    (of org `enterprise_id`); `event.user_team` says whose workspace the person is in."""
    event_time = int(float(event.get("event_ts", event.get("ts", "1700000000"))))
    return json.dumps(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id,
            **({"enterprise_id": enterprise_id} if enterprise_id else {}),
            "api_app_id": API_APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": event_time,
            "authorizations": [
                {
                    "enterprise_id": enterprise_id,
                    "team_id": team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{event_id}",
        },
        separators=(",", ":"),
    )
