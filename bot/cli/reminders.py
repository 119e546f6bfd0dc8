"""`nudge` and `digest`: one reminder sweep or one digest, as of now or a given time."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import (
    err,
    fail,
    out,
    parse_at,
    runtime,
)
from bot.core.clock import FixedClock
from bot.core.when import plural

if TYPE_CHECKING:
    from bot.core.config import Settings
    from bot.core.runtime import Runtime
    from bot.jobs.delivery import DeliveryStats
    from bot.jobs.nudges import SweepResult
    from bot.jobs.runner import DigestResult
    from bot.messengers.base import Messenger

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
    from bot.core.when import day, moment
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
