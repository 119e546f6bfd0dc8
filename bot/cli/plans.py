"""`actionbot plans …`: the plans in the register, their schedules, archive and delete."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import (
    JsonFlag,
    cli_actor,
    fail,
    out,
    parse_day,
    plan_codes,
    print_json,
    runtime,
    screen,
)
from bot.cli.help import HumanTyper

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.core.runtime import Runtime
    from store.models import Plan


plans_app = HumanTyper(help="The plans in the register.")


@plans_app.command("list")
def plans_list(as_json: JsonFlag = False) -> None:
    """Plans in the register with their action counts."""
    from bot.render.terminal import plans_table
    from store.db import transaction
    from store.queries import action_counts, all_plans

    rt = runtime()
    with transaction(rt.sessions) as session:
        counts = action_counts(session)
        plans = [(p, counts.get(p.id, 0)) for p in all_plans(session)]
        if as_json:
            from bot.services.export import plan_record

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
            raise fail(f"no plan {plan!r}; plans: {plan_codes(session)}")
        set_nudge_days(session, found, value, actor=cli_actor(), now=rt.clock.now())
    out.print(f"{plan}: reminders {value or 'as ACTIONBOT_NUDGE_DAYS'} days before the due date")


@plans_app.command("set")
def plans_set(
    plan: Annotated[str, typer.Argument(help="Plan code.")],
    verify_by: Annotated[
        str | None,
        typer.Option(
            "--verify-by",
            help="Who verifies an owner's 'done' (an owner role, or a person's email); "
            "'none' for nobody (done is done, as by default).",
        ),
    ] = None,
    approve_dates_by: Annotated[
        str | None,
        typer.Option(
            "--approve-dates-by",
            help="Who approves a new target date (an owner role, or a person's email); "
            "'none' for nobody (a new date applies at once, as by default).",
        ),
    ] = None,
    evidence_types: Annotated[
        str | None,
        typer.Option(
            "--evidence-types",
            help="The file types kept as evidence on this plan, e.g. 'pdf,docx,xlsx,png,jpg'; "
            "'default' for every type evidence may be.",
        ),
    ] = None,
) -> None:
    """A plan's closure settings: who verifies closure, who approves new dates, which file
    types are evidence. With no option, says what they are."""
    from bot.services.closure.evidence import EvidenceTypesError, read_types, set_evidence_types
    from bot.services.closure.review import ReviewerError, find_reviewer, set_reviewer

    try:
        types = None if evidence_types is None else read_types(evidence_types)
    except EvidenceTypesError as exc:
        raise fail(f"--evidence-types {exc}") from exc
    with _plan_in_transaction(plan) as (rt, found, session):
        for duty, spec in (("verify_by", verify_by), ("approve_dates_by", approve_dates_by)):
            if spec is None:
                continue
            try:
                who = (
                    None
                    if spec.strip().lower() == "none"
                    else find_reviewer(session, spec, now=rt.clock.now())
                )
            except ReviewerError as exc:
                raise fail(f"--{duty.replace('_', '-')}: {exc}") from exc
            set_reviewer(session, found, duty, who, actor=cli_actor(), now=rt.clock.now())  # type: ignore[arg-type]
        if evidence_types is not None:
            set_evidence_types(session, found, types, actor=cli_actor(), now=rt.clock.now())
        said = _closure_settings(found)
    out.print(said, markup=False, highlight=False)


def _closure_settings(found: Plan) -> str:
    from bot.services.closure.evidence import types_in_words
    from bot.services.closure.review import reviewer

    verifier = reviewer(found, "verify_by")
    approver = reviewer(found, "approve_dates_by")
    kinds = types_in_words(found) + ("" if found.evidence_types else " (the default)")
    verified = verifier.name if verifier else "nobody (done is done)"
    return (
        f"{found.code}: closure verified by {verified}; "
        f"new dates approved by {approver.name if approver else 'nobody (applied at once)'}; "
        f"evidence files: {kinds}"
    )


@plans_app.command("show")
def plans_show(
    plan: Annotated[str, typer.Argument(help="Plan code.")], as_json: JsonFlag = False
) -> None:
    """One plan's settings: reminders, default due date, closure and evidence types."""
    from bot.services.export import plan_record
    from store.queries import action_counts

    with _plan_in_transaction(plan) as (_, found, session):
        record = plan_record(found, action_counts(session).get(found.id, 0))
        said = _closure_settings(found)
    if as_json:
        print_json(record)
        return
    out.print(
        f"{record['code']}: {record['name']} ({record['actions']} actions)",
        markup=False,
        highlight=False,
    )
    out.print(said, markup=False, highlight=False)


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

    from bot.core.when import plural
    from bot.services.export import export_json
    from bot.services.plans import delete_plan

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
            raise fail(f"no plan {code!r}; plans: {plan_codes(session)}")
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
            raise fail(f"no plan {plan!r}; plans: {plan_codes(session)}")
        changed = set_default_due(session, found, due, actor=cli_actor(), now=rt.clock.now())
    from bot.core.when import day as day_label
    from bot.core.when import plural

    out.print(
        f"{found.code}: default due date {day_label(due)}; "
        f"{plural(changed, 'action')} now due then."
    )
