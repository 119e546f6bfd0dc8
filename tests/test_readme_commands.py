"""Every command the CLI has is in the README's command table, and the README's first screen
says what the demo showed and what to do next."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.main import app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def command_names(group: typer.Typer, prefix: str = "") -> list[str]:
    names = [
        prefix + (c.name or c.callback.__name__) for c in group.registered_commands if c.callback
    ]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        names += command_names(sub.typer_instance, f"{prefix}{sub.name} ")
    return names


def test_every_command_is_in_the_readme_table() -> None:
    table = [line for line in README.splitlines() if line.startswith("| `actionbot ")]
    for name in command_names(app):
        assert any(f"`actionbot {name}" in row for row in table), name


def test_the_first_screen_says_what_the_demo_showed_and_what_next() -> None:
    first = README[: README.index("## The command line")]
    for words in (
        "What `make demo` showed you",
        "What to do next",
        "actionbot chat",
        "Set up in Slack",
    ):
        assert words in first
