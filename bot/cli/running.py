"""`demo`, `chat`, `serve` and `teams-package`: running actionbot, in the terminal or as the bot."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from bot.cli.common import (
    err,
    fail,
    load_settings,
    out,
    parse_at,
    runtime,
)
from bot.importer.errors import ImportFileError

if TYPE_CHECKING:
    from bot.core.runtime import Runtime
    from bot.services.people.identity import ConsoleUser


def demo_command(
    weeks: Annotated[
        int, typer.Option("--weeks", min=1, max=26, help="How many weeks to play.")
    ] = 6,
    plan: Annotated[
        Path | None, typer.Option("--plan", help="Your own plan file instead of the sample.")
    ] = None,
    owners: Annotated[
        Path | None, typer.Option("--owners", help="Your owners file (with --plan).")
    ] = None,
    fast: Annotated[bool, typer.Option("--fast", help="No pauses (tests, CI).")] = False,
) -> None:
    """Play a plan's first weeks in the terminal: reminders, updates, digests.

    Uses a throwaway SQLite file in a temporary folder, never your register.
    """
    from bot.app.demo import DemoOptions, play

    if (plan is None) != (owners is None):
        raise fail("--plan and --owners go together: your plan and who its owners are")
    for path in (plan, owners):
        if path is not None and not path.is_file():
            raise fail(f"no such file: {path}")
    try:
        play(
            Console(highlight=False), DemoOptions(weeks=weeks, plan=plan, owners=owners, fast=fast)
        )
    except ImportFileError as exc:
        raise fail(f"{exc}. Nothing was written.") from exc


def chat_command(
    as_: Annotated[
        str,
        typer.Option("--as", metavar="OWNER|EMAIL|admin", help="Who you speak as."),
    ] = "admin",
    at: Annotated[
        str | None,
        typer.Option("--at", metavar="ISO_TIME", help="Start the chat's clock here (default now)."),
    ] = None,
) -> None:
    """Talk to actionbot in the terminal, as an owner or as admin, on this register.

    Type what you would type after /action; `:help` lists the rest (`:day +7`, `:digest`).
    """
    from bot.app.chat import Chat, line_reader, refs_of
    from bot.core.clock import RunningClock

    rt = runtime()
    clock = RunningClock(parse_at(at, rt.settings.tz) or rt.clock.now(), wall=rt.clock)
    rt.clock = clock
    console = Console(highlight=False)
    chat = Chat(rt, console, user=_console_user(rt, as_), clock=clock, read=lambda: None)
    chat.read = line_reader(console, lambda: chat.prompt, refs_of(rt))
    chat.run()


def _console_user(rt: Runtime, spec: str) -> ConsoleUser:
    from bot.handlers.console import ConsoleDoor
    from bot.services.people.identity import UnknownPerson

    door = ConsoleDoor(sessions=rt.sessions, clock=rt.clock, settings=rt.settings)
    try:
        return door.user(spec)
    except UnknownPerson as exc:
        raise fail(f"--as: {exc}") from exc


def teams_package_command(
    output: Annotated[Path, typer.Option("--output", help="Where to write the zip.")] = Path(
        "actionbot-teams.zip"
    ),
) -> None:
    """Write the Teams app package (manifest + icons, app id from TEAMS_CLIENT_ID) to upload."""
    from bot.cli.teams_package import write_package
    from bot.core.config import ConfigError

    try:
        package = write_package(load_settings(), output)
    except ConfigError as exc:
        raise fail(str(exc)) from exc
    out.print(
        f"Wrote {package.path}: upload it in Teams (Apps → Manage your apps → Upload an app)."
    )
    for warning in package.warnings:
        err.print(f"Warning: {warning}")


def serve_command(
    port: Annotated[int | None, typer.Option(help="HTTP port (default: $PORT or 3000).")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "0.0.0.0",  # noqa: S104
) -> None:
    """Run the bot: Slack events, the health check and the schedules, in one process."""
    import asyncio

    from bot.app.serve import serve
    from bot.core.config import ConfigError
    from bot.core.logs import configure_logging

    rt = runtime()
    configure_logging(rt.settings, level=rt.settings.log_level)
    try:
        asyncio.run(
            serve(
                rt,
                host=host,
                port=rt.settings.port if port is None else port,
                announce=(
                    (lambda line: out.print(line, highlight=False, soft_wrap=True))
                    if rt.settings.log_format == "text"
                    else None
                ),
            )
        )
    except ConfigError as exc:
        raise fail(str(exc)) from exc
    except KeyboardInterrupt:
        pass
