"""Logs: JSON lines with ACTIONBOT_LOG=json, and secrets scrubbed in either format."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.logs import configure_logging

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
