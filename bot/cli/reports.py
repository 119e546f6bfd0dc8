"""`report` and `stats`: the committee pack and whether the reminders work."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.common import (
    cli_actor,
    fail,
    out,
    parse_at,
    plan_codes,
    runtime,
    screen,
    start_of_day,
)

if TYPE_CHECKING:
    from bot.services.packs import IssuedSummary


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    docx = "docx"
    html = "html"
    pdf = "pdf"


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
