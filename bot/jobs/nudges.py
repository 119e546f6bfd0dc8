"""The nudge sweep: plan today's reminders and escalations, and put them in the outbox.

One transaction: the Delivery rows, escalation marks and their events commit together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.jobs.calendar import WorkingCalendar
from bot.jobs.delivery import reply_payload
from bot.jobs.facts import RegisterFacts, load_facts, parse_days
from bot.jobs.planner import (
    ActionFacts,
    Escalation,
    NudgeItem,
    PersonFacts,
    PlannedMessage,
    escalations,
    local_day,
    plan_nudges,
    reason_today,
)
from bot.messages import ActionCard, Reply
from bot.services.audit import Actor, record
from store.models import Action
from store.outbox import enqueue, existing_keys

SYSTEM = Actor(name="actionbot", source="system")


@dataclass
class SweepResult:
    messages: list[tuple[PlannedMessage, Reply]] = field(default_factory=list)
    enqueued: int = 0
    already_planned: int = 0
    unreachable: dict[str, list[str]] = field(default_factory=dict)
    escalated: list[Escalation] = field(default_factory=list)

    def __str__(self) -> str:
        people = sum(1 for m, _ in self.messages if m.kind == "nudge")
        items = sum(len(m.items) for m, _ in self.messages if m.kind == "nudge")
        text = (
            f"{people} reminder message(s) covering {items} action(s); "
            f"{len(self.escalated)} escalation(s); {self.enqueued} new in the outbox, "
            f"{self.already_planned} already there"
        )
        if self.unreachable:
            text += f"; owners nobody can reach: {', '.join(sorted(self.unreachable))}"
        return text


def _card(fact: ActionFacts, item: NudgeItem, *, buttons: bool = True) -> ActionCard:
    return ActionCard(
        action_id=fact.action_id,
        plan_code=fact.plan_code,
        ref=fact.ref,
        title=fact.title,
        owners=list(fact.owners),
        due=fact.due,
        due_label=item.reason,
        status=fact.status,
        rag=fact.rag,
        theme=fact.theme,
        buttons=buttons,
    )


def nudge_reply(message: PlannedMessage, facts: dict[int, ActionFacts]) -> Reply:
    count = len(message.items)
    return Reply(
        title=f"{count} action{'s' * (count != 1)} to look at today",
        lines=[
            "Use the buttons, or `/action REF done`, `/action REF at risk NOTE`, "
            "`/action REF date DD/MM/YYYY REASON`."
        ],
        cards=[_card(facts[i.action_id], i) for i in message.items],
    )


def escalation_reply(message: PlannedMessage, facts: dict[int, ActionFacts]) -> Reply:
    return Reply(
        title="Overdue actions with no update",
        lines=[
            "You are the escalation contact for these owners. Each action is more than 10 "
            "working days overdue and nobody has updated it since its due date."
        ],
        cards=[_card(facts[i.action_id], i, buttons=False) for i in message.items],
    )


def unreachable_reply(unreachable: dict[str, list[str]]) -> Reply:
    lines = [f"• *{owner}*: {', '.join(refs)}" for owner, refs in sorted(unreachable.items())]
    return Reply(
        title="Owners actionbot cannot reach",
        lines=[
            "These owners have actions that needed a reminder today, but nobody is mapped to "
            'them. Add them to the owners file, or use `/action admin owner "NAME" @person`.',
            "\n".join(lines)[:2900],
        ],
    )


def admin_recipients(settings: Settings) -> list[str]:
    recipients = []
    for admin in sorted(settings.admin_ids):
        recipients.append(f"email:{admin}" if "@" in admin else f"slack:{admin.upper()}")
    return recipients


def sweep(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    cal: WorkingCalendar,
    platform: str = "slack",
) -> SweepResult:
    """Plan and enqueue everything due as of `now`. Safe to run any number of times."""
    facts = load_facts(session, default_days=parse_days(settings.nudge_days))
    by_id = {f.action_id: f for f in facts.actions}
    people = [PersonFacts(p.recipient, p.tz or settings.tz, p.actions) for p in facts.people]
    result = SweepResult()
    for message in plan_nudges(people, now=now, cal=cal, hour=settings.nudge_hour):
        result.messages.append((message, nudge_reply(message, by_id)))

    today, hour = local_day(now, settings.tz)
    office_open = hour >= settings.nudge_hour and cal.is_working_day(today)
    if office_open:
        _plan_escalations(session, facts, now=now, today=today, cal=cal, result=result, by_id=by_id)
        _plan_unreachable(facts, today=today, cal=cal, settings=settings, result=result)

    already = existing_keys(session, keys=[m.key for m, _ in result.messages])
    for message, reply in result.messages:
        if message.key in already:
            result.already_planned += 1
            continue
        inserted = enqueue(
            session,
            key=message.key,
            platform=platform,
            recipient=message.recipient,
            kind=message.kind,
            payload=reply_payload([reply]),
            not_before=now,
            now=now,
        )
        if inserted:
            result.enqueued += 1
        else:
            result.already_planned += 1
    return result


def _plan_escalations(
    session: Session,
    facts: RegisterFacts,
    *,
    now: datetime,
    today: date,
    cal: WorkingCalendar,
    result: SweepResult,
    by_id: dict[int, ActionFacts],
) -> None:
    found = escalations(facts.actions, facts.contacts, today=today, cal=cal)
    per_contact: dict[str, PlannedMessage] = {}
    for escalation in found:
        message = per_contact.setdefault(
            escalation.contact, PlannedMessage(escalation.contact, "escalation", today)
        )
        reason = f"{escalation.working_days_overdue} working days overdue, no update"
        message.items.append(NudgeItem(escalation.action_id, reason, "overdue"))
    for action_id in sorted({e.action_id for e in found}):
        action = session.get(Action, action_id)
        if action is not None:
            old = action.escalated_on
            action.escalated_on = today
            contacts = ", ".join(c.removeprefix("email:") for c in facts.contacts[action_id])
            record(
                session,
                action,
                "escalated_on",
                old=old,
                new=today,
                actor=SYSTEM,
                at=now,
                note=f"told {contacts}",
            )
    result.escalated = found
    for message in per_contact.values():
        result.messages.append((message, escalation_reply(message, by_id)))


def _plan_unreachable(
    facts: RegisterFacts,
    *,
    today: date,
    cal: WorkingCalendar,
    settings: Settings,
    result: SweepResult,
) -> None:
    for owner, actions in facts.unreachable.items():
        refs = [
            f"{a.plan_code}:{a.ref}" for a in actions if reason_today(a, today, cal) is not None
        ]
        if refs:
            result.unreachable[owner] = refs
    if not result.unreachable:
        return
    reply = unreachable_reply(result.unreachable)
    for admin in admin_recipients(settings):
        message = PlannedMessage(admin, "unreachable", today)
        result.messages.append((message, reply))
