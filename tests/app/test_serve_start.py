"""Item 8 and 6 at start-up: plain errors, a real port for --port 0, one auth.test in all."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
from typing import IO

import httpx
import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.handlers.slack.budget import WORKING_ON_IT
from tests.fakes.signing import sign, slash_command_body
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import SECRET, TOKEN

APP_TOKEN = "xapp-1-A0FAKEAPP-1-0123456789"


def test_an_unreachable_postgresql_is_one_clear_line() -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    url = "postgresql://bob:s3cret-pw@127.0.0.1:1/register"
    result = CliRunner().invoke(
        app, ["--database-url", url, "owners", "list"], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "cannot open the register at postgresql://bob:***@127.0.0.1:1/register" in lines[0]
    assert "Connection refused" in lines[0]
    assert "Traceback" not in result.output and "s3cret-pw" not in result.output


def test_a_wrong_app_token_is_refused_at_start(db_url: str) -> None:
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        fake.app_token, fake.socket_mode_url = APP_TOKEN, "ws://127.0.0.1:9/never"
        result = CliRunner().invoke(
            app,
            ["--database-url", db_url, "serve", "--port", "0", "--host", "127.0.0.1"],
            env={
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_APP_TOKEN": "xapp-1-A0FAKEAPP-1-wrong",
                "SLACK_API_URL": fake.base_url,
                "COLUMNS": "300",
            },
        )
        assert result.exit_code == 1, result.output
        assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in result.stderr
        assert "xapp-1-A0FAKEAPP-1-wrong" not in result.output
        assert [c.method for c in fake.calls] == ["auth.test", "apps.connections.open"]


async def _burst(base: str, fake: FakeSlackAPI, count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=30) as client:

        async def one(n: int) -> httpx.Response:
            body = slash_command_body(
                "help", user_id=f"U{n:04d}", response_url=fake.response_url(f"U{n:04d}")
            )
            headers = sign(body, secret=SECRET, timestamp=int(time.time()))
            return await client.post(f"{base}/slack/events", content=body, headers=headers)

        return list(await asyncio.gather(*(one(n) for n in range(count))))


def _drain(stream: IO[str], into: list[str]) -> threading.Thread:
    """Keep reading the server's output: a full pipe would block its logging, and with it
    the event loop, which is a hang in the test and not in the server."""
    thread = threading.Thread(target=lambda: into.extend(stream), daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_serve_on_port_0_says_its_port_and_calls_auth_test_once(db_url: str) -> None:
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        for n in range(40):
            fake.add_user(f"U{n:04d}")
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": db_url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.base_url,
            "COLUMNS": "300",
        }
        env.pop("PORT", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", "0", "--host", "127.0.0.1"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output: list[str] = []
        try:
            assert process.stdout is not None
            announced = None
            for line in process.stdout:
                output.append(line)
                announced = re.search(r"listening on (http://127\.0\.0\.1:(\d+))", line)
                if announced:
                    break
            assert announced, "serve never said where it listens"
            assert int(announced.group(2)) != 0
            reader = _drain(process.stdout, output)
            responses = asyncio.run(_burst(announced.group(1), fake, 40))
            # A busy server acks "working on it" and sends the answer through response_url.
            late = [f"U{n:04d}" for n, r in enumerate(responses) if WORKING_ON_IT in r.text]
            for key in late:
                fake.wait_for(f"response_url:{key}", timeout=30)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
        reader.join(timeout=10)
        assert [r.status_code for r in responses] == [200] * 40
        assert len(fake.calls_to("auth.test")) == 1
        assert "Traceback" not in "".join(output), "".join(output)[-3000:]
