"""The `/action` commands about people: roles, deputies, handover, assignment and leave.

Each runs in the caller's transaction and records its events; a refusal changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.commands.types import (
    AdminDeputy,
    AdminHandover,
    AdminOwner,
    AdminOwners,
    AdminPlans,
    Assign,
    Away,
    Back,
)
from bot.core.messages import Button, Reply, Row, error, plan_label, theirs
from bot.core.when import day as day_label
from bot.core.when import plural
from bot.services.audit import Actor
from bot.services.closure.review import Duty, reviewer
from bot.services.people.identity import Caller
from bot.services.people.leave import (
    LeaveRefused,
    absences_of,
    add_absence,
    cancel_leave,
    come_back,
    span,
)
from bot.services.people.owners import list_owners
from bot.services.people.roster import (
    NoSuchPerson,
    assign,
    assignee,
    describe,
    handover,
    notify,
    person_label,
    resolve,
    set_role_people,
)
from store.models import Action, Person, Plan
from store.queries import actions_of_plan, all_plans, owner_action_counts, owners_by_name

ADMINS_ONLY = "Only actionbot admins can do that (ACTIONBOT_ADMINS). Nothing was changed."
NOT_KNOWN = (
    "I don't know who you are in the register yet, so I can't record leave for you. "
    "Ask an admin to add your email to the owners file."
)

PeopleCommand = AdminOwner | AdminDeputy | AdminHandover | Away | Back | AdminOwners | AdminPlans


def handle_people(
    session: Session, command: PeopleCommand, *, caller: Caller, now: datetime, today: date
) -> Reply:
    actor = Actor(name=caller.actor, source=caller.platform)
    refused = refusal(command, caller)
    if refused is not None:
        return refused
    if isinstance(command, AdminOwners):
        return unreachable_owners(session, today=today)
    if isinstance(command, AdminPlans):
        return _plans(session, today)
    try:
        if isinstance(command, AdminOwner | AdminDeputy):
            return _role(session, command, caller=caller, actor=actor, now=now, today=today)
        if isinstance(command, AdminHandover):
            return _handover(session, command, caller=caller, actor=actor, now=now, today=today)
        person = _subject(session, command.person, caller=caller, now=now, today=today)
        if person is None:
            return error(NOT_KNOWN)
        if isinstance(command, Away):
            return _away(session, command, person, caller=caller, actor=actor, now=now, today=today)
        return _back(session, command, person, caller=caller, actor=actor, now=now, today=today)
    except (NoSuchPerson, LeaveRefused) as exc:
        return error(f"{exc} Nothing was changed.")


def refusal(command: PeopleCommand, caller: Caller) -> Reply | None:
    """Why `caller` may not run `command` at all, or None. Asked before the command runs and
    also before a door opens a form for it (Map…), so nobody fills in a form only to be
    refused at Save."""
    admin_form = isinstance(
        command, AdminOwner | AdminDeputy | AdminHandover | AdminOwners | AdminPlans
    ) or (isinstance(command, Away | Back) and command.person is not None)
    return error(ADMINS_ONLY) if admin_form and not caller.is_admin else None


def _subject(
    session: Session, ref: str | None, *, caller: Caller, now: datetime, today: date
) -> Person | None:
    if ref is not None:
        return resolve(session, caller, ref, now=now, today=today)
    return session.get(Person, caller.person_id) if caller.person_id is not None else None


def _role(
    session: Session,
    command: AdminOwner | AdminDeputy,
    *,
    caller: Caller,
    actor: Actor,
    now: datetime,
    today: date,
) -> Reply:
    owner = owners_by_name(session, names=[command.owner]).get(command.owner.lower())
    if owner is None:
        known = sorted(o.name for o in owners_by_name(session).values())
        hint = ", ".join(known[:10]) + ("…" if len(known) > 10 else "")
        return error(
            f"No owner called {theirs(repr(command.owner))}. Owners include: "
            f"{theirs(hint) or 'none yet'}. "
            "Nothing was changed."
        )

    def people_of(refs: tuple[str, ...]) -> list[Person]:
        found = [resolve(session, caller, r, now=now, create=True, today=today) for r in refs]
        return list({p.id: p for p in found}.values())

    duty = "holder" if isinstance(command, AdminOwner) else "deputy"
    people = people_of(command.people)
    if duty == "holder" and not people:
        return error(f"Who should hold {theirs(owner.name)}? Nothing was changed.")
    before, after = set_role_people(session, owner, duty, people, actor=actor, now=now, today=today)
    names = theirs(", ".join(person_label(p) for p in after)) or "nobody"
    was = theirs(", ".join(person_label(p) for p in before)) or "nobody"
    same = [p.id for p in before] == [p.id for p in after]
    role = theirs(owner.name)
    # Text, not platform markup: renderers escape every line, so no live mention here.
    if duty == "holder":
        held = f"still held by {names}" if same else f"now held by {names} (was {was})"
        lines = [f"{role} is {held}; they get its reminders."]
    else:
        deputies_are = f"still {names}" if same else f"now {names} (was {was})"
        lines = [
            f"{role}'s deputies are {deputies_are}; they get its reminders while every "
            "holder is away."
        ]
    lines += unnamed_note(after)
    if isinstance(command, AdminOwner) and command.deputies is not None:
        deputies = people_of(command.deputies)
        before_d, after_d = set_role_people(
            session, owner, "deputy", deputies, actor=actor, now=now, today=today
        )
        if [p.id for p in before_d] != [p.id for p in after_d]:
            named = theirs(", ".join(person_label(p) for p in after_d)) or "nobody"
            lines.append(f"Its deputies are now {named}.")
            lines += unnamed_note([p for p in after_d if p not in after])
    return Reply(lines=lines)


def unnamed_note(people: list[Person]) -> list[str]:
    """A line for people known only by a Teams id (picked or mentioned where Teams could not
    say who they are): they are named, and joined to the owners file's entry for their
    email, the first time they write to actionbot."""
    unnamed = [p for p in people if not p.display_name and not p.email and not p.slack_user_id]
    if not unnamed:
        return []
    return [
        f"Teams could not tell me who {theirs(', '.join(person_label(p) for p in unnamed))} "
        f"{'is' if len(unnamed) == 1 else 'are'} from this chat. They get the reminders "
        "there, and are matched to their email when they first write to actionbot; an admin "
        "can let actionbot look people up at once (TEAMS_GRAPH in the README)."
    ]


def _handover(
    session: Session,
    command: AdminHandover,
    *,
    caller: Caller,
    actor: Actor,
    now: datetime,
    today: date,
) -> Reply:
    start = command.start or today
    if start < today:
        return error(
            f"{day_label(start, today)} is in the past; a handover starts today or later. "
            "Nothing was changed."
        )
    old = resolve(session, caller, command.old, now=now, today=today)
    new = resolve(session, caller, command.new, now=now, create=True, today=today)
    if old.id == new.id:
        return error("That hands over to the same person. Nothing was changed.")
    done = handover(session, old, new, start=start, today=today, actor=actor, now=now)
    if done.empty:
        return error(
            f"{theirs(person_label(old))} holds no owner role and has no open assigned actions. "
            "Nothing was changed."
        )
    when = "from today" if start == today else f"from {day_label(start, today)}"
    what = theirs(describe(done))
    # Reminders go out through Slack unless the admin is on Teams (the sweep's own choice);
    # the console is a stand-in for every platform, so it must not name itself here.
    platform = "teams" if caller.platform == "teams" else "slack"
    key = f"handover:{old.id}:{new.id}:{start.isoformat()}:{now.isoformat()}"
    notify(
        session,
        new,
        Reply(
            title="You have taken over from " + theirs(person_label(old)),
            lines=[
                f"{when.capitalize()} you get the reminders {theirs(person_label(old))} got: "
                f"{what}."
            ],
        ),
        key=key + ":new",
        platform=platform,
        now=now,
    )
    notify(
        session,
        old,
        Reply(
            title="Your roles have been handed over",
            lines=[
                f"{when.capitalize()} {theirs(person_label(new))} gets the reminders you got: "
                f"{what}. "
                "Nothing about the actions' history is lost."
            ],
        ),
        key=key + ":old",
        platform=platform,
        now=now,
    )
    until = (
        []
        if start == today
        else [
            f"Until then {theirs(person_label(old))} keeps getting the reminders, and may update "
            "the actions, as now."
        ]
    )
    return Reply(
        title=f"Handed over {when}: {theirs(person_label(old))} → {theirs(person_label(new))}",
        lines=[what + ".", *until, "Both have been sent a direct message."],
    )


def _away(
    session: Session,
    command: Away,
    person: Person,
    *,
    caller: Caller,
    actor: Actor,
    now: datetime,
    today: date,
) -> Reply:
    first = command.first or today
    add_absence(
        session,
        person,
        first=first,
        last=command.last,
        note=command.note,
        today=today,
        actor=actor,
        now=now,
    )
    who = "You are" if caller.person_id == person.id else f"{theirs(person_label(person))} is"
    return Reply(
        lines=[
            f"{who} away {span(first, command.last, today)}"
            + (f" ({theirs(command.note)})" if command.note else "")
            + ". No reminders meanwhile: deputies get them, or they wait for the first "
            "working day back. `/action back` ends it early or calls it off; the same first "
            "day again changes the last."
        ]
    )


def _back(
    session: Session,
    command: Back,
    person: Person,
    *,
    caller: Caller,
    actor: Actor,
    now: datetime,
    today: date,
) -> Reply:
    self_ = caller.person_id == person.id
    if command.day is None:
        changed = come_back(session, person, today=today, actor=actor, now=now)
        if changed:
            who = "Welcome back: you get" if self_ else f"{theirs(person_label(person))} gets"
            return Reply(lines=[f"{who} reminders again from today."])
        if not any(a.last_day >= today for a in absences_of(session, person.id)):
            who = "You are" if self_ else f"{theirs(person_label(person))} is"
            return error(
                f"{who} not recorded as away today, and no leave ahead. Nothing was changed."
            )
    withdrawn = cancel_leave(session, person, day=command.day, today=today, actor=actor, now=now)
    whose = "Your" if self_ else f"{theirs(person_label(person))}'s"
    spanned = span(withdrawn.first, withdrawn.last, today)
    if withdrawn.cancelled:
        return Reply(lines=[f"{whose} leave {spanned} is cancelled: reminders go on as usual."])
    return Reply(
        lines=[f"{whose} leave {spanned} now ends yesterday: reminders start again from today."]
    )


def handle_assign(
    session: Session,
    action: Action,
    command: Assign,
    *,
    caller: Caller,
    now: datetime,
    today: date,
) -> Reply:
    label = theirs(f"{action.plan.code}:{action.ref}")
    if not action.is_open:
        return error(f"{label} is {action.status}; only open actions can be assigned.")
    try:
        person = resolve(session, caller, command.person, now=now, today=today)
    except NoSuchPerson as exc:
        return error(f"{exc} Nothing was changed.")
    current = assignee(session, action, day=today)
    if current is not None and current.id == person.id:
        return Reply(lines=[f"{label} is already assigned to {person_label(person)}."])
    actor = Actor(name=caller.actor, source=caller.platform)
    before = assign(session, action, person, actor=actor, now=now, today=today)
    was = f" (was {theirs(person_label(before))})" if before else ""
    return Reply(
        lines=[
            f"{label} is assigned to {theirs(person_label(person))}{was}; they get its reminders.",
            *unnamed_note([person]),
        ]
    )


def map_command(owner: str) -> str:
    """The text command that maps an owner name, for doors without a form."""
    return f'/action admin owner "{owner}" @person'


def unreachable_owners(session: Session, *, today: date) -> Reply:
    """Owner names with open actions and nobody holding them today, each with a button that
    maps it (the same `admin owner` command, through a form)."""
    rows = []
    # Only open actions count: a role whose actions are all done has nothing to be told.
    open_counts = owner_action_counts(session, open_only=True)
    ids = {key: o.id for key, o in owners_by_name(session).items()}
    for row in list_owners(session, today=today):
        actions = open_counts.get(ids.get(row.name.lower(), -1), 0)
        if row.email or row.slack_user_id or row.teams_user_id or not actions:
            continue
        rows.append(
            Row(
                f"{theirs(row.name)} ({plural(actions, 'open action')}): "
                f"`{theirs(map_command(row.name))}`",
                Button("map_owner", "Map…", row.name),
            )
        )
    if not rows:
        return Reply(lines=["Every owner name has someone to reach. 🎉"])
    return Reply(
        title=f"{len(rows)} owner names nobody can be reached for",
        lines=["Map each to the people who should get its reminders."],
        rows=rows,
    )


def _closure(plan: Plan) -> str:
    """Who verifies closure and who approves new dates, when the plan asks for either."""
    duties: tuple[tuple[Duty, str], ...] = (
        ("verify_by", "verified by"),
        ("approve_dates_by", "dates approved by"),
    )
    said = [
        f"{what} {theirs(who.name)}"
        for duty, what in duties
        if (who := reviewer(plan, duty)) is not None
    ]
    return "; " + ", ".join(said) if said else ""


def _plans(session: Session, today: date) -> Reply:
    lines = []
    for plan in all_plans(session):
        actions = actions_of_plan(session, plan_id=plan.id)
        open_ = [a for a in actions if a.is_open]
        overdue = sum(1 for a in open_ if a.due_date is not None and a.due_date < today)
        days = (plan.options or {}).get("nudge_days")
        schedule = (
            f"reminders {days} days before the due date"
            if days
            else "the default reminder schedule (ACTIONBOT_NUDGE_DAYS)"
        )
        if plan.archived_at is not None:
            lines.append(
                f"{theirs(plan_label(plan.code, plan.name))}: "
                f"archived {day_label(plan.archived_at)}, "
                f"{plural(len(actions), 'action')} kept for audit; no reminders"
            )
            continue
        lines.append(
            f"{theirs(plan_label(plan.code, plan.name))}: {plural(len(actions), 'action')}, "
            f"{len(open_)} open, {overdue} overdue; {schedule}{_closure(plan)}"
        )
    if not lines:
        return Reply(
            lines=["No plans yet: import one with `actionbot import PLAN.csv --plan CODE`."]
        )
    return Reply(title=plural(len(lines), "plan"), lines=lines)
