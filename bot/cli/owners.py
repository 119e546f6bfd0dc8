"""`actionbot owners …`: who owner names are, and whether the bot can reach them."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import (
    JsonFlag,
    fail,
    out,
    print_json,
    runtime,
    screen,
)
from bot.cli.help import HumanTyper
from bot.importer.errors import ImportFileError

if TYPE_CHECKING:
    pass


owners_app = HumanTyper(help="Who owner names are, and whether the bot can reach them.")


@owners_app.command("import")
def owners_import(
    path: Annotated[
        Path,
        typer.Argument(help="CSV: owner,email[,slack_id,teams_id,tz,escalate_to,deputy]"),
    ],
) -> None:
    """Say who owner names are (email, Slack id, Teams id, time zone, escalation contact,
    deputies: emails separated by ;)."""
    from bot.services.people.owners import import_owners, read_owners_file
    from store.db import transaction

    rt = runtime()
    try:
        rows = read_owners_file(path)
    except ImportFileError as exc:
        raise fail(f"{path}: {exc}. Nothing was written.") from exc
    with transaction(rt.sessions) as session:
        report = import_owners(session, rows=rows, now=rt.clock.now())
    out.print(
        f"Owners: {report.added} added, {report.updated} updated, {report.unchanged} unchanged"
    )


@owners_app.command("show")
def owners_show(
    name: Annotated[str, typer.Argument(help="The owner name, as the plan writes it.")],
) -> None:
    """An owner's holders, deputies, leave and history of who held it when."""
    from bot.services.people.owners import owner_detail
    from store.db import transaction

    rt = runtime()
    with transaction(rt.sessions) as session:
        tz = rt.settings.tz
        today = rt.clock.now().astimezone(ZoneInfo(tz)).date()
        detail = owner_detail(session, name=name, today=today, tz=tz)
        if detail is None:
            raise fail(f"no owner called {name!r}; `actionbot owners list` shows them all")
    for label, lines in (
        ("Holders", detail.holders),
        ("Deputies", detail.deputies),
        ("Away", detail.absences),
        ("History", detail.history),
    ):
        out.print(f"{label}:", markup=False)
        for line in lines or ["none"]:
            out.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


@owners_app.command("list")
def owners_list(as_json: JsonFlag = False) -> None:
    """Owners, how many actions each has, and whether the bot can reach them."""
    from bot.render.terminal import owners_table
    from bot.services.people.owners import list_owners
    from store.db import transaction

    rt = runtime()
    with transaction(rt.sessions) as session:
        rows = list_owners(
            session, today=rt.clock.now().astimezone(ZoneInfo(rt.settings.tz)).date()
        )
    if as_json:
        print_json([{**asdict(r), "reachable": r.reachable} for r in rows])
        return
    console = screen()
    console.print(owners_table(rows, width=console.width))
