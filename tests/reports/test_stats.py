"""Nudge analytics against a scenario worked out by hand (GB-ENG calendar, March 2018).

Reminders (sent nudges; the failed one and the digest do not count; R2 shows A3 in no card,
only in its list of every action it is about):
  R1 Mon 5 Mar 09:00  Ann: A1          R2 Mon 5 Mar 09:00  Bob: A2, A3
  R3 Mon 12 Mar 09:00 Bob: A2          R4 Mon 5 Mar 09:00  Dee: A4
Updates made in chat (the import event on A4 is not an answer):
  A1 Tue 6 Mar 10:00 (two field events, one answer)  → R1: 1 working day, 1.0417 days
  A2 Fri 9 Mar 15:00                                  → R2/A2: 4 working days, 4.25 days
  A2 Thu 15 Mar 09:00                                 → R3/A2: 3 working days, 3.0 days
  A3 escalated Wed 7 Mar 09:00, updated Thu 8 Mar 12:00 → R2/A3: 3 working days, 3.125 days
  A4 never: Dee is silent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.core.calendar import WorkingCalendar
from bot.reports.stats import GroupStats, digest_line, nudge_stats
from store.db import make_engine, make_session_factory
from store.models import Action, ActionOwner, Delivery, Event, Owner, Plan

CAL = WorkingCalendar("GB-ENG")
NOW = datetime(2018, 3, 20, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2018, 3, day, hour, minute, tzinfo=UTC)


def nudge(
    key: str,
    sent: datetime | None,
    action_ids: list[int],
    state: str = "sent",
    *,
    cards_shown: int | None = None,
) -> Delivery:
    """A reminder row. With `cards_shown`, the sweep's form: every id in `action_ids`, only the
    first few as cards; without, an older row that only has its cards."""
    shown = action_ids if cards_shown is None else action_ids[:cards_shown]
    cards = [{"action_id": i, "plan_code": "P", "ref": str(i)} for i in shown]
    payload: dict[str, object] = {"replies": [{"title": "x", "lines": [], "cards": cards}]}
    if cards_shown is not None:
        payload["action_ids"] = action_ids
    return Delivery(
        key=key,
        platform="slack",
        recipient=f"person:{key}",
        kind="nudge",
        payload=payload,
        state=state,
        not_before=sent or NOW,
        created_at=sent or NOW,
        sent_at=sent,
    )


def event(action: Action, field: str, when: datetime, source: str = "slack") -> Event:
    return Event(
        action_id=action.id,
        plan_id=action.plan_id,
        actor="someone",
        source=source,
        field=field,
        new_value="x",
        at=when,
    )


@pytest.fixture
def scenario(db_url: str) -> Any:
    engine = make_engine(db_url)
    sessions: sessionmaker[Session] = make_session_factory(engine)
    with sessions.begin() as session:
        p, q = Plan(code="P", name="Plan P"), Plan(code="Q", name="Plan Q")
        owners = {n: Owner(name=n) for n in ("Ann", "Bob", "Cy", "Dee", "Eve")}
        session.add_all([p, q, *owners.values()])
        session.flush()

        def action(plan: Plan, ref: str, theme: str, names: list[str], slips: int = 0) -> Action:
            a = Action(plan_id=plan.id, ref=ref, title=ref, theme=theme, slip_count=slips)
            a.owner_links = [
                ActionOwner(owner_id=owners[n].id, position=i) for i, n in enumerate(names)
            ]
            session.add(a)
            session.flush()
            return a

        a1 = action(p, "1", "Theme X", ["Ann"])
        a2 = action(p, "2", "theme x", ["Bob"], slips=1)  # same theme, other spelling
        a3 = action(p, "3", "Theme Y", ["Bob", "Cy"])
        a4 = action(p, "4", "Theme Y", ["Dee"], slips=2)
        q1 = action(q, "1", "Other", ["Eve"])
        session.add_all(
            [
                nudge("r1", at(5, 9), [a1.id]),
                nudge("r2", at(5, 9), [a2.id, a3.id], cards_shown=1),
                nudge("r3", at(12, 9), [a2.id]),
                nudge("r4", at(5, 9), [a4.id]),
                nudge("failed", None, [a3.id], state="failed"),
                nudge("q", at(5, 9), [q1.id]),
                event(a1, "note", at(4, 10)),  # before any reminder
                event(a1, "status", at(6, 10)),
                event(a1, "note", at(6, 10)),
                event(a2, "rag", at(9, 15)),
                event(a2, "note", at(15, 9)),
                event(a3, "escalated_on", at(7, 9), source="system"),
                event(a3, "status", at(8, 12)),
                event(a4, "title", at(6, 9), source="import"),
                event(q1, "status", at(5, 10)),
            ]
        )
        digest = nudge("digest", at(5, 9), [a1.id])
        digest.kind = "digest"
        session.add(digest)
    yield sessions
    engine.dispose()


def by_name(groups: list[GroupStats]) -> dict[str, GroupStats]:
    return {g.name: g for g in groups}


def test_figures_per_plan_theme_and_owner(scenario: sessionmaker[Session]) -> None:
    with scenario() as session:
        stats = nudge_stats(session, now=NOW, cal=CAL, plan_code="P")
    [plan] = stats.plans
    assert (plan.name, plan.actions, plan.reminders, plan.answered) == ("P", 4, 5, 4)
    assert (plan.answered_1, plan.answered_3) == (1, 3)
    assert (plan.share_1, plan.share_3) == (0.2, 0.6)
    assert plan.median_days == 3.06  # median of 1.0417, 4.25, 3.0, 3.125
    assert plan.after_escalation == 1
    assert plan.silent_owners == 1
    assert plan.slips_per_action == 0.75

    themes = by_name(stats.themes)
    assert set(themes) == {"Theme X", "Theme Y"}
    x, y = themes["Theme X"], themes["Theme Y"]
    assert (x.actions, x.reminders, x.answered_1, x.answered_3, x.median_days) == (2, 3, 1, 2, 3.0)
    assert (x.after_escalation, x.silent_owners, x.slips_per_action) == (0, 0, 0.5)
    assert (y.actions, y.reminders, y.answered_1, y.answered_3, y.median_days) == (2, 2, 0, 1, 3.12)
    assert (y.after_escalation, y.silent_owners, y.slips_per_action) == (1, 1, 1.0)

    owners = by_name(stats.owners)
    assert set(owners) == {"Ann", "Bob", "Cy", "Dee"}
    bob, dee = owners["Bob"], owners["Dee"]
    assert (bob.reminders, bob.answered_1, bob.answered_3, bob.median_days) == (3, 0, 2, 3.12)
    assert (bob.after_escalation, bob.silent_owners) == (1, 0)
    assert (dee.reminders, dee.answered, dee.silent_owners, dee.median_days) == (1, 0, 1, None)
    assert owners["Ann"].answered_1 == 1
    assert owners["Cy"].answered_3 == 1
    assert digest_line(plan) == (
        "Reminders answered within 3 working days: 60% of 5, 1 owner silent"
    )


def test_since_counts_only_later_reminders(scenario: sessionmaker[Session]) -> None:
    with scenario() as session:
        stats = nudge_stats(session, now=NOW, cal=CAL, plan_code="P", since=at(12, 0))
    [plan] = stats.plans
    assert (plan.reminders, plan.answered_1, plan.answered_3) == (1, 0, 1)
    assert (plan.after_escalation, plan.silent_owners) == (0, 0)


def test_every_plan_without_a_filter_and_updates_after_now_ignored(
    scenario: sessionmaker[Session],
) -> None:
    with scenario() as session:
        stats = nudge_stats(session, now=at(9, 12), cal=CAL)
    plans = by_name(stats.plans)
    assert set(plans) == {"P", "Q"}
    assert (plans["Q"].reminders, plans["Q"].answered_1) == (1, 1)
    # As of Fri 9 Mar noon, A2's update at 15:00 has not happened: R2/A2 is unanswered.
    assert (plans["P"].reminders, plans["P"].answered) == (4, 2)
