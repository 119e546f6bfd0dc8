"""The `actionbot` command line. Every command upgrades the schema first."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from bot.cli.common import (
    JsonFlag,
    cli_actor,
    err,
    fail,
    load_settings,
    out,
    parse_day,
    parse_map,
    plan_codes,
    print_json,
    runtime,
    screen,
    state,
)
from bot.cli.help import HumanTyper
from bot.cli.owners import owners_app
from bot.cli.plans import plans_app
from bot.core.clock import FixedClock
from bot.core.when import plural
from bot.importer.errors import ImportFileError

if TYPE_CHECKING:
    from bot.core.config import Settings
    from bot.core.runtime import Runtime
    from bot.jobs.delivery import DeliveryStats
    from bot.jobs.nudges import SweepResult
    from bot.jobs.runner import DigestResult
    from bot.messengers.base import Messenger
    from bot.services.imports.apply import ImportReport
    from bot.services.packs import IssuedSummary
    from bot.services.people.identity import ConsoleUser

# Start-up cost: a command imports what it uses inside its own body, so `--help` and
# `plans list` never load slack_sdk, openpyxl, python-docx, holidays or the job runner
# (tests/cli/test_cli_imports.py keeps it so).

app = HumanTyper(help="actionbot: keeps improvement plans alive.", no_args_is_help=True)
app.add_typer(owners_app, name="owners")
app.add_typer(plans_app, name="plans")


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    docx = "docx"
    html = "html"
    pdf = "pdf"


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
    from bot.core.config import ConfigError

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
    from bot.core.calendar import calendar_for
    from bot.core.when import day, moment, plural
    from bot.render.terminal import reply_view
    from bot.services.people.identity import recipient_labels
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
    from bot.services.packs import (
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
    from bot.core.calendar import calendar_for
    from bot.render.stats_view import stats_tables
    from bot.reports.stats import nudge_stats
    from bot.services.closure.report import closure_stats
    from store.db import transaction
    from store.queries import plan_by_code

    rt = runtime()
    now = parse_at(at, rt.settings.tz) or rt.clock.now()
    start = start_of_day(since, "--since", rt.settings.tz)
    with transaction(rt.sessions) as session:
        if plan is not None and plan_by_code(session, code=plan) is None:
            raise fail(f"no plan {plan!r}; plans: {plan_codes(session)}")
        result = nudge_stats(
            session,
            now=now,
            cal=calendar_for(rt.settings.holiday_region),
            tz=rt.settings.tz,
            plan_code=plan,
            since=start,
        )
        closure = closure_stats(session, plan_code=plan, since=start)
    if as_json:
        shown = result.as_dict() | ({"closure": closure.as_dict()} if closure else {})
        typer.echo(json.dumps(shown, indent=2))
    else:
        out.print(stats_tables(result))
        if closure is not None:
            out.print(closure.text(), markup=False, highlight=False)


@app.command("teams-package")
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


@app.command("serve")
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
