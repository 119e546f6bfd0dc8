"""The door before the door: what reaches Bolt over HTTP is signed by Slack and well formed,
and what reaches a listener comes from the installed workspace.

Bolt's own check raises on a non-numeric timestamp, and its error path then runs with the
unverified body (and its `response_url`). So every request is checked here first, strictly
and without raising: anything unverifiable is answered 401 and nothing else happens.
A signed request whose payload is not what Slack sends is answered 400 with one log line.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import BoltResponse
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.commands.buttons import REVIEW_KINDS
from bot.commands.verbs import IMPORT_BUTTONS
from bot.core.config import ConfigError
from bot.core.messages import ACTION_BUTTONS
from bot.render.blocks import (
    ADD_UPDATE_VIEW,
    MAP_OWNER_ACTION,
    MAP_OWNER_VIEW,
    NEW_DATE_VIEW,
    action_ids,
    ids_pattern,
)
from bot.render.closure_blocks import DONE_VIEW, REASON_VIEW

log = logging.getLogger(__name__)

MAX_AGE = 5 * 60  # Slack's own rule: a request older than five minutes may be a replay
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^v0=[0-9a-f]{64}$")


def is_signed(
    body: bytes,
    headers: Mapping[str, str],
    *,
    secret: str,
    now: Callable[[], float] = time.time,
) -> bool:
    """True only for a request Slack signed with `secret` in the last five minutes.

    Never raises, whatever the headers or body hold.
    """
    timestamp = headers.get("x-slack-request-timestamp", "")
    signature = headers.get("x-slack-signature", "")
    if not _TIMESTAMP.match(timestamp) or not _SIGNATURE.match(signature):
        return False
    if abs(now() - int(timestamp)) > MAX_AGE:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    expected = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=text)
    return expected is not None and hmac.compare_digest(expected, signature)


class Malformed(ValueError):
    """A signed payload that is not what Slack sends; the message says what is wrong."""


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    """The request body as Bolt will see it (form fields, or the JSON in `payload`)."""
    text = body.decode("utf-8")
    if "json" in content_type or text.lstrip().startswith("{"):
        return _json_object(text, "body")
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        return _json_object(fields["payload"], "payload")
    return fields


def _json_object(text: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Malformed(f"{where} is not JSON ({exc.msg})") from exc
    except RecursionError:
        raise Malformed(f"{where} is nested too deep") from None
    if not isinstance(value, dict):
        raise Malformed(f"{where} is not a JSON object")
    return value


def _str(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _digits(value: Any) -> bool:
    return isinstance(value, str) and _DIGITS.match(value) is not None


def _page_state(value: Any) -> bool:
    try:
        state = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return False
    if not isinstance(state, dict):
        return False
    page = state.get("p")
    return isinstance(page, int) and not isinstance(page, bool) and isinstance(state.get("t"), str)


def _choice(value: Any) -> bool:
    pinned, bar, _ = value.partition("|") if isinstance(value, str) else ("", "", "")
    return bool(bar) and _digits(pinned)


def _owner_name(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 300


_DIGITS = re.compile(r"^[0-9]{1,12}$")
_REVIEW_TARGET = re.compile(r"^(reject|decline):[0-9]{1,12}$")


def _review_target(value: Any) -> bool:
    return isinstance(value, str) and _REVIEW_TARGET.match(value) is not None


_PENDING_ID = re.compile(r"^[0-9a-f]{32}$")  # bot/services/imports/preview.py makes them


def _pending_id(value: Any) -> bool:
    return isinstance(value, str) and _PENDING_ID.match(value) is not None


# Each button actionbot renders, and what its `value` must look like for its listener.
BUTTONS: list[tuple[re.Pattern[str], Callable[[Any], bool]]] = [
    (action_ids(kind for kind, _ in ACTION_BUTTONS), _digits),
    (re.compile(r"^action_choose_[0-9]+$"), _choice),
    (re.compile(r"^page_(next|prev)$"), _page_state),
    (re.compile(r"^home_(next|prev)$"), _digits),
    (ids_pattern(IMPORT_BUTTONS), _pending_id),
    (ids_pattern([MAP_OWNER_ACTION]), _owner_name),
    (action_ids(REVIEW_KINDS), _digits),
]
# Each modal actionbot opens: its callback_id, the inputs its listener reads, and what its
# private_metadata holds (an action id, or an owner name).
VIEWS: dict[str, tuple[tuple[str, ...], Callable[[Any], bool]]] = {
    NEW_DATE_VIEW: (("date", "reason"), _digits),
    ADD_UPDATE_VIEW: (("note",), _digits),
    MAP_OWNER_VIEW: (("holders",), _owner_name),
    REASON_VIEW: (("reason",), _review_target),
    DONE_VIEW: (("links", "note", "files"), _digits),
}


def check_shape(payload: dict[str, Any]) -> None:
    """Raise Malformed unless `payload` has what actionbot's listeners read, typed as Slack
    types it. Only the fields actionbot uses are checked; Slack may add others at will."""
    kind = payload.get("type")
    if "command" in payload and kind is None:
        _need(payload, "user_id", _str)
        _need(payload, "command", _str)
        _need(payload, "text", lambda v: v is None or isinstance(v, str), optional=True)
        return
    if kind in ("url_verification", "ssl_check"):
        return
    if kind == "event_callback":
        event = payload.get("event")
        if not isinstance(event, dict) or not _str(event.get("type")):
            raise Malformed("event_callback without an event type")
        _need(payload, "event_id", _str)
        if event["type"] == "app_home_opened" and not _str(event.get("user")):
            raise Malformed("app_home_opened without a user")
        return
    if kind not in ("block_actions", "view_submission", "view_closed"):
        raise Malformed(f"unknown payload type {str(kind)[:40]!r}")
    user = payload.get("user")
    if not isinstance(user, dict) or not _str(user.get("id")):
        raise Malformed(f"{kind} without user.id")
    if kind == "block_actions":
        _check_actions(payload.get("actions"))
    elif kind == "view_submission":
        _check_view(payload.get("view"))


def _need(
    payload: dict[str, Any], name: str, ok: Callable[[Any], bool], *, optional: bool = False
) -> None:
    if name not in payload and optional:
        return
    if not ok(payload.get(name)):
        raise Malformed(f"bad or missing {name}")


def _check_actions(actions: Any) -> None:
    if not isinstance(actions, list) or not actions:
        raise Malformed("block_actions without actions")
    for action in actions:
        if not isinstance(action, dict) or not _str(action.get("action_id")):
            raise Malformed("an action without action_id")
        action_id = str(action["action_id"])
        rule = next((ok for pattern, ok in BUTTONS if pattern.match(action_id)), None)
        if rule is None:
            raise Malformed(f"unknown action_id {action_id[:60]!r}")
        if not rule(action.get("value")):
            raise Malformed(f"bad value for {action_id}")


def _check_view(view: Any) -> None:
    if not isinstance(view, dict):
        raise Malformed("view_submission without a view")
    known = VIEWS.get(str(view.get("callback_id")))
    if known is None:
        raise Malformed(f"unknown callback_id {str(view.get('callback_id'))[:60]!r}")
    inputs, metadata_ok = known
    if not metadata_ok(view.get("private_metadata")):
        raise Malformed("bad private_metadata")
    values = (
        (view.get("state") or {}).get("values") if isinstance(view.get("state"), dict) else None
    )
    if not isinstance(values, dict):
        raise Malformed("view without state.values")
    for block in inputs:
        element = (
            (values.get(block) or {}).get("value") if isinstance(values.get(block), dict) else None
        )
        if not isinstance(element, dict):
            raise Malformed(f"view without the {block} input")
    # Every input the view holds, required or not, typed as Slack types it.
    for block, elements in values.items():
        if not isinstance(elements, dict):
            raise Malformed(f"bad {str(block)[:40]!r} block")
        for element in elements.values():
            if not isinstance(element, dict):
                raise Malformed(f"bad input in the {str(block)[:40]!r} block")
            _check_element(element, str(block)[:40])


def _check_element(element: dict[str, Any], block: str) -> None:
    if not isinstance(element.get("value"), str | None):
        raise Malformed(f"bad value in the {block} input")
    if not _iso_date(element.get("selected_date")):
        raise Malformed(f"bad date in the {block} input")
    users = element.get("selected_users", [])
    if not isinstance(users, list) or not all(_str(u) for u in users):
        raise Malformed(f"bad users in the {block} input")
    option = element.get("selected_option")
    if option is not None and not (isinstance(option, dict) and _str(option.get("value"))):
        raise Malformed(f"bad choice in the {block} input")
    files = element.get("files", [])  # a file input: the files uploaded in the form
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and _str(f.get("id")) for f in files
    ):
        raise Malformed(f"bad files in the {block} input")


def _iso_date(value: Any) -> bool:
    if value is None:
        return True
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


# -- whose workspace ----------------------------------------------------------------------


@dataclass(frozen=True)
class Installed:
    """Where the bot is installed, as auth.test says, and which Grid org is allowed."""

    team_id: str | None
    enterprise_id: str | None
    # An org-wide install, or SLACK_ENTERPRISE_ID: every workspace of this org may use it.
    org: str | None

    @classmethod
    def of(cls, identity: Mapping[str, Any], *, allowed_org: str | None) -> Installed:
        """From an auth.test answer. Raises ConfigError when SLACK_ENTERPRISE_ID names an
        org the token's workspace is not in: the bot would refuse everybody."""
        team = identity.get("team_id") or None
        enterprise = identity.get("enterprise_id") or None
        if allowed_org and allowed_org != enterprise:
            raise ConfigError(
                f"SLACK_ENTERPRISE_ID={allowed_org} but SLACK_BOT_TOKEN belongs to workspace "
                f"{team} in {'org ' + str(enterprise) if enterprise else 'no Enterprise Grid org'}"
                ": correct SLACK_ENTERPRISE_ID, or leave it empty"
            )
        org_wide = bool(identity.get("is_enterprise_install")) and enterprise
        return cls(
            team_id=str(team) if team else None,
            enterprise_id=str(enterprise) if enterprise else None,
            org=allowed_org or (str(enterprise) if org_wide else None),
        )

    def refusal(self, payload: Mapping[str, Any], context: Mapping[str, Any]) -> str | None:
        """Why this request is not from the installed workspace (or the allowed org), or None.

        Every workspace the payload names is checked: the request's (Bolt's `team_id`) and
        the person's (Bolt's `actor_team_id`, `user.team_id`, `event.user_team`), so a person
        from another workspace in a shared channel is refused too.
        """
        teams = {str(t) for t in _named_teams(payload, context) if t}
        enterprises = {
            str(e) for e in (context.get("enterprise_id"), context.get("actor_enterprise_id")) if e
        }
        # Slack writes an org's id where a team's would go for some Grid events.
        enterprises |= {t for t in teams if t.startswith("E")}
        teams = {t for t in teams if not t.startswith("E")}
        if self.org is not None:
            if not enterprises:
                outside = sorted(t for t in teams if t != self.team_id)
                if outside or not teams:
                    return f"workspace {_ids(outside) or 'unknown'} names no Enterprise Grid org"
                return None
            if enterprises != {self.org}:
                return f"org {_ids(enterprises - {self.org})} is not SLACK_ENTERPRISE_ID"
            return None
        if not teams:
            return "the request names no workspace"
        if teams != {self.team_id}:
            return f"workspace {_ids(teams - {self.team_id})} is not the installed one"
        if enterprises - {self.enterprise_id}:
            return f"org {_ids(enterprises - {self.enterprise_id})} is not the installed one"
        return None


def _named_teams(payload: Mapping[str, Any], context: Mapping[str, Any]) -> list[Any]:
    user = payload.get("user")
    event = payload.get("event")
    return [
        context.get("team_id"),
        context.get("actor_team_id"),
        user.get("team_id") if isinstance(user, dict) else None,
        event.get("user_team") if isinstance(event, dict) else None,
    ]


def _ids(values: Any) -> str:
    return ", ".join(repr(str(v)[:24]) for v in sorted(values))


class Workspace(AsyncMiddleware):
    """Bolt middleware: a request from any workspace but the installed one (or any org but
    the allowed one) is answered 403 before a listener, or anything that reads the
    register, runs. Bolt runs its middleware for Socket Mode too: there the envelope is
    acknowledged (else Slack sends it again) and not acted on. Signing proves only that a
    request came from Slack: one app's signing secret signs every workspace's requests."""

    def __init__(self, *, allowed_org: str | None) -> None:
        self.allowed_org = allowed_org
        self.installed: Installed | None = None
        self._asking = asyncio.Lock()

    def know(self, identity: Mapping[str, Any] | AsyncSlackResponse) -> None:
        """The auth.test answer `serve` got at start (so no request waits for one)."""
        data = identity.data if isinstance(identity, AsyncSlackResponse) else identity
        if not isinstance(data, Mapping):
            raise ConfigError("auth.test gave no JSON answer")
        self.installed = Installed.of(data, allowed_org=self.allowed_org)

    async def _installed(self, req: AsyncBoltRequest) -> Installed:
        async with self._asking:
            if self.installed is None:
                client = req.context.client
                if client is None:
                    raise ConfigError("no Slack client to ask auth.test with")
                self.know(await client.auth_test())
        assert self.installed is not None
        return self.installed

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse:
        installed = self.installed or await self._installed(req)
        problem = installed.refusal(req.body, req.context)
        if problem is None:
            return await next()
        if req.mode == "socket_mode":
            # Acknowledged, so Slack does not send it again, and not acted on.
            log.warning("refused a Slack request over Socket Mode: %s", problem)
            return BoltResponse(status=200, body="")
        log.warning("refused a Slack request: %s (HTTP 403)", problem)
        return BoltResponse(status=403, body="")
