"""The pack as one self-contained HTML page (Jinja2, autoescaped: plan text is never markup).
The chart is a data: URI, so the file stands alone.

Column widths are worked out here (`layout.fit_widths`, for a landscape page as in the PDF)
and written as percentages, so a browser gives every column the room its words need.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.reports.content import FILLS, Chart, Paper, Section, Table
from bot.reports.formats.layout import CHART_LEAST, CHART_TYPE, chart_png, point_widths

CONTENT = 774.0  # the width of an A4 landscape page within its margins, points
FONT_SIZE = 7.5
CELL_PADDING = 7.0  # both sides and the rule, points
GAP = 14.0  # between blocks side by side
CHART_WIDTH = 380.0  # points, at most
CHART_ROW, CHART_FRAME = 20.0, 70.0  # points a theme takes, and the legend and axis


@dataclass(frozen=True)
class Block:
    """A table or the chart, with the share of the section's width it takes."""

    share: float  # percent of the content width
    table: Table | None = None
    widths: tuple[float, ...] = ()  # percent of the table's own width
    chart_src: str = ""
    chart_alt: str = ""
    chart_width: int = 0  # points


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("bot.reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html_text(paper: Paper) -> str:
    return (
        _environment()
        .get_template("pack.html.j2")
        .render(
            paper=paper,
            blocks={s.key: _blocks(s) for s in paper.sections},
            fills=FILLS,
            gap=round(100 * GAP / CONTENT, 2),
        )
    )


def render_html(paper: Paper) -> bytes:
    return render_html_text(paper).encode("utf-8")


def _blocks(section: Section) -> list[Block]:
    tables = list(section.tables)
    if not section.beside:
        return [Block(100.0, t, _percent(_widths(t, CONTENT))) for t in tables]
    parts = len(tables) + (section.chart is not None)
    room = CONTENT - GAP * (parts - 1)
    blocks: list[Block] = []
    used = 0.0
    for table in tables:
        # Each table takes the width its words want, at most its share of the page.
        widths = _widths(table, room / parts, stretch=False)
        blocks.append(Block(100 * sum(widths) / CONTENT, table, _percent(widths)))
        used += sum(widths) + GAP
    if section.chart is not None:
        blocks.append(_chart_block(section.chart, CONTENT - used))
    return blocks


def _widths(table: Table, total: float, *, stretch: bool = True) -> list[float]:
    return point_widths(table, total=total, size=FONT_SIZE, padding=CELL_PADDING, stretch=stretch)


def _percent(widths: list[float]) -> tuple[float, ...]:
    total = sum(widths) or 1.0
    return tuple(round(100 * w / total, 2) for w in widths)


def _chart_block(chart: Chart, width: float) -> Block:
    """The chart drawn for a place beside the table, its type the size of the tables' (at
    the chart's own size its names were twice as large as everything around them)."""
    place = min(width, CHART_WIDTH)
    height = max(CHART_LEAST, CHART_ROW * len(chart.rows) + CHART_FRAME)
    png = chart_png(chart, dpi=110, shape=(place / CHART_TYPE, height / CHART_TYPE))
    return Block(
        share=100 * width / CONTENT,
        chart_src="data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        chart_alt=chart.alt,
        chart_width=round(place),
    )
