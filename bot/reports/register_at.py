"""A plan's actions as they stood at an instant, read back from the register's history.

Every change of an action is an Event carrying the old and the new value, so the value a
field had at an instant is the old value of its first change after that instant, or today's
value when nothing changed it since. Actions created after the instant are left out.

Two fields have no event of their own: the latest update (a note kept from the last command
that carried one) and when the owner last updated. For an instant in the past they are read
from the events of owners' commands up to it; text that only a plan import wrote and that a
later note replaced cannot be read back (an issued pack keeps its own copy of what it said,
see `bot/services/packs.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Action, Event, Plan

# Sources of changes made by people through a door (not a plan import, not actionbot).
PEOPLE = frozenset({"slack", "teams", "console", "cli"})
# Fields an owner's command changes, whose events count as "the owner updated it".
UPDATES = frozenset({"status", "rag", "note", "revised_target_date", "snoozed_until"})
_DATES = frozenset({"target_date", "revised_target_date", "due_date", "escalated_on"})


@dataclass
class ActionAt:
    """One action's fields at the instant, plus its events (oldest first)."""

    id: int
    ref: str
    position: int
    title: str
    theme: str
    owners: str
    target_date: date | None
    target_text: str | None
    revised_target_date: date | None
    due_date: date | None
    slip_count: int
    status: str
    rag: str | None
    escalated_on: date | None
    latest_update: str
    last_update_at: datetime | None
    created_at: datetime
    events: list[Event] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in ("not_started", "in_progress", "blocked")


@dataclass(frozen=True)
class PlanAt:
    name: str
    default_due: date | None
    actions: list[ActionAt]


def plan_at(session: Session, plan: Plan, *, at: datetime) -> PlanAt:
    """`plan` and its actions as they were at `at`; each action's events up to `at` only."""
    history: dict[int, list[Event]] = defaultdict(list)
    plan_events: list[Event] = []
    for event in session.scalars(
        select(Event).where(Event.plan_id == plan.id).order_by(Event.at, Event.id)
    ):
        if event.action_id is None:
            plan_events.append(event)
        else:
            history[event.action_id].append(event)
    actions = [
        _action_at(action, history.get(action.id, []), at)
        for action in session.scalars(
            select(Action)
            .where(Action.plan_id == plan.id, Action.created_at <= at)
            .order_by(Action.position, Action.id)
        )
    ]
    later = [e for e in plan_events if e.at > at]
    name = _first_old(later, "plan.name", plan.name)
    default_due = _first_old(later, "plan.default_due", plan.default_due)
    return PlanAt(
        name=name if isinstance(name, str) else plan.name,
        default_due=default_due if isinstance(default_due, date) else None,
        actions=actions,
    )


def _action_at(action: Action, events: list[Event], at: datetime) -> ActionAt:
    before = [e for e in events if e.at <= at]
    after = [e for e in events if e.at > at]
    owners = _first_old(after, "owners", None)
    state = ActionAt(
        id=action.id,
        ref=action.ref,
        position=action.position,
        title=_first_old(after, "title", action.title) or "",
        theme=_first_old(after, "theme", action.theme) or "",
        owners=(
            ", ".join(action.owner_names) or (action.owners_text or "")
            if not any(e.field == "owners" for e in after)
            else ", ".join(n for n in (owners or "").split("; ") if n)
        ),
        target_date=_first_old(after, "target_date", action.target_date),
        target_text=_first_old(after, "target_text", action.target_text),
        revised_target_date=_first_old(after, "revised_target_date", action.revised_target_date),
        due_date=_first_old(after, "due_date", action.due_date),
        slip_count=action.slip_count - _slips(after),
        status=_first_old(after, "status", action.status) or "not_started",
        rag=_first_old(after, "rag", action.rag),
        escalated_on=_first_old(after, "escalated_on", action.escalated_on),
        latest_update=action.latest_update or "",
        last_update_at=action.last_update_at,
        created_at=action.created_at,
        events=before,
    )
    if action.last_update_at is not None and action.last_update_at > at:
        state.latest_update, state.last_update_at = _last_update(before, after)
    elif any(e.field == "latest_update" for e in after):
        state.latest_update = _first_old(after, "latest_update", "") or ""
    return state


def _first_old(after: Sequence[Event], name: str, current: Any) -> Any:
    """The field's value before the first of `after` that changed it, else `current`."""
    for event in after:
        if event.field == name:
            return _value(name, event.old_value)
    return current


def _value(name: str, text: str | None) -> Any:
    if text is None:
        return None
    if name in _DATES or name == "plan.default_due":
        return date.fromisoformat(text[:10])
    return text


def _slips(after: Sequence[Event]) -> int:
    """Slips recorded after the instant: an owner's new date counts its `slip_count` event;
    an import that revised the date writes no such event, so its date change counts."""
    counted = [e for e in after if e.field == "slip_count"]
    with_count = {(e.at, e.action_id) for e in counted}
    imported = sum(
        1
        for e in after
        if e.field == "revised_target_date"
        and e.source == "import"
        and e.new_value is not None
        and (e.at, e.action_id) not in with_count
    )
    return len(counted) + imported


def _last_update(before: Sequence[Event], after: Sequence[Event]) -> tuple[str, datetime | None]:
    """The latest note and update time as they were before `after` happened."""
    by_people = [e for e in before if e.source in PEOPLE and e.field in UPDATES]
    when = by_people[-1].at if by_people else None
    notes = [e.note for e in by_people if e.note]
    if notes:
        return notes[-1], when
    imported = _first_old(after, "latest_update", None)
    return (imported if isinstance(imported, str) else ""), when


__all__ = ["ActionAt", "PlanAt", "plan_at"]
