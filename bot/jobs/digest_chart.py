"""The digest's pictures and its nudge line: kept apart from the digest's wording.

In Slack each plan's RAG-by-theme chart goes out as its own outbox row, after the digest
text and into its thread, so a failed upload is retried and reported like any delivery and
never holds the text back. In Teams a message cannot carry a file, and an image inline in
the card does not fit Teams' 28 KB (a quantised chart is still 30-40 KB as base64), so the
chart is stored in the register under a random token and the card shows it from
PUBLIC_URL/charts/<token>.png, which `actionbot serve` answers (bot/app/asgi.py).
"""

from __future__ import annotations

import base64
import logging
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from bot.core.calendar import WorkingCalendar
from bot.core.messages import Picture, Reply
from bot.jobs.admin_summary import Problem, note_problems
from bot.jobs.facts import RegisterFacts
from bot.reports.chart import (
    ChartItem,
    alt_text,
    chart_title,
    figures,
    fitting_dpi,
    render_chart,
    theme_rows,
)
from bot.reports.stats import digest_line, nudge_stats
from store.hosted import CHART, host_file
from store.outbox import enqueue

log = logging.getLogger(__name__)

CHART_KIND = "digest_chart"
STATS_WINDOW = timedelta(days=28)
CHART_KEPT = timedelta(days=30)  # an old digest's picture still shows for a month
TEAMS_MAX_PIXELS = 1024  # Teams shows card images up to 1024 x 1024
NO_PUBLIC_URL = "config:PUBLIC_URL"
# Where the picture is, as the digest's text says it: Slack's thread, the Teams card, or
# nowhere (a Teams digest while PUBLIC_URL is not set).
WHERE = {
    "slack": "Chart by theme (in the thread)",
    "teams": "Chart by theme (the picture below)",
    "none": "By theme",
}


@dataclass(frozen=True)
class DigestChart:
    plan_code: str
    filename: str
    title: str
    alt_text: str
    png: bytes
    summary: str  # the chart's figures as a line of the digest's text


def digest_charts(
    facts: RegisterFacts, *, today: date, platform: str = "slack", shown: bool = True
) -> list[DigestChart]:
    """One chart per plan, from the same facts as the digest text; for Teams no larger than
    a card image may be. `shown=False`: the digest will go without it (text says so)."""
    by_plan: dict[str, list[ChartItem]] = {}
    for a in facts.actions:
        by_plan.setdefault(a.plan_code, []).append(ChartItem(a.theme, a.status, a.rag, a.due))
    where = ("teams" if platform == "teams" else "slack") if shown else "none"
    charts = []
    for code in sorted(by_plan):
        rows = theme_rows(by_plan[code], today=today)
        title = chart_title(code, today)
        dpi = fitting_dpi(rows, max_pixels=TEAMS_MAX_PIXELS) if platform == "teams" else 110
        try:
            png = render_chart(rows, title=title, dpi=dpi)
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
                summary=f"{WHERE[where]}: {figures(rows)}",
            )
        )
    return charts


def preview_folder() -> Path:
    """Where `actionbot chat` and `actionbot demo` save the charts of the digests they show:
    the system's temporary folder (`/tmp/actionbot/` on Linux)."""
    return Path(tempfile.gettempdir()) / "actionbot"


def save_charts(charts: list[DigestChart], folder: Path) -> list[Path]:
    """Write each chart as a PNG file into `folder` (made if need be); raises OSError."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for chart in charts:
        path = folder / chart.filename
        path.write_bytes(chart.png)
        paths.append(path)
    return paths


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


def chart_url(public_url: str, token: str) -> str:
    return f"{public_url}/charts/{token}.png"


def host_charts(
    session: Session,
    replies: list[Reply],
    charts: list[DigestChart],
    *,
    public_url: str | None,
    now: datetime,
) -> None:
    """Put each chart in the Teams digest, under the paragraph that gives its figures.

    Without PUBLIC_URL there is no address Teams could fetch a picture from: the digest goes
    as text only, and the admins' summary says why (once, until it is set).
    """
    if not charts:
        return
    if public_url is None:
        log.warning("the Teams digest goes without its charts: PUBLIC_URL is not set")
        note_problems(
            session,
            [
                Problem(
                    key=NO_PUBLIC_URL,
                    text="• The Teams digest has no chart: set PUBLIC_URL to this server's "
                    "public https address (the Teams messaging endpoint without /api/messages) "
                    "and restart",
                    cause="unset",
                )
            ],
            now=now,
        )
        return
    note_problems(session, [], now=now, forget_others=NO_PUBLIC_URL)
    taken: set[tuple[int, int]] = set()
    for chart in charts:
        place = _paragraph_of(replies, chart, taken) or (replies[0], len(replies[0].lines) - 1)
        hosted = host_file(
            session,
            kind=CHART,
            filename=chart.filename,
            media_type="image/png",
            content=chart.png,
            now=now,
            keep_for=CHART_KEPT,
        )
        reply, after = place
        reply.pictures.append(Picture(chart_url(public_url, hosted.token), chart.alt_text, after))


def _paragraph_of(
    replies: list[Reply], chart: DigestChart, taken: set[tuple[int, int]]
) -> tuple[Reply, int] | None:
    """The paragraph that gives `chart`'s figures: in its own plan's part of the digest
    (plans with the same figures have the same line), and not one another chart is under."""
    found: list[tuple[bool, int, int]] = []
    for number, reply in enumerate(replies):
        for index, paragraph in enumerate(reply.lines):
            lines = paragraph.split("\n")
            if chart.summary in lines and (number, index) not in taken:
                own = lines[0] in (f"*{chart.plan_code}*",) or lines[0].startswith(
                    f"*{chart.plan_code}: "
                )
                found.append((not own, number, index))
    if not found:
        return None
    _, number, index = min(found)
    taken.add((number, index))
    return replies[number], index
