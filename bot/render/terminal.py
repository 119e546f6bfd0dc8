"""Rich renderables for the terminal: the register, import reports, owners, plans, and the
neutral messages as the console door shows them.

Text from plans and people is put into `Text` objects, never into rich markup strings, so a
title holding `[bold]` is shown as written: this is where the terminal's escaping happens.
Everything wraps at word boundaries to the console's width; a table drops the columns that do
not fit rather than squeezing them into one-letter strips.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from bot.core.messages import ActionCard, Button, Reply, plain, plan_label, spans
from bot.core.when import day, day_text, moment, plural

if TYPE_CHECKING:
    # Type-only: the importer and services stay unloaded for commands that only list plans.
    from bot.services.imports.apply import ImportReport
    from bot.services.people.owners import OwnerRow


class PlanShown(Protocol):
    """What a plan table shows: a `store.models.Plan` (or anything shaped like one)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def default_due(self) -> date | None: ...
    @property
    def source_file(self) -> str | None: ...
    @property
    def archived_at(self) -> datetime | None: ...
    @property
    def options(self) -> dict[str, Any] | None: ...


def closure_cell(plan: PlanShown) -> Text:
    """Who verifies an owner's "done" and who approves new dates (`plans set`), as written."""
    options = plan.options or {}
    lines = [
        f"{said} {found['name']}"
        for duty, said in (("verify_by", "verified by"), ("approve_dates_by", "dates approved by"))
        if isinstance(found := options.get(duty), dict)
    ]
    return Text("\n".join(lines) or "-")


class ActionShown(Protocol):
    """What a register table shows: a `store.models.Action` (or anything shaped like one)."""

    @property
    def ref(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def theme(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def rag(self) -> str | None: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def target_date(self) -> date | None: ...
    @property
    def revised_target_date(self) -> date | None: ...
    @property
    def owner_names(self) -> list[str]: ...


RAG_STYLE = {"green": "green", "amber": "yellow", "red": "red"}


def _short(text: str | None, width: int = 70) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def register_table(plan: PlanShown, actions: Sequence[ActionShown], *, width: int = 80) -> Table:
    columns = (
        Column("Ref"),
        Column("Action", wrap=True, min_width=20),
        Column("Due"),
        Column("Status", priority=1),
        Column("RAG", priority=2),
        Column("Owners", priority=3, wrap=True, min_width=14),
        Column("Theme", priority=4, wrap=True, min_width=12),
    )
    rows: list[list[str | Text]] = []
    for a in actions:
        due = day(a.due_date) if a.due_date else "-"
        if a.due_date and not (a.revised_target_date or a.target_date):
            due += "*"
        rows.append(
            [
                a.ref,
                _short(a.title, 90),
                due,
                a.status.replace("_", " "),
                Text(a.rag or "-", style=RAG_STYLE.get(a.rag or "", "")),
                _short(", ".join(a.owner_names), 60),
                _short(a.theme, 40),
            ]
        )
    title = f"{plan_label(plan.code, plan.name)} ({plural(len(actions), 'action')})"
    closure = closure_cell(plan).plain.replace("\n", ", ")
    if closure != "-":
        title += f"; {closure}"
    table = fitted_table(columns, rows, width=width, title=Text(title))
    if any(a.due_date and not (a.revised_target_date or a.target_date) for a in actions):
        table.caption = "* the plan's default due date: the plan gives none for this action"
        table.caption_justify = "left"
    return table


def import_report_view(report: ImportReport, *, verbose: bool, width: int = 80) -> RenderableType:
    parts = _import_report_head(report, verbose=verbose, width=width)
    parts.extend(read_from_prose(report))
    warnings = report.plan_warnings
    if warnings:
        parts.append(Text(f"Warnings ({len(warnings)}):", style="yellow"))
        parts.extend(Text("  - " + w, style="yellow") for w in warnings)
    if report.undated:
        parts.append(undated_warning(report.plan_code, report.undated))
    return Group(*parts)


def print_import_report(console: Console, report: ImportReport, *, verbose: bool) -> None:
    """`import_report_view` printed, with the warnings one line each, wrapped by the terminal:
    rich laying out the 3,000 warnings of a 10,000-row plan cost the CLI 0.15 s."""
    console.print(Group(*_import_report_head(report, verbose=verbose, width=console.width)))
    for part in read_from_prose(report):
        console.print(part, soft_wrap=True)
    warnings = report.plan_warnings
    if warnings:
        console.print(Text(f"Warnings ({len(warnings)}):", style="yellow"))
        lines = Text("\n".join("  - " + w for w in warnings), style="yellow")
        console.print(lines, soft_wrap=True)
    if report.undated:
        console.print(undated_warning(report.plan_code, report.undated))


def _import_report_head(report: ImportReport, *, verbose: bool, width: int) -> list[RenderableType]:
    parts: list[RenderableType] = []
    heading = ("DRY RUN: nothing written. " if report.dry_run else "") + report.summary
    parts.append(Text(heading, style="bold"))
    read_as = f"Read as {report.read_as or f'{report.encoding}, delimiter {report.delimiter!r}'}"
    if not report.from_prose:
        read_as += "; columns: " + ", ".join(f"{f}←{h!r}" for f, h in report.columns)
    parts.append(Text(read_as, style="dim"))
    if verbose:
        rows: list[list[str | Text]] = []
        for result in report.results:
            # Actions read from prose are listed in full by `read_from_prose`.
            if result.outcome == "added" and not report.from_prose:
                rows.append([result.ref, "added", "", "", ""])
            for change in result.changes:
                old, new = _short(change.old, 60), _short(change.new, 60)
                rows.append([result.ref, "changed", change.field, old, new])
        if rows:
            columns = (
                Column("Ref"),
                Column("Outcome"),
                Column("Field", priority=1),
                Column("Old", priority=2, wrap=True, min_width=12),
                Column("New", priority=2, wrap=True, min_width=12),
            )
            parts.append(fitted_table(columns, rows, width=width, title="Changes"))
    if report.missing:
        parts.append(
            Text(
                "In the register but not in the file (kept"
                + (", archived" if report.archived else "; --archive-missing cancels them")
                + "): "
                + ", ".join(report.missing),
                style="yellow",
            )
        )
    return parts


def read_from_prose(report: ImportReport) -> list[Text]:
    """Every action read from minutes or a report with the page and the words it came
    from, then what was read but is not an action, and why: the admin checks these
    against the paper before anything is imported."""
    if not report.from_prose:
        return []
    what = "the minutes" if report.kind == "minutes" else "the report"
    outcome = {r.ref: r.outcome for r in report.results}
    lines = [
        Text(
            f"Read from {what}: {plural(len(report.read), 'action')}, each with where it is "
            "and the words it came from:",
            style="bold",
        )
    ]
    for item in report.read:
        line = Text("  ")
        line.append(item.ref, style="bold")
        line.append(f"  {item.where}")
        if item.theme:
            line.append("  ")
            line.append(item.theme, style="dim")
        if outcome.get(item.ref) not in (None, "added"):
            line.append(f"  ({outcome[item.ref]})", style="dim")
        line.append("\n    owner: ")
        line.append(", ".join(item.owners) if item.owners else "none named")
        line.append("; due: ")
        if item.due is not None:
            line.append(day(item.due))
            if item.due_text:
                line.append(f" ({item.due_text!r})")
        else:
            line.append(f"none ({item.due_text!r})" if item.due_text else "none given")
        line.append("\n    “")
        line.append(item.source)
        line.append("”")
        for flag in item.flags:
            line.append("\n    check: " + flag, style="yellow")
        lines.append(line)
    if report.not_actions:
        lines.append(Text(f"Not actions ({len(report.not_actions)}), not imported:", style="bold"))
        for not_action in report.not_actions:
            line = Text("  ")
            if not_action.ref:
                line.append(not_action.ref + "  ", style="bold")
            line.append(f"{not_action.where}: {not_action.why}\n    “")
            line.append(not_action.text)
            line.append("”")
            lines.append(line)
    return lines


def undated_warning(code: str, count: int) -> Text:
    """Said in bold wherever a plan's actions have no due date: nobody will be reminded."""
    text = Text(style="bold yellow")
    text.append(
        f"{count} action{'s' * (count != 1)} in {code} {'have' if count != 1 else 'has'} no due "
        "date, so no reminder will go out for "
        f"{'them' if count != 1 else 'it'} (only a monthly check-in). Give the plan a date: "
    )
    from bot.services.plans import default_due_fix

    text.append(default_due_fix(code), style="bold cyan")
    return text


def owners_table(rows: Sequence[OwnerRow], *, width: int = 80) -> Table:
    columns = (
        Column("Owner", wrap=True, min_width=14),
        Column("Actions"),
        Column("Email", priority=1, wrap=True, min_width=22),
        Column("Reachable", priority=2, wrap=True, min_width=14),
        Column("Slack", priority=3),
        Column("Escalate to", priority=4),
    )
    table_rows = [
        [
            r.name,
            str(r.actions),
            r.email or "-",
            r.reachable,
            r.slack_user_id or "-",
            r.escalate_to or "-",
        ]
        for r in rows
    ]
    return fitted_table(columns, table_rows, width=width, title=f"Owners ({len(rows)})")


def plans_table(plans: Sequence[tuple[PlanShown, int]], *, width: int = 80) -> Table:
    columns = (
        Column("Code"),
        Column("Name", wrap=True, min_width=20),
        Column("Actions"),
        Column("Closure", priority=1, wrap=True, min_width=16),
        Column("Default due", priority=2),
        Column("Source file", priority=3, wrap=True, min_width=12),
    )
    # Text, not str: rich would read "[...]" in a plan's or a person's name as its markup.
    rows: list[list[str | Text]] = [
        [
            Text(plan.code),
            Text(plan.name + (f" (archived {day(plan.archived_at)})" if plan.archived_at else "")),
            str(count),
            closure_cell(plan),
            day(plan.default_due) if plan.default_due else "-",
            Text(plan.source_file or "-"),
        ]
        for plan, count in plans
    ]
    return fitted_table(columns, rows, width=width, title="Plans")


# -- the neutral messages ------------------------------------------------------------------

_SPAN_STYLE = {"bold": "bold", "em": "italic", "code": "cyan", "": ""}


def inline(text: str) -> Text:
    """The neutral markup (bot.core.messages.spans) as terminal styles; the marks are not
    printed, and text from plans and people shows exactly as written."""
    out = Text()
    for span in spans(text):
        out.append(span.text, style=_SPAN_STYLE[span.style])
    return out


def _dim(line: str) -> Text:
    text = inline(line)
    text.stylize("dim")
    return text


def _card_view(card: ActionCard) -> list[RenderableType]:
    rag = Text(f"[{card.rag or '-'}] ", style=RAG_STYLE.get(card.rag or "", ""))
    if not card.detail:
        title = _short(card.title, 60)
        return [rag + Text(f"{card.label} ", style="bold") + Text(f"{title}: {card.due_label}")]
    parts: list[RenderableType] = [
        Text(f"{card.label} ", style="bold") + Text(card.title or "(no title)"),
        rag + Text(" · ".join(card.facts)),
    ]
    for detail in card.details:
        parts.append(Text(f"{detail.label}:", style="bold"))
        parts.extend(Text("  " + line) for line in detail.text.splitlines())
    if card.updates:
        parts.append(Text("History:", style="bold"))
        parts.extend(Text("  ", style="dim") + _dim(update) for update in card.updates)
    return parts


def reply_view(reply: Reply, *, heading: str | None = None) -> RenderableType:
    """A neutral reply as the terminal shows it (dry runs, the console demo)."""
    parts: list[RenderableType] = []
    if heading:
        parts.append(Text(heading, style="bold cyan"))
    if reply.title:
        parts.append(Text(plain(reply.title), style="bold"))
    parts.extend(inline(line) for line in reply.lines)
    parts.extend(inline(row.text) for row in reply.rows)
    for card in reply.cards:
        parts.extend(_card_view(card))
    for index, choice in enumerate(reply.choices, start=1):
        parts.append(Text(f"  {index}. {choice.label}"))
    parts.extend(inline(line) for line in reply.footer)
    return Group(*parts)


def plain_text(renderable: RenderableType, *, width: int = 100) -> str:
    """What the terminal shows, without colours: for golden transcripts and logs."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


# -- the console door's rendering: the same model, every button a numbered choice -----------

_LINK = re.compile(r"<([^|>\s]+)\|([^>]+)>")
STATUS_STYLE = {"done": "green", "blocked": "red", "cancelled": "dim"}


def markup_text(line: str, *, style: str = "") -> Text:
    """A neutral line with its emphasis rendered (see `inline`), in `style`."""
    text = inline(_LINK.sub(r"\2", line))
    if style:
        text.stylize(style)
    return text


def card_view(card: ActionCard, *, first_choice: int = 1) -> tuple[RenderableType, list[Button]]:
    """One action for the console: the headline whole (it wraps), the facts under it, a
    detail view's details and history, and its buttons as numbered choices. Returns the
    renderable and the buttons in the order they are numbered."""
    parts: list[RenderableType] = [
        Text(card.label, style="bold") + Text(" " + " ".join((card.title or "(no title)").split()))
    ]
    facts = Text()
    if card.rag:
        facts.append(f"[{card.rag}] ", style=RAG_STYLE.get(card.rag, ""))
    facts.append(" · ".join(card.facts))
    parts.append(Padding(facts, (0, 0, 0, 2)))
    for detail in card.details:
        parts.append(Padding(Text(f"{detail.label}:", style="bold"), (0, 0, 0, 2)))
        parts.extend(Padding(Text(line), (0, 0, 0, 4)) for line in detail.text.splitlines())
    if card.updates:
        parts.append(Padding(Text("History:", style="bold"), (0, 0, 0, 2)))
        parts.extend(Padding(_dim(u), (0, 0, 0, 4)) for u in card.updates)
    buttons = card.button_list()
    if buttons:
        parts.append(Padding(choices_line(buttons, first_choice), (0, 0, 0, 2)))
    return Group(*parts), buttons


def choices_line(buttons: Sequence[Button], first: int = 1) -> Text:
    line = Text()
    for number, button in enumerate(buttons, start=first):
        if number > first:
            line.append("  ")
        line.append(f"[{number}]", style="bold magenta")
        line.append(f"\u00a0{button.label}")  # a label never wraps away from its number
    return line


@dataclass
class ReplyView:
    renderable: RenderableType
    choices: list[Button]  # choice n is choices[n - 1]


def reply_render(reply: Reply, *, heading: str | None = None) -> ReplyView:
    """A neutral reply for the console door, its buttons numbered in order of appearance."""
    parts: list[RenderableType] = []
    if heading:
        parts.append(Text(heading, style="bold cyan"))
    if reply.title:
        parts.append(markup_text(reply.title, style="bold"))
    for line in reply.lines:
        parts.append(markup_text(line, style="" if reply.ok else "red"))
    choices: list[Button] = []
    for row in reply.rows:
        # The line says what to type; its number asks the door for the same hint.
        choices.append(row.button)
        parts.append(Group(markup_text(row.text), choices_line([row.button], len(choices))))
    for card in reply.cards:
        view, buttons = card_view(card, first_choice=len(choices) + 1)
        parts.append(view)
        choices += buttons
    if reply.choices:
        parts.append(choices_line(reply.choices, len(choices) + 1))
        choices += reply.choices
    parts.extend(markup_text(line) for line in reply.footer)
    return ReplyView(Group(*parts), choices)


# -- tables that fit ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A table column. `wrap` columns shrink to `min_width` and wrap at words; the others
    need their widest cell. When the table is too wide, columns go in `priority` order
    (highest number first) until it fits."""

    name: str
    priority: int = 0
    wrap: bool = False
    min_width: int = 12


def fitted_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str | Text]],
    *,
    width: int,
    title: str | Text | None = None,
) -> Table:
    """A table no wider than `width`; columns that cannot fit are dropped, not squeezed."""
    keep = list(range(len(columns)))

    def natural(index: int) -> int:
        cells = [columns[index].name, *(row[index] for row in rows)]
        return max(Text(line).cell_len for c in cells for line in str(c).split("\n"))

    def needed(index: int) -> int:
        column = columns[index]
        return min(natural(index), column.min_width) if column.wrap else natural(index)

    # A boxed table spends 3 cells per column (two of padding, one rule) and 1 more.
    def overhead() -> int:
        return 3 * len(keep) + 1

    while len(keep) > 1 and sum(needed(i) for i in keep) + overhead() > width:
        keep.remove(max(keep, key=lambda i: (columns[i].priority, i)))
    # Wrapping columns share what is left, each up to its natural width.
    widths = {i: needed(i) for i in keep}
    spare = width - overhead() - sum(widths.values())
    growing = [i for i in keep if columns[i].wrap and natural(i) > widths[i]]
    while spare > 0 and growing:
        share = max(spare // len(growing), 1)
        for i in list(growing):
            grow = min(share, natural(i) - widths[i], spare)
            widths[i] += grow
            spare -= grow
            if widths[i] >= natural(i):
                growing.remove(i)
    table = Table(title=title, title_justify="left")
    for i in keep:
        column = columns[i]
        table.add_column(
            column.name,
            no_wrap=not column.wrap,
            overflow="fold" if column.wrap else "ellipsis",
            width=widths[i],
        )
    for row in rows:
        table.add_row(*[row[i] for i in keep])
    return table


# -- one action, whole ------------------------------------------------------------------------


def action_view(record: dict[str, Any], *, tz: str, today: date) -> RenderableType:
    """Everything about one action (an export record): the plan's words beside what
    actionbot read from them, and its history, dates and times as people read them."""
    parts: list[RenderableType] = [
        Text(f"{record['plan']}:{record['ref']}", style="bold") + Text(" " + record["title"])
    ]

    def field(label: str, value: object, style: str = "") -> None:
        if value in (None, "", [], {}):
            return
        parts.append(Text(f"{label}: ", style="bold") + Text(str(value), style=style))

    def shown(value: str | None, none: str) -> str:
        return day_text(value, today) if value else none

    field("Theme", record.get("theme"))
    field("Section", record.get("section"))
    field("Owners", ", ".join(record.get("owners") or []) or "nobody yet")
    field("Status", str(record["status"]).replace("_", " "))
    field("RAG", record.get("rag"), RAG_STYLE.get(record.get("rag") or "", ""))
    field("Due", shown(record.get("due_date"), "no due date"))
    written = record.get("target_text")
    field(
        "Target as written",
        f"{written!r} → read as {shown(record.get('target_date'), 'no date')}" if written else None,
    )
    revised = record.get("revised_text")
    field(
        "Revised as written",
        f"{revised!r} → read as {shown(record.get('revised_target_date'), 'no date')}"
        if revised
        else None,
    )
    if record.get("due_date") and not (
        record.get("target_date") or record.get("revised_target_date")
    ):
        field("Due date from", "the plan's default due date")
    field("Milestones", ", ".join(day_text(m, today) for m in record.get("milestones") or []))
    field("Recurs", record.get("recurrence"))
    field("Slipped", plural(record["slip_count"], "time") if record.get("slip_count") else None)
    field("Outcome", record.get("outcome"))
    field("Latest update", record.get("latest_update"))
    tasks = record.get("tasks") or []
    if tasks:
        parts.append(Text("Tasks:", style="bold"))
        parts.extend(Padding(Text(f"• {t}"), (0, 0, 0, 2)) for t in tasks)
    for flag in record.get("flags") or []:
        parts.append(Text(f"Flag: {flag}", style="yellow"))
    for header, value in (record.get("extra") or {}).items():
        field(header, value, "dim")
    history = record.get("history") or []
    if history:
        parts.append(Text(f"History ({len(history)}):", style="bold"))
        for e in history:
            old, new = (shown(e[side], "-") for side in ("old", "new"))
            what = (
                e["note"]
                if e["field"] == "note"
                else f"{e['field']} {old} → {new}" + (f" ({e['note']})" if e.get("note") else "")
            )
            at = moment(datetime.fromisoformat(e["at"]), tz, today)
            line = Text(f"{at} ", style="dim")
            line.append(f"{e['actor']} via {e['source']}: ", style="cyan")
            line.append(what or "")
            parts.append(Padding(line, (0, 0, 0, 2)))
    return Group(*parts)
