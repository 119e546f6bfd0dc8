"""Logging: plain lines for a person at a terminal, or one JSON object per line for a log
collector (`ACTIONBOT_LOG=json`). Either way secrets are scrubbed before a line is written:
the configured tokens and passwords by value, and anything shaped like a Slack token."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import Settings

# Slack bot, user, app and refresh tokens, whoever's they are.
TOKEN_SHAPES = re.compile(r"\b(xox[abposre]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{6,})")
REDACTED = "[redacted]"


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in the settings: tokens, the signing secret, the DB password."""
    found = [
        secret.get_secret_value()
        for secret in (
            settings.slack_bot_token,
            settings.slack_signing_secret,
            settings.slack_app_token,
        )
        if secret is not None
    ]
    try:
        password = make_url(settings.database_url).password
    except ArgumentError:
        password = None
    if password:
        found.append(str(password))
    # Short values would scrub ordinary words; real secrets are long.
    return [s for s in found if len(s.strip()) >= 6]


class Redact(logging.Filter):
    """Replaces secrets in the formatted message (and traceback) with [redacted]."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted(set(secrets), key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN_SHAPES.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.scrub(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class _Ours(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler configure_logging installs, so a second call replaces it. Without a
    stream of its own it writes to whatever `sys.stderr` is at the time (a test runner
    swaps it per command and closes the old one)."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream)
        self._fixed = stream

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = self._fixed or sys.stderr
        super().emit(record)


def configure_logging(
    settings: Settings, *, level: str | None = None, stream: TextIO | None = None
) -> logging.Handler:
    """Route every logger (uvicorn's, Bolt's, ours) through one redacting handler."""
    handler = _Ours(stream)
    handler.addFilter(Redact(secrets_of(settings)))
    if settings.log_format.lower() == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, _Ours):  # a test runner's own capture handlers stay
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel((level or "WARNING").upper())
    return handler
