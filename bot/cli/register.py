"""`import`, `export` and `show`: plans into the register and back out."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import (
    JsonFlag,
    cli_actor,
    err,
    fail,
    out,
    parse_day,
    parse_map,
    plan_codes,
    print_json,
    runtime,
    screen,
)
from bot.core.when import plural
from bot.importer.errors import ImportFileError

if TYPE_CHECKING:
    from bot.services.imports.apply import ImportReport


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def run_import(
    path: Path,
    *,
    plan: str,
    name: str | None = None,
    default_due: date | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    archive_missing: bool = False,
    sheet: str | None = None,
    confirm: Callable[[ImportReport], bool] | None = None,
) -> ImportReport:
    from bot.services.imports.apply import ImportOptions, import_file

    rt = runtime()
    options = ImportOptions(
        plan_code=plan,
        source_file=path.name,
        name=name,
        default_due=default_due,
        archive_missing=archive_missing,
        dry_run=dry_run,
        sheet=sheet,
    )
    return import_file(
        rt.sessions,
        path=path,
        options=options,
        overrides=mapping,
        actor=cli_actor(),
        now=rt.clock.now(),
        confirm=confirm,
    )


def import_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="The plan: Excel (.xlsx), Word (.docx), PDF or CSV (UTF-8, cp1252); or "
            "minutes or a report (.docx, .pdf) whose actions are read from the text."
        ),
    ],
    plan: Annotated[str, typer.Option("--plan", help="Short code of the plan, e.g. AFEP.")],
    name: Annotated[str | None, typer.Option(help="The plan's full name.")] = None,
    default_due: Annotated[
        str | None, typer.Option("--default-due", help="YYYY-MM-DD for actions with no date.")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help='Override a column: field="Header" (repeatable).'),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show changes, write nothing.")
    ] = False,
    archive_missing: Annotated[
        bool, typer.Option("--archive-missing", help="Cancel actions the file no longer has.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every change.")] = False,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="Workbook sheet: its name, its number (1 = first), or all."),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Import actions read from minutes or a report without asking."
        ),
    ] = False,
) -> None:
    """Import (or re-import) a plan. One transaction: all of it or nothing."""
    from bot.render.terminal import print_import_report

    def confirm(preview: ImportReport) -> bool:
        # Actions read from prose are a reading, not rows the admin wrote: show them all
        # and ask before writing.
        print_import_report(screen(), preview, verbose=False)
        if not _interactive():
            raise _Unconfirmed(preview)
        return typer.confirm(
            f"Import these {plural(len(preview.read), 'action')} into plan {preview.plan_code}?",
            default=False,
        )

    try:
        report = run_import(
            path,
            plan=plan,
            name=name,
            default_due=parse_day(default_due, "--default-due"),
            mapping=parse_map(map_ or []),
            dry_run=dry_run,
            archive_missing=archive_missing,
            sheet=sheet,
            confirm=None if yes else confirm,
        )
    except ImportFileError as exc:
        raise fail(f"{path}: {exc}. Nothing was written.") from exc
    except _Unconfirmed as exc:
        raise fail(
            f"{path}: these {plural(len(exc.preview.read), 'action')} were read from "
            f"{'minutes' if exc.preview.kind == 'minutes' else 'a report'}, and there is no "
            "terminal to confirm them on: check them above, then run the same command with "
            "--yes to import them. Nothing was written."
        ) from None
    except Exception as exc:
        from store.outage import outage_of

        outage = outage_of(exc)
        if outage is None:
            raise
        # The database down or its disk full: one line, not a traceback.
        raise fail(f"{path}: {outage.sentence} ({outage.detail}). Nothing was written.") from None
    if report.declined:
        out.print("Not imported: nothing was written.")
        return
    print_import_report(screen(), report, verbose=verbose or dry_run)


class _Unconfirmed(Exception):
    """Actions read from prose, and nobody at a terminal to confirm them."""

    def __init__(self, preview: ImportReport) -> None:
        super().__init__("not confirmed")
        self.preview = preview


def _interactive() -> bool:

    return sys.stdin.isatty()


def export_command(
    plan: Annotated[str | None, typer.Option("--plan", help="Plan code.")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="The whole register as one JSON document (backups).")
    ] = False,
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.json,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Export a plan as JSON (with history) or CSV (re-importable), or --all as JSON."""
    from bot.services.export import export_all_json, export_csv, export_json
    from store.db import transaction
    from store.queries import plan_by_code

    if all_ == (plan is not None):
        raise fail("say which: --plan CODE for one plan, or --all for the whole register")
    if all_ and fmt is not ExportFormat.json:
        raise fail("--all is JSON only: a CSV holds one plan (use --plan CODE --format csv)")
    rt = runtime()
    with transaction(rt.sessions) as session:
        if all_:
            text = export_all_json(session, now=rt.clock.now())
        else:
            found = plan_by_code(session, code=plan or "")
            if found is None:
                raise fail(f"no plan {plan!r}; plans: {plan_codes(session)}")
            text = (
                export_json(session, plan=found)
                if fmt is ExportFormat.json
                else export_csv(session, plan=found)
            )
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        err.print(f"wrote {output}")


def show_command(
    plan: Annotated[str, typer.Option("--plan", help="Plan code.")],
    ref: Annotated[
        str | None, typer.Argument(metavar="[REF]", help="One action, shown whole.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """A plan's register as a table, or one action whole: tasks, owners, dates as written
    and as read, and its history."""
    from bot.render.terminal import action_view, register_table
    from store.db import transaction
    from store.queries import actions_by_ref, actions_of_plan, plan_by_code

    rt = runtime()
    with transaction(rt.sessions) as session:
        found = plan_by_code(session, code=plan)
        if found is None:
            raise fail(f"no plan {plan!r}; plans: {plan_codes(session)}")
        if ref is not None:
            from bot.services.export import action_record

            actions = actions_by_ref(session, ref=ref, plan_code=found.code)
            if not actions:
                raise fail(f"no action {ref!r} in plan {found.code}")
            record = action_record(actions[0], found)
            if as_json:
                print_json(record)
            else:
                today = rt.clock.now().astimezone(ZoneInfo(rt.settings.tz)).date()
                screen().print(action_view(record, tz=rt.settings.tz, today=today))
            return
        actions = actions_of_plan(session, plan_id=found.id)
        if as_json:
            from bot.services.export import action_record

            print_json([action_record(a, found, history=False) for a in actions])
            return
        console = screen()
        console.print(register_table(found, actions, width=console.width))
