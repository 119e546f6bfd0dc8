"""The nudge sweep: plan today's reminders and escalations, and put them in the outbox.

One transaction: the Delivery rows, escalation marks and their events commit together.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.core.calendar import WorkingCalendar
from bot.core.config import Settings
from bot.core.messages import ActionCard, Reply, reply_payload
from bot.core.schedule import parse_days
from bot.core.when import plural
from bot.jobs.admin_summary import note_problems, unreachable_problems
from bot.jobs.cover import paused_days, plan_reminders
from bot.jobs.facts import RegisterFacts, sweep_facts
from bot.jobs.planner import (
    ESCALATE_AFTER,
    ActionFacts,
    Escalation,
    NudgeItem,
    PlannedMessage,
    escalations,
    local_day,
    reason_today,
)
from bot.jobs.reviews import plan_reviews
from bot.services.audit import Actor, record
from bot.services.closure.review import awaiting_verification_ids
from store.models import Action
from store.outbox import enqueue_many, existing_keys

SYSTEM = Actor(name="actionbot", source="system")
ENQUEUE_BATCH = 1_000
MOST_URGENT = 10  # cards in one reminder; the rest are a count and a pointer
ALL_MINE = "`/action mine` lists them all"
HOME_TAB = ", as does actionbot's Home tab"  # Slack only: Teams has no home tab
_GUID = re.compile(r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")


@dataclass
class SweepResult:
    messages: list[tuple[PlannedMessage, Reply]] = field(default_factory=list)
    enqueued: int = 0
    already_planned: int = 0
    unreachable: dict[str, list[str]] = field(default_factory=dict)
    escalated: list[Escalation] = field(default_factory=list)
    # Verifications and new dates left waiting, escalated to their reviewer's contact.
    reviews_escalated: list[Escalation] = field(default_factory=list)

    def __str__(self) -> str:
        people = sum(1 for m, _ in self.messages if m.kind == "nudge")
        items = sum(len(m.items) for m, _ in self.messages if m.kind == "nudge")
        text = (
            f"{plural(people, 'reminder message')} covering {plural(items, 'action')}; "
            f"{plural(len(self.escalated), 'escalation')}; "
            + (
                f"{plural(len(self.reviews_escalated), 'decision')} waiting escalated; "
                if self.reviews_escalated
                else ""
            )
            + f"{self.enqueued} new in the outbox, "
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


def _counts(items: list[NudgeItem]) -> str:
    """ "12 overdue, 3 due today, 65 coming up" for the first line of a reminder."""
    counts = Counter(
        "overdue"
        if i.kind == "overdue"
        else "due today"
        if i.reason == "due today"
        else "check-in"
        if i.kind == "check_in"
        else "coming up"
        for i in items
    )
    parts = [
        f"{counts[k]:,} {k if k != 'check-in' or counts[k] == 1 else 'check-ins'}"
        for k in ("overdue", "due today", "coming up", "check-in")
        if counts[k]
    ]
    return ", ".join(parts)


def nudge_reply(message: PlannedMessage, facts: dict[int, ActionFacts]) -> Reply:
    """One DM a day, however many actions: the counts, the most urgent as cards (overdue
    first, then by due date), and where the rest are."""
    count = len(message.items)
    shown = message.items[:MOST_URGENT]
    footer = ["Use the buttons, or `/action help` for every way to update an action."]
    footer_on = {}
    if count > len(shown):
        more = f"…and {count - len(shown):,} more: {ALL_MINE}"
        footer_on["slack"] = [f"{more}{HOME_TAB}.", *footer]
        footer.insert(0, f"{more}.")
    return Reply(
        title=f"{plural(count, 'action')} to look at today: {_counts(message.items)}",
        lines=[message.note] if message.note else [],
        cards=[_card(facts[i.action_id], i) for i in shown],
        footer=footer,
        footer_on=footer_on,
    )


def escalation_reply(message: PlannedMessage, facts: dict[int, ActionFacts]) -> Reply:
    count = len(message.items)
    shown = message.items[:MOST_URGENT]
    footer = []
    if count > len(shown):
        footer.append(f"…and {count - len(shown):,} more: `/action overdue` lists them all.")
    return Reply(
        title=f"{plural(count, 'overdue action')} with no update: you are the escalation contact",
        lines=[
            f"Each is more than {ESCALATE_AFTER} working days overdue and nobody has updated it "
            "since its due date. Please ask its owners for an update or a new date."
        ],
        cards=[_card(facts[i.action_id], i, buttons=False) for i in shown],
        footer=footer,
    )


def admin_recipients(settings: Settings) -> list[str]:
    recipients = []
    for admin in sorted(settings.admin_ids):
        if "@" in admin:
            recipients.append(f"email:{admin}")
        elif _GUID.match(admin):
            recipients.append(f"teams:{admin}")  # an Entra object id: a Teams user
        else:
            recipients.append(f"slack:{admin.upper()}")
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
    facts = sweep_facts(session, default_days=parse_days(settings.nudge_days), now=now, cal=cal)
    by_id = {f.action_id: f for f in facts.actions}
    result = SweepResult()
    # An action implemented and awaiting verification waits for its verifier, not its owners:
    # no reminder, no escalation and no unreachable-owner report for it.
    awaiting = awaiting_verification_ids(session)
    owners_turn = [a for a in facts.actions if a.is_open and a.action_id not in awaiting]
    planned = plan_reminders(
        owners_turn,
        facts.roster,
        now=now,
        cal=cal,
        default_tz=settings.tz,
        hour=settings.nudge_hour,
    )
    for message in planned:
        result.messages.append((message, nudge_reply(message, by_id)))
    today, hour = local_day(now, settings.tz)
    office_open = hour >= settings.nudge_hour and cal.is_working_day(today)
    reviews = plan_reviews(session, now=now, settings=settings, cal=cal, escalate=office_open)
    result.messages.extend(reviews.messages)
    result.reviews_escalated = reviews.escalated
    if office_open:
        _plan_escalations(
            session, facts, owners_turn, now=now, today=today, cal=cal, result=result, by_id=by_id
        )
        _plan_unreachable(facts, awaiting, today=today, cal=cal, result=result)
        # Told once, in the daily admin summary the delivery round sends (bot.jobs.runner).
        note_problems(session, unreachable_problems(facts), now=now, forget_others="owner:")

    already = existing_keys(session, keys=[m.key for m, _ in result.messages])
    # In batches: a payload is built, written and dropped, so a sweep of tens of thousands of
    # messages never holds them all as JSON at once.
    new = [(m, r) for m, r in result.messages if m.key not in already]
    inserted: set[str] = set()
    for start in range(0, len(new), ENQUEUE_BATCH):
        inserted |= enqueue_many(
            session,
            rows=[
                {
                    "key": message.key,
                    "platform": platform,
                    "recipient": message.recipient,
                    "kind": message.kind,
                    "payload": _payload(message, reply),
                    "not_before": now,
                    "created_at": now,
                }
                for message, reply in new[start : start + ENQUEUE_BATCH]
            ],
        )
    result.enqueued = len(inserted)
    result.already_planned = len(result.messages) - len(inserted)
    return result


def _payload(message: PlannedMessage, reply: Reply) -> dict[str, Any]:
    payload = reply_payload([reply])
    # Every action the message is about, not only the cards it shows: bot/reports/stats.py
    # counts reminders from it.
    payload["action_ids"] = [item.action_id for item in message.items]
    return payload


def _plan_escalations(
    session: Session,
    facts: RegisterFacts,
    actions: list[ActionFacts],
    *,
    now: datetime,
    today: date,
    cal: WorkingCalendar,
    result: SweepResult,
    by_id: dict[int, ActionFacts],
) -> None:
    roster = facts.roster
    found = escalations(
        actions,
        facts.contacts,
        today=today,
        cal=cal,
        paused=lambda action, first, last: paused_days(roster, action, first, last),
    )
    # A contact on leave is told once back: until then their actions stay unescalated.
    found = [e for e in found if not roster.contact_away(e.contact, today)]
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
            contacts = ", ".join(
                e.contact.removeprefix("email:") for e in found if e.action_id == action_id
            )
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
    awaiting: set[int],
    *,
    today: date,
    cal: WorkingCalendar,
    result: SweepResult,
) -> None:
    """Owners whose reminders nobody receives today, for the sweep's own report."""
    for owner, actions in facts.unreachable.items():
        refs = [
            f"{a.plan_code}:{a.ref}"
            for a in actions
            if a.action_id not in awaiting and reason_today(a, today, cal) is not None
        ]
        if refs:
            result.unreachable[owner] = refs
