"""Issue 24: what a committee reads first is a one-page summary, then the detail. A plan with
sixty overdue actions and thirty date moves used to spread its summary over eight pages (every
overdue action and every extension listed in it): the summary lists now show the few that
matter most, say how many more there are and where, and the full lists are in the detail."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime

import pdfplumber
import pytest
from docx import Document
from openpyxl import load_workbook

from bot.core.runtime import Runtime
from bot.reports.committee import SUMMARY_ROWS
from bot.reports.content import Paper
from bot.reports.formats import render_pack
from tests.reports.conftest import AS_OF
from tests.reports.large_plan import large_history
from tests.reports.reading import draft, rows, section
from tests.reports.word_pages import before_page_break, headings, height, page_body, points


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """100 actions, 10 done and 29 moved into the summer (one of them twice) after the last
    pack: 61 overdue, 30 date moves."""
    folder = tmp_path_factory.mktemp("crowded")
    runtime = large_history(f"sqlite:///{folder / 'c.db'}", folder, copies=4, moved=29, done=10)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture(scope="module")
def paper(crowded: Runtime) -> Paper:
    return draft(crowded, AS_OF)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_summary_is_page_one_and_the_detail_starts_on_page_two(paper: Paper) -> None:
    late = rows(section(paper, "all_overdue").tables[0])
    moves = rows(section(paper, "all_extensions").tables[0])
    assert len(late) >= 60 and len(moves) >= 30
    summary = [s.heading for s in paper.sections if s.part == "summary"]
    detail = [s.heading for s in paper.sections if s.part == "detail"]
    assert summary[2:] == [
        f"Overdue actions ({len(late)})",
        "Time extensions since the last pack (30)",
    ]
    with pdfplumber.open(io.BytesIO(render_pack(paper, "pdf"))) as pdf:
        pages = [flat(page.extract_text()) for page in pdf.pages]
        first = pdf.pages[0]
        # Drawn at full size, not shrunk to fit: nothing smaller than the tables' 7.5 points.
        smallest = min(round(c["size"], 2) for c in first.chars)
    assert all(heading in pages[0] for heading in summary), pages[0]
    assert not any(heading in pages[0] for heading in detail)
    assert pages[1].split(" Page 2 of")[0].find(detail[0]) >= 0, pages[1][:300]
    assert not any(heading in page for heading in summary for page in pages[1:])
    assert smallest == 7.5
    more = f"and {len(late) - SUMMARY_ROWS} more: all {len(late)} are in 'All overdue actions'"
    assert more + " in the detail." in pages[0]


def test_the_summary_lists_the_longest_overdue_and_the_latest_extensions(paper: Paper) -> None:
    overdue, extensions = section(paper, "overdue"), section(paper, "extensions")
    shown = rows(overdue.tables[0])
    late = rows(section(paper, "all_overdue").tables[0])
    assert len(shown) == SUMMARY_ROWS and shown == [
        {k: r[k] for k in shown[0]} for r in late[:SUMMARY_ROWS]
    ]
    assert overdue.after == (
        f"and {len(late) - SUMMARY_ROWS} more: all {len(late)} are in 'All overdue actions' "
        "in the detail."
    )
    latest = rows(extensions.tables[0])
    every = rows(section(paper, "all_extensions").tables[0])
    assert len(latest) == SUMMARY_ROWS and latest[0]["To"] == "28 Sep 2018"  # moved yesterday
    days = [on(r) for r in latest]
    assert days == sorted(days, reverse=True) and days[-1] >= sorted(map(on, every))[-SUMMARY_ROWS]
    assert extensions.after.startswith(f"and {len(every) - SUMMARY_ROWS} more: all {len(every)}")
    assert all(r["Reason"] and r["Asked by"] for r in latest)


def on(row: dict[str, str]) -> date:
    return datetime.strptime(row["On"], "%d %b %Y").date()


def test_every_format_has_the_short_lists_and_the_full_ones(paper: Paper) -> None:
    after = section(paper, "overdue").after
    late = len(section(paper, "all_overdue").tables[0].rows)
    book = load_workbook(io.BytesIO(render_pack(paper, "xlsx")))
    summary = [c.value for row in book["Summary"].iter_rows() for c in row if c.value]
    assert after in summary and section(paper, "extensions").after in summary
    assert book["Overdue"].max_row == 3 + late  # heading, meaning, header row, every action
    document = Document(io.BytesIO(render_pack(paper, "docx")))
    texts = [p.text for p in document.paragraphs]
    assert after in texts
    headings = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    breaks = [p.text for p in headings if p.paragraph_format.page_break_before]
    assert breaks == [s.heading for s in paper.sections if s.part == "detail"][:1]
    html = render_pack(paper, "html").decode("utf-8")
    assert after.replace("'", "&#39;") in html
    assert html.count('class="detail first"') == 1


def test_word_summary_fits_page_one_and_the_detail_starts_page_two(paper: Paper) -> None:
    """The Word summary ran onto page 2 (its chart alone was taller than half a page, and
    the template's 14-point headings had 24 points above them): everything before the
    detail's page break now adds up to less than the page holds, worked out from the file
    (paragraph lines, table rows, the picture's height), and the detail starts page 2."""
    document = Document(io.BytesIO(render_pack(paper, "docx")))
    page = document.sections[0]
    width = points(page.page_width) - points(page.left_margin) - points(page.right_margin)
    first = list(before_page_break(document))
    used = sum(height(block, width) for block in first)
    assert used <= page_body(document), (used, page_body(document))
    summary = [s.heading for s in paper.sections if s.part == "summary"]
    detail = [s.heading for s in paper.sections if s.part == "detail"]
    assert headings(document, first) == summary
    [breaking] = [p for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert breaking.text == detail[0] == headings(document)[len(summary)]
    assert any(block._element.xpath(".//w:drawing") for block in first)  # the chart
