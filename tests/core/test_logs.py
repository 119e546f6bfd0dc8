"""Logs: JSON lines with ACTIONBOT_LOG=json, and secrets scrubbed in either format."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.core.config import Settings
from bot.core.logs import configure_logging

TOKEN = "xoxb-1234-secret-token"
SIGNING = "0123456789abcdef-signing"


def settings(**values: str) -> Settings:
    base = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
        "DATABASE_URL": "postgresql://bot:hunter2hunter2@db:5432/actionbot",
    }
    return Settings(_env_file=None, **{**base, **values})  # type: ignore[call-arg]


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def logged(fmt: str) -> str:
    stream = io.StringIO()
    configure_logging(settings(ACTIONBOT_LOG=fmt), level="INFO", stream=stream)
    log = logging.getLogger("actionbot.test")
    log.info("token %s and secret %s", TOKEN, SIGNING)
    log.info("someone else's xoxp-999999-other and xapp-1-A0-123456 tokens")
    log.info("connected to %s", "postgresql://bot:hunter2hunter2@db:5432/actionbot")
    try:
        raise ValueError(f"bad token {TOKEN}")
    except ValueError:
        log.exception("failed")
    return stream.getvalue()


@pytest.mark.usefixtures("restore_root")
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_secrets_never_reach_the_log(fmt: str) -> None:
    text = logged(fmt)
    for secret in (TOKEN, SIGNING, "hunter2hunter2", "xoxp-999999-other", "xapp-1-A0-123456"):
        assert secret not in text
    assert text.count("[redacted]") >= 6


@pytest.mark.usefixtures("restore_root")
def test_json_logs_are_one_object_per_line() -> None:
    lines = logged("json").splitlines()
    entries = [json.loads(line) for line in lines]
    assert len(entries) == 4
    assert entries[0]["level"] == "info" and entries[0]["logger"] == "actionbot.test"
    assert "ValueError" in entries[3]["error"]


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="use text or json"):
        settings(ACTIONBOT_LOG="xml")


TEAMS_SECRET = "teams~client.secret-Value_0123456789"
BOT_FRAMEWORK_JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3Qta2V5LTEifQ"
    ".eyJpc3MiOiJodHRwczovL2FwaS5ib3RmcmFtZXdvcmsuY29tIn0.c2lnbmF0dXJlLWJ5dGVz"
)


@pytest.mark.usefixtures("restore_root")
def test_teams_client_secret_and_bot_framework_bearer_tokens_never_reach_the_log() -> None:
    stream = io.StringIO()
    configure_logging(settings(TEAMS_CLIENT_SECRET=TEAMS_SECRET), level="INFO", stream=stream)
    log = logging.getLogger("actionbot.test")
    log.info("MSAL said no for %s", TEAMS_SECRET)
    log.info("headers {'authorization': 'Bearer %s'}", BOT_FRAMEWORK_JWT)
    log.info("Authorization: Bearer opaque.token-value_1234567890")
    log.info("a token on its own: %s", BOT_FRAMEWORK_JWT)
    log.info("GET https://x.sharepoint.com/download.aspx?UniqueId=1&tempauth=v1.eyJzZWNyZXQ")
    text = stream.getvalue()
    for secret in (TEAMS_SECRET, BOT_FRAMEWORK_JWT, "opaque.token-value_1234567890", "v1.eyJz"):
        assert secret not in text
    assert text.count("[redacted]") == 5


def test_every_secret_the_settings_hold_is_scrubbed() -> None:
    """Derived from the model: a SecretStr setting added later is covered without a list."""
    from pydantic import SecretStr

    from bot.core.logs import secrets_of

    secret_fields = [
        field.alias
        for field in Settings.model_fields.values()
        if field.alias and "SecretStr" in str(field.annotation)
    ]
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "TEAMS_CLIENT_SECRET"} <= set(secret_fields)
    values = {alias: f"value-of-{alias.lower()}" for alias in secret_fields}
    found = secrets_of(Settings(_env_file=None, **values))  # type: ignore[call-arg]
    assert sorted(found) == sorted(values.values())

    class WithAnotherSecret(Settings):
        graph_secret: SecretStr | None = None

    later = WithAnotherSecret(_env_file=None, graph_secret="a-secret-added-later")  # type: ignore[call-arg]
    assert "a-secret-added-later" in secrets_of(later)
