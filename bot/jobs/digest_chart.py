"""The digest's pictures and its nudge line: kept apart from the digest's wording.

Each plan's RAG-by-theme chart goes out as its own outbox row, after the digest text and
into its thread, so a failed upload is retried and reported like any delivery and never
holds the text back.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.jobs.calendar import WorkingCalendar
from bot.jobs.facts import RegisterFacts
from bot.reports.chart import (
    ChartItem,
    alt_text,
    chart_title,
    figures,
    render_chart,
    theme_rows,
)
from bot.reports.stats import digest_line, nudge_stats
from store.outbox import enqueue

log = logging.getLogger(__name__)

CHART_KIND = "digest_chart"
STATS_WINDOW = timedelta(days=28)


@dataclass(frozen=True)
class DigestChart:
    plan_code: str
    filename: str
    title: str
    alt_text: str
    png: bytes
    summary: str  # the chart's figures as a line of the digest's text


def digest_charts(facts: RegisterFacts, *, today: date) -> list[DigestChart]:
    """One chart per plan, from the same facts as the digest text."""
    by_plan: dict[str, list[ChartItem]] = {}
    for a in facts.actions:
        by_plan.setdefault(a.plan_code, []).append(ChartItem(a.theme, a.status, a.rag, a.due))
    charts = []
    for code in sorted(by_plan):
        rows = theme_rows(by_plan[code], today=today)
        title = chart_title(code, today)
        try:
            png = render_chart(rows, title=title)
        except Exception:  # noqa: BLE001 - a picture must never hold the digest's text back
            log.exception("could not draw the chart for plan %s; the digest goes without it", code)
            continue
        charts.append(
            DigestChart(
                plan_code=code,
                filename=f"{code}-rag-by-theme-{today.isoformat()}.png",
                title=title,
                alt_text=alt_text(code, rows, today),
                png=png,
                summary=f"Chart by theme (in the thread): {figures(rows)}",
            )
        )
    return charts


def enqueue_charts(
    session: Session,
    charts: list[DigestChart],
    *,
    digest_key: str,
    channel: str,
    now: datetime,
    platform: str = "slack",
) -> int:
    """Queue each chart for upload into the thread of the digest keyed `digest_key`."""
    queued = 0
    for chart in charts:
        queued += enqueue(
            session,
            key=f"{digest_key}:chart:{chart.plan_code}",
            platform=platform,
            recipient=f"channel:{channel}",
            kind=CHART_KIND,
            payload={
                "file": {
                    "filename": chart.filename,
                    "title": chart.title,
                    "alt_text": chart.alt_text,
                    "png_base64": base64.b64encode(chart.png).decode("ascii"),
                },
                "thread_of": digest_key,
            },
            not_before=now,
            now=now,
        )
    return queued


def report_lines(
    session: Session,
    charts: list[DigestChart],
    *,
    now: datetime,
    cal: WorkingCalendar,
    tz: str,
) -> dict[str, list[str]]:
    """Plan code → the digest's lines from bot/reports: the chart's figures (so the text
    says what the picture shows) and the reminders sent in the last four weeks."""
    lines: dict[str, list[str]] = {c.plan_code: [c.summary] for c in charts}
    stats = nudge_stats(session, now=now, cal=cal, tz=tz, since=now - STATS_WINDOW)
    for group in stats.plans:
        if group.reminders:
            lines.setdefault(group.plan, []).append(digest_line(group) + " (last 4 weeks)")
    return lines
