"""Running it for real: the Dockerfile and compose.yaml say what they must (no Docker engine
runs here), the container's command serves /healthz when run directly, its HEALTHCHECK
command passes against it, and logs are JSON lines without secrets."""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import SECRET, TOKEN

ROOT = Path(__file__).parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def documented_settings() -> list[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return re.findall(r"^([A-Z][A-Z0-9_]+)=", text, flags=re.M)


def test_compose_runs_actionbot_with_postgres_16_and_every_setting() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    db, bot = compose["services"]["db"], compose["services"]["actionbot"]
    assert db["image"] == "postgres:16"
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"] and "pgdata" in compose["volumes"]
    assert bot["build"] == "." and bot["env_file"] == [".env"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["command"][:2] == ["actionbot", "serve"]
    settings = documented_settings()
    assert len(settings) >= 15 and "ACTIONBOT_LOG" in settings
    # POSTGRES_PASSWORD is the db service's (and in DATABASE_URL), not an actionbot setting.
    missing = [n for n in settings if n not in bot["environment"] and n != "POSTGRES_PASSWORD"]
    assert missing == [] and "POSTGRES_PASSWORD" in db["environment"]
    assert re.fullmatch(
        r"postgresql://actionbot:.+@db:5432/actionbot", bot["environment"]["DATABASE_URL"]
    )


def test_dockerfile_is_slim_unprivileged_and_health_checked() -> None:
    assert re.search(r"^FROM python:3\.\d+-slim\b", DOCKERFILE, flags=re.M)
    assert "pip wheel" in DOCKERFILE and "pip install --no-cache-dir /wheels/*.whl" in DOCKERFILE
    user = re.findall(r"^USER (\S+)", DOCKERFILE, flags=re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r'^CMD \["actionbot", "serve"\]', DOCKERFILE, flags=re.M)
    assert "/healthz" in healthcheck_command()[-1]


def healthcheck_command() -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", joined, flags=re.M)
    assert match is not None
    command: list[str] = json.loads(match.group(1))
    return command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    """`actionbot serve` as the container runs it, with a fake Slack, logging JSON at DEBUG."""
    port = free_port()
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ACTIONBOT_"))},
            "DATABASE_URL": f"sqlite:///{tmp_path / 'register.db'}",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.base_url,
            "ACTIONBOT_LOG": "json",
            "LOG_LEVEL": "DEBUG",
            "PORT": str(port),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"],
            env=env,
            cwd=tmp_path,
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        lines: list[str] = []
        started: queue.Queue[bool] = queue.Queue()

        def read() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                lines.append(line.rstrip("\n"))
                if "Uvicorn running on" in line:
                    started.put(True)
            started.put(False)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            assert started.get(timeout=60), "\n".join(lines)
            yield port, lines
        finally:
            process.terminate()
            process.wait(timeout=30)
            reader.join(timeout=30)


def test_the_containers_command_serves_healthz_and_logs_json_without_secrets(
    served: tuple[int, list[str]],
) -> None:
    port, lines = served
    response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
    assert response.status_code == 200 and response.json() == {"ok": True, "database": "up"}
    # The image's own HEALTHCHECK command, run as Docker would.
    check = subprocess.run(
        healthcheck_command(), env={**os.environ, "PORT": str(port)}, timeout=30, check=False
    )
    assert check.returncode == 0
    entries = [json.loads(line) for line in lines if line.strip()]
    assert entries and all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert any(e["message"].startswith("Slack: connected as") for e in entries)
    text = "\n".join(lines)
    assert TOKEN not in text and SECRET not in text


def test_serve_help_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "--port" in result.stdout
