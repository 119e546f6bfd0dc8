"""The RAG-by-theme chart: actions by theme, stacked by where they stand.

Made for a phone screen: horizontal bars (long theme names stay readable), large type, at
most MAX_THEMES bars, and every segment carries its number, with a hatch pattern as well as
an Okabe-Ito colour, so nobody needs to tell colours apart to read it.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.core.themes import theme_key

MAX_THEMES = 12
OTHER = "Other themes"
NO_THEME = "No theme"

# Order of the stack, left to right: finished work first, trouble last.
CATEGORIES: tuple[str, ...] = ("done", "on_track", "at_risk", "off_track", "overdue", "no_update")
LABELS = {
    "done": "Done",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "overdue": "Overdue",
    "no_update": "No RAG yet",
}
# Okabe & Ito (2008), safe for the common colour-vision deficiencies; grey for "no RAG".
COLOURS = {
    "done": "#0072B2",
    "on_track": "#009E73",
    "at_risk": "#E69F00",
    "off_track": "#D55E00",
    "overdue": "#CC79A7",
    "no_update": "#BBBBBB",
}
HATCHES = {
    "done": "",
    "on_track": "",
    "at_risk": "//",
    "off_track": "xx",
    "overdue": "..",
    "no_update": "",
}


def category(status: str, rag: str | None, due: date | None, today: date) -> str | None:
    """Where an action stands on the chart; None for cancelled actions (left out)."""
    if status == "done":
        return "done"
    if status == "cancelled":
        return None
    if due is not None and due < today:
        return "overdue"
    return {"green": "on_track", "amber": "at_risk", "red": "off_track"}.get(rag or "", "no_update")


@dataclass(frozen=True)
class ChartItem:
    theme: str | None
    status: str
    rag: str | None
    due: date | None


@dataclass
class ThemeRow:
    theme: str
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts[c] for c in CATEGORIES)


def theme_rows(items: Iterable[ChartItem], *, today: date) -> list[ThemeRow]:
    """Counts per theme (largest first), the smallest themes folded into OTHER."""
    rows: dict[str, ThemeRow] = {}
    for item in items:
        where = category(item.status, item.rag, item.due, today)
        if where is None:
            continue
        theme = " ".join((item.theme or "").split()) or NO_THEME
        # Plans spell one theme several ways ("Managing Resources", "Managing resources").
        rows.setdefault(theme_key(theme), ThemeRow(theme)).counts[where] += 1
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.theme.lower()))
    if len(ordered) <= MAX_THEMES:
        return ordered
    kept, rest = ordered[: MAX_THEMES - 1], ordered[MAX_THEMES - 1 :]
    other = ThemeRow(f"{OTHER} ({len(rest)})")
    for row in rest:
        other.counts.update(row.counts)
    return [*kept, other]


def totals(rows: Iterable[ThemeRow]) -> Counter[str]:
    total: Counter[str] = Counter()
    for row in rows:
        total.update(row.counts)
    return total


def _wrap(text: str, width: int = 28) -> str:
    import textwrap

    lines = textwrap.wrap(text, width) or [text]
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def _figure_inches(rows: list[ThemeRow]) -> tuple[float, float]:
    return 10.0, 2.6 + 0.75 * max(len(rows), 1)


def fitting_dpi(rows: list[ThemeRow], *, max_pixels: int, dpi: int = 110) -> int:
    """The largest dpi (at most `dpi`) at which the chart is at most `max_pixels` on each side
    (Teams shows card images up to 1024 x 1024)."""
    return max(40, min(dpi, int(max_pixels / max(_figure_inches(rows)))))


def render_chart(
    rows: list[ThemeRow],
    *,
    title: str,
    dpi: int = 110,
    width: float | None = None,
    height: float | None = None,
) -> bytes:
    """The chart as PNG bytes (Agg, no display needed). Also what a Teams card embeds: a
    lower `dpi` gives a smaller file where a message has a size limit. `width` and `height`
    (inches) shape it for a place beside a table, where it is shown smaller: its type stays
    readable."""
    # Imported here: matplotlib takes about a second to load, and most commands never draw.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    inches = _figure_inches(rows)
    figure = Figure(figsize=(width or inches[0], height or inches[1]), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    names = [_wrap(r.theme) for r in reversed(rows)]
    lefts = [0] * len(rows)
    for key in CATEGORIES:
        values = [r.counts[key] for r in reversed(rows)]
        bars = axes.barh(
            names,
            values,
            left=lefts,
            color=COLOURS[key],
            hatch=HATCHES[key],
            edgecolor="white",
            linewidth=1,
            label=LABELS[key],
        )
        labels = [str(v) if v else "" for v in values]
        # A white box behind each number keeps it readable on any colour and hatch.
        axes.bar_label(
            bars,
            labels=labels,
            label_type="center",
            fontsize=15,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
        )
        lefts = [left + v for left, v in zip(lefts, values, strict=True)]
    if not rows:
        axes.text(0.5, 0.5, "No actions yet", ha="center", va="center", fontsize=18)
    if title:  # the pack's chart has none: its section heading says what it shows
        axes.set_title(title, fontsize=20, loc="left", pad=70, fontweight="bold")
    axes.tick_params(axis="y", labelsize=15)
    axes.tick_params(axis="x", labelsize=13)
    axes.set_xlabel("Actions", fontsize=14)
    axes.spines[["top", "right"]].set_visible(False)
    handles = [
        Patch(facecolor=COLOURS[k], hatch=HATCHES[k], edgecolor="white", label=LABELS[k])
        for k in CATEGORIES
    ]
    # Three columns from the plot's left where the figure is wide enough, else two from its
    # right, over the theme names (a chart beside a table on the pack's summary page).
    wide = (width or inches[0]) >= 9
    axes.legend(
        handles=handles,
        loc="lower left" if wide else "lower right",
        bbox_to_anchor=(0, 1.0) if wide else (1.0, 1.0),
        ncols=3 if wide else 2,
        fontsize=13,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.0,
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def chart_title(code: str, today: date) -> str:
    return f"{code}: actions by theme, {today.day} {today:%B %Y}"


def figures(rows: list[ThemeRow]) -> str:
    """The chart's totals in words: "done 5, on track 3, …" (zero segments left out)."""
    total = totals(rows)
    return ", ".join(
        f"{LABELS[c].lower().replace('rag', 'RAG')} {total[c]}" for c in CATEGORIES if total[c]
    )


def alt_text(code: str, rows: list[ThemeRow], today: date) -> str:
    """What a screen reader says instead of the picture: the same figures in words."""
    count = sum(totals(rows).values())
    return f"{chart_title(code, today)}. {count} actions: {figures(rows)}."[:1000]


def plan_chart_png(code: str, items: Iterable[ChartItem], *, today: date, dpi: int = 110) -> bytes:
    """One plan's chart as PNG bytes: for the Slack digest, the pack and a Teams card."""
    return render_chart(theme_rows(items, today=today), title=chart_title(code, today), dpi=dpi)
