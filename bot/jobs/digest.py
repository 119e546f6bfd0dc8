"""The weekly leadership digest: a pure function of (register facts, events, time).

Sections per plan; every list is complete. Slack's 50-block limit is met by packing the
sections into several messages: the first goes to the channel, the rest into its thread.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.jobs.calendar import WorkingCalendar
from bot.jobs.facts import EventFacts, RegisterFacts
from bot.jobs.planner import DIGEST_ESCALATE_AFTER, ActionFacts
from bot.messages import Reply

LINES_PER_MESSAGE = 45  # + a header block: within Slack's 50 blocks per message
MAX_LINE = 2900  # section text is limited to 3,000 characters
RAG_EMOJI = {"green": "🟢", "amber": "🟠", "red": "🔴"}
STATUS_ORDER = ("not_started", "in_progress", "blocked", "done", "cancelled")


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str]


def _label(a: ActionFacts) -> str:
    title = a.title if len(a.title) <= 90 else a.title[:89] + "…"
    return f"*{a.plan_code}:{a.ref}* {title}"


def _owners(a: ActionFacts) -> str:
    return ", ".join(a.owners) or "no owner"


def _by_theme(
    actions: list[ActionFacts], line: Callable[[ActionFacts], str], themed: bool
) -> list[str]:
    if not themed:
        return [line(a) for a in actions]
    groups: dict[str, list[ActionFacts]] = defaultdict(list)
    for a in actions:
        groups[a.theme or "No theme"].append(a)
    out = []
    for theme in sorted(groups):
        out.append(f"_{theme}_")
        out.extend(line(a) for a in groups[theme])
    return out


def plan_sections(
    code: str,
    name: str,
    actions: list[ActionFacts],
    events: list[EventFacts],
    *,
    now: datetime,
    today: date,
    cal: WorkingCalendar,
    created: dict[int, datetime],
) -> list[Section]:
    week_ago = now - timedelta(days=7)
    open_ = [a for a in actions if a.is_open]
    ids = {a.action_id for a in actions}
    by_id = {a.action_id: a for a in actions}
    themed = len({a.theme for a in actions if a.theme}) > 1
    status = Counter(a.status for a in actions)
    rag = Counter(a.rag for a in open_)
    totals = " · ".join(f"{s.replace('_', ' ')} {status[s]}" for s in STATUS_ORDER if status[s])
    rags = " ".join(f"{RAG_EMOJI[r]} {rag[r]}" for r in ("green", "amber", "red") if rag[r])
    sections = [
        Section(
            f"{code}: {name}",
            [
                f"{len(actions)} actions: {totals}"
                + (f"\nOpen by RAG: {rags} ⚪ {rag[None]}" if open_ else "")
            ],
        )
    ]

    def add(title: str, items: list[ActionFacts], line: Callable[[ActionFacts], str]) -> None:
        if items:
            sections.append(Section(f"{title} ({len(items)})", _by_theme(items, line, themed)))

    done_ids = [
        e.action_id
        for e in events
        if e.field == "status" and e.new == "done" and e.at >= week_ago and e.action_id in ids
    ]
    add(
        "Done this week",
        [by_id[i] for i in dict.fromkeys(done_ids)],
        lambda a: f"✅ {_label(a)}: {_owners(a)}",
    )

    overdue = sorted((a for a in open_ if a.due and a.due < today), key=lambda a: (a.due, a.ref))
    newly = [a for a in overdue if a.due and a.due >= today - timedelta(days=7)]

    def late(a: ActionFacts) -> str:
        assert a.due is not None
        return (
            f"• {_label(a)}: {_owners(a)}, due {a.due:%d %b %Y} ({(today - a.due).days} days ago)"
        )

    add("Newly overdue this week", newly, late)
    add("All overdue, oldest first", overdue, late)
    soon = sorted(
        (a for a in open_ if a.due and today <= a.due <= today + timedelta(days=14)),
        key=lambda a: (a.due, a.ref),
    )
    add(
        "Due in the next 14 days",
        soon,
        lambda a: f"• {_label(a)}: {_owners(a)}, due {a.due:%a %d %b}",
    )

    revisions = [
        e
        for e in events
        if e.field == "revised_target_date" and e.at >= week_ago and e.action_id in ids
    ]
    if revisions:
        # The first revision's old value is "no revised date"; the due date it moved from is
        # in the due_date event written with it.
        moved_from = {(e.action_id, e.at): e.old for e in events if e.field == "due_date" and e.old}
        lines = []
        for e in revisions:
            a = by_id[e.action_id or 0]
            slips = f"slipped {a.slip_count} time{'s' * (a.slip_count != 1)}"
            why = e.note or "(no reason)"
            old = e.old or moved_from.get((e.action_id, e.at)) or "no date"
            lines.append(f"• {_label(a)}: {old} → {e.new}, because {why} ({slips})")
        sections.append(Section(f"Dates revised this week ({len(revisions)})", lines))

    risky = sorted(
        (a for a in open_ if a.rag in ("amber", "red")), key=lambda a: (a.rag != "red", a.ref)
    )
    add(
        "At risk or off track",
        risky,
        lambda a: (
            f"{RAG_EMOJI[a.rag or 'amber']} {_label(a)}: {_owners(a)}. "
            f"Latest: {a.latest_update or '(no note)'}"
        ),
    )

    stale_before = now - timedelta(days=30)
    stale = [a for a in open_ if (a.last_update or created.get(a.action_id, now)) < stale_before]
    add("No update in 30 days", stale, lambda a: f"• {_label(a)}: {_owners(a)}")

    def escalated(a: ActionFacts) -> bool:
        if a.due is None or a.due >= today:
            return False
        if a.last_update is not None and a.last_update.date() > a.due:
            return False
        return cal.working_days_after(a.due, today) >= DIGEST_ESCALATE_AFTER

    add(
        "Escalations: 20+ working days overdue, no update",
        [a for a in overdue if escalated(a)],
        lambda a: (
            f"🚨 {_label(a)}: {_owners(a)}, "
            f"{cal.working_days_after(a.due or today, today)} working days overdue"
        ),
    )
    return sections


def build_digest(
    facts: RegisterFacts,
    events: list[EventFacts],
    *,
    now: datetime,
    today: date,
    cal: WorkingCalendar,
    failures: Iterable[str] = (),
    unreachable: dict[str, list[str]] | None = None,
) -> list[Section]:
    by_plan: dict[str, list[ActionFacts]] = defaultdict(list)
    for a in facts.actions:
        by_plan[a.plan_code].append(a)
    sections: list[Section] = []
    for code in sorted(by_plan):
        sections += plan_sections(
            code,
            facts.plans.get(code, code),
            by_plan[code],
            events,
            now=now,
            today=today,
            cal=cal,
            created=facts.created,
        )
    problems = [f"• {f}" for f in failures]
    problems += [
        f"• {owner}: nobody mapped ({', '.join(refs)})"
        for owner, refs in sorted((unreachable or {}).items())
    ]
    if problems:
        sections.append(Section("For admins: messages that could not be delivered", problems))
    if not sections:
        sections.append(
            Section("No plans yet", ["Import one with `actionbot import PLAN.csv --plan CODE`."])
        )
    return sections


def _chunks(section: Section) -> list[str]:
    """The section as mrkdwn paragraphs of at most MAX_LINE characters, nothing dropped."""
    paragraphs: list[str] = []
    current = f"*{section.title}*"
    for line in section.lines:
        while len(line) > MAX_LINE:  # one enormous line: split it, marking the break
            paragraphs.append(current)
            current, line = line[: MAX_LINE - 1] + "…", "…" + line[MAX_LINE - 1 :]
        if len(current) + 1 + len(line) > MAX_LINE:
            paragraphs.append(current)
            current = f"*{section.title}* (continued)\n{line}"
        else:
            current = f"{current}\n{line}"
    paragraphs.append(current)
    return paragraphs


def digest_replies(sections: list[Section], *, title: str) -> list[Reply]:
    """Messages of at most LINES_PER_MESSAGE paragraphs: the first for the channel, the rest
    for its thread, each saying where it is in the series."""
    paragraphs = [p for s in sections for p in _chunks(s)]
    pages = [
        paragraphs[i : i + LINES_PER_MESSAGE] for i in range(0, len(paragraphs), LINES_PER_MESSAGE)
    ]
    replies = []
    for number, page in enumerate(pages, start=1):
        lines = list(page)
        if len(pages) > 1:
            lines.append(
                f"_Part {number} of {len(pages)}"
                + (": continued in the thread_" if number == 1 else "_")
            )
        replies.append(Reply(title=title if number == 1 else None, lines=lines, public=True))
    return replies
