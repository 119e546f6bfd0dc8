"""The pack as one self-contained HTML page (Jinja2, autoescaped: plan text is never markup).
The chart is embedded as a data: URI, so the file can be emailed or attached on its own."""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.reports.chart import CATEGORIES, LABELS, alt_text
from bot.reports.committee import Pack, uk_date
from bot.reports.formats.columns import ACTION_COLUMNS, SECTION_COLUMNS, as_text, sections

_environment = Environment(
    loader=PackageLoader("bot.reports", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html_text(pack: Pack) -> str:
    chart_src = (
        "data:image/png;base64," + base64.b64encode(pack.chart_png).decode("ascii")
        if pack.chart_png
        else ""
    )
    return _environment.get_template("pack.html.j2").render(
        pack=pack,
        uk_date=uk_date,
        as_text=as_text,
        categories=CATEGORIES,
        labels=LABELS,
        chart_src=chart_src,
        chart_alt=alt_text(pack.plan_code, pack.themes, pack.today),
        action_columns=ACTION_COLUMNS,
        section_columns=SECTION_COLUMNS,
        sections=sections(pack),
    )


def render_html(pack: Pack) -> bytes:
    return render_html_text(pack).encode("utf-8")
