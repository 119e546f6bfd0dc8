"""The `actionbot` command line: one Typer app that wires each group's commands in.
Every command upgrades the schema first."""

from __future__ import annotations

import io
import sys
from typing import Annotated

import typer

from bot.cli import register, reminders, reports, running
from bot.cli.common import load_settings, state
from bot.cli.help import HumanTyper
from bot.cli.owners import owners_app
from bot.cli.plans import plans_app

# Start-up cost: a command imports what it uses inside its own body, so `--help` and
# `plans list` never load slack_sdk, openpyxl, python-docx, holidays or the job runner
# (tests/cli/test_cli_imports.py keeps it so).

app = HumanTyper(help="actionbot: keeps improvement plans alive.", no_args_is_help=True)
app.add_typer(owners_app, name="owners")
app.add_typer(plans_app, name="plans")
# One line per command, in the order `--help` lists them; each lives with its group.
app.command("import")(register.import_command)
app.command("export")(register.export_command)
app.command("show")(register.show_command)
app.command("demo")(running.demo_command)
app.command("chat")(running.chat_command)
app.command("nudge")(reminders.nudge_command)
app.command("digest")(reminders.digest_command)
app.command("report")(reports.report_command)
app.command("stats")(reports.stats_command)
app.command("teams-package")(running.teams_package_command)
app.command("serve")(running.serve_command)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version as package_version

        typer.echo(f"actionbot {package_version('actionbot')}")
        raise typer.Exit


@app.callback()
def _root(
    ctx: typer.Context,
    database_url: Annotated[
        str | None, typer.Option("--database-url", envvar="DATABASE_URL", help="Register URL.")
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    state.database_url = database_url
    state.settings = None
    state.runtime = None
    load_settings()  # bad settings are reported before any command starts


def main() -> None:
    """The `actionbot` entry point."""
    tolerate_the_terminal()
    app()


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
