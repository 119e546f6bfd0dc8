"""CLI start-up: commands that do not talk to a platform never load a platform's library.

Each check runs in a fresh interpreter (`sys.modules` of the test process already holds
everything other tests imported).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from store.db import alembic_config, at_head, make_engine, script_head, upgrade

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_LIBRARIES = (
    "slack_bolt",
    "slack_sdk",
    "aiohttp",
    "microsoft_teams",
    "matplotlib",
    "openpyxl",
    "docx",
    "uvicorn",
    "starlette",
)
# Not platform libraries, but costly and unused by these commands.
HEAVY = ("alembic", "holidays")

LOADED = """
import json, sys
sys.argv = ["actionbot", *sys.argv[1:]]
{body}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
"""


def _loaded(body: str, *args: str, env: dict[str, str] | None = None) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(body=body), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_platform_library() -> None:
    loaded = _loaded("import bot.cli.main")
    assert "typer" in loaded  # the probe sees what the CLI imports
    assert loaded.isdisjoint(PLATFORM_LIBRARIES + HEAVY), loaded & set(PLATFORM_LIBRARIES + HEAVY)


@pytest.mark.parametrize("command", [["--help"], ["plans", "list"], ["show", "--plan", "NONE"]])
def test_commands_without_a_platform_load_none(command: list[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    run = "import bot.cli.main\ntry:\n    bot.cli.main.main()\nexcept SystemExit:\n    pass"
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "HOME": str(tmp_path)}
    # First run creates the schema (Alembic); the second finds it at head and skips Alembic.
    first = _loaded(run, "plans", "list", env=env)
    assert "alembic" in first and "sqlalchemy" in first
    loaded = _loaded(run, *command, env=env)
    assert loaded.isdisjoint(PLATFORM_LIBRARIES + HEAVY), loaded & set(PLATFORM_LIBRARIES + HEAVY)
    if command != ["--help"]:
        # One path for every command: the settings are checked and the register read as
        # every command reads it (the schema check at head needs no Alembic).
        assert {"sqlalchemy", "pydantic_settings"} <= loaded


@pytest.mark.parametrize("command", [["plans", "list"], ["show", "--plan", "NONE"]])
def test_read_only_commands_refuse_bad_settings_too(command: list[str], tmp_path: Path) -> None:
    # They once answered a register at head before the settings were read.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'register.db'}"

    def actionbot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            check=False,
            timeout=60,
        )

    assert actionbot("plans", "list").returncode == 0  # the register is made, at head
    (tmp_path / ".env").write_text("ACTIONBOT_LOG=loud\n", encoding="utf-8")
    done = actionbot(*command)
    assert done.returncode != 0
    assert "bad settings" in done.stderr and "ACTIONBOT_LOG='loud'" in done.stderr


def test_script_head_is_alembics_head() -> None:
    assert (
        script_head() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    )


def test_at_head_only_when_the_database_records_the_head(empty_db_url: str) -> None:
    engine: Engine = make_engine(empty_db_url)
    try:
        assert not at_head(engine)  # no alembic_version table yet
        upgrade(engine, "0001")
        assert not at_head(engine)
        upgrade(engine)
        assert at_head(engine)
        upgrade(engine)  # the cheap path: still at head, nothing raised
        assert at_head(engine)
    finally:
        engine.dispose()
