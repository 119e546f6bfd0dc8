"""Each format of the committee pack, opened with the library that reads it."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app
from bot.reports.committee import Pack, build_pack
from bot.reports.formats import render_pack
from bot.runtime import Runtime
from bot.services.audit import Actor
from bot.services.reports import produce_report
from store.db import transaction
from store.queries import plan_by_code
from tests.reports.conftest import AS_OF, TRICKY_TITLE

HEADERS = [
    "Ref",
    "Action",
    "Owners",
    "Theme",
    "Original target",
    "Revised target",
    "Slips",
    "Reasons for slips",
    "Status",
    "RAG",
    "Latest update",
    "Last updated",
]


@pytest.fixture(scope="module")
def pack(story: Runtime) -> Pack:
    with story.sessions() as session:
        plan = plan_by_code(session, code="NCC")
        assert plan is not None
        return build_pack(session, plan, now=AS_OF, tz="Europe/London")


def test_xlsx(pack: Pack) -> None:
    book = load_workbook(io.BytesIO(render_pack(pack, "xlsx")))
    assert book.sheetnames == ["Summary", "Actions", "Completed", "Slipped", "Overdue", "Escalated"]
    cover = book["Summary"]
    assert cover["A1"].value == "NCC: NCC"
    assert "since 10 Mar 2018 (last report)" in cover["A2"].value
    assert [cover.cell(row=4, column=c).value for c in range(1, 5)] == [
        "Status",
        "Now",
        "Then",
        "Change",
    ]
    assert [cover.cell(row=8, column=c).value for c in range(1, 5)] == ["Done", 1, 0, "+1"]
    assert len(cover._images) == 1  # the chart
    sheet = book["Actions"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L26"
    assert sheet.column_dimensions["B"].width == 50
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    slipped = rows["1.3"]
    assert slipped[5].value == datetime(2018, 6, 30) and slipped[5].number_format == "dd/mm/yyyy"
    assert (slipped[6].value, slipped[7].value) == (1, "waiting for the audit")
    assert rows["1.5"][1].value == TRICKY_TITLE
    assert rows["1.2"][9].value == "Amber (at risk)"
    assert [r[0].value for r in book["Completed"].iter_rows(min_row=2)] == ["1.1"]
    assert [r[0].value for r in book["Slipped"].iter_rows(min_row=2)] == ["1.3"]


def test_docx(pack: Pack) -> None:
    document = Document(io.BytesIO(render_pack(pack, "docx")))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == ("Title", "NCC: NCC")
    names = [text for style, text in headings if style == "Heading 1"]
    assert names[:3] == ["Summary", "RAG by theme", "All actions"]
    assert names[3:5] == ["Completed (1)", "Slipped (1)"]
    assert names[5].startswith("Overdue (") and names[6].startswith("Escalated (")
    status, _, themes, register, *_ = document.tables
    assert [c.text for c in status.rows[0].cells] == ["Status", "Now", "Then", "Change"]
    assert [c.text for c in register.rows[0].cells] == HEADERS
    assert len(register.rows) == 26
    by_ref = {r.cells[0].text: [c.text for c in r.cells] for r in register.rows[1:]}
    assert by_ref["1.3"][5] == "30 Jun 2018" and by_ref["1.5"][1] == TRICKY_TITLE
    assert len(document.inline_shapes) == 1  # the chart


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_escaped_and_complete(pack: Pack) -> None:
    html = render_pack(pack, "html").decode("utf-8")
    parsed = _Text()
    parsed.feed(html)
    assert "script" not in parsed.tags and "b" not in parsed.tags  # plan text is not markup
    assert TRICKY_TITLE in "".join(parsed.text)
    assert "&lt;script&gt;" in html
    assert 'src="data:image/png;base64,' in html
    assert "30 Jun 2018" in html and "since 10 Mar 2018 (last report)" in html


def test_pdf_first_page_renders(pack: Pack, tmp_path: Path) -> None:
    document = pypdfium2.PdfDocument(render_pack(pack, "pdf"))
    assert len(document) >= 2
    first = document[0]
    text = first.get_textpage().get_text_range()
    assert "NCC: NCC" in text and "Summary" in text and "Not started" in text
    image = first.render(scale=1).to_pil()
    image.save(tmp_path / "page-1.png")  # for a person to look at when this fails
    width, height = image.size
    assert width > height  # A4 landscape
    ink = (np.asarray(image.convert("L")) < 200).mean()
    assert 0.01 < ink < 0.6, ink  # not blank, not a black page
    document.close()


def test_report_command_writes_each_format(story: Runtime, tmp_path: Path) -> None:
    url = str(story.engine.url)
    runner = CliRunner()
    for fmt in ("xlsx", "docx", "html", "pdf"):
        out = tmp_path / f"pack.{fmt}"
        result = runner.invoke(
            app,
            [
                "--database-url",
                url,
                "report",
                "--plan",
                "ncc",
                "--format",
                fmt,
                "--output",
                str(out),
                "--at",
                "2018-04-16T11:00",
                "--since",
                "2018-03-11",
            ],
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 2000
    assert b"since 11 Mar 2018 (--since)" in (tmp_path / "pack.html").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "NOPE", "--format", "xlsx"], "no plan 'NOPE'"),
        (["--plan", "NCC", "--format", "odt"], "'odt' is not one of"),
        (
            ["--plan", "NCC", "--format", "xlsx", "--since", "31/03/2018"],
            "--since wants YYYY-MM-DD",
        ),
    ],
)
def test_report_command_refuses_bad_input(
    story: Runtime, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "x"
    result = CliRunner().invoke(
        app,
        ["--database-url", str(story.engine.url), "report", *args, "--output", str(out)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code != 0 and message in result.output
    assert not out.exists()


def test_a_recorded_report_is_the_next_baseline(story: Runtime) -> None:
    recorded = datetime(2018, 4, 20, 15, tzinfo=UTC)
    with transaction(story.sessions) as session:
        made = produce_report(
            session,
            plan_code="ncc",
            fmt="html",
            now=recorded,
            tz="Europe/London",
            actor=Actor("cli", "cli"),
        )
    assert made.filename == "NCC-committee-report-2018-04-20.html"
    with story.sessions() as session:
        plan = plan_by_code(session, code="NCC")
        assert plan is not None
        later = build_pack(
            session, plan, now=datetime(2018, 5, 1, tzinfo=UTC), tz="Europe/London", chart=False
        )
    assert later.since == recorded and later.since_reason == "last report"
