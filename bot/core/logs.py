"""Logging: plain lines for a person at a terminal, or one JSON object per line for a log
collector (`ACTIONBOT_LOG=json`). Either way secrets are scrubbed before a line is written:
every secret the settings hold by value, and anything shaped like a Slack token, a bearer
token (the Bot Framework's JWTs) or a pre-authorised download link's credential."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.core.config import Settings

REDACTED = "[redacted]"
# Credentials whoever's they are: Slack bot, user, app and refresh tokens; a JWT (the Bot
# Framework's tokens, ours and Teams'), with or without `Bearer ` before it; any other
# `Authorization: Bearer …` value; the `tempauth` a Teams/SharePoint download link carries.
TOKEN_SHAPES = re.compile(
    r"\b(xox[abposre]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{6,})"
    r"|\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"
    r"|(?<=[Bb]earer )[A-Za-z0-9._~+/=-]{8,}"
    r"|(?<=tempauth=)[^&\s\"']{8,}"
)


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in the settings, and the database password.

    Secrets are the settings typed `SecretStr`, found from the model itself: a secret
    added to `Settings` later is scrubbed without anyone remembering to list it here.
    """
    found = [
        value.get_secret_value()
        for name in type(settings).model_fields
        if isinstance(value := getattr(settings, name), SecretStr)
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
