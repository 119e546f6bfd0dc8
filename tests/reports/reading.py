"""Reading a committee pack's paper in tests: sections by key, rows as {header: text}."""

from __future__ import annotations

from datetime import datetime

from bot.core.runtime import Runtime
from bot.reports.content import Paper, Section, Table
from bot.services.packs import preview_report
from store.models import IssuedPack

TZ = "Europe/London"


def draft(runtime: Runtime, now: datetime, since: datetime | None = None) -> Paper:
    """The draft pack as of `now` (what `report` previews), as its paper."""
    with runtime.sessions() as session:
        made = preview_report(session, plan_code="NCC", fmt="html", now=now, tz=TZ, since=since)
        return made.paper


def issued(runtime: Runtime, number: int) -> Paper:
    with runtime.sessions() as session:
        row = session.get(IssuedPack, number)
        assert row is not None
        return Paper.from_json(row.content)


def section(paper: Paper, key: str) -> Section:
    [found] = [s for s in paper.sections if s.key == key]
    return found


def rows(table: Table) -> list[dict[str, str]]:
    headers = [c.header for c in table.columns]
    return [dict(zip(headers, (c.text for c in row), strict=True)) for row in table.rows]


def refs(paper: Paper, key: str) -> list[str]:
    [table] = section(paper, key).tables
    return [row["Ref"] for row in rows(table)]


def figures(paper: Paper) -> dict[str, tuple[str, ...]]:
    """The "at a glance" figures: label → (now, then, change) as printed."""
    out: dict[str, tuple[str, ...]] = {}
    for table in section(paper, "glance").tables:
        for row in table.rows:
            out[row[0].text] = tuple(c.text for c in row[1:])
    return out
