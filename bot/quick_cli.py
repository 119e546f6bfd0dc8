"""`actionbot plans list` and `actionbot show --plan CODE`, answered before typer loads.

These read-only commands are mostly start-up: typer (and the pydantic it brings), SQLAlchemy
and pydantic-settings cost more CPU than the answer. When the command line is exactly one of
these two shapes and `store.quick_read` can open the register, they are answered here with the
database driver and rich alone; anything else (another option, --help, a register that needs
migrating, an unreadable URL) goes to `bot.cli.main` unchanged, which prints the same tables.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store.quick_read import QuickReader

DEFAULT_DATABASE_URL = "sqlite:///actionbot.db"  # bot.core.config.Settings' default (a test checks)


def main() -> None:
    """The `actionbot` entry point."""
    tolerate_the_terminal()
    code = quick(sys.argv[1:])
    if code is None:
        from bot.cli.main import main as full

        full()
        return
    raise SystemExit(code)


def tolerate_the_terminal() -> None:
    """A terminal that cannot show a character gets `?` in its place: never a crash. Without
    UTF-8 (`LANG=C` and `PYTHONUTF8=0`, or a Latin-1 terminal) Python's own streams refuse
    the `→`, `…` and `é` of any plan. What is typed at an "ASCII" terminal is read as UTF-8,
    which is what terminals send whatever the locale says (ASCII reads the same either way)."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if not isinstance(stream, io.TextIOWrapper) or encoding == "utf8":
            continue
        if stream is sys.stdin and encoding in ("ascii", "ansix3.41968", "usascii"):
            stream.reconfigure(encoding="utf-8", errors="replace")
        else:
            stream.reconfigure(errors="replace")


def quick(args: list[str]) -> int | None:
    """The exit code of a command answered here, or None: bot.cli.main answers it."""
    url = None
    if args[:1] == ["--database-url"] and len(args) >= 2:
        url, args = args[1], args[2:]
    elif args[:1] and args[0].startswith("--database-url="):
        url, args = args[0].partition("=")[2], args[1:]
    if args == ["plans", "list"]:
        plan = None
    elif len(args) == 3 and args[:2] == ["show", "--plan"] and not args[2].startswith("-"):
        plan = args[2]
    elif len(args) == 2 and args[0] == "show" and args[1].startswith("--plan="):
        plan = args[1].partition("=")[2]
    else:
        return None
    reader = open_reader(url or os.environ.get("DATABASE_URL") or None)
    if reader is None:
        return None
    with reader:
        return plans_list(reader) if plan is None else show_plan(reader, plan)


def open_reader(url: str | None) -> QuickReader | None:
    """The register opened by `store.quick_read`, or None. `url` is --database-url or
    $DATABASE_URL as typer reads them; without one, .env or the default as Settings reads."""
    url = url or url_from_env_file()
    if url is None:
        return None
    from store.quick_read import open_quick

    return open_quick(url)


def url_from_env_file() -> str | None:
    """DATABASE_URL as Settings reads it when the environment has none: from .env (read with
    python-dotenv, as pydantic-settings does: names in any case, blank means unset), else the
    default. None when unsure, and Settings decides."""
    if any(k.upper() == "DATABASE_URL" and v for k, v in os.environ.items()):
        return None  # a spelling typer does not read (database_url=…)
    if not Path(".env").exists():
        return DEFAULT_DATABASE_URL
    from dotenv import dotenv_values

    try:
        values = dotenv_values(".env", encoding="utf-8")
    except (OSError, ValueError):
        return None
    found = {v for k, v in values.items() if k.upper() == "DATABASE_URL" and v}
    if len(found) > 1:
        return None
    return found.pop() if found else DEFAULT_DATABASE_URL


def plans_list(reader: QuickReader) -> int:
    from rich.console import Console

    from bot.render.terminal import plans_table

    console = Console(highlight=False)
    console.print(plans_table(reader.plans(), width=console.width))
    return 0


def show_plan(reader: QuickReader, code: str) -> int:
    from rich.console import Console

    from bot.render.terminal import register_table

    plan = reader.plan_by_code(code)
    if plan is None:
        codes = ", ".join(p.code for p, _ in reader.plans()) or "(none yet)"
        print_error(f"no plan {code!r}; plans: {codes}")
        return 1
    console = Console(highlight=False)
    console.print(register_table(plan, reader.actions(plan.id), width=console.width))
    return 0


def print_error(message: str) -> None:
    """As bot.cli.main.fail prints it."""
    from rich.console import Console

    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {message}", highlight=False)
