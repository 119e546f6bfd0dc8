"""Are the nudges working? Reminder → update figures per plan, theme and owner.

A *reminder* is one action in a sent `nudge` delivery (the outbox keeps which actions each
reminder carried, in its payload); co-owners reminded about it at the same moment count once.
It is *answered* by the first update of that action made in chat (Slack, Teams, the console)
at or after the reminder was sent. So one action reminded
14, 7 and 1 days before its due date and updated once after the third counts three reminders,
each answered, after a different number of working days.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Integer, cast, func, select, true
from sqlalchemy.orm import Session

from bot.core.calendar import WorkingCalendar
from bot.core.themes import theme_key
from store.models import Action, ActionOwner, Delivery, Event, Owner, Plan

# Changes people make themselves; imports and the bot's own marks are not answers.
UPDATE_SOURCES = ("slack", "teams", "console")
REMINDER_KIND = "nudge"
NO_THEME = "No theme"


@dataclass
class GroupStats:
    """Figures for one plan, theme or owner."""

    kind: str  # plan | theme | owner
    name: str
    plan: str
    actions: int = 0
    reminders: int = 0
    answered: int = 0
    answered_1: int = 0
    answered_3: int = 0
    median_days: float | None = None  # reminder → update, calendar days, answered ones
    after_escalation: int = 0  # reminded actions first updated only after an escalation
    silent_owners: int = 0  # owners reminded in this group who never answered here
    slips: int = 0  # target date revisions (Action.slip_count)
    _delays: list[float] = field(default_factory=list, repr=False)
    _owners: dict[str, list[int]] = field(default_factory=dict, repr=False)

    @property
    def share_1(self) -> float | None:
        return self.answered_1 / self.reminders if self.reminders else None

    @property
    def share_3(self) -> float | None:
        return self.answered_3 / self.reminders if self.reminders else None

    @property
    def slips_per_action(self) -> float:
        return self.slips / self.actions if self.actions else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        data["share_1"] = self.share_1
        data["share_3"] = self.share_3
        data["slips_per_action"] = round(self.slips_per_action, 3)
        return data


@dataclass
class NudgeStats:
    since: datetime | None
    now: datetime
    plans: list[GroupStats]
    themes: list[GroupStats]
    owners: list[GroupStats]

    def plan(self, code: str) -> GroupStats | None:
        return next((g for g in self.plans if g.plan.upper() == code.upper()), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "now": self.now.isoformat(),
            "plans": [g.as_dict() for g in self.plans],
            "themes": [g.as_dict() for g in self.themes],
            "owners": [g.as_dict() for g in self.owners],
        }


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def digest_line(group: GroupStats) -> str:
    """The one line the weekly digest carries for a plan."""
    silent = group.silent_owners
    return (
        f"Reminders answered within 3 working days: {percent(group.share_3)} "
        f"of {group.reminders}, {silent} owner{'s' * (silent != 1)} silent"
    )


class _WorkingDayIndex:
    """Working days between two dates in O(1): a running count over the span of the data."""

    def __init__(self, cal: WorkingCalendar, first: date, last: date) -> None:
        self.first = first
        self._count: list[int] = []
        running = 0
        for n in range((last - first).days + 1):
            running += cal.is_working_day(first + timedelta(days=n))
            self._count.append(running)

    def after(self, start: date, end: date) -> int:
        """Working days in (start, end], like WorkingCalendar.working_days_after."""
        if end <= start:
            return 0
        return self._count[(end - self.first).days] - self._count[(start - self.first).days]


def nudge_stats(
    session: Session,
    *,
    now: datetime,
    cal: WorkingCalendar,
    tz: str = "Europe/London",
    plan_code: str | None = None,
    since: datetime | None = None,
) -> NudgeStats:
    """Reminder figures as of `now`, for reminders sent in [since, now]."""
    zone = ZoneInfo(tz)
    plans = {
        pid: code
        for pid, code in session.execute(select(Plan.id, Plan.code))
        if plan_code is None or code.upper() == plan_code.upper()
    }
    actions: dict[int, tuple[str, str, int]] = {}  # id → (plan, theme, slips)
    spelling: dict[tuple[int, str], str] = {}
    if plans:
        for aid, pid, theme, slips in session.execute(
            select(Action.id, Action.plan_id, Action.theme, Action.slip_count)
            .where(Action.plan_id.in_(plans))
            .order_by(Action.plan_id, Action.position, Action.id)
        ):
            # One theme spelt two ways ("Managing resources") is one group, named as first seen.
            name = " ".join((theme or "").split()) or NO_THEME
            name = spelling.setdefault((pid, theme_key(name)), name)
            actions[aid] = (plans[pid], name, slips or 0)
    owners: dict[int, list[str]] = defaultdict(list)
    for aid, name in session.execute(
        select(ActionOwner.action_id, Owner.name)
        .join(Owner, Owner.id == ActionOwner.owner_id)
        .order_by(ActionOwner.action_id, ActionOwner.position)
    ):
        if aid in actions:
            owners[aid].append(name)

    # Times are read as Unix seconds: parsing 200,000 datetimes costs more than the analysis.
    at, sent_at = _epoch(session, Event.at), _epoch(session, Delivery.sent_at)
    # Several field events of one command share one instant: DISTINCT makes them one answer.
    update_query = (
        select(Event.action_id, at)
        .where(Event.source.in_(UPDATE_SOURCES), Event.action_id.is_not(None), Event.at <= now)
        .distinct()
        .order_by(Event.action_id, at)
    )
    escalation_query = (
        select(Event.action_id, at)
        .where(Event.field == "escalated_on", Event.action_id.is_not(None), Event.at <= now)
        .order_by(Event.action_id, at)
    )
    if plan_code is not None:
        update_query = update_query.where(Event.plan_id.in_(plans))
        escalation_query = escalation_query.where(Event.plan_id.in_(plans))
    updates = _times(session, update_query)
    escalations = _times(session, escalation_query)
    reminded = _reminders(session, sent_at, now=now, since=since, wanted=actions)

    local_days: dict[int, date] = {}

    def local_day(seconds: int) -> date:
        day = local_days.get(seconds)
        if day is None:
            day = local_days[seconds] = datetime.fromtimestamp(seconds, zone).date()
        return day

    first_sent = min((times[0] for times in reminded.values()), default=None)
    index = (
        _WorkingDayIndex(
            cal, local_day(first_sent), max(now.astimezone(zone).date(), local_day(first_sent))
        )
        if first_sent is not None
        else None
    )

    groups: dict[tuple[str, str, str], GroupStats] = {}
    for aid, (plan, theme, slips) in actions.items():
        keys = [("plan", plan, plan), ("theme", theme, plan)]
        keys += [("owner", name, "") for name in owners.get(aid, [])]
        mine = []
        for kind, name, in_plan in keys:
            group = groups.get((kind, name, in_plan))
            if group is None:
                group = groups[(kind, name, in_plan)] = GroupStats(kind, name, in_plan)
            group.actions += 1
            group.slips += slips
            mine.append(group)
        sent_times = reminded.get(aid)
        if not sent_times:
            continue
        # This action's figures first, then added to each of its groups.
        answered = within_1 = within_3 = 0
        delays: list[float] = []
        answers = updates.get(aid, [])
        for sent in sent_times:
            answer = _first_at_or_after(answers, sent)
            if answer is None:
                continue
            assert index is not None
            working = index.after(local_day(sent), local_day(answer))
            answered += 1
            within_1 += working <= 1
            within_3 += working <= 3
            delays.append((answer - sent) / 86400)
        first_answer = _first_at_or_after(answers, sent_times[0])
        escalated = _first_at_or_after(escalations.get(aid, []), sent_times[0])
        late = first_answer is not None and escalated is not None and first_answer >= escalated
        names = owners.get(aid, [])
        for group in mine:
            group.reminders += len(sent_times)
            group.answered += answered
            group.answered_1 += within_1
            group.answered_3 += within_3
            group._delays.extend(delays)
            group.after_escalation += late
            if group.kind != "owner":
                for name in names:
                    tally = group._owners.setdefault(name, [0, 0])
                    tally[0] += len(sent_times)
                    tally[1] += answered

    for group in groups.values():
        if group._delays:
            group.median_days = round(statistics.median(group._delays), 2)
        if group.kind == "owner":
            group.silent_owners = int(group.reminders > 0 and group.answered == 0)
        else:
            group.silent_owners = sum(1 for _, answered in group._owners.values() if not answered)

    ordered = sorted(groups.values(), key=lambda g: (g.plan, g.name.lower()))
    return NudgeStats(
        since=since,
        now=now,
        plans=[g for g in ordered if g.kind == "plan"],
        themes=[g for g in ordered if g.kind == "theme"],
        owners=[g for g in ordered if g.kind == "owner"],
    )


def _epoch(session: Session, column: Any) -> Any:
    """A UTC timestamp column as whole Unix seconds, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), Integer)


def _times(session: Session, query: Any) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for aid, seconds in session.execute(query):
        out[aid].append(seconds)
    return out


def _first_at_or_after(times: list[int], moment: int) -> int | None:
    position = bisect_left(times, moment)
    return times[position] if position < len(times) else None


def _reminders(
    session: Session,
    sent_at: Any,
    *,
    now: datetime,
    since: datetime | None,
    wanted: dict[int, Any],
) -> dict[int, list[int]]:
    """Action id → when each sent reminder carrying it went (Unix seconds, oldest first).

    A reminder's payload lists every action it is about in `action_ids` (older rows only
    have their cards). The ids are read out of the JSON by the database (json_each on SQLite,
    json_array_elements on PostgreSQL): decoding a year of payloads in Python costs seconds.
    """
    out: dict[int, list[int]] = defaultdict(list)
    for query in _reminder_queries(session, sent_at):
        query = query.where(
            Delivery.kind == REMINDER_KIND,
            Delivery.state == "sent",
            Delivery.sent_at.is_not(None),
            Delivery.sent_at <= now,
        )
        if since is not None:
            query = query.where(Delivery.sent_at >= since)
        for aid, seconds in session.execute(query.distinct()):
            if aid in wanted:
                out[aid].append(seconds)
    return {aid: sorted(set(times)) for aid, times in out.items()}


def _reminder_queries(session: Session, sent_at: Any) -> list[Any]:
    """(action id, sent at) from `action_ids`, and from the cards of rows without it."""
    if session.get_bind().dialect.name == "postgresql":
        listed = func.json_extract_path(Delivery.payload, "action_ids")
        ids_t = func.json_array_elements_text(listed).table_valued("value").alias("i")
        replies_t = (
            func.json_array_elements(func.json_extract_path(Delivery.payload, "replies"))
            .table_valued("value")
            .alias("r")
        )
        cards_t = (
            func.json_array_elements(func.json_extract_path(replies_t.c.value, "cards"))
            .table_valued("value")
            .alias("c")
        )
        from_ids: Any = cast(ids_t.c.value, Integer)
        from_cards: Any = cast(func.json_extract_path_text(cards_t.c.value, "action_id"), Integer)
    else:
        listed = func.json_extract(Delivery.payload, "$.action_ids")
        ids_t = func.json_each(Delivery.payload, "$.action_ids").table_valued("value").alias("i")
        replies_t = func.json_each(Delivery.payload, "$.replies").table_valued("value").alias("r")
        cards_t = func.json_each(replies_t.c.value, "$.cards").table_valued("value").alias("c")
        from_ids = cast(ids_t.c.value, Integer)
        from_cards = cast(func.json_extract(cards_t.c.value, "$.action_id"), Integer)
    return [
        select(from_ids, sent_at).select_from(Delivery).join(ids_t, true()),
        select(from_cards, sent_at)
        .select_from(Delivery)
        .join(replies_t, true())
        .join(cards_t, true())
        .where(listed.is_(None)),
    ]
