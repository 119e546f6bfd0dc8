"""The weekly leadership digest: a pure function of (register facts, events, time).

It leads with what changed this week and what needs a decision (newly overdue, dates moved,
at risk, escalated); the full overdue list is a count and a pointer, not a page of lines.
Every list it does show is complete. Slack's 50-block limit is met by packing the
sections into several messages: the first goes to the channel, the rest into its thread.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.calendar import WorkingCalendar
from bot.core.messages import Reply, plan_label, theirs
from bot.core.themes import first_spellings, theme_key
from bot.core.when import day, plural, relative, stored_day
from bot.jobs.facts import EventFacts, RegisterFacts
from bot.jobs.leave_digest import away_this_week, unavailable_lines
from bot.jobs.planner import ActionFacts, in_digest_escalations

LINES_PER_MESSAGE = 45  # + a header block: within Slack's 50 blocks per message
MAX_LINE = 2900  # section text is limited to 3,000 characters, counted as Slack shows them
# Slack refuses a message whose blocks hold more than about 12,000 characters in all
# (bolt-js#2509); the Slack renderer budgets 11,000, so a part stays well under that.
CHARS_PER_MESSAGE = 9000
RAG_EMOJI = {"green": "🟢", "amber": "🟠", "red": "🔴"}
STATUS_ORDER = ("not_started", "in_progress", "blocked", "done", "cancelled")
NO_THEME = "No theme"
LISTED_AT_MOST = 10  # a longer "no update" list is a count: the owners' reminders carry it


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str]


@dataclass(frozen=True)
class WeekFacts:
    """What needs a decision this week, across every plan: the digest's first line."""

    newly_overdue: int = 0
    slipped: int = 0
    at_risk: int = 0
    escalated: int = 0
    decisions: frozenset[int] = frozenset()  # the actions behind those counts


def _label(a: ActionFacts) -> str:
    title = a.title if len(a.title) <= 90 else a.title[:89] + "…"
    return f"*{theirs(f'{a.plan_code}:{a.ref}')}* {theirs(title)}"


def _owners(a: ActionFacts) -> str:
    return theirs(", ".join(a.owners)) or "no owner"


def _by_theme(
    actions: list[ActionFacts], line: Callable[[ActionFacts], str], themed: bool
) -> list[str]:
    if not themed:
        return [line(a) for a in actions]
    spelt = first_spellings(a.theme for a in actions)
    groups: dict[str, list[ActionFacts]] = defaultdict(list)
    for a in actions:
        groups[spelt[theme_key(a.theme)] if a.theme and a.theme.strip() else NO_THEME].append(a)
    out = []
    for theme in sorted(groups, key=lambda t: (t == NO_THEME, theme_key(t))):
        out.append(f"_{theirs(theme)}_")
        out.extend(line(a) for a in groups[theme])
    return out


def _totals(actions: list[ActionFacts], open_: list[ActionFacts]) -> str:
    status = Counter(a.status for a in actions)
    rag = Counter(a.rag for a in open_)
    totals = ", ".join(f"{status[s]} {s.replace('_', ' ')}" for s in STATUS_ORDER if status[s])
    text = f"{plural(len(actions), 'action')}: {totals}"
    if open_:
        rags = " ".join(f"{RAG_EMOJI[r]} {rag[r]}" for r in ("green", "amber", "red") if rag[r])
        text += f"\nOpen by RAG: {rags} ⚪ {rag[None]}".replace(":  ⚪", ": ⚪")
    return text


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
    week: dict[str, set[int]] | None = None,
    platform: str = "slack",
    awaiting: frozenset[int] = frozenset(),
) -> list[Section]:
    """One plan's part of the digest: what changed and what needs a decision first, then
    what is done and due; the full overdue list is a count and where to find it (on the
    digest's `platform`).

    `week`, when given, collects the ids behind each "needs a decision" count. Actions in
    `awaiting` (implemented, awaiting verification) are the verifier's turn: not escalated.
    """
    week_ago = now - timedelta(days=7)
    open_ = [a for a in actions if a.is_open]
    ids = {a.action_id for a in actions}
    by_id = {a.action_id: a for a in actions}
    themed = len(first_spellings(a.theme for a in actions)) > 1
    header = Section(theirs(plan_label(code, name)), [_totals(actions, open_)])
    sections: list[Section] = []

    def add(title: str, items: list[ActionFacts], line: Callable[[ActionFacts], str]) -> None:
        if items:
            sections.append(Section(f"{title} ({len(items)})", _by_theme(items, line, themed)))

    def note(kind: str, items: Iterable[ActionFacts | int]) -> None:
        if week is not None:
            week.setdefault(kind, set()).update(
                i if isinstance(i, int) else i.action_id for i in items
            )

    overdue = sorted((a for a in open_ if a.due and a.due < today), key=lambda a: (a.due, a.ref))
    newly = [a for a in overdue if a.due and a.due >= today - timedelta(days=7)]

    def late(a: ActionFacts) -> str:
        assert a.due is not None
        return f"• {_label(a)}: {_owners(a)}, due {day(a.due, today)} ({relative(a.due, today)})"

    # What needs a decision: newly overdue, dates moved, at risk, escalated.
    add("Newly overdue this week", newly, late)
    note("newly_overdue", newly)

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
            why = f"because {theirs(e.note)}" if e.note else "no reason given"
            old = e.old or moved_from.get((e.action_id, e.at))
            lines.append(
                f"• {_label(a)}: {stored_day(old, today)} → {stored_day(e.new, today)}, {why} "
                f"(moved {plural(a.slip_count, 'time')})"
            )
        sections.append(Section(f"Dates moved this week ({len(revisions)})", lines))
        note("slipped", [e.action_id or 0 for e in revisions])

    risky = sorted(
        (a for a in open_ if a.rag in ("amber", "red")), key=lambda a: (a.rag != "red", a.ref)
    )
    add(
        "At risk or off track",
        risky,
        lambda a: (
            f"{RAG_EMOJI[a.rag or 'amber']} {_label(a)}: {_owners(a)}. "
            f"Latest: {theirs(a.latest_update) if a.latest_update else '(no note)'}"
        ),
    )
    note("at_risk", risky)

    escalations = [
        a for a in overdue if a.action_id not in awaiting and in_digest_escalations(a, today, cal)
    ]
    add(
        "Escalated: 20+ working days overdue, no update",
        escalations,
        lambda a: (
            f"🚨 {_label(a)}: {_owners(a)}, "
            f"{plural(cal.working_days_after(a.due or today, today), 'working day')} overdue"
        ),
    )
    note("escalated", escalations)

    # What went well, and what comes next.
    done_ids = [
        e.action_id
        for e in events
        if e.field == "status" and e.new == "done" and e.at >= week_ago and e.action_id in ids
    ]
    add(
        "Done this week",
        [by_id[i] for i in dict.fromkeys(done_ids) if i is not None],
        lambda a: f"✅ {_label(a)}: {_owners(a)}",
    )
    soon = sorted(
        (a for a in open_ if a.due and today <= a.due <= today + timedelta(days=14)),
        key=lambda a: (a.due, a.ref),
    )
    add(
        "Due in the next 14 days",
        soon,
        lambda a: f"• {_label(a)}: {_owners(a)}, due {day(a.due or today, today)}",
    )
    stale_before = now - timedelta(days=30)
    stale = [a for a in open_ if (a.last_update or created.get(a.action_id, now)) < stale_before]
    if len(stale) <= LISTED_AT_MOST:
        add("No update in 30 days", stale, lambda a: f"• {_label(a)}: {_owners(a)}")
    else:
        count = plural(len(stale), "open action has", "open actions have")
        sections.append(
            Section(
                f"No update in 30 days ({len(stale)})",
                [f"{count} had no update in 30 days. Owners see them in `/action mine`."],
            )
        )

    if overdue:
        oldest = overdue[0].due or today
        count = plural(len(overdue), "action is past its", "actions are past their")
        sections.append(
            Section(
                f"Overdue in all ({len(overdue)})",
                [
                    f"{count} due date, the oldest due {day(oldest, today)} "
                    f"({relative(oldest, today)}). "
                    f"The full list: {overdue_pointer(code, platform)}."
                ],
            )
        )
    return [header, *sections]


def overdue_pointer(code: str, platform: str = "slack") -> str:
    """Where the full overdue list lives, for every reader: chat (and Slack's App Home), the
    terminal."""
    if platform == "slack":
        return f"`/action overdue` or actionbot's Home tab, or `actionbot show --plan {code}`"
    return f"`/action overdue` in a chat with actionbot, or `actionbot show --plan {code}`"


def build_digest(
    facts: RegisterFacts,
    events: list[EventFacts],
    *,
    now: datetime,
    today: date,
    cal: WorkingCalendar,
    failures: Iterable[str] = (),
    unreachable: dict[str, list[str]] | None = None,
    week: dict[str, set[int]] | None = None,
    report_lines: dict[str, list[str]] | None = None,
    platform: str = "slack",
    awaiting: frozenset[int] = frozenset(),
) -> list[Section]:
    """Every plan's sections, then what admins should fix: messages that were sent and
    failed, and, apart from them, owners nobody can reach (never messaged at all)."""
    by_plan: dict[str, list[ActionFacts]] = defaultdict(list)
    for a in facts.actions:
        by_plan[a.plan_code].append(a)
    sections: list[Section] = []
    for code in sorted(by_plan):
        sections += with_report_lines(
            plan_sections(
                code,
                facts.plans.get(code, code),
                by_plan[code],
                events,
                now=now,
                today=today,
                cal=cal,
                created=facts.created,
                week=week,
                platform=platform,
                awaiting=awaiting,
            ),
            (report_lines or {}).get(code, []),
        )
    away = away_this_week(facts.roster, today)
    if away:
        sections.append(Section(f"Away this week ({len(away)})", away))
    stranded = unavailable_lines(facts.actions, facts.roster, today)
    if stranded:
        sections.append(Section(f"Nobody available today ({len(stranded)})", stranded))
    failed = [f"• {f}" for f in failures]
    if failed:
        sections.append(Section("For admins: messages that could not be delivered", failed))
    unmapped = [
        f"• {theirs(owner)}: {theirs(', '.join(refs))}"
        for owner, refs in sorted((unreachable or {}).items())
    ]
    if unmapped:
        sections.append(
            Section("For admins: owners nobody is mapped to (they get no reminders)", unmapped)
        )
    if not sections:
        sections.append(
            Section("No plans yet", ["Import one with `actionbot import PLAN.csv --plan CODE`."])
        )
    return sections


def week_facts(week: dict[str, set[int]]) -> WeekFacts:
    return WeekFacts(
        newly_overdue=len(week.get("newly_overdue", set())),
        slipped=len(week.get("slipped", set())),
        at_risk=len(week.get("at_risk", set())),
        escalated=len(week.get("escalated", set())),
        decisions=frozenset(set().union(*week.values()) if week else set()),
    )


def digest_title(week: WeekFacts, today: date) -> str:
    """The digest's first line (the notification): the count that needs a decision, then
    what it is made of."""
    parts = [
        f"{week.newly_overdue} newly overdue" if week.newly_overdue else "",
        f"{week.slipped} slipped" if week.slipped else "",
        f"{week.at_risk} at risk" if week.at_risk else "",
        f"{week.escalated} escalated" if week.escalated else "",
    ]
    made_of = ", ".join(p for p in parts if p)
    count = len(week.decisions)
    lead = (
        f"{plural(count, 'action')} need{'s' if count == 1 else ''} a decision"
        if count
        else "No action needs a decision"
    )
    return (
        f"{lead} this week"
        + (f" ({made_of})" if made_of else "")
        + (f": weekly digest, {day(today, today)}")
    )


def shown_length(text: str) -> int:
    """Characters once escaped for a chat platform (`&` → `&amp;`, `<` → `&lt;`, …): the
    length Slack counts against its limits, whatever the text holds."""
    return len(text) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">"))


def _fitting(line: str, limit: int) -> int:
    """The longest prefix of `line` whose shown length is within `limit`."""
    if shown_length(line) <= limit:
        return len(line)
    low, high = 0, min(len(line), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if shown_length(line[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return max(low, 1)


def with_report_lines(sections: list[Section], lines: list[str]) -> list[Section]:
    """The plan's sections with lines from bot/reports (the chart's figures, how reminders
    are answered) added to its summary."""
    if not lines or not sections:
        return sections
    first = sections[0]
    return [Section(first.title, [*first.lines, *lines]), *sections[1:]]


def _chunks(section: Section) -> list[str]:
    """The section as mrkdwn paragraphs of at most MAX_LINE characters, nothing dropped."""
    paragraphs: list[str] = []
    current = f"*{section.title}*"
    for line in section.lines:
        while shown_length(line) > MAX_LINE:  # one enormous line: split it, marking the break
            paragraphs.append(current)
            cut = _fitting(line, MAX_LINE - 1)
            current, line = line[:cut] + "…", "…" + line[cut:]
        if shown_length(current) + 1 + shown_length(line) > MAX_LINE:
            paragraphs.append(current)
            current = f"*{section.title}* (continued)\n{line}"
        else:
            current = f"{current}\n{line}"
    paragraphs.append(current)
    return paragraphs


def digest_replies(sections: list[Section], *, title: str) -> list[Reply]:
    """Messages of at most LINES_PER_MESSAGE paragraphs and CHARS_PER_MESSAGE characters:
    the first for the channel, the rest for its thread, each saying where it is in the
    series."""
    paragraphs = [p for s in sections for p in _chunks(s)]
    pages: list[list[str]] = [[]]
    size = 0
    for paragraph in paragraphs:
        cost = shown_length(paragraph)
        if pages[-1] and (len(pages[-1]) >= LINES_PER_MESSAGE or size + cost > CHARS_PER_MESSAGE):
            pages.append([])
            size = 0
        pages[-1].append(paragraph)
        size += cost
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
