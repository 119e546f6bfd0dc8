"""The committee pack's content: one plan as it stood at an instant, and what changed since
a baseline (the last issued pack, or a date), as a neutral `Paper` (see `content.py`).

Each section is one function of the `Facts` below, listed in `SECTIONS` in reading order:
the summary a committee reads first, then the detail. A new section is a new function here;
every format draws it without change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.core.messages import RAG_WORDS
from bot.core.when import plural
from bot.reports.chart import CATEGORIES, LABELS, ChartItem, alt_text, theme_rows
from bot.reports.content import Cell, Chart, Column, Paper, Section, Table, ThemeCounts, Tone
from bot.reports.register_at import ActionAt, PlanAt, plan_at
from bot.reports.safe_text import printable
from store.models import Event, Plan

STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "blocked": "Blocked",
    "done": "Done",
    "cancelled": "Cancelled",
}
RAG_LABELS = {rag: f"{rag.title()} ({words})" for rag, words in RAG_WORDS.items()}
NO_RAG = "No RAG given"
RAG_TONES: dict[str, Tone] = {"green": "green", "amber": "amber", "red": "red"}
# Rows a summary list shows (the longest overdue, the latest time extensions): with the
# figures and the chart, what the summary page holds; the detail lists every one.
SUMMARY_ROWS = 3


def uk_date(day: date | datetime | None) -> str:
    """5 Mar 2018: day first, month in words, so nobody reads it the American way."""
    if day is None:
        return ""
    return f"{day.day} {day:%b %Y}"


def uk_time(moment: datetime) -> str:
    return f"{uk_date(moment)}, {moment:%H:%M}"


@dataclass(frozen=True)
class Baseline:
    """What the pack compares against: the last issued pack, a date, or nothing yet."""

    at: datetime | None
    words: str  # the sentence the paper prints
    since: str  # "since the last pack", "since 11 Mar 2018", "since the plan was imported"
    column: str  # heading of the figures' "then" column
    then: str = ""  # "at the last pack (15 Jan 2018)", "on 11 Mar 2018"
    pack_id: int | None = None


def baseline_of_pack(pack_id: int, meeting: str, at: datetime, tz: str) -> Baseline:
    day = uk_date(at.astimezone(ZoneInfo(tz)))
    return Baseline(
        at=at,
        words=f"Changes since the pack issued for {meeting} ({day}).",
        since="since the last pack",
        column="Last pack",  # its date in the section's meaning: a narrow column
        then=f"at the last pack ({day})",
        pack_id=pack_id,
    )


def baseline_of_day(at: datetime, tz: str) -> Baseline:
    day = uk_date(at.astimezone(ZoneInfo(tz)))
    return Baseline(
        at=at, words=f"Changes since {day}.", since=f"since {day}", column=day, then=f"on {day}"
    )


def no_baseline(imported: datetime, tz: str) -> Baseline:
    day = uk_date(imported.astimezone(ZoneInfo(tz)))
    return Baseline(
        at=None,
        words=f"This is the plan's first pack: changes are counted from its import ({day}).",
        since="since the plan was imported",
        column="",
    )


@dataclass(frozen=True)
class Facts:
    """What the sections are made of."""

    code: str
    now: PlanAt
    then: PlanAt | None
    at: datetime  # council time
    baseline: Baseline
    name_of: Callable[[str], str]  # an event's actor as people know them

    @property
    def today(self) -> date:
        return self.at.date()

    def changes(self, action: ActionAt) -> list[Event]:
        """The action's events after the baseline, up to the pack's instant."""
        start = self.baseline.at
        return [e for e in action.events if start is None or e.at > start]

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.at.tzinfo)


def build_paper(
    session: Session,
    plan: Plan,
    *,
    at: datetime,
    tz: str,
    baseline: Baseline,
    meeting: str | None,
    issued_by: str | None,
    name_of: Callable[[str], str],
) -> Paper:
    """Everything the pack says about `plan` at `at`, compared with `baseline`.

    `meeting` None makes a draft (a preview); otherwise the pack issued for that meeting by
    `issued_by`.
    """
    local = at.astimezone(ZoneInfo(tz))
    now = plan_at(session, plan, at=at)
    then = plan_at(session, plan, at=baseline.at) if baseline.at is not None else None
    facts = Facts(plan.code, now, then, local, baseline, name_of)
    title = printable(now.name) or plan.code
    kind = "Committee pack" if meeting else "Draft committee pack (not issued)"
    for_meeting = f" for {printable(meeting)}" if meeting else ""
    footer = (
        f"Issued {uk_date(local)} by {printable(issued_by or 'an admin')}"
        if meeting
        else f"Draft made {uk_date(local)}: not issued"
    )
    return Paper(
        plan_code=plan.code,
        title=title,
        kind=kind,
        meeting=printable(meeting) if meeting else None,
        as_at=local,
        position=f"Position at {uk_time(local)}.",
        changes=baseline.words,
        running=f"{title} · {kind}{for_meeting} · position at {uk_date(local)}",
        footer=footer,
        sections=tuple(make(facts) for make in SECTIONS),
    )


# -- cells -------------------------------------------------------------------------------


def text(value: str | None, tone: Tone | None = None) -> Cell:
    return Cell(printable(value or ""), tone=tone)


def number(value: int, tone: Tone | None = None) -> Cell:
    return Cell(f"{value:,}", number=value, tone=tone)


def day_cell(value: date | None, tone: Tone | None = None) -> Cell:
    return Cell(uk_date(value), day=value, tone=tone)


def blank() -> Cell:
    return Cell("")


def is_overdue(action: ActionAt, today: date) -> bool:
    return action.is_open and action.due_date is not None and action.due_date < today


def status_cell(action: ActionAt, today: date) -> Cell:
    label = STATUS_LABELS.get(action.status, action.status)
    if is_overdue(action, today):
        return Cell(f"{label}, overdue", tone="overdue")
    return Cell(label, tone="done" if action.status == "done" else None)


def rag_cell(action: ActionAt) -> Cell:
    if not action.is_open:
        return blank()
    return Cell(
        RAG_LABELS.get(action.rag or "", NO_RAG), tone=RAG_TONES.get(action.rag or "", "none")
    )


def due_cell(action: ActionAt, today: date) -> Cell:
    return day_cell(action.due_date, "overdue" if is_overdue(action, today) else None)


def due_basis(action: ActionAt, default_due: date | None) -> str:
    """Where the due date comes from, in the words a committee uses."""
    if action.due_date is None:
        return "no date"
    if action.revised_target_date is not None and action.due_date == action.revised_target_date:
        return "revised"
    if action.target_date is not None and action.due_date == action.target_date:
        return "original target"
    if default_due is not None and action.due_date == default_due:
        return "plan's default"
    return "revised" if action.revised_target_date else "original target"


def original_cell(action: ActionAt) -> Cell:
    if action.target_date is not None:
        return day_cell(action.target_date)
    return text(action.target_text)


# -- columns shared by several tables ------------------------------------------------------

ActionColumn = tuple[Column, Callable[[ActionAt, Facts], Cell]]

REF: ActionColumn = (Column("Ref", "short"), lambda a, f: text(a.ref))
ACTION: ActionColumn = (Column("Action", weight=2.0), lambda a, f: text(a.title))
THEME: ActionColumn = (Column("Theme"), lambda a, f: text(a.theme))
OWNER: ActionColumn = (Column("Owner"), lambda a, f: text(a.owners))
DUE: ActionColumn = (Column("Due", "date"), lambda a, f: due_cell(a, f.today))
DUE_BASIS: ActionColumn = (
    Column("Due date is", "short"),
    lambda a, f: text(due_basis(a, f.now.default_due)),
)
SLIPS: ActionColumn = (Column("Times moved", "number"), lambda a, f: number(a.slip_count))
STATUS: ActionColumn = (Column("Status", "short"), lambda a, f: status_cell(a, f.today))
RAG: ActionColumn = (Column("RAG", "short"), lambda a, f: rag_cell(a))
UPDATE: ActionColumn = (
    Column("Latest update", weight=1.5),
    lambda a, f: text(a.latest_update),
)


def action_table(
    name: str, columns: Sequence[ActionColumn], actions: Iterable[ActionAt], facts: Facts
) -> Table:
    return Table(
        name=name,
        columns=tuple(c for c, _ in columns),
        rows=tuple(tuple(cell(a, facts) for _, cell in columns) for a in actions),
    )


def action_list(
    facts: Facts,
    key: str,
    *,
    title: str,
    sheet: str,
    intro: str,
    columns: Sequence[ActionColumn],
    actions: Sequence[ActionAt],
    part: Literal["summary", "detail"] = "summary",
    count: int | None = None,
    after: str = "",
) -> Section:
    """A section listing actions, one row each: "<title> (<how many>)". A summary list shows
    the first few of `count` and says in `after` where the rest are."""
    table = action_table(sheet, columns, actions, facts)
    return Section(
        key=key,
        heading=f"{title} ({len(actions) if count is None else count:,})",
        intro=intro,
        tables=(replace(table, figures=part == "summary"),),
        part=part,
        after=after,
    )


# -- the sections, in reading order ------------------------------------------------------


def at_a_glance(facts: Facts) -> Section:
    def status_rows(plan: PlanAt | None) -> Counter[str]:
        counts: Counter[str] = Counter()
        for action in plan.actions if plan else ():
            counts[action.status] += 1
            counts["all"] += 1
        return counts

    def open_rows(plan: PlanAt | None, today: date) -> Counter[str]:
        counts: Counter[str] = Counter()
        for action in plan.actions if plan else ():
            if action.is_open:
                counts[action.rag or ""] += 1
                counts["overdue"] += is_overdue(action, today)
        return counts

    then_day = facts.local(facts.baseline.at).date() if facts.baseline.at else facts.today
    status_now, status_then = status_rows(facts.now), status_rows(facts.then)
    open_now, open_then = open_rows(facts.now, facts.today), open_rows(facts.then, then_day)
    compare = facts.then is not None

    def row(label: str, now: int, then: int, tone: Tone | None = None) -> tuple[Cell, ...]:
        if not compare:
            return (text(label, tone), number(now))
        change = now - then
        # A real minus sign: a hyphen reads as a dash in print.
        words = f"{change:+,}".replace("-", "\u2212") if change else "no change"
        return (text(label, tone), number(now), number(then), Cell(words, number=change))

    heads = [Column("Now", "number")]
    if compare:
        heads += [Column(facts.baseline.column, "number"), Column("Change", "change")]
    statuses = [
        row(label, status_now[key], status_then[key]) for key, label in STATUS_LABELS.items()
    ]
    statuses.append(row("All actions", status_now["all"], status_then["all"]))
    rags = [
        row(label, open_now[key], open_then[key], RAG_TONES[key])
        for key, label in RAG_LABELS.items()
    ]
    rags.append(row(NO_RAG, open_now[""], open_then[""], "none"))
    rags.append(row("Overdue (of the open)", open_now["overdue"], open_then["overdue"], "overdue"))
    count = plural(status_now["all"], "action")
    intro = (
        f"{count} in the plan: each figure now, {facts.baseline.then}, and the change."
        if compare
        else f"{count} in the plan. There is no earlier pack to compare with."
    )
    return Section(
        key="glance",
        heading="At a glance",
        intro=intro,
        tables=(
            Table("Status", (Column("Status"), *heads), tuple(statuses), figures=True),
            Table("Open actions", (Column("Open actions"), *heads), tuple(rags), figures=True),
        ),
        beside=True,
    )


def rag_by_theme(facts: Facts) -> Section:
    rows = theme_rows(
        (ChartItem(a.theme, a.status, a.rag, a.due_date) for a in facts.now.actions),
        today=facts.today,
    )
    columns = (
        Column("Theme"),
        *(Column(LABELS[c], "number") for c in CATEGORIES),
        Column("Total", "number"),
    )
    table = Table(
        "RAG by theme",
        columns,
        tuple(
            (text(r.theme), *(number(r.counts[c]) for c in CATEGORIES), number(r.total))
            for r in rows
        ),
        empty="No actions.",
        figures=True,
    )
    chart = Chart(
        rows=tuple(ThemeCounts(printable(r.theme), dict(r.counts)) for r in rows),
        alt=printable(alt_text(facts.code, rows, facts.today)),
    )
    return Section(
        key="themes",
        heading="RAG by theme",
        intro="Open actions past their due date count as overdue, whatever their RAG; "
        "cancelled actions are left out.",
        tables=(table,),
        chart=chart,
        beside=True,
    )


def _late(facts: Facts) -> list[ActionAt]:
    """Open actions past their due date, the longest overdue first."""
    return sorted(
        (a for a in facts.now.actions if is_overdue(a, facts.today)),
        key=lambda a: (a.due_date or facts.today, a.position),
    )


DAYS_OVERDUE: ActionColumn = (
    Column("Days overdue", "number"),
    lambda a, f: number((f.today - (a.due_date or f.today)).days, "overdue"),
)
ALL_OVERDUE = "All overdue actions"


def overdue(facts: Facts) -> Section:
    """The longest overdue, for the summary page; every one is in `all_overdue`."""
    late = _late(facts)
    return action_list(
        facts,
        "overdue",
        title="Overdue actions",
        sheet="Overdue (longest)",
        intro=f"Open actions past their due date on {uk_date(facts.today)}"
        f"{_first(len(late), 'longest overdue')}, with the owner's latest update.",
        columns=(REF, ACTION, OWNER, DUE, DAYS_OVERDUE, SLIPS, UPDATE),
        actions=late[:SUMMARY_ROWS],
        count=len(late),
        after=_more(len(late), ALL_OVERDUE),
    )


def all_overdue(facts: Facts) -> Section:
    return action_list(
        facts,
        "all_overdue",
        title=ALL_OVERDUE,
        sheet="Overdue",
        intro=f"Open actions past their due date on {uk_date(facts.today)}, the longest "
        "overdue first, with the owner's latest update.",
        columns=(REF, ACTION, OWNER, DUE, DAYS_OVERDUE, DUE_BASIS, SLIPS, RAG, UPDATE),
        actions=_late(facts),
        part="detail",
    )


@dataclass(frozen=True)
class Move:
    """One new due date an owner set after the baseline."""

    action: ActionAt
    event: Event
    times: int  # how many times the action had moved, this one included


def _moves(facts: Facts) -> list[Move]:
    """Every date move after the baseline, in the plan's order (an action's in time order)."""
    found: list[Move] = []
    for action in facts.now.actions:
        moves = [
            e
            for e in facts.changes(action)
            if e.field == "revised_target_date" and e.new_value is not None
        ]
        for times, event in enumerate(moves, action.slip_count - len(moves) + 1):
            found.append(Move(action, event, max(times, 1)))
    return found


def _extension_table(facts: Facts, moves: Sequence[Move], *, owner: bool) -> Table:
    def row(move: Move) -> tuple[Cell, ...]:
        start, end = _due_change(move.action, move.event)
        return (
            text(move.action.ref),
            text(move.action.title),
            *((text(move.action.owners),) if owner else ()),
            day_cell(start),
            day_cell(end),
            text(move.event.note),
            text(facts.name_of(move.event.actor)),
            day_cell(facts.local(move.event.at).date()),
            number(move.times),
        )

    columns = (
        REF[0],
        ACTION[0],
        *((OWNER[0],) if owner else ()),
        Column("From", "date"),
        Column("To", "date"),
        Column("Reason", weight=1.5),
        Column("Asked by"),
        Column("On", "date"),
        Column("Times moved", "number"),
    )
    name = "Time extensions" if owner else "Time extensions (latest)"
    return Table(name, columns, tuple(row(m) for m in moves), figures=not owner)


def time_extensions(facts: Facts) -> Section:
    """The latest date moves, for the summary page; every one is in `all_time_extensions`."""
    moves = _moves(facts)
    latest = sorted(moves, key=lambda m: m.event.at, reverse=True)[:SUMMARY_ROWS]
    everything = f"All time extensions {facts.baseline.since}"
    return Section(
        key="extensions",
        heading=f"Time extensions {facts.baseline.since} ({len(moves)})",
        intro=f"New due dates owners set{_first(len(moves), 'latest')}, with their reasons; "
        "times moved counts every move of that action so far.",
        tables=(_extension_table(facts, latest, owner=False),),
        after=_more(len(moves), everything),
    )


def all_time_extensions(facts: Facts) -> Section:
    moves = _moves(facts)
    return Section(
        key="all_extensions",
        heading=f"All time extensions {facts.baseline.since} ({len(moves)})",
        intro="Each new due date an owner set, with their reason; times moved counts every "
        "move of that action so far.",
        tables=(_extension_table(facts, moves, owner=True),),
        part="detail",
    )


def _first(count: int, which: str) -> str:
    """The words ": the 3 longest overdue" when a summary list shows part of its rows."""
    return f": the {SUMMARY_ROWS} {which}" if count > SUMMARY_ROWS else ""


def _more(count: int, detail: str) -> str:
    """The line under a summary list that shows part of its rows: how many more, and where."""
    if count <= SUMMARY_ROWS:
        return ""
    return f"and {count - SUMMARY_ROWS:,} more: all {count:,} are in '{detail}' in the detail."


def _due_change(action: ActionAt, event: Event) -> tuple[date | None, date | None]:
    """The due date before and after a revision: the due-date change made with it, else the
    revised dates themselves."""
    for other in action.events:
        if other.field == "due_date" and other.at == event.at:
            return _day(other.old_value), _day(other.new_value)
    return _day(event.old_value) or action.target_date, _day(event.new_value)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _done(facts: Facts, action: ActionAt) -> Event | None:
    """The event that marked the action done after the baseline (the last, if several)."""
    done = [e for e in facts.changes(action) if e.field == "status" and e.new_value == "done"]
    return done[-1] if done else None


def _escalated(facts: Facts, action: ActionAt) -> date | None:
    told = [e for e in facts.changes(action) if e.field == "escalated_on" and e.new_value]
    return _day(told[-1].new_value) if told else None


def completed(facts: Facts) -> Section:
    done = [
        a
        for a in facts.now.actions
        if a.status == "done" and (facts.then is None or _done(facts, a) is not None)
    ]

    def done_on(a: ActionAt, f: Facts) -> Cell:
        event = _done(f, a)
        return day_cell(f.local(event.at).date() if event else None)

    def done_by(a: ActionAt, f: Facts) -> Cell:
        event = _done(f, a)
        return text(f.name_of(event.actor) if event else "plan import")

    columns: tuple[ActionColumn, ...] = (REF, ACTION, OWNER)
    columns += ((Column("Done on", "date"), done_on), (Column("Marked done by"), done_by))
    return action_list(
        facts,
        "completed",
        title=f"Completed {facts.baseline.since}",
        sheet="Completed",
        intro="Actions marked done, and who said so.",
        columns=(*columns, DUE, SLIPS),
        actions=done,
        part="detail",
    )


def escalated(facts: Facts) -> Section:
    told = [a for a in facts.now.actions if _escalated(facts, a) is not None]
    when: ActionColumn = (
        Column("Escalated on", "date"),
        lambda a, f: day_cell(_escalated(f, a)),
    )
    return action_list(
        facts,
        "escalated",
        title=f"Escalated {facts.baseline.since}",
        sheet="Escalated",
        intro="Overdue actions whose owner's manager was told.",
        columns=(REF, ACTION, OWNER, DUE, when, STATUS, RAG, UPDATE),
        actions=told,
        part="detail",
    )


def all_actions(facts: Facts) -> Section:
    original: ActionColumn = (Column("Original target", "date"), lambda a, f: original_cell(a))
    updated: ActionColumn = (
        Column("Updated", "date"),
        lambda a, f: day_cell(f.local(a.last_update_at).date() if a.last_update_at else None),
    )
    return action_list(
        facts,
        "actions",
        title="All actions",
        sheet="All actions",
        intro="Every action in the plan's order. The due date is the revised date where the "
        "owner moved it, else the original target, else the plan's default date.",
        columns=(REF, ACTION, THEME, OWNER, original, DUE, DUE_BASIS)
        + (SLIPS, STATUS, RAG, UPDATE, updated),
        actions=facts.now.actions,
        part="detail",
    )


SECTIONS: tuple[Callable[[Facts], Section], ...] = (
    at_a_glance,
    rag_by_theme,
    overdue,
    time_extensions,
    all_overdue,
    all_time_extensions,
    completed,
    escalated,
    all_actions,
)
