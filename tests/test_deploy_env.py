"""Following the README's `cp .env.example .env` and `docker compose up -d` gives production:
PostgreSQL's password is asked for, never defaulted, and the example's blank lines do not
turn the container into development. Regressions: compose fell back to the password
`actionbot`, and the example's `ACTIONBOT_ENV=development` won over compose's production.
No Docker engine runs here, so compose's own interpolation rules are applied by hand."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from dotenv import dotenv_values

from bot.core.config import ConfigError, Settings

ROOT = Path(__file__).parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}")


def interpolate(text: str, values: dict[str, str]) -> str:
    """compose's `${NAME}`, `${NAME:-default}` (default when unset or empty) and
    `${NAME:?message}` (an error when unset or empty)."""

    def one(match: re.Match[str]) -> str:
        name, kind, rest = match.groups()
        value = values.get(name) or ""
        if value:
            return value
        if kind == "?":
            raise ValueError(f"{name}: {rest}")
        return rest if kind == "-" else ""

    return _VARIABLE.sub(one, text)


def container_environment(dotenv: dict[str, str]) -> dict[str, str]:
    """What the actionbot container gets: .env (env_file), then `environment:` over it."""
    service = COMPOSE["services"]["actionbot"]
    merged = dict(dotenv)
    merged.update({k: interpolate(str(v), dotenv) for k, v in service["environment"].items()})
    return merged


def example() -> dict[str, str]:
    return {k: v or "" for k, v in dotenv_values(ROOT / ".env.example").items()}


def test_postgres_password_is_documented_and_never_defaulted() -> None:
    assert "POSTGRES_PASSWORD" in example() and example()["POSTGRES_PASSWORD"] == ""
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    uses = re.findall(r"\$\{POSTGRES_PASSWORD[^}]*\}", text)
    assert uses and all(use.startswith("${POSTGRES_PASSWORD:?") for use in uses), uses
    with pytest.raises(ValueError, match="POSTGRES_PASSWORD"):
        container_environment(example())


def test_the_copied_example_runs_the_container_as_production() -> None:
    env = container_environment({**example(), "POSTGRES_PASSWORD": "a-long-random-one"})
    assert env["ACTIONBOT_ENV"] == "production" and env["ACTIONBOT_LOG"] == "json"
    assert env["DATABASE_URL"] == "postgresql://actionbot:a-long-random-one@db:5432/actionbot"
    settings = Settings(_env_file=None, **env)  # type: ignore[arg-type]
    assert settings.env == "production" and settings.log_format == "json"
    # The development shortcut stays refused there.
    dev = Settings(_env_file=None, **{**env, "ACTIONBOT_TEAMS_INSECURE_DEV": "1"})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="refused when ACTIONBOT_ENV=production"):
        dev.require_teams()


def test_outside_the_container_the_example_is_development() -> None:
    settings = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert settings.env == "development" and settings.log_format == "text"


def test_sqlite_write_ahead_files_are_ignored_by_git() -> None:
    for name in ("actionbot.db-wal", "actionbot.db-shm", "register.sqlite-wal", "x.sqlite3-shm"):
        done = subprocess.run(
            ["git", "check-ignore", "--no-index", "-q", name], cwd=ROOT, check=False
        )
        assert done.returncode == 0, name
