"""The RAG-by-theme chart: what goes in which segment, at most 12 bars, a real PNG."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import numpy as np
from PIL import Image

from bot.reports.chart import (
    COLOURS,
    MAX_THEMES,
    ChartItem,
    alt_text,
    category,
    plan_chart_png,
    theme_rows,
    totals,
)

TODAY = date(2018, 4, 16)
PAST, FUTURE = date(2018, 3, 31), date(2018, 6, 30)


def test_categories() -> None:
    assert category("done", "red", PAST, TODAY) == "done"
    assert category("cancelled", None, PAST, TODAY) is None
    assert category("in_progress", "green", PAST, TODAY) == "overdue"  # overdue wins over RAG
    assert category("in_progress", "green", FUTURE, TODAY) == "on_track"
    assert category("blocked", "amber", None, TODAY) == "at_risk"
    assert category("not_started", "red", TODAY, TODAY) == "off_track"  # due today: not late
    assert category("not_started", None, FUTURE, TODAY) == "no_update"


def test_more_than_twelve_themes_fold_into_other() -> None:
    items = [ChartItem(f"Theme {n:02d}", "in_progress", "green", FUTURE) for n in range(20)]
    items += [ChartItem("Theme 00", "done", None, None)] * 3
    items += [ChartItem("  theme   00 ", "in_progress", "red", FUTURE)]  # same theme
    items += [ChartItem(None, "not_started", None, PAST), ChartItem("x", "cancelled", None, None)]
    rows = theme_rows(items, today=TODAY)
    assert len(rows) == MAX_THEMES
    assert rows[0].theme == "Theme 00" and dict(rows[0].counts) == {
        "on_track": 1,
        "done": 3,
        "off_track": 1,
    }
    assert rows[-1].theme == "Other themes (10)"
    assert sum(r.total for r in rows) == 25  # every action but the cancelled one
    assert totals(rows)["overdue"] == 1


def test_png_is_drawn_in_the_safe_palette() -> None:
    items = [
        ChartItem("Finance", "done", None, None),
        ChartItem("Finance", "in_progress", "green", FUTURE),
        ChartItem("Governance", "in_progress", "amber", FUTURE),
        ChartItem("Governance", "in_progress", "red", FUTURE),
        ChartItem("Governance", "in_progress", None, PAST),
        ChartItem("Governance", "not_started", None, FUTURE),
    ]
    png = plan_chart_png("NCC", items, today=TODAY)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert image.shape[1] >= 1000  # large enough to read on a phone
    small = Image.open(io.BytesIO(plan_chart_png("NCC", items, today=TODAY, dpi=55)))
    assert small.size[0] == image.shape[1] // 2  # same figure, fewer pixels (a Teams card)
    pixels = {tuple(p) for p in image.reshape(-1, 3)[::7]}
    for name, colour in COLOURS.items():
        rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in pixels, name
    text = alt_text("NCC", theme_rows(items, today=TODAY), TODAY)
    assert text == (
        "NCC: actions by theme, 16 April 2018. 6 actions: done 1, on track 1, at risk 1, "
        "off track 1, overdue 1, no RAG yet 1."
    )


def test_cli_start_up_does_not_load_matplotlib() -> None:
    code = "import sys, bot.cli.main; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
