"""`actionbot stats` as terminal tables (rich)."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table

from bot.reports.stats import GroupStats, NudgeStats, percent

HEADERS = (
    "Reminders",
    "Answered ≤1 wd",
    "Answered ≤3 wd",
    "Median days to update",
    "Updated only after escalation",
    "Silent owners",
    "Slips per action",
)


def _row(group: GroupStats) -> list[str]:
    return [
        str(group.reminders),
        percent(group.share_1),
        percent(group.share_3),
        "n/a" if group.median_days is None else f"{group.median_days:.1f}",
        str(group.after_escalation),
        str(group.silent_owners),
        f"{group.slips_per_action:.2f}",
    ]


def _table(title: str, first: str, groups: list[GroupStats], *, with_plan: bool) -> Table:
    table = Table(title=title, title_justify="left")
    if with_plan:
        table.add_column("Plan")
    table.add_column(first)
    for header in HEADERS:
        table.add_column(header, justify="right")
    for group in groups:
        table.add_row(*([group.plan] if with_plan else []), group.name, *_row(group))
    return table


def stats_tables(stats: NudgeStats) -> Group:
    window = f"since {stats.since:%d %b %Y}" if stats.since else "all time"
    owners = [g for g in stats.owners if g.reminders]
    return Group(
        _table(
            f"Reminders by plan ({window}; wd = working days)", "Plan", stats.plans, with_plan=False
        ),
        _table("By theme", "Theme", stats.themes, with_plan=True),
        _table("By owner (owners reminded at least once)", "Owner", owners, with_plan=False),
    )
