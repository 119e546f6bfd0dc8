"""Who gets an action's reminders on a day: holders, deputies, assignees and leave.

Pure, like the planner: a `Roster` is plain data read from the register, and the same roster,
actions and instant always give the same messages.

The rules:
- an action assigned to someone goes to them; otherwise to every present holder of each of
  its owner roles;
- a role whose holders are all away goes to its present deputies; with none (or all away
  too) the reminder is held for the holders;
- nobody gets reminders on a day they are away; held reminders arrive together in their
  first working day back's message, under a "while you were away" note;
- an absence recorded late holds nothing from before it was recorded: those reminders
  were already sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.core.calendar import WorkingCalendar
from bot.core.when import day as day_label
from bot.core.when import due_phrase, plural
from bot.jobs.planner import ActionFacts, NudgeItem, PlannedMessage, local_day, reason_today

LOOK_BACK = 400  # days: an absence is at most a year


@dataclass(frozen=True)
class Term:
    """A person's time in a duty; `until` is the first day they no longer have it."""

    person: str  # "person:<id>"
    since: date | None = None
    until: date | None = None

    def on(self, day: date) -> bool:
        return (self.since is None or self.since <= day) and (
            self.until is None or day < self.until
        )


@dataclass(frozen=True)
class Leave:
    first: date
    last: date
    recorded: date  # the day it was recorded
    note: str | None = None


@dataclass(frozen=True)
class Route:
    to: frozenset[str]  # who hears about it that day
    held: frozenset[str]  # away, nobody covering: they hear about it on return


@dataclass(frozen=True)
class Roster:
    holders: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)  # owner name →
    deputies: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)
    assignees: Mapping[int, tuple[Term, ...]] = field(default_factory=dict)  # action id →
    leave: Mapping[str, tuple[Leave, ...]] = field(default_factory=dict)  # person →
    tz: Mapping[str, str] = field(default_factory=dict)  # person → IANA zone ("" unknown)
    names: Mapping[str, str] = field(default_factory=dict)  # person → how people read them
    emails: Mapping[str, str] = field(default_factory=dict)  # lower-cased email → person

    def people(self) -> set[str]:
        found: set[str] = set()
        for terms in (*self.holders.values(), *self.deputies.values(), *self.assignees.values()):
            found.update(t.person for t in terms)
        return found

    def away(self, person: str, day: date) -> Leave | None:
        for leave in self.leave.get(person, ()):
            if leave.first <= day <= leave.last:
                return leave
        return None

    def _present(self, terms: tuple[Term, ...], day: date) -> tuple[list[str], list[str]]:
        on = [t.person for t in terms if t.on(day)]
        return [p for p in on if not self.away(p, day)], on

    def responsible(self, action: ActionFacts, day: date) -> list[str]:
        """Who answers for the action on `day`: its assignee, else its roles' holders."""
        assigned = [t.person for t in self.assignees.get(action.action_id, ()) if t.on(day)]
        if assigned:
            return assigned
        return [t.person for o in action.owners for t in self.holders.get(o, ()) if t.on(day)]

    def route(self, action: ActionFacts, day: date) -> Route:
        to: set[str] = set()
        held: set[str] = set()
        for owner in action.owners:
            present, holders = self._present(self.holders.get(owner, ()), day)
            if present:
                to.update(present)
                continue
            deputies, _ = self._present(self.deputies.get(owner, ()), day)
            if deputies:
                to.update(deputies)
            else:
                held.update(holders)
        present, assigned = self._present(self.assignees.get(action.action_id, ()), day)
        if present:
            return Route(frozenset(present), frozenset())
        if assigned:
            # The assignee is away: the roles cover; if nobody can, it waits for the assignee.
            return Route(frozenset(to), frozenset() if to else frozenset(assigned))
        return Route(frozenset(to), frozenset(held - to))

    def held_days(self, person: str, today: date, cal: WorkingCalendar) -> list[date]:
        """The working days whose reminders were held for `person`, when `today` is their
        first working day back (else none): the absence's days after it was recorded."""
        days: list[date] = []
        day = today - timedelta(days=1)
        for _ in range(LOOK_BACK):
            if cal.is_working_day(day):
                leave = self.away(person, day)
                if leave is None:
                    break
                if day > leave.recorded:
                    days.append(day)
            day -= timedelta(days=1)
        return sorted(days)

    def contact_away(self, contact: str, day: date) -> bool:
        """An escalation contact ("email:…") who is a person on leave that day."""
        person = self.emails.get(contact.removeprefix("email:").lower())
        return person is not None and self.away(person, day) is not None

    def away_between(self, first: date, last: date) -> list[tuple[str, Leave]]:
        return sorted(
            (
                (person, leave)
                for person, leaves in self.leave.items()
                for leave in leaves
                if leave.first <= last and leave.last >= first
            ),
            key=lambda pair: (pair[1].first, self.names.get(pair[0], pair[0])),
        )


def plan_reminders(
    actions: list[ActionFacts],
    roster: Roster,
    *,
    now: datetime,
    cal: WorkingCalendar,
    default_tz: str,
    hour: int = 9,
) -> list[PlannedMessage]:
    """One message per person for their local today, once it is `hour` o'clock there, with
    the reminders routed to them today and, on their first working day back, those held."""
    days: dict[str, date] = {}
    for person in sorted(roster.people()):
        day, local_hour = local_day(now, roster.tz.get(person) or default_tz)
        if local_hour >= hour and cal.is_working_day(day) and roster.away(person, day) is None:
            days[person] = day
    items: dict[str, list[NudgeItem]] = defaultdict(list)
    for day in sorted(set(days.values())):
        for action in actions:
            item = reason_today(action, day, cal)
            if item is None:
                continue
            for person in roster.route(action, day).to:
                if days.get(person) == day:
                    items[person].append(item)
    notes: dict[str, str] = {}
    for person, day in sorted(days.items()):
        held = _held(actions, roster, person, day, cal, {i.action_id for i in items[person]})
        if held:
            items[person].extend(held)
            first = roster.held_days(person, day, cal)[0]
            notes[person] = (
                f"While you were away (from {day_label(first, day)}): "
                f"{plural(len(held), 'reminder')} waited for you, marked below."
            )
    due = {a.action_id: a.due or date.max for a in actions}
    rank = {"overdue": 0, "on_day": 1, "before": 2, "check_in": 3}
    return [
        PlannedMessage(
            person,
            "nudge",
            days[person],
            sorted(found, key=lambda i: (rank[i.kind], due[i.action_id])),
            note=notes.get(person),
        )
        for person, found in sorted(items.items(), key=lambda pair: _order(pair[0]))
        if found
    ]


def _order(person: str) -> tuple[int, str]:
    """People in the order they were added to the register ("person:2" before "person:10")."""
    _, _, number = person.partition(":")
    return (int(number) if number.isdigit() else 0, person)


def _held(
    actions: list[ActionFacts],
    roster: Roster,
    person: str,
    today: date,
    cal: WorkingCalendar,
    already: set[int],
) -> list[NudgeItem]:
    held_days = roster.held_days(person, today, cal)
    if not held_days:
        return []
    mine = [a for a in actions if a.action_id not in already and _ever(roster, a, person)]
    found: list[NudgeItem] = []
    for action in mine:
        if not any(
            reason_today(action, day, cal) is not None and person in roster.route(action, day).held
            for day in held_days
        ):
            continue
        if not action.is_open:
            continue
        overdue = action.due is not None and action.due < today
        found.append(
            NudgeItem(
                action.action_id,
                f"{due_phrase(action.due, today)} (held while you were away)",
                "overdue" if overdue else "before",
            )
        )
    return found


def _ever(roster: Roster, action: ActionFacts, person: str) -> bool:
    terms = [*roster.assignees.get(action.action_id, ())]
    for owner in action.owners:
        terms.extend(roster.holders.get(owner, ()))
    return any(t.person == person for t in terms)


def paused_days(roster: Roster, action: ActionFacts, first: date, last: date) -> set[date]:
    """Days in [first, last] on which everybody responsible for `action` was away."""
    if not roster.leave:
        return set()
    out = set()
    day = first
    while day <= last:
        people = roster.responsible(action, day)
        if people and all(roster.away(p, day) for p in people):
            out.add(day)
        day += timedelta(days=1)
    return out


def nobody_available(actions: list[ActionFacts], roster: Roster, day: date) -> list[ActionFacts]:
    """Open actions whose people are all away on `day`, with no deputy to cover."""
    return [a for a in actions if a.is_open and (r := roster.route(a, day)).held and not r.to]
