"""Rich renderables for the terminal: the register, import reports, owners, plans."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.messages import ActionCard, Reply
from bot.services.imports import ImportReport
from bot.services.owners import OwnerRow
from bot.when import day
from store.models import Action, Plan

RAG_STYLE = {"green": "green", "amber": "yellow", "red": "red"}


def _short(text: str | None, width: int = 70) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def register_table(plan: Plan, actions: Sequence[Action]) -> Table:
    table = Table(title=f"{plan.code}: {plan.name} ({len(actions)} actions)", show_lines=False)
    for column in ("Ref", "Theme", "Action", "Owners", "Due", "Status", "RAG"):
        table.add_column(column, overflow="fold")
    for a in actions:
        due = day(a.due_date) if a.due_date else "-"
        if a.due_date and not (a.revised_target_date or a.target_date):
            due += " (plan default)"
        rag = Text(a.rag or "-", style=RAG_STYLE.get(a.rag or "", ""))
        table.add_row(
            a.ref,
            _short(a.theme, 24),
            _short(a.title, 60),
            _short(", ".join(a.owner_names), 40),
            due,
            a.status.replace("_", " "),
            rag,
        )
    return table


def import_report_view(report: ImportReport, *, verbose: bool) -> RenderableType:
    parts: list[RenderableType] = []
    heading = ("DRY RUN: nothing written. " if report.dry_run else "") + report.summary
    parts.append(Text(heading, style="bold"))
    parts.append(
        Text(
            f"Read as {report.encoding}, delimiter {report.delimiter!r}; columns: "
            + ", ".join(f"{f}←{h!r}" for f, h in report.columns),
            style="dim",
        )
    )
    if verbose:
        changes = Table(title="Changes", show_lines=False)
        for column in ("Ref", "Outcome", "Field", "Old", "New"):
            changes.add_column(column, overflow="fold")
        for result in report.results:
            if result.outcome == "added":
                changes.add_row(result.ref, "added", "", "", "")
            for change in result.changes:
                changes.add_row(
                    result.ref,
                    "changed",
                    change.field,
                    _short(change.old, 40),
                    _short(change.new, 40),
                )
        if changes.row_count:
            parts.append(changes)
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
    if report.warnings:
        parts.append(Text(f"Warnings ({len(report.warnings)}):", style="yellow"))
        parts.extend(Text("  - " + w, style="yellow") for w in report.warnings)
    return Group(*parts)


def owners_table(rows: Sequence[OwnerRow]) -> Table:
    table = Table(title=f"Owners ({len(rows)})")
    for column in ("Owner", "Actions", "Email", "Slack", "Escalate to", "Reachable"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r.name,
            str(r.actions),
            r.email or "-",
            r.slack_user_id or "-",
            r.escalate_to or "-",
            r.reachable,
        )
    return table


def plans_table(plans: Sequence[tuple[Plan, int]]) -> Table:
    table = Table(title="Plans")
    for column in ("Code", "Name", "Actions", "Default due", "Source file"):
        table.add_column(column, overflow="fold")
    for plan, count in plans:
        table.add_row(
            plan.code,
            plan.name,
            str(count),
            day(plan.default_due) if plan.default_due else "-",
            plan.source_file or "-",
        )
    return table


# *bold*, _emphasis_ and `code` as the neutral model writes them, each starting and ending
# at a word boundary (so snake_case and a*b stay as they are).
_MARKUP = re.compile(r"(?<![\w*_`])(\*[^*\n]+\*|_[^_\n]+_|`[^`\n]+`)(?![\w*_`])")
_MARKUP_STYLE = {"*": "bold", "_": "italic", "`": "cyan"}


def inline(text: str) -> Text:
    """Markdown-ish emphasis rendered as terminal styles; the markers are not printed."""
    out = Text()
    position = 0
    for match in _MARKUP.finditer(text):
        out.append(text[position : match.start()])
        token = match.group(0)
        out.append(token[1:-1], style=_MARKUP_STYLE[token[0]])
        position = match.end()
    out.append(text[position:])
    return out


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
        parts.extend(Text("  " + update, style="dim") for update in card.updates)
    return parts


def reply_view(reply: Reply, *, heading: str | None = None) -> RenderableType:
    """A neutral reply as the terminal shows it (dry runs, the console demo)."""
    parts: list[RenderableType] = []
    if heading:
        parts.append(Text(heading, style="bold cyan"))
    if reply.title:
        parts.append(Text(reply.title, style="bold"))
    parts.extend(inline(line) for line in reply.lines)
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
