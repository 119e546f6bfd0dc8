"""The `actionbot` command line. Every command upgrades the schema first."""

from __future__ import annotations

import logging
from datetime import date, datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.orm import Session

from bot.config import ConfigError, Settings
from bot.importer.errors import ImportFileError
from bot.jobs.runner import run_delivery, run_digest, run_sweep
from bot.messenger import Messenger
from bot.messengers.slack import SlackMessenger, make_web_client
from bot.render.terminal import (
    import_report_view,
    owners_table,
    plans_table,
    register_table,
    reply_view,
)
from bot.runtime import Runtime, open_runtime
from bot.services.audit import Actor
from bot.services.export import export_csv, export_json
from bot.services.imports import ImportOptions, ImportReport, import_file
from bot.services.owners import import_owners, list_owners, read_owners_file
from bot.services.plans import ScheduleError, read_nudge_days, set_nudge_days
from store.db import transaction
from store.queries import actions_of_plan, all_plans, plan_by_code

app = typer.Typer(help="actionbot: keeps improvement plans alive.", no_args_is_help=True)
owners_app = typer.Typer(help="Who owner names are, and whether the bot can reach them.")
plans_app = typer.Typer(help="The plans in the register.")
app.add_typer(owners_app, name="owners")
app.add_typer(plans_app, name="plans")

out = Console()
err = Console(stderr=True, soft_wrap=True)
log = logging.getLogger("actionbot")

CLI_ACTOR = Actor(name="cli", source="cli")


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


class _State:
    settings: Settings | None = None
    runtime: Runtime | None = None


state = _State()


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def runtime() -> Runtime:
    if state.runtime is None:
        try:
            settings = state.settings or Settings()
        except ValidationError as exc:
            raise fail(f"bad settings: {exc.errors()[0]['msg']}") from exc
        state.runtime = open_runtime(settings)
    return state.runtime


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"{option} wants YYYY-MM-DD, got {value!r}") from exc


def parse_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise fail(f'--map wants field="Header in file", got {pair!r}')
        mapping[name.strip().lower()] = header.strip().strip('"')
    return mapping


def run_import(
    path: Path,
    *,
    plan: str,
    name: str | None = None,
    default_due: date | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    archive_missing: bool = False,
) -> ImportReport:
    rt = runtime()
    options = ImportOptions(
        plan_code=plan,
        source_file=path.name,
        name=name,
        default_due=default_due,
        archive_missing=archive_missing,
        dry_run=dry_run,
    )
    return import_file(
        rt.sessions,
        path=path,
        options=options,
        overrides=mapping,
        actor=CLI_ACTOR,
        now=rt.clock.now(),
    )


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="The plan as CSV (UTF-8, cp1252; , ; or tab).")],
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
) -> None:
    """Import (or re-import) a plan CSV. One transaction: all of it or nothing."""
    try:
        report = run_import(
            path,
            plan=plan,
            name=name,
            default_due=parse_day(default_due, "--default-due"),
            mapping=parse_map(map_ or []),
            dry_run=dry_run,
            archive_missing=archive_missing,
        )
    except ImportFileError as exc:
        raise fail(f"{path}: {exc}. Nothing was written.") from exc
    out.print(import_report_view(report, verbose=verbose or dry_run))


@app.command("export")
def export_command(
    plan: Annotated[str, typer.Option("--plan", help="Plan code.")],
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.json,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Export a plan as JSON (with history) or CSV (re-importable)."""
    rt = runtime()
    with transaction(rt.sessions) as session:
        found = plan_by_code(session, code=plan)
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
    return ", ".join(p.code for p in all_plans(session)) or "(none yet)"


@owners_app.command("import")
def owners_import(
    path: Annotated[
        Path, typer.Argument(help="CSV: owner,email[,slack_id,teams_id,tz,escalate_to]")
    ],
) -> None:
    """Say who owner names are (email, Slack id, Teams id, time zone, escalation contact)."""
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


@owners_app.command("list")
def owners_list() -> None:
    """Owners, how many actions each has, and whether the bot can reach them."""
    rt = runtime()
    with transaction(rt.sessions) as session:
        rows = list_owners(session)
    out.print(owners_table(rows))


@plans_app.command("list")
def plans_list() -> None:
    """Plans in the register with their action counts."""
    rt = runtime()
    with transaction(rt.sessions) as session:
        plans = [(p, len(actions_of_plan(session, plan_id=p.id))) for p in all_plans(session)]
        out.print(plans_table(plans))


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
    try:
        value = None if days is None else read_nudge_days(days)
    except ScheduleError as exc:
        raise fail(f"--days {exc}") from exc
    rt = runtime()
    with transaction(rt.sessions) as session:
        found = plan_by_code(session, code=plan)
        if found is None:
            raise fail(f"no plan {plan!r}; plans: {_plan_codes(session)}")
        set_nudge_days(session, found, value, actor=CLI_ACTOR, now=rt.clock.now())
    out.print(f"{plan}: reminders {value or 'as ACTIONBOT_NUDGE_DAYS'} days before the due date")


@app.command("show")
def show_command(plan: Annotated[str, typer.Option("--plan", help="Plan code.")]) -> None:
    """Print a plan's register as a table."""
    rt = runtime()
    with transaction(rt.sessions) as session:
        found = plan_by_code(session, code=plan)
        if found is None:
            raise fail(f"no plan {plan!r}")
        out.print(register_table(found, actions_of_plan(session, plan_id=found.id)))


SAMPLE_PLAN = "ncc-financial-management-2017.csv"
SAMPLE_OWNERS = "ncc-owners-example.csv"


@app.command("demo")
def demo_command() -> None:
    """Offline demo: a local SQLite register, the bundled sample plan, printed as a table."""
    rt = runtime()
    samples = resources.files("bot") / "samples"
    with resources.as_file(samples / SAMPLE_OWNERS) as owners_path:
        rows = read_owners_file(owners_path)
    with transaction(rt.sessions) as session:
        import_owners(session, rows=rows, now=rt.clock.now())
    with resources.as_file(samples / SAMPLE_PLAN) as plan_path:
        report = run_import(
            plan_path,
            plan="NCC",
            name="Northamptonshire CC financial management improvement plan 2017",
            default_due=date(2018, 3, 31),
        )
    out.print(import_report_view(report, verbose=False))
    with transaction(rt.sessions) as session:
        plan = plan_by_code(session, code="NCC")
        assert plan is not None
        out.print(register_table(plan, actions_of_plan(session, plan_id=plan.id)))
    out.print(f"\nRegister: {rt.settings.database_url}")


def parse_at(value: str | None, tz: str) -> datetime | None:
    """An ISO time; without an offset it is read in ACTIONBOT_TZ (a council's wall clock)."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"--at wants an ISO time such as 2018-03-01T09:30, got {value!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def slack_messengers(rt: Runtime) -> dict[str, Messenger]:
    try:
        token, _ = rt.settings.require_slack()
    except ConfigError as exc:
        raise fail(f"{exc}; or preview with --dry-run") from exc
    return {"slack": SlackMessenger(make_web_client(rt.settings, token))}


@app.command("nudge")
def nudge_command(
    at: Annotated[str | None, typer.Option("--at", help="Run as of this ISO time.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print, send nothing.")] = False,
) -> None:
    """One reminder sweep as of --at (default now): plan, then send (or print with --dry-run)."""
    rt = runtime()
    now = parse_at(at, rt.settings.tz) or rt.clock.now()
    messengers = {} if dry_run else slack_messengers(rt)
    result = run_sweep(rt, now=now, dry_run=dry_run)
    if dry_run:
        for message, reply in result.messages:
            out.print(reply_view(reply, heading=f"→ {message.recipient} ({message.kind})"))
        out.print(f"DRY RUN, nothing sent: {result}")
        return
    stats = run_delivery(rt, messengers)
    out.print(f"Sweep: {result}\nDelivery: {stats}")
    for failure in stats.failures:
        err.print(f"[yellow]not delivered:[/] {failure}")


@app.command("digest")
def digest_command(
    at: Annotated[str | None, typer.Option("--at", help="Build as of this ISO time.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print, post nothing.")] = False,
    channel: Annotated[
        str | None, typer.Option("--channel", help="Channel id (default DIGEST_CHANNEL).")
    ] = None,
) -> None:
    """Build the leadership digest and post it (or print it with --dry-run)."""
    rt = runtime()
    now = parse_at(at, rt.settings.tz) or rt.clock.now()
    messengers = {} if dry_run else slack_messengers(rt)
    try:
        result = run_digest(
            rt, now=now, channel=channel or ("(preview)" if dry_run else None), dry_run=dry_run
        )
    except ValueError as exc:
        raise fail(str(exc)) from exc
    for number, reply in enumerate(result.replies, start=1):
        where = "channel" if number == 1 else "thread"
        out.print(
            reply_view(reply, heading=f"--- message {number} of {len(result.replies)} ({where})")
        )
    if dry_run:
        out.print("DRY RUN, nothing posted.")
        return
    stats = run_delivery(rt, messengers)
    out.print(f"Digest for {result.channel}: {stats}")


@app.command("serve")
def serve_command(
    port: Annotated[int | None, typer.Option(help="HTTP port (default: $PORT or 3000).")] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "0.0.0.0",  # noqa: S104
) -> None:
    """Run the bot: Slack events, the health check and the schedules, in one process."""
    import asyncio

    from bot.serve import serve

    rt = runtime()
    logging.getLogger().setLevel(rt.settings.log_level.upper())
    try:
        asyncio.run(serve(rt, host=host, port=port or rt.settings.port))
    except ConfigError as exc:
        raise fail(str(exc)) from exc
    except KeyboardInterrupt:
        pass


@app.callback()
def _root(
    database_url: Annotated[
        str | None, typer.Option("--database-url", envvar="DATABASE_URL", help="Register URL.")
    ] = None,
) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
    except ValidationError as exc:
        raise fail(f"bad settings: {exc.errors()[0]['msg']}") from exc
    if database_url:
        settings.database_url = database_url
    state.settings = settings
    state.runtime = None


def main() -> None:
    app()
