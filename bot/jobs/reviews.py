"""The verifier's and the date approver's messages, and their escalation: a request waiting
for somebody's decision is reminded and escalated by the owners' own rules.

Each pending request is planned as if it were an action owned by its reviewer and due on the
first working day it waits, so the owners' planner and ladder decide (bot.jobs.cover,
bot.jobs.planner): the reviewer hears at their 09:00 on that day and weekly while it still
waits (a week's reminder falling on a day off comes the working day before); nobody hears on
a day they are away, a role's deputies cover, and what waited is brought on the first working
day back. After ESCALATE_AFTER working days without a decision (days the reviewer was away
not counted) it goes once to the reviewer's escalation contact: a role's `escalate_to`, or
for a person, that of the roles they hold; a contact on leave is told when back.

Each reviewer's message lists everything waiting for them that day, so a new request brings
the older ones back to mind too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.calendar import WorkingCalendar
from bot.core.config import Settings
from bot.core.messages import Detail, Reply, theirs
from bot.core.when import day, plural
from bot.jobs.cover import Roster, Term, paused_days, plan_reminders
from bot.jobs.facts import load_roster
from bot.jobs.planner import (
    DIGEST_ESCALATE_AFTER,
    ESCALATE_AFTER,
    ActionFacts,
    Escalation,
    NudgeItem,
    PlannedMessage,
    escalations,
    in_digest_escalations,
    local_day,
)
from bot.services.actions import card
from bot.services.audit import Actor, record
from bot.services.closure.evidence import evidence_of
from bot.services.closure.review import Reviewer, reviewer
from store.models import Action, Owner, Plan, Review
from store.queries import holders_by_owner

KIND = "review"
ESCALATION_KIND = "review_escalation"
SYSTEM = Actor(name="actionbot", source="system")
WHAT = {"verify": "verification", "extend": "approval of a new date"}


@dataclass
class Waiting:
    """One pending request, with its reviewer and the facts the owners' rules read."""

    review: Review
    action: Action
    who: Reviewer
    facts: ActionFacts


@dataclass
class ReviewPlan:
    messages: list[tuple[PlannedMessage, Reply]] = field(default_factory=list)
    escalated: list[Escalation] = field(default_factory=list)  # action ids, as the owners'


def _key(who: Reviewer) -> str:
    """The reviewer as the roster names a role: roles and people never share a key."""
    return f"{who.kind}:{who.id}"


def first_waiting_day(asked: date, cal: WorkingCalendar) -> date:
    """A request is "due" on the first working day it waits: asked on a Saturday, Monday."""
    while not cal.is_working_day(asked):
        asked += timedelta(days=1)
    return asked


def _pending(session: Session) -> list[tuple[Review, Action, Reviewer]]:
    rows = session.execute(
        select(Review, Action)
        .join(Action, Action.id == Review.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Review.state == "pending", Plan.archived_at.is_(None))
        .order_by(Review.requested_at, Review.id)
    ).all()
    found = []
    for review, action in rows:
        who = reviewer(action.plan, "verify_by" if review.kind == "verify" else "approve_dates_by")
        if who is not None:
            found.append((review, action, who))
    return found


def _roster(session: Session, reviewers: list[Reviewer], contacts: set[str]) -> Roster:
    """Holders, deputies, leave and zones of the reviewers, keyed as `_key` names them."""
    roles = {w.id: w for w in reviewers if w.kind == "role"}
    people = sorted({w.id for w in reviewers if w.kind == "person"})
    base = load_roster(
        session,
        owner_ids=sorted(roles),
        action_ids=[],
        contacts={c.removeprefix("email:") for c in contacts},
        person_ids=people,
    )
    names = {w.name: _key(w) for w in roles.values()}
    holders = {names[n]: t for n, t in base.holders.items() if n in names}
    holders.update({f"person:{p}": (Term(f"person:{p}"),) for p in people})
    deputies = {names[n]: t for n, t in base.deputies.items() if n in names}
    return replace(base, holders=holders, deputies=deputies, assignees={})


def _contacts(
    session: Session, waiting: list[tuple[Review, Action, Reviewer]], today: date
) -> dict[int, tuple[str, ...]]:
    """Review id → its reviewer's escalation contacts ("email:…"), as the owners' ladder has
    them: a role's `escalate_to`; a person's, those of the roles they hold today."""
    held: dict[int, list[int]] = defaultdict(list)
    if any(w.kind == "person" for _, _, w in waiting):
        for owner_id, people in holders_by_owner(session, day=today).items():
            for person_id in people:
                held[person_id].append(owner_id)
    wanted = {w.id for _, _, w in waiting if w.kind == "role"}
    wanted.update(r for _, _, w in waiting if w.kind == "person" for r in held.get(w.id, []))
    escalate_to: dict[int, str | None] = {
        row.id: row.escalate_to
        for row in session.execute(
            select(Owner.id, Owner.escalate_to).where(
                Owner.id.in_(sorted(wanted)), Owner.escalate_to.is_not(None)
            )
        )
    }
    found: dict[int, tuple[str, ...]] = {}
    for review, _, who in waiting:
        roles = [who.id] if who.kind == "role" else held.get(who.id, [])
        emails = [f"email:{e.lower()}" for r in roles if (e := escalate_to.get(r))]
        if emails:
            found[review.id] = tuple(dict.fromkeys(emails))
    return found


def _waiting(
    pending: list[tuple[Review, Action, Reviewer]], cal: WorkingCalendar, tz: ZoneInfo
) -> dict[int, Waiting]:
    """Review id → the request as an action its reviewer owns, due the first working day
    it waits (the planner's and the ladder's facts)."""
    return {
        review.id: Waiting(
            review,
            action,
            who,
            ActionFacts(
                action_id=review.id,
                plan_code=action.plan.code,
                ref=action.ref,
                title=action.title,
                due=first_waiting_day(review.requested_at.astimezone(tz).date(), cal),
                status="in_progress",
                rag=None,
                owners=(_key(who),),
                escalated_on=review.escalated_on,
                days=(0,),
            ),
        )
        for review, action, who in pending
    }


def digest_lines(
    session: Session, *, now: datetime, tz: str, cal: WorkingCalendar
) -> dict[str, list[str]]:
    """Plan code → the digest's line naming the requests waiting as long as the digest's
    escalations have been overdue (the ladder's second rung, the same rule)."""
    today, _ = local_day(now, tz)
    waiting = _waiting(_pending(session), cal, ZoneInfo(tz))
    late: dict[str, list[str]] = defaultdict(list)
    for w in waiting.values():
        if in_digest_escalations(w.facts, today, cal):
            assert w.facts.due is not None
            days = plural(cal.working_days_after(w.facts.due, today), "working day")
            late[w.facts.plan_code].append(
                f"{theirs(w.facts.plan_code + ':' + w.facts.ref)} "
                f"({WHAT[w.review.kind]} by {theirs(w.who.name)}, {days})"
            )
    return {
        code: [
            f"🚨 Waiting {DIGEST_ESCALATE_AFTER}+ working days for a decision: " + "; ".join(found)
        ]
        for code, found in sorted(late.items())
    }


def plan_reviews(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    cal: WorkingCalendar,
    escalate: bool,
) -> ReviewPlan:
    """Today's messages to verifiers and approvers as of `now`, and (with `escalate`, when
    the office is open) the requests escalated today, marked and recorded."""
    pending = _pending(session)
    if not pending:
        return ReviewPlan()
    tz = ZoneInfo(settings.tz)
    today, _ = local_day(now, settings.tz)
    contacts = _contacts(session, pending, today)
    roster = _roster(
        session, [w for _, _, w in pending], {c for cs in contacts.values() for c in cs}
    )
    waiting = _waiting(pending, cal, tz)
    facts = [w.facts for w in waiting.values()]
    plan = ReviewPlan()
    for message in plan_reminders(
        facts, roster, now=now, cal=cal, default_tz=settings.tz, hour=settings.nudge_hour
    ):
        # Everything waiting for them today, not only what is due a reminder: plus, on a
        # first day back, what waited while they were away (the planner's note says so).
        due = {i.action_id for i in message.items}
        mine = [
            w
            for w in waiting.values()
            if w.review.id in due or message.recipient in roster.route(w.facts, message.day).to
        ]
        items = [
            NudgeItem(w.action.id, f"asked {_asked(w.review, message.day, tz)}", w.review.kind)
            for w in mine
        ]
        reply = review_reply(session, mine, today=message.day, tz=tz, away=message.note is not None)
        plan.messages.append((PlannedMessage(message.recipient, KIND, message.day, items), reply))
    if escalate:
        _escalate(session, waiting, contacts, roster, plan, now=now, today=today, cal=cal, tz=tz)
    return plan


def _escalate(
    session: Session,
    waiting: dict[int, Waiting],
    contacts: dict[int, tuple[str, ...]],
    roster: Roster,
    plan: ReviewPlan,
    *,
    now: datetime,
    today: date,
    cal: WorkingCalendar,
    tz: ZoneInfo,
) -> None:
    found = escalations(
        [w.facts for w in waiting.values()],
        contacts,
        today=today,
        cal=cal,
        paused=lambda facts, first, last: paused_days(roster, facts, first, last),
    )
    # A contact on leave is told once back, as for owners' escalations.
    found = [e for e in found if not roster.contact_away(e.contact, today)]
    per_contact: dict[str, list[Waiting]] = defaultdict(list)
    told: dict[int, list[str]] = defaultdict(list)
    days: dict[int, int] = {}
    for escalation in found:
        per_contact[escalation.contact].append(waiting[escalation.action_id])
        told[escalation.action_id].append(escalation.contact.removeprefix("email:"))
        days[escalation.action_id] = escalation.working_days_overdue
    for review_id, emails in sorted(told.items()):
        w = waiting[review_id]
        w.review.escalated_on = today
        record(
            session,
            w.action,
            "review_escalated",
            old=None,
            new=w.review.kind,
            actor=SYSTEM,
            at=now,
            note=f"told {', '.join(emails)}",
        )
    for contact, items in per_contact.items():
        message = PlannedMessage(
            contact,
            ESCALATION_KIND,
            today,
            [
                NudgeItem(w.action.id, f"{days[w.review.id]} working days", w.review.kind)
                for w in items
            ],
        )
        plan.messages.append((message, escalation_reply(items, days, today=today, tz=tz)))
    plan.escalated = [
        Escalation(waiting[e.action_id].action.id, e.contact, e.day, e.working_days_overdue)
        for e in found
    ]


def _asked(review: Review, today: date, tz: ZoneInfo) -> str:
    return day(review.requested_at.astimezone(tz).date(), today)


def _title(items: list[Waiting]) -> str:
    verify = sum(1 for w in items if w.review.kind == "verify")
    extend = len(items) - verify
    parts = [plural(verify, "action") + " to verify"] if verify else []
    if extend:
        parts.append(plural(extend, "new date") + " to approve")
    return " and ".join(parts)


def review_reply(
    session: Session, items: list[Waiting], *, today: date, tz: ZoneInfo, away: bool = False
) -> Reply:
    cards = []
    for w in items:
        review, action = w.review, w.action
        details = [Detail("Asked", _asked(review, today, tz))]
        if review.kind == "verify":
            if review.note:
                details.append(Detail("Owner's note", review.note))
            found = evidence_of(session, action.id)
            details.append(Detail("Evidence", "\n".join(f"• {e}" for e in found) or "none given"))
        elif review.new_date is not None:
            details.append(Detail("New date", f"{day(review.new_date, today)}: {review.note}"))
        cards.append(replace(card(action, today, details=details), review=review.kind))
    lines = ["Reject… and Decline… ask why; the owners are told."]
    if away:
        lines.insert(0, "Some of these waited for you while you were away.")
    return Reply(title="Waiting for your decision: " + _title(items), lines=lines, cards=cards)


def escalation_reply(
    items: list[Waiting], days: dict[int, int], *, today: date, tz: ZoneInfo
) -> Reply:
    cards = []
    for w in items:
        details = [
            Detail(
                "Waiting",
                f"for {WHAT[w.review.kind]} by {w.who.name} since {_asked(w.review, today, tz)} "
                f"({plural(days[w.review.id], 'working day')})",
            )
        ]
        cards.append(card(w.action, today, buttons=False, details=details))
    verify = sum(1 for w in items if w.review.kind == "verify")
    waiting = [plural(verify, "verification")] if verify else []
    if len(items) > verify:
        waiting.append(plural(len(items) - verify, "new date"))
    return Reply(
        title=f"{' and '.join(waiting)} waiting {ESCALATE_AFTER}+ working days for a decision: "
        "you are the escalation contact",
        lines=[
            f"Each has waited more than {ESCALATE_AFTER} working days for its verifier or date "
            "approver. Please ask them to decide."
        ],
        cards=cards,
    )
