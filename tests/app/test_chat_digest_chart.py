"""`:digest` in `actionbot chat`, and the demo's digests, save each plan's chart and say
where. Regression: the README promised the chart's file and path; nothing was written."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bot.app.chat import Chat
from bot.core.clock import FixedClock, RunningClock
from bot.core.config import Settings
from bot.core.runtime import open_runtime
from bot.handlers.console import ConsoleDoor
from tests.app.test_chat import register
from tests.app.test_demo import story


def test_chat_digest_saves_the_chart_and_says_where(db_url: str, tmp_path: Path) -> None:
    register(db_url)
    settings = Settings(_env_file=None, DATABASE_URL=db_url)  # type: ignore[call-arg]
    at = datetime(2018, 3, 19, 9, 0, tzinfo=UTC)
    clock = RunningClock(at, wall=FixedClock(at))
    runtime = open_runtime(settings, clock=clock)
    screen = io.StringIO()
    user = ConsoleDoor(sessions=runtime.sessions, clock=clock, settings=settings).user("admin")
    lines = iter([":digest"])
    folder = tmp_path / "charts"
    chat = Chat(
        runtime,
        Console(file=screen, width=300),
        user=user,
        clock=clock,
        read=lambda: next(lines, None),
        charts=folder,
    )
    chat.run()
    runtime.engine.dispose()
    saved = folder / "NCC-rag-by-theme-2018-03-19.png"
    assert saved.read_bytes().startswith(b"\x89PNG")
    assert f"The digest's chart for NCC: {saved}" in screen.getvalue()


def test_the_demo_saves_each_digests_chart_and_says_where(tmp_path: Path) -> None:
    transcript, _ = story(weeks=1, charts=tmp_path)
    saved = tmp_path / "NCC-rag-by-theme-2026-11-23.png"
    assert saved.read_bytes().startswith(b"\x89PNG")
    assert str(saved) in "".join(transcript.split())
