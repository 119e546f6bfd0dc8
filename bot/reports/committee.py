"""The committee pack's content: one plan as of now, and what changed since a date.

Every format (xlsx, docx, html, pdf) is drawn from the same `Pack`, so they never disagree.
Where an action stood at `since` is read back from the event history: the old value of the
first change after `since`, or the current value when nothing changed since.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.reports.chart import ChartItem, ThemeRow, chart_title, render_chart, theme_rows
from store.models import Action, Event, Plan

REPORT_FIELD = "report"  # the event that records a pack was produced
STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "blocked": "Blocked",
    "done": "Done",
    "cancelled": "Cancelled",
}
RAG_LABELS = {"green": "Green (on track)", "amber": "Amber (at risk)", "red": "Red (off track)"}
NO_RAG = "No RAG"
OPEN = ("not_started", "in_progress", "blocked")


def uk_date(day: date | datetime | None) -> str:
    """31 Mar 2018: day first, month in words, so nobody reads it the American way."""
    if day is None:
        return ""
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class PackAction:
    ref: str
    title: str
    owners: str
    theme: str
    original_target: date | None
    original_text: str | None
    revised_target: date | None
    slips: int
    reasons: tuple[str, ...]
    status: str
    rag: str | None
    due: date | None
    latest_update: str
    last_updated: datetime | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def rag_label(self) -> str:
        return RAG_LABELS.get(self.rag or "", NO_RAG)

    @property
    def original_label(self) -> str:
        return uk_date(self.original_target) or (self.original_text or "")

    @property
    def reasons_text(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class Total:
    label: str
    now: int
    then: int | None  # None: no baseline (first report)

    @property
    def change(self) -> str:
        if self.then is None:
            return ""
        diff = self.now - self.then
        return f"{diff:+d}" if diff else "no change"


@dataclass
class Pack:
    plan_code: str
    plan_name: str
    produced: datetime  # local time of the council
    today: date
    since: datetime | None
    since_reason: str  # "--since", "last report", "first report"
    by_status: list[Total]
    by_rag: list[Total]
    themes: list[ThemeRow]
    actions: list[PackAction]
    completed: list[PackAction] = field(default_factory=list)
    slipped: list[PackAction] = field(default_factory=list)
    overdue: list[PackAction] = field(default_factory=list)
    escalated: list[PackAction] = field(default_factory=list)
    chart_png: bytes = b""

    @property
    def title(self) -> str:
        return f"{self.plan_code}: {self.plan_name}"

    @property
    def since_label(self) -> str:
        if self.since is None:
            return "since the plan was imported (no earlier report)"
        return f"since {uk_date(self.since)} ({self.since_reason})"

    @property
    def chart_title(self) -> str:
        return chart_title(self.plan_code, self.today)


def last_report_at(session: Session, *, plan_id: int, before: datetime) -> datetime | None:
    return session.scalar(
        select(Event.at)
        .where(Event.plan_id == plan_id, Event.field == REPORT_FIELD, Event.at < before)
        .order_by(Event.at.desc())
        .limit(1)
    )


def build_pack(
    session: Session,
    plan: Plan,
    *,
    now: datetime,
    tz: str,
    since: datetime | None = None,
    chart: bool = True,
) -> Pack:
    """Everything the pack says, as of `now`. `since` None: the last report, if any."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    today = local.date()
    reason = "--since"
    if since is None:
        since = last_report_at(session, plan_id=plan.id, before=now)
        reason = "last report" if since else "first report"
    actions = list(
        session.scalars(
            select(Action).where(Action.plan_id == plan.id).order_by(Action.position, Action.id)
        )
    )
    events: dict[int, list[Event]] = defaultdict(list)
    for event in session.scalars(
        select(Event)
        .where(Event.plan_id == plan.id, Event.action_id.is_not(None), Event.at <= now)
        .order_by(Event.id)
    ):
        events[event.action_id or 0].append(event)

    rows: list[PackAction] = []
    completed, slipped, escalated = [], [], []
    status_then: Counter[str] = Counter()
    for action in actions:
        history = events.get(action.id, [])
        revisions = [e for e in history if e.field == "revised_target_date"]
        row = PackAction(
            ref=action.ref,
            title=action.title,
            owners=", ".join(action.owner_names) or (action.owners_text or ""),
            theme=action.theme or "",
            original_target=action.target_date,
            original_text=action.target_text,
            revised_target=action.revised_target_date,
            slips=action.slip_count,
            reasons=tuple(e.note for e in revisions if e.note),
            status=action.status,
            rag=action.rag,
            due=action.due_date,
            latest_update=action.latest_update or "",
            last_updated=action.last_update_at and action.last_update_at.astimezone(zone),
        )
        rows.append(row)
        after = [e for e in history if since is None or e.at >= since]
        if any(e.field == "status" and e.new_value == "done" for e in after) or (
            since is None and action.status == "done"
        ):
            completed.append(row)
        revised_in_period = any(e.field == "revised_target_date" for e in after)
        if revised_in_period if since is not None else action.slip_count > 0:
            slipped.append(row)
        if any(e.field == "escalated_on" and e.new_value for e in after) or (
            since is None and action.escalated_on is not None and action.is_open
        ):
            escalated.append(row)
        if since is not None and action.created_at <= since:
            status_then[_value_at(after, "status", action.status) or "not_started"] += 1

    status_now = Counter(a.status for a in actions)
    rag_now = Counter(a.rag or "" for a in actions if a.is_open)
    baseline = since is not None
    by_status = [
        Total(label, status_now[key], status_then[key] if baseline else None)
        for key, label in STATUS_LABELS.items()
    ]
    by_status.append(
        Total("All actions", len(actions), sum(status_then.values()) if baseline else None)
    )
    rag_then = _open_rags_then(actions, events, since) if since is not None else Counter()
    by_rag = [
        Total(label, rag_now[key], rag_then[key] if baseline else None)
        for key, label in [*RAG_LABELS.items(), ("", NO_RAG)]
    ]
    overdue = sorted(
        (r for r in rows if r.status in OPEN and r.due and r.due < today),
        key=lambda r: (r.due or today, r.ref),
    )
    themes = theme_rows(
        (ChartItem(a.theme, a.status, a.rag, a.due_date) for a in actions), today=today
    )
    pack = Pack(
        plan_code=plan.code,
        plan_name=plan.name,
        produced=local,
        today=today,
        since=since,
        since_reason=reason,
        by_status=by_status,
        by_rag=by_rag,
        themes=themes,
        actions=rows,
        completed=completed,
        slipped=slipped,
        overdue=overdue,
        escalated=escalated,
    )
    if chart:
        pack.chart_png = render_chart(themes, title=pack.chart_title)
    return pack


def _value_at(after: list[Event], field_name: str, current: str | None) -> str | None:
    """The field's value at the start of `after`: the first change's old value, or now's."""
    for event in after:
        if event.field == field_name:
            return event.old_value
    return current


def _open_rags_then(
    actions: list[Action], events: dict[int, list[Event]], since: datetime
) -> Counter[str]:
    counts: Counter[str] = Counter()
    for action in actions:
        if action.created_at > since:
            continue
        after = [e for e in events.get(action.id, []) if e.at >= since]
        if (_value_at(after, "status", action.status) or "not_started") in OPEN:
            counts[_value_at(after, "rag", action.rag) or ""] += 1
    return counts
