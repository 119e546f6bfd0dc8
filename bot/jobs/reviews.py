"""The verifier's and the date approver's messages: one a day at most, batched like an owner's
reminders, listing everything waiting for their decision with Accept / Reject… or
Approve / Decline… on each.

A reviewer hears on the first working day a request waits for them, and again each week it
still waits (the same working days and hour as owners' reminders). Each message lists all
they have waiting, so a new request brings the older ones back to mind too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.calendar import WorkingCalendar
from bot.core.config import Settings
from bot.core.messages import Detail, Reply
from bot.core.when import day, plural
from bot.jobs.planner import NudgeItem, PlannedMessage, local_day
from bot.services.actions import card
from bot.services.closure.evidence import evidence_of
from bot.services.closure.review import reviewer
from store.models import Action, Plan, Review
from store.queries import holders_by_owner

KIND = "review"
WEEK = 7


def _previous_working_day(today: date, cal: WorkingCalendar) -> date:
    back = today - timedelta(days=1)
    while not cal.is_working_day(back):
        back -= timedelta(days=1)
    return back


def review_messages(
    session: Session, *, now: datetime, settings: Settings, cal: WorkingCalendar
) -> list[tuple[PlannedMessage, Reply]]:
    """Today's messages to verifiers and approvers, as of `now` (none outside office hours)."""
    today, hour = local_day(now, settings.tz)
    if hour < settings.nudge_hour or not cal.is_working_day(today):
        return []
    since = _previous_working_day(today, cal)
    rows = session.execute(
        select(Review, Action)
        .join(Action, Action.id == Review.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(Review.state == "pending", Plan.archived_at.is_(None))
        .order_by(Review.requested_at, Review.id)
    ).all()
    if not rows:
        return []
    holders = holders_by_owner(session, day=today)
    waiting: dict[int, list[tuple[Review, Action]]] = defaultdict(list)
    for review, action in rows:
        who = reviewer(action.plan, "verify_by" if review.kind == "verify" else "approve_dates_by")
        if who is None:
            continue
        people = holders.get(who.id, []) if who.kind == "role" else [who.id]
        for person_id in people:
            waiting[person_id].append((review, action))
    tz = ZoneInfo(settings.tz)
    out: list[tuple[PlannedMessage, Reply]] = []
    for person_id, items in sorted(waiting.items()):
        asked = [r.requested_at.astimezone(tz).date() for r, _ in items]
        due = any(a > since or (a < today and (today - a).days % WEEK == 0) for a in asked)
        if not due:
            continue
        message = PlannedMessage(
            f"person:{person_id}",
            KIND,
            today,
            [NudgeItem(a.id, f"asked {_waited(r, today, tz)}", r.kind) for r, a in items],
        )
        out.append((message, review_reply(session, items, today=today, tz=tz)))
    return out


def _waited(review: Review, today: date, tz: ZoneInfo) -> str:
    return day(review.requested_at.astimezone(tz).date(), today)


def review_reply(
    session: Session, items: list[tuple[Review, Action]], *, today: date, tz: ZoneInfo
) -> Reply:
    verify = sum(1 for r, _ in items if r.kind == "verify")
    extend = len(items) - verify
    parts = [plural(verify, "action") + " to verify"] if verify else []
    if extend:
        parts.append(plural(extend, "new date") + " to approve")
    cards = []
    for review, action in items:
        details = [Detail("Asked", _waited(review, today, tz))]
        if review.kind == "verify":
            if review.note:
                details.append(Detail("Owner's note", review.note))
            found = evidence_of(session, action.id)
            details.append(Detail("Evidence", "\n".join(f"• {e}" for e in found) or "none given"))
        elif review.new_date is not None:
            details.append(Detail("New date", f"{day(review.new_date, today)}: {review.note}"))
        cards.append(replace(card(action, today, details=details), review=review.kind))
    return Reply(
        title="Waiting for your decision: " + " and ".join(parts),
        lines=["Reject… and Decline… ask why; the owners are told."],
        cards=cards,
    )
