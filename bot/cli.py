"""The `actionbot` command line. Every command upgrades the schema first."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from bot.cli_help import HumanTyper
from bot.clock import FixedClock
from bot.importer.errors import ImportFileError
from bot.when import plural

if TYPE_CHECKING:
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from bot.config import Settings
    from bot.jobs.delivery import DeliveryStats
    from bot.jobs.nudges import SweepResult
    from bot.jobs.runner import DigestResult
    from bot.messenger import Messenger
    from bot.runtime import Runtime
    from bot.services.audit import Actor
    from bot.services.imports import ImportReport
    from bot.services.people import ConsoleUser
    from bot.services.reports import IssuedSummary
    from store.models import Plan
    from store.quick_read import QuickReader

# Start-up cost: a command imports what it uses inside its own body, so `--help` and
# `plans list` never load slack_sdk, openpyxl, python-docx, holidays or the job runner
# (tests/test_cli_imports.py keeps it so).

app = HumanTyper(help="actionbot: keeps improvement plans alive.", no_args_is_help=True)
owners_app = HumanTyper(help="Who owner names are, and whether the bot can reach them.")
plans_app = HumanTyper(help="The plans in the register.")
app.add_typer(owners_app, name="owners")
app.add_typer(plans_app, name="plans")

out = Console()
err = Console(stderr=True, soft_wrap=True)
log = logging.getLogger("actionbot")


def cli_actor() -> Actor:
    from bot.services.audit import Actor

    return Actor(name="cli", source="cli")


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    docx = "docx"
    html = "html"
    pdf = "pdf"


class _State:
    settings: Settings | None = None
    runtime: Runtime | None = None
    # --database-url or $DATABASE_URL as typer read it; Settings() reads .env and the rest.
    database_url: str | None = None


state = _State()


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def open_runtime(settings: Settings) -> Runtime:
    """The register, opened on first use (a name tests can point at a fixed clock)."""
    from bot.runtime import open_runtime as open_register

    return open_register(settings)


def load_settings() -> Settings:
    """The settings (environment, .env), read once; logging set up from them."""
    if state.settings is None:
        from pydantic import ValidationError

        from bot.config import Settings
        from bot.logs import configure_logging

        try:
            settings = Settings()
        except ValidationError as exc:
            raise fail(f"bad settings: {exc.errors()[0]['msg']}") from exc
        configure_logging(settings)
        if state.database_url:
            settings.database_url = state.database_url
        state.settings = settings
    return state.settings


def runtime() -> Runtime:
    if state.runtime is None:
        from sqlalchemy.exc import OperationalError

        settings = load_settings()
        try:
            state.runtime = open_runtime(settings)
        except OperationalError as exc:
            raise fail(
                f"cannot open the register at {safe_url(settings.database_url)}: {why(exc)}"
            ) from None
    return state.runtime


def safe_url(url: str) -> str:
    """The database URL without its password, fit to print."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable DATABASE_URL)"


def why(exc: OperationalError) -> str:
    """The driver's own first line (e.g. "connection refused"), without SQLAlchemy's noise."""
    lines = [line.strip() for line in str(exc.orig).splitlines() if line.strip()]
    return " ".join(lines) or type(exc.orig).__name__


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"{option} wants YYYY-MM-DD, got {value!r}") from exc


def parse_map(pairs: list[str]) -> dict[str, str]:
    from bot.importer.hints import MappingError, parse_mapping

    try:
        return parse_mapping(pairs)
    except MappingError as exc:
        raise fail(f'--map wants field="Header in file", got {exc.pair!r}') from exc


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
    from bot.services.imports import ImportOptions, import_file

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


@app.command("import")
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
    import sys

    return sys.stdin.isatty()


@app.command("export")
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
                raise fail(f"no plan {plan!r}; plans: {_plan_codes(session)}")
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


def _plan_codes(session: Session) -> str:
    from store.queries import all_plans

    return ", ".join(p.code for p in all_plans(session)) or "(none yet)"


@owners_app.command("import")
def owners_import(
    path: Annotated[
        Path,
        typer.Argument(help="CSV: owner,email[,slack_id,teams_id,tz,escalate_to,deputy]"),
    ],
) -> None:
    """Say who owner names are (email, Slack id, Teams id, time zone, escalation contact,
    deputies: emails separated by ;)."""
    from bot.services.owners import import_owners, read_owners_file
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
    from bot.services.owners import owner_detail
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


JsonFlag = Annotated[bool, typer.Option("--json", help="JSON instead of a table.")]


def print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def screen() -> Console:
    """A console measured now (COLUMNS may have changed since import), for tables."""
    return Console(highlight=False)


@owners_app.command("list")
def owners_list(as_json: JsonFlag = False) -> None:
    """Owners, how many actions each has, and whether the bot can reach them."""
    from bot.render.terminal import owners_table
    from bot.services.owners import list_owners
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


# Read-only commands that answer without SQLAlchemy or pydantic-settings when they can
# (store/quick_read.py): their CPU is mostly start-up, and start-up is mostly imports.
QUICK_COMMANDS = frozenset({"plans", "show"})


def quick_reader() -> QuickReader | None:
    """The register opened by `store.quick_read`, or None: then take the ordinary path."""
    if state.runtime is not None or state.settings is not None:
        return None  # already paid for (tests, or an earlier step)
    from bot.quick_cli import open_reader

    return open_reader(state.database_url)


@plans_app.command("list")
def plans_list(as_json: JsonFlag = False) -> None:
    """Plans in the register with their action counts."""
    from bot.render.terminal import plans_table

    reader = None if as_json else quick_reader()
    if reader is not None:
        from bot.quick_cli import plans_list as quick_plans_list

        with reader:
            quick_plans_list(reader)
        return
    from bot.services.export import plan_record
    from store.db import transaction
    from store.queries import action_counts, all_plans

    rt = runtime()
    with transaction(rt.sessions) as session:
        counts = action_counts(session)
        plans = [(p, counts.get(p.id, 0)) for p in all_plans(session)]
        if as_json:
            print_json([plan_record(p, count) for p, count in plans])
            return
        console = screen()
        console.print(plans_table(plans, width=console.width))


@plans_app.command("schedule")
def plans_schedule(
    plan: Annotated[str, typer.Argument(help="Plan code.")],
    days: Annotated[
        str | None,
        typer.Option(
            "--days",
            help="Reminders this many days before the due date, e.g. '30,14,7,1,0' "
            "(1 means the working day before; 0 the day itself). Omit to use ACTIONBOT_NUDGE_DAYS.",
        ),
    ] = None,
) -> None:
    """Set a plan's own reminder schedule, or go back to the default."""
    from bot.services.plans import ScheduleError, read_nudge_days, set_nudge_days
    from store.db import transaction
    from store.queries import plan_by_code

    try:
        value = None if days is None else read_nudge_days(days)
    except ScheduleError as exc:
        raise fail(f"--days {exc}") from exc
    rt = runtime()
    with transaction(rt.sessions) as session:
        found = plan_by_code(session, code=plan)
        if found is None:
            raise fail(f"no plan {plan!r}; plans: {_plan_codes(session)}")
        set_nudge_days(session, found, value, actor=cli_actor(), now=rt.clock.now())
    out.print(f"{plan}: reminders {value or 'as ACTIONBOT_NUDGE_DAYS'} days before the due date")


@plans_app.command("archive")
def plans_archive(plan: Annotated[str, typer.Argument(help="Plan code.")]) -> None:
    """Archive a plan: kept (show, export) but no reminders, and out of digests, reports and
    lists of open actions. `plans unarchive` brings it back."""
    from bot.services.plans import archive_plan, archived_note

    with _plan_in_transaction(plan) as (rt, found, session):
        changed = archive_plan(session, found, actor=cli_actor(), now=rt.clock.now())
    out.print(archived_note(found.code) if changed else f"{found.code} was already archived.")


@plans_app.command("unarchive")
def plans_unarchive(plan: Annotated[str, typer.Argument(help="Plan code.")]) -> None:
    """Bring an archived plan back: reminders, digests, reports and lists again."""
    from bot.services.plans import unarchive_plan

    with _plan_in_transaction(plan) as (rt, found, session):
        changed = unarchive_plan(session, found, actor=cli_actor(), now=rt.clock.now())
    out.print(
        f"{found.code} is back: reminders, digests, reports and lists of open actions again."
        if changed
        else f"{found.code} was not archived."
    )


@plans_app.command("delete")
def plans_delete(
    plan: Annotated[str, typer.Argument(help="Plan code.")],
    export_to: Annotated[
        Path | None,
        typer.Option(
            "--export-to",
            help="Where to write the plan's JSON export first (default: CODE-deleted-TIME.json).",
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask (needed when no one is at a terminal).")
    ] = False,
) -> None:
    """Delete a plan, its actions and their history, for good, after writing its export
    (JSON with every action's history) to a file it names. Asks first; --yes does not."""
    import sys

    from bot.services.export import export_json
    from bot.services.plans import delete_plan
    from bot.when import plural

    with _plan_in_transaction(plan) as (rt, found, session):
        stamp = rt.clock.now().astimezone(ZoneInfo(rt.settings.tz))
        path = export_to or Path(f"{found.code}-deleted-{stamp:%Y%m%d-%H%M%S}.json")
        try:
            with path.open("x", encoding="utf-8", newline="") as handle:
                handle.write(export_json(session, plan=found))
        except FileExistsError:
            raise fail(f"{path} exists already: name another file with --export-to") from None
        except OSError as exc:
            raise fail(f"cannot write the export to {path}: {exc.strerror or exc}") from exc
        count = len(found.actions)
        out.print(f"Exported {found.code} ({plural(count, 'action')}, with history) to {path}.")
        if not yes:
            if not sys.stdin.isatty():
                raise fail(f"{found.code} was not deleted: confirm with --yes")
            if not typer.confirm(f"Delete plan {found.code} and its history for good?"):
                raise fail(f"{found.code} was not deleted.")
        gone = delete_plan(
            session, found, actor=cli_actor(), now=rt.clock.now(), exported_to=str(path)
        )
    out.print(
        f"Deleted {gone.code}: {plural(gone.actions, 'action')} and "
        f"{plural(gone.events, 'event')} of history (recorded; the export is {path})."
    )


@contextmanager
def _plan_in_transaction(code: str) -> Iterator[tuple[Runtime, Plan, Session]]:
    """The plan named on the command line, in one transaction, or a clear error."""
    from store.db import transaction
    from store.queries import plan_by_code

    rt = runtime()
    with transaction(rt.sessions) as session:
        found = plan_by_code(session, code=code)
        if found is None:
            raise fail(f"no plan {code!r}; plans: {_plan_codes(session)}")
        yield rt, found, session


@plans_app.command("default-due")
def plans_default_due(
    plan: Annotated[str, typer.Argument(help="Plan code.")],
    day: Annotated[str, typer.Argument(metavar="YYYY-MM-DD", help="The plan's deadline.")],
) -> None:
    """Give a plan a default due date: every action with no date of its own is due then."""
    from bot.services.plans import set_default_due
    from store.db import transaction
    from store.queries import plan_by_code

    due = parse_day(day, "the date")
    assert due is not None
    rt = runtime()
    with transaction(rt.sessions) as session:
        found = plan_by_code(session, code=plan)
        if found is None:
            raise fail(f"no plan {plan!r}; plans: {_plan_codes(session)}")
        changed = set_default_due(session, found, due, actor=cli_actor(), now=rt.clock.now())
    from bot.when import day as day_label
    from bot.when import plural

    out.print(
        f"{found.code}: default due date {day_label(due)}; "
        f"{plural(changed, 'action')} now due then."
    )


@app.command("show")
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

    reader = None if as_json or ref is not None else quick_reader()
    if reader is not None:
        from bot.quick_cli import show_plan

        with reader:
            code = show_plan(reader, plan)
        if code:
            raise typer.Exit(code)
        return
    from bot.services.export import action_record
    from store.db import transaction
    from store.queries import actions_by_ref, actions_of_plan, plan_by_code

    rt = runtime()
    with transaction(rt.sessions) as session:
        found = plan_by_code(session, code=plan)
        if found is None:
            raise fail(f"no plan {plan!r}; plans: {_plan_codes(session)}")
        if ref is not None:
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
            print_json([action_record(a, found, history=False) for a in actions])
            return
        console = screen()
        console.print(register_table(found, actions, width=console.width))


@app.command("demo")
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
    from bot.demo import DemoOptions, play

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


@app.command("chat")
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
    from bot.chat import Chat, line_reader, refs_of
    from bot.clock import RunningClock

    rt = runtime()
    clock = RunningClock(parse_at(at, rt.settings.tz) or rt.clock.now(), wall=rt.clock)
    rt.clock = clock
    console = Console(highlight=False)
    chat = Chat(rt, console, user=_console_user(rt, as_), clock=clock, read=lambda: None)
    chat.read = line_reader(console, lambda: chat.prompt, refs_of(rt))
    chat.run()


def _console_user(rt: Runtime, spec: str) -> ConsoleUser:
    from bot.handlers.console import ConsoleDoor
    from bot.services.people import UnknownPerson

    door = ConsoleDoor(sessions=rt.sessions, clock=rt.clock, settings=rt.settings)
    try:
        return door.user(spec)
    except UnknownPerson as exc:
        raise fail(f"--as: {exc}") from exc


def parse_at(value: str | None, tz: str) -> datetime | None:
    """An ISO time; without an offset it is read in ACTIONBOT_TZ (a council's wall clock)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"--at wants an ISO time such as 2018-03-01T09:30, got {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


NO_PLATFORM = (
    "neither Slack nor Teams is set up: set SLACK_BOT_TOKEN (Slack), or TEAMS_CLIENT_ID, "
    "TEAMS_CLIENT_SECRET and TEAMS_TENANT_ID (Teams); see .env.example"
)


def platform_messengers(rt: Runtime) -> dict[str, Messenger]:
    """A messenger for each platform that is set up (Slack, Teams), or an error that names
    the platform that is set up and what it lacks."""
    # Platform SDKs are imported only by the commands that talk to a platform.
    from bot.config import ConfigError

    settings = rt.settings
    if not settings.slack_enabled and not settings.teams_enabled:
        raise fail(f"{NO_PLATFORM}; or preview with --dry-run")
    messengers: dict[str, Messenger] = {}
    try:
        if settings.slack_enabled:
            from bot.messengers.slack import SlackMessenger, make_web_client

            token, _ = settings.require_slack()
            messengers["slack"] = SlackMessenger(make_web_client(settings, token))
        teams = settings.require_teams() if settings.teams_enabled else None
    except ConfigError as exc:
        raise fail(f"{exc}; or preview with --dry-run") from exc
    if teams is not None and teams.client_id is None:
        raise fail(
            "Teams is in development mode (ACTIONBOT_TEAMS_INSECURE_DEV) with no app: it can "
            "answer an emulator but not send; set TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and "
            "TEAMS_TENANT_ID to send to Teams; or preview with --dry-run"
        )
    if teams is not None:
        from bot.messengers.teams import make_teams_messenger

        messengers["teams"] = make_teams_messenger(settings)
    return messengers


@app.command("nudge")
def nudge_command(
    at: Annotated[str | None, typer.Option("--at", help="Run as of this ISO time.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print, send nothing.")] = False,
) -> None:
    """One reminder sweep as of --at (default now): plan, then send (or print with --dry-run).

    A later --at sends that day's reminders now, as that day's sweep would have; they are
    not sent again when the day comes. Exits 1 when nothing could be delivered.
    """
    from bot.jobs.runner import run_delivery, run_sweep

    rt = runtime()
    now = parse_at(at, rt.settings.tz) or rt.clock.now()
    as_of(rt, now)
    messengers = {} if dry_run else platform_messengers(rt)
    result = run_sweep(rt, now=now, dry_run=dry_run)
    undated_notice(rt)
    if dry_run:
        sweep_preview(rt, now, result)
        return
    stats = run_delivery(rt, messengers)
    out.print(f"Sweep: {result}\nDelivery: {stats}")
    report_failures(rt, now, stats)


def report_failures(rt: Runtime, now: datetime, stats: DeliveryStats) -> None:
    """Each message that could not be delivered, by the name of who it was for and what to
    do (as the admins' summary says it); exit 1 when none got through."""
    from bot.jobs.admin_summary import delivery_problem
    from bot.render.terminal import markup_text
    from store.db import transaction

    today = now.astimezone(ZoneInfo(rt.settings.tz)).date()
    with transaction(rt.sessions) as session:
        problems = [delivery_problem(session, f, today=today) for f in stats.failed_rows]
    for problem in problems:
        err.print(markup_text(problem.text, style="yellow"))
    if stats.failed and not stats.sent and not stats.rescheduled:
        raise fail("nothing could be delivered; the admins' daily summary lists it too")


@app.command("digest")
def digest_command(
    at: Annotated[str | None, typer.Option("--at", help="Build as of this ISO time.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print, post nothing.")] = False,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Slack channel id (default DIGEST_CHANNEL).")
    ] = None,
    chart_out: Annotated[
        Path | None,
        typer.Option("--chart-out", help="Also write each plan's chart as PNG into this folder."),
    ] = None,
) -> None:
    """Build the leadership digest and post it (or print it with --dry-run)."""
    from bot.jobs.runner import run_delivery, run_digest
    from bot.render.terminal import reply_view

    rt = runtime()
    now = parse_at(at, rt.settings.tz) or rt.clock.now()
    as_of(rt, now)
    undated_notice(rt)
    messengers = {} if dry_run else platform_messengers(rt)
    platforms = digest_targets(rt.settings, messengers, channel=channel, dry_run=dry_run)
    try:
        results = [
            run_digest(
                rt,
                now=now,
                channel=channel or ("(preview)" if dry_run else None),
                dry_run=dry_run,
                platform=platform,
            )
            for platform in platforms
        ]
    except ValueError as exc:
        raise fail(str(exc)) from exc
    result = results[0]
    for number, reply in enumerate(result.replies, start=1):
        where = "channel" if number == 1 else "thread"
        out.print(
            reply_view(reply, heading=f"--- message {number} of {len(result.replies)} ({where})")
        )
    if chart_out is not None:
        write_charts(result, chart_out)
    if dry_run:
        out.print("DRY RUN, nothing posted.")
        return
    stats = run_delivery(rt, messengers)
    out.print(f"Digest for {', '.join(r.channel for r in results)}: {stats}")
    report_failures(rt, now, stats)


def digest_targets(
    settings: Settings, messengers: dict[str, Messenger], *, channel: str | None, dry_run: bool
) -> list[str]:
    """The platforms whose digest to build: `--channel` names a Slack channel; a preview is
    built once, for the platform that is set up; otherwise each platform that is set up and
    has a digest channel, or an error naming the setting its platform lacks."""
    from bot.jobs.runner import digest_platforms

    if channel:
        return ["slack"]
    configured = digest_platforms(settings)
    if dry_run:
        teams_only = settings.teams_enabled and not settings.slack_enabled
        return configured[:1] or ["teams" if teams_only else "slack"]
    targets = [p for p in configured if p in messengers]
    if targets:
        return targets
    wanted = []
    if "slack" in messengers:
        wanted.append("DIGEST_CHANNEL (a Slack channel id; or pass --channel)")
    if "teams" in messengers:
        wanted.append("TEAMS_DIGEST_CONVERSATION (the Teams channel, see Set up in Teams)")
    raise fail("no digest channel: set " + ", or ".join(wanted))


def as_of(rt: Runtime, now: datetime) -> None:
    """Deliver as of `now` too: the sweep queues messages not before `now`, so a delivery on
    the wall clock would leave a later --at's messages waiting until that real time."""
    rt.clock = FixedClock(now)


def undated_notice(rt: Runtime) -> None:
    from bot.render.terminal import undated_warning
    from bot.services.plans import undated_plans
    from store.db import transaction

    with transaction(rt.sessions) as session:
        undated = undated_plans(session)
    for code, count in undated.items():
        err.print(undated_warning(code, count))


def sweep_preview(rt: Runtime, now: datetime, result: SweepResult) -> None:
    """What `nudge --dry-run` prints: each message, to whom by name and address, and why
    there may be none."""
    from bot.jobs.calendar import calendar_for
    from bot.render.terminal import reply_view
    from bot.services.people import recipient_labels
    from bot.when import day, moment, plural
    from store.db import transaction

    with transaction(rt.sessions) as session:
        labels = recipient_labels(
            session,
            [m.recipient for m, _ in result.messages],
            day=now.astimezone(ZoneInfo(rt.settings.tz)).date(),
        )
    for message, reply in result.messages:
        heading = f"→ {labels.get(message.recipient, message.recipient)} ({message.kind})"
        out.print(reply_view(reply, heading=heading))
    local = now.astimezone(ZoneInfo(rt.settings.tz))
    hour = rt.settings.nudge_hour
    if local.hour < hour:
        out.print(
            f"{local:%H:%M} is before the {hour:02d}:00 send time (ACTIONBOT_NUDGE_HOUR): "
            f"owners get that day's reminders from {hour:02d}:00 in their own time zone. "
            f"Try --at {local:%Y-%m-%d}T{hour:02d}:00.",
            highlight=False,
        )
    elif not calendar_for(rt.settings.holiday_region).is_working_day(local.date()):
        out.print(f"{day(local)} is not a working day: no reminders go out on it.")
    people = sum(1 for m, _ in result.messages if m.kind == "nudge")
    items = sum(len(m.items) for m, _ in result.messages if m.kind == "nudge")
    out.print(
        f"DRY RUN, nothing sent and nothing written. As of {moment(now, rt.settings.tz)}: "
        f"{plural(people, 'reminder message')} covering {plural(items, 'action')} and "
        f"{plural(len(result.escalated), 'escalation')} would go.",
        highlight=False,
    )


def write_charts(result: DigestResult, folder: Path) -> None:
    from bot.jobs.digest_chart import save_charts

    try:
        paths = save_charts(result.charts, folder)
    except OSError as exc:
        raise fail(f"--chart-out {folder}: {exc.strerror or exc}") from exc
    for path in paths:
        out.print(f"chart: {path}")


def start_of_day(value: str | None, option: str, tz: str) -> datetime | None:
    """--since YYYY-MM-DD: midnight at the start of that day, council time."""
    day = parse_day(value, option)
    return None if day is None else datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))


@app.command("report")
def report_command(
    plan: Annotated[
        str | None, typer.Option("--plan", help="Plan code (not needed with --reissue).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (.xlsx .docx .html .pdf).")
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="xlsx, docx, html or pdf; default: the file's extension."),
    ] = None,
    issue: Annotated[
        str | None,
        typer.Option(
            "--issue",
            metavar="MEETING",
            help='Issue the pack for a meeting and record it, e.g. "Audit Committee 12 March '
            '2027". Without it the pack is a draft and nothing is recorded.',
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who issues it, as printed on the pack; default: your login."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="YYYY-MM-DD; default: the last issued pack."),
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="As of this ISO time.")] = None,
    list_issued: Annotated[
        bool, typer.Option("--list", help="List the issued packs (of --plan, or all).")
    ] = False,
    reissue: Annotated[
        int | None,
        typer.Option("--reissue", metavar="N", help="Make issued pack N again, word for word."),
    ] = None,
) -> None:
    """Write a plan's committee pack: a one-page summary (figures now and at the last issued
    pack, RAG by theme, overdue actions, time extensions, completed, escalated), then every
    action. A draft unless --issue names the meeting it is for."""
    from bot.services.reports import (
        ReportError,
        issue_report,
        issued_packs,
        preview_report,
        reissue_report,
    )
    from store.db import transaction

    rt = runtime()
    if list_issued:
        with rt.sessions() as session:
            try:
                rows = issued_packs(session, plan_code=plan)
            except ReportError as exc:
                raise fail(str(exc)) from exc
        print_issued(rows)
        return
    if output is None:
        raise fail("--output FILE is needed: where to write the pack (e.g. NCC-pack.pdf)")
    kind = report_format(fmt, output)
    if reissue is not None:
        if issue is not None or since is not None or at is not None:
            raise fail(
                "--reissue makes the issued pack as it was: without --issue, --since or --at"
            )
        with rt.sessions() as session:
            try:
                made = reissue_report(session, number=reissue, fmt=kind)
            except ReportError as exc:
                raise fail(str(exc)) from exc
        write_report(output, made.content, made.title)
        return
    if plan is None:
        raise fail("--plan CODE is needed: which plan's pack to write")
    now = parse_at(at, rt.settings.tz) or rt.clock.now()
    start = start_of_day(since, "--since", rt.settings.tz)
    with transaction(rt.sessions) as session:
        try:
            if issue is None:
                made = preview_report(
                    session, plan_code=plan, fmt=kind, now=now, tz=rt.settings.tz, since=start
                )
            else:
                made = issue_report(
                    session,
                    plan_code=plan,
                    fmt=kind,
                    now=now,
                    tz=rt.settings.tz,
                    meeting=issue,
                    actor=cli_actor(),
                    issued_by=by or login_name(),
                    issued_at=rt.clock.now(),
                    since=start,
                )
        except ReportError as exc:
            raise fail(str(exc)) from exc
        # Written inside the transaction: a pack that cannot be saved is not recorded as issued.
        write_report(output, made.content, made.title)
    if made.issued is not None:
        out.print(
            f"issued pack {made.issued}: the next pack's changes are counted from it "
            f"(make it again with report --reissue {made.issued})",
            markup=False,
            highlight=False,
        )


def report_format(fmt: ReportFormat | None, output: Path) -> str:
    """--format, or the output file's extension; a file named for another format is refused."""
    suffix = output.suffix.lower().lstrip(".")
    known = {f.value for f in ReportFormat}
    if fmt is None:
        if suffix not in known:
            raise fail(
                f"--format is needed: {output.name!r} does not end in "
                f"{', '.join('.' + f for f in sorted(known))}"
            )
        return suffix
    if suffix in known and suffix != fmt.value:
        raise fail(
            f"--format {fmt.value} would write {fmt.value.upper()} into {output.name!r}: "
            f"name the file .{fmt.value}, or leave --format out"
        )
    return fmt.value


def write_report(output: Path, content: bytes, title: str) -> None:
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from exc
    out.print(f"wrote {output} ({title}, {len(content):,} bytes)", markup=False, highlight=False)


def login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "an admin"


def print_issued(rows: list[IssuedSummary]) -> None:
    from rich.table import Table
    from rich.text import Text

    if not rows:
        out.print("No packs issued yet (report --issue MEETING issues one).", markup=False)
        return
    table = Table("No.", "Plan", "Meeting", "Position at", "Compared with", "Issued")
    for row in rows:
        table.add_row(
            str(row.number),
            row.plan_code,
            Text(row.meeting),
            f"{row.as_at.day} {row.as_at:%b %Y %H:%M}",
            Text(row.baseline),
            Text(f"{row.issued_at.day} {row.issued_at:%b %Y} by {row.issued_by}"),
        )
    screen().print(table)


@app.command("stats")
def stats_command(
    plan: Annotated[str | None, typer.Option("--plan", help="Only this plan.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Reminders sent from YYYY-MM-DD on.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    at: Annotated[str | None, typer.Option("--at", help="As of this ISO time.")] = None,
) -> None:
    """Are the reminders working? Answers within 1 and 3 working days, silent owners, slips."""
    from bot.jobs.calendar import calendar_for
    from bot.render.stats_view import stats_tables
    from bot.reports.stats import nudge_stats
    from store.db import transaction
    from store.queries import plan_by_code

    rt = runtime()
    now = parse_at(at, rt.settings.tz) or rt.clock.now()
    start = start_of_day(since, "--since", rt.settings.tz)
    with transaction(rt.sessions) as session:
        if plan is not None and plan_by_code(session, code=plan) is None:
            raise fail(f"no plan {plan!r}; plans: {_plan_codes(session)}")
        result = nudge_stats(
            session,
            now=now,
            cal=calendar_for(rt.settings.holiday_region),
            tz=rt.settings.tz,
            plan_code=plan,
            since=start,
        )
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
    else:
        out.print(stats_tables(result))


@app.command("teams-package")
def teams_package_command(
    output: Annotated[Path, typer.Option("--output", help="Where to write the zip.")] = Path(
        "actionbot-teams.zip"
    ),
) -> None:
    """Write the Teams app package (manifest + icons, app id from TEAMS_CLIENT_ID) to upload."""
    from bot.config import ConfigError
    from bot.teams_package import write_package

    try:
        package = write_package(load_settings(), output)
    except ConfigError as exc:
        raise fail(str(exc)) from exc
    out.print(
        f"Wrote {package.path}: upload it in Teams (Apps → Manage your apps → Upload an app)."
    )
    for warning in package.warnings:
        err.print(f"Warning: {warning}")


@app.command("serve")
def serve_command(
    port: Annotated[int | None, typer.Option(help="HTTP port (default: $PORT or 3000).")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "0.0.0.0",  # noqa: S104
) -> None:
    """Run the bot: Slack events, the health check and the schedules, in one process."""
    import asyncio

    from bot.config import ConfigError
    from bot.logs import configure_logging
    from bot.serve import serve

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
    if ctx.invoked_subcommand not in QUICK_COMMANDS:
        load_settings()  # bad settings are reported before any command starts


def main() -> None:
    app()
