"""Use cases behind `/action`: read and change actions. Knows the database, no platform.

`handle` runs one Command for one Caller inside the caller's transaction and answers
with a neutral Reply; every change is an Event with the caller as actor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy.orm import Session

from bot.commands.help import help_text
from bot.commands.rules import revision_problem
from bot.commands.types import (
    AddNote,
    AdminDeputy,
    AdminDigest,
    AdminHandover,
    AdminImport,
    AdminNudge,
    AdminOwner,
    AdminOwners,
    AdminPlans,
    AdminReport,
    Approve,
    Assign,
    Away,
    Back,
    Command,
    DueWithin,
    Help,
    Mine,
    Overdue,
    ParseError,
    RefSpec,
    Revise,
    SetRag,
    SetStatus,
    Show,
    Snooze,
    Verify,
)
from bot.core.messages import RAG_WORDS, ActionCard, Button, Detail, Reply, error, theirs
from bot.core.when import day, due_phrase, plural
from bot.importer.dates import parse_date
from bot.services.audit import Actor, record, set_field
from bot.services.closure.evidence import Attachment
from bot.services.closure.review import closure_details, closure_in_use, decide, route
from bot.services.history import actor_name, history_lines
from bot.services.imports.upload import import_help
from bot.services.people.commands import handle_assign, handle_people
from bot.services.people.identity import Caller
from bot.services.plans import archived_note
from store.models import Action
from store.queries import (
    action_for_update,
    actions_by_ref,
    open_actions,
    open_actions_of_owners,
    plan_by_code,
    recent_events,
)

STATUS_VERB = {"done": "done", "in_progress": "in progress", "blocked": "blocked"}
HISTORY_SHOWN = 8
UNKNOWN_CALLER = (
    "I don't know which actions are yours yet. Ask an admin to map you "
    '(`/action admin owner "Your role" @you`) or to add your email to the owners file.'
)


def due_label(due: date | None, today: date) -> str:
    return due_phrase(due, today)


def card(
    action: Action,
    today: date,
    *,
    updates: Sequence[str] = (),
    buttons: bool = True,
    details: Sequence[Detail] = (),
    detail: bool = False,
) -> ActionCard:
    return ActionCard(
        action_id=action.id,
        plan_code=action.plan.code,
        ref=action.ref,
        title=action.title,
        owners=action.owner_names,
        due=action.due_date,
        due_label=due_label(action.due_date, today),
        status=action.status,
        rag=action.rag,
        theme=action.theme,
        updates=list(updates),
        buttons=buttons,
        details=list(details),
        detail=detail,
    )


def handle(
    session: Session,
    command: Command,
    *,
    caller: Caller,
    now: datetime,
    today: date,
    raw: str = "",
    pinned_action_id: int | None = None,
    attachments: Sequence[Attachment] = (),
) -> Reply:
    """Run `command` for `caller`. `today` is the caller's local date; `attachments` are
    files sent with it (evidence with `done`)."""
    if isinstance(command, Help):
        teams = caller.platform == "teams"
        return Reply(
            title="How to use actionbot" if teams else "How to use /action",
            lines=[
                help_text(
                    today=today,
                    admin=caller.is_admin,
                    platform=caller.platform,
                    closure=closure_in_use(session),
                )
            ],
        )
    if isinstance(command, Mine):
        return _listing(session, caller, today, what="open", mine=True)
    if isinstance(command, Overdue):
        return _listing(session, caller, today, what="overdue", before=today)
    if isinstance(command, DueWithin):
        return _listing(
            session,
            caller,
            today,
            what=f"due in the next {plural(command.days, 'day')}",
            before=today + timedelta(days=command.days + 1),
        )
    if isinstance(
        command,
        AdminOwner | AdminDeputy | AdminHandover | Away | Back | AdminOwners | AdminPlans,
    ):
        return handle_people(session, command, caller=caller, now=now, today=today)
    if isinstance(command, AdminImport):
        return import_help(session, caller=caller, plan=command.plan)
    if isinstance(command, AdminNudge | AdminDigest | AdminReport):
        if not caller.is_admin:
            return error("Only actionbot admins can do that (ACTIONBOT_ADMINS).")
        if isinstance(command, AdminReport):
            plan = plan_by_code(session, code=command.plan)
            if plan is None:
                return error(f"No plan {theirs(repr(command.plan))}.", "/action admin report PLAN")
            if plan.archived_at is not None:
                return error(archived_note(plan.code))
        return Reply(lines=["Queued."])  # the outcome says what follows: follow_up_of
    found = _find(session, command.target, raw=raw, pinned=pinned_action_id)
    if isinstance(found, Reply):
        return found
    if isinstance(command, Show):
        return _show(session, found, today)
    if found.plan.archived_at is not None:
        return error(f"{archived_note(found.plan.code)} Nothing was changed.")
    action = action_for_update(session, action_id=found.id)
    assert action is not None
    if isinstance(command, Verify | Approve):  # the plan's verifier or approver, not owners
        return decide(session, action, command, caller=caller, now=now, today=today)
    if not caller.may_change(action):
        owners = theirs(", ".join(action.owner_names)) or "nobody yet"
        return error(
            f"{theirs(f'{action.plan.code}:{action.ref}')} belongs to {owners}; only its "
            "owners or an admin "
            "can change it. Nothing was changed."
        )
    if isinstance(command, Assign):
        return handle_assign(session, action, command, caller=caller, now=now, today=today)
    closure = route(
        session, action, command, caller=caller, now=now, today=today, attachments=attachments
    )
    if closure is not None:
        return closure
    return _change(session, action, command, caller=caller, now=now, today=today)


def _find(session: Session, target: RefSpec, *, raw: str, pinned: int | None) -> Action | Reply:
    if pinned is not None:
        matches = [
            a
            for a in actions_by_ref(session, ref=target.ref, plan_code=target.plan)
            if a.id == pinned
        ]
    else:
        matches = list(actions_by_ref(session, ref=target.ref, plan_code=target.plan))
        live = [a for a in matches if a.plan.archived_at is None]
        if target.plan is None and live:
            matches = live  # a bare ref means the live plan's action, not an archived one
    if not matches:
        where = f" in plan {theirs(target.plan)}" if target.plan else ""
        return error(f"No action {theirs(repr(target.ref))}{where}.", "/action mine")
    if len(matches) > 1:
        return Reply(
            lines=[f"{theirs(target.ref)} is in {len(matches)} plans. Which one did you mean?"],
            choices=[
                Button("choose", f"{a.plan.code}:{a.ref}", f"{a.id}|{raw}"[:1900]) for a in matches
            ],
        )
    return matches[0]


def _show(session: Session, action: Action, today: date) -> Reply:
    """The detail view: the action first (its first line is the phone notification), then
    due date, status and owners, then what helps: tasks, outcome, the date as the plan wrote
    it when that says more than the date itself, and the history as sentences."""
    events = recent_events(session, action_id=action.id, limit=HISTORY_SHOWN * 3)
    updates = history_lines(session, events, today=today)[:HISTORY_SHOWN]
    details = []
    if action.tasks:
        details.append(Detail("Tasks", "\n".join(f"• {t}" for t in action.tasks)))
    if action.outcome:
        details.append(Detail("Outcome", action.outcome))
    if action.slip_count:
        details.append(Detail("Date moved", plural(action.slip_count, "time")))
    written = _as_written(action, today)
    if written:
        details.append(Detail("The plan said", written))
    details.extend(closure_details(session, action, today))
    return Reply(
        lines=[archived_note(action.plan.code)] if action.plan.archived_at else [],
        cards=[card(action, today, updates=updates, details=details, detail=True)],
    )


def _as_written(action: Action, today: date) -> str | None:
    """The plan's own words for the target, only when they say more than the due date
    ("end of June 2018", "quarterly"), or when the due date has since moved."""
    text = (action.target_text or "").strip()
    if not text:
        return None
    if action.due_date is None:
        return text
    parsed = parse_date(text, reference=today)
    if parsed.value == action.due_date and parsed.kind == "exact":
        return None
    if parsed.value is not None and parsed.value != action.due_date:
        return f"{text} (due then {day(parsed.value, today)})"
    return text


def _listing(
    session: Session,
    caller: Caller,
    today: date,
    *,
    what: str,
    mine: bool = False,
    before: date | None = None,
) -> Reply:
    if caller.person_id is None and not caller.is_admin:
        return error(UNKNOWN_CALLER)
    if mine or not caller.is_admin:
        actions = open_actions_of_owners(
            session,
            owner_ids=caller.owner_ids,
            due_before=before,
            action_ids=caller.assigned_ids,
        )
        whose = "of yours"
    else:
        actions = open_actions(session, due_before=before)
        whose = "in the register"
    if not actions:
        if what.startswith("due"):
            return Reply(lines=[f"No actions {whose} {what}. 🎉"])
        return Reply(lines=[f"No {what} actions {whose}. 🎉"])
    count = len(actions)
    title = (
        f"{plural(count, 'action')} {whose} {what}"
        if what.startswith("due")
        else (f"{count:,} {what} {'action' if count == 1 else 'actions'} {whose}")
    )
    return Reply(title=title, cards=[card(a, today) for a in actions])


def _change(
    session: Session,
    action: Action,
    command: Command,
    *,
    caller: Caller,
    now: datetime,
    today: date,
) -> Reply:
    actor = Actor(name=caller.actor, source=caller.platform)
    label = theirs(f"{action.plan.code}:{action.ref}")
    if isinstance(command, SetStatus):
        changed = set_field(
            session, action, "status", command.status, actor=actor, at=now, note=command.note
        )
        if command.status == "done":
            set_field(session, action, "snoozed_until", None, actor=actor, at=now)
        said = f"{label} is now {STATUS_VERB.get(command.status, command.status)}"
        if not changed and not command.note:
            return Reply(
                lines=[
                    f"{label} was already {STATUS_VERB.get(command.status, command.status)}; "
                    "nothing changed."
                ],
                cards=[card(action, today)],
            )
        if not changed:
            record(session, action, "note", actor=actor, at=now, note=command.note)
    elif isinstance(command, SetRag):
        changed = set_field(
            session, action, "rag", command.rag, actor=actor, at=now, note=command.note
        )
        if not changed:
            record(
                session,
                action,
                "note",
                actor=actor,
                at=now,
                note=command.note or f"still {RAG_WORDS[command.rag]}",
            )
        if action.status == "not_started":
            set_field(session, action, "status", "in_progress", actor=actor, at=now)
        said = f"{label} is {RAG_WORDS[command.rag]}"
    elif isinstance(command, AddNote):
        record(session, action, "note", actor=actor, at=now, note=command.note)
        said = f"Note added to {label}"
    elif isinstance(command, Revise):
        if not action.is_open:
            return error(f"{label} is {action.status}; reopen it before moving its date.")
        problem = revision_problem(command.new_date, command.reason, today=today)
        if problem:
            return error(f"{label}: {problem} Nothing was changed.")
        old_due = action.due_date
        set_field(
            session,
            action,
            "revised_target_date",
            command.new_date,
            actor=actor,
            at=now,
            note=command.reason,
        )
        set_field(session, action, "revised_text", command.date_text, actor=actor, at=now)
        set_field(session, action, "due_date", command.new_date, actor=actor, at=now)
        set_field(
            session,
            action,
            "slip_count",
            action.slip_count + 1,
            actor=actor,
            at=now,
            note=command.reason,
        )
        said = (
            f"{label} moved from {day(old_due, today)} to {day(command.new_date, today)}"
            if old_due
            else f"{label} now due {day(command.new_date, today)}"
        ) + f" (moved {plural(action.slip_count, 'time')}): {theirs(command.reason)}"
    elif isinstance(command, Snooze):
        until = today + timedelta(days=command.days)
        set_field(session, action, "snoozed_until", until, actor=actor, at=now, note=command.reason)
        said = f"{label}: reminders paused until {day(until, today)}"
    else:  # pragma: no cover - the parser produces no other commands with a target
        return error("That command cannot change an action.")
    note = getattr(command, "note", None) or getattr(command, "reason", None)
    if note:
        action.latest_update = note
    action.last_update_at = now
    action.updated_at = now
    return Reply(
        lines=[said + "."],
        cards=[card(action, today)],
        notice=_team_notice(session, action, command, caller=caller, today=today),
    )


def _team_notice(
    session: Session, action: Action, command: Command, *, caller: Caller, today: date
) -> str | None:
    """One line for the others who share an action, when what changed is news to them:
    done, blocked, a RAG, a new date. Notes and snoozes stay with the person."""
    if len(action.owner_names) < 2:
        return None
    who = theirs(actor_name(session, caller.actor, today=today))
    label = theirs(f"{action.plan.code}:{action.ref}")
    if isinstance(command, SetStatus) and command.status in ("done", "blocked"):
        return f"{label}: {who} marked it {STATUS_VERB[command.status]}."
    if isinstance(command, SetRag):
        return f"{label}: {who} says it is {RAG_WORDS[command.rag]}."
    if isinstance(command, Revise):
        return f"{label}: {who} moved the due date to {day(command.new_date, today)}."
    return None


@dataclass(frozen=True)
class RunJob:
    """Run the reminder sweep ("nudge") or the digest now, after the answer; the door says
    what the job did when it is done."""

    job: Literal["nudge", "digest"]


@dataclass(frozen=True)
class MakePack:
    """Make the plan's committee pack (issued for `meeting`, else a draft) and send it to
    the admin who asked, as a file."""

    plan: str
    meeting: str | None


FollowUp = RunJob | MakePack


def follow_up_of(command: Command | ParseError | None) -> FollowUp | None:
    """The work a command leaves for after its answer (it can take longer than a platform
    waits for one), or None. Only an answer the service let through is followed up."""
    if isinstance(command, AdminNudge):
        return RunJob("nudge")
    if isinstance(command, AdminDigest):
        return RunJob("digest")
    if isinstance(command, AdminReport):
        return MakePack(command.plan, command.meeting)
    return None
