"""The `/action` commands about people: roles, deputies, handover, assignment and leave.

Each runs in the caller's transaction and records its events; a refusal changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.commands import (
    AdminDeputy,
    AdminHandover,
    AdminOwner,
    AdminOwners,
    AdminPlans,
    Assign,
    Away,
    Back,
)
from bot.messages import Reply, error
from bot.services.audit import Actor
from bot.services.leave import LeaveRefused, add_absence, come_back, span
from bot.services.owners import list_owners
from bot.services.people import Caller
from bot.services.roster import (
    NoSuchPerson,
    assign,
    current_people,
    describe,
    handover,
    notify,
    person_label,
    resolve,
    set_role_people,
)
from bot.when import day as day_label
from store.models import Action, Person
from store.queries import actions_of_plan, all_plans, owners_by_name

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
    admin_form = isinstance(
        command, AdminOwner | AdminDeputy | AdminHandover | AdminOwners | AdminPlans
    ) or (isinstance(command, Away | Back) and command.person is not None)
    if admin_form and not caller.is_admin:
        return error(ADMINS_ONLY)
    if isinstance(command, AdminOwners):
        return _unreachable(session)
    if isinstance(command, AdminPlans):
        return _plans(session, today)
    try:
        if isinstance(command, AdminOwner | AdminDeputy):
            return _role(session, command, caller=caller, actor=actor, now=now, today=today)
        if isinstance(command, AdminHandover):
            return _handover(session, command, caller=caller, actor=actor, now=now, today=today)
        person = _subject(session, command.person, caller=caller, now=now)
        if person is None:
            return error(NOT_KNOWN)
        if isinstance(command, Away):
            return _away(session, command, person, caller=caller, actor=actor, now=now, today=today)
        return _back(session, person, caller=caller, actor=actor, now=now, today=today)
    except (NoSuchPerson, LeaveRefused) as exc:
        return error(f"{exc} Nothing was changed.")


def _subject(session: Session, ref: str | None, *, caller: Caller, now: datetime) -> Person | None:
    if ref is not None:
        return resolve(session, caller, ref, now=now)
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
            f"No owner called {command.owner!r}. Owners include: {hint or 'none yet'}. "
            "Nothing was changed."
        )
    people = [resolve(session, caller, ref, now=now, create=True) for ref in command.people]
    duty = "holder" if isinstance(command, AdminOwner) else "deputy"
    before, after = set_role_people(session, owner, duty, people, actor=actor, now=now, today=today)
    names = ", ".join(person_label(p) for p in after) or "nobody"
    was = ", ".join(person_label(p) for p in before) or "nobody"
    # Text, not platform markup: renderers escape every line, so no live mention here.
    if duty == "holder":
        said = f"{owner.name} is now held by {names} (was {was}); they get its reminders."
    else:
        said = (
            f"{owner.name}'s deputies are now {names} (was {was}); they get its reminders "
            "while every holder is away."
        )
    return Reply(lines=[said])


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
    old = resolve(session, caller, command.old, now=now)
    new = resolve(session, caller, command.new, now=now, create=True)
    if old.id == new.id:
        return error("That hands over to the same person. Nothing was changed.")
    done = handover(session, old, new, start=start, actor=actor, now=now)
    if done.empty:
        return error(
            f"{person_label(old)} holds no owner role and has no open assigned actions. "
            "Nothing was changed."
        )
    when = "from today" if start == today else f"from {day_label(start, today)}"
    what = describe(done)
    # Reminders go out through Slack unless the admin is on Teams (the sweep's own choice);
    # the console is a stand-in for every platform, so it must not name itself here.
    platform = "teams" if caller.platform == "teams" else "slack"
    key = f"handover:{old.id}:{new.id}:{start.isoformat()}:{now.isoformat()}"
    notify(
        session,
        new,
        Reply(
            title="You have taken over from " + person_label(old),
            lines=[f"{when.capitalize()} you get the reminders {person_label(old)} got: {what}."],
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
                f"{when.capitalize()} {person_label(new)} gets the reminders you got: {what}. "
                "Nothing about the actions' history is lost."
            ],
        ),
        key=key + ":old",
        platform=platform,
        now=now,
    )
    return Reply(
        title=f"Handed over {when}: {person_label(old)} → {person_label(new)}",
        lines=[what + ".", "Both have been sent a direct message."],
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
    who = "You are" if caller.person_id == person.id else f"{person_label(person)} is"
    return Reply(
        lines=[
            f"{who} away {span(first, command.last, today)}"
            + (f" ({command.note})" if command.note else "")
            + ". No reminders meanwhile: deputies get them, or they wait for the first "
            "working day back. `/action back` ends it early."
        ]
    )


def _back(
    session: Session,
    person: Person,
    *,
    caller: Caller,
    actor: Actor,
    now: datetime,
    today: date,
) -> Reply:
    changed = come_back(session, person, today=today, actor=actor, now=now)
    self_ = caller.person_id == person.id
    if not changed:
        who = "You are" if self_ else f"{person_label(person)} is"
        return error(f"{who} not recorded as away today. Nothing was changed.")
    who = "Welcome back: you get" if self_ else f"{person_label(person)} gets"
    return Reply(lines=[f"{who} reminders again from today."])


def handle_assign(
    session: Session,
    action: Action,
    command: Assign,
    *,
    caller: Caller,
    now: datetime,
    today: date,
) -> Reply:
    label = f"{action.plan.code}:{action.ref}"
    if not action.is_open:
        return error(f"{label} is {action.status}; only open actions can be assigned.")
    try:
        person = resolve(session, caller, command.person, now=now)
    except NoSuchPerson as exc:
        return error(f"{exc} Nothing was changed.")
    actor = Actor(name=caller.actor, source=caller.platform)
    before = assign(session, action, person, actor=actor, now=now, today=today)
    was = f" (was {person_label(before)})" if before else ""
    return Reply(
        lines=[f"{label} is assigned to {person_label(person)}{was}; they get its reminders."]
    )


def _unreachable(session: Session) -> Reply:
    """Owner names with open actions and nobody holding them now, each with its fix."""
    lines = []
    for row in list_owners(session):
        owner = owners_by_name(session, names=[row.name])[row.name.lower()]
        if current_people(session, owner, "holder") or not row.actions:
            continue
        lines.append(
            f'{row.name} ({row.actions} actions): /action admin owner "{row.name}" @person'
        )
    if not lines:
        return Reply(lines=["Every owner name has someone to reach. 🎉"])
    return Reply(title=f"{len(lines)} owner names nobody can be reached for", lines=lines)


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
        lines.append(
            f"{plan.code}: {plan.name}: {len(actions)} actions, {len(open_)} open, "
            f"{overdue} overdue; {schedule}"
        )
    if not lines:
        return Reply(
            lines=["No plans yet: import one with `actionbot import PLAN.csv --plan CODE`."]
        )
    return Reply(title=f"{len(lines)} plans", lines=lines)
