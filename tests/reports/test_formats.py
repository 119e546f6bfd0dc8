"""Each format of the committee pack, opened with the library that reads it: the same
content in the same order, RAG and overdue coloured and worded, running header and page
numbers, widths that fit the words, and plan text written as text."""

from __future__ import annotations

import io
import re
from datetime import datetime
from html.parser import HTMLParser

import numpy as np
import pdfplumber
import pypdfium2
import pytest
from docx import Document
from docx.document import Document as DocumentType
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.pdfbase.pdfmetrics import stringWidth

from bot.core.runtime import Runtime
from bot.reports.content import FILLS, Paper
from bot.reports.formats import render_pack
from tests.reports.conftest import AS_OF, PLAN_NAME, TRICKY_TITLE
from tests.reports.reading import draft, section
from tests.reports.word_pages import headings as word_headings

REGISTER_HEADERS = [
    "Ref",
    "Action",
    "Theme",
    "Owner",
    "Original target",
    "Due",
    "Due date is",
    "Times moved",
    "Status",
    "RAG",
    "Latest update",
    "Updated",
]
SHEETS = ["Summary", "Overdue", "Time extensions", "Completed", "Escalated", "All actions"]


@pytest.fixture(scope="module")
def paper(story: Runtime) -> Paper:
    return draft(story, AS_OF)


@pytest.fixture(scope="module")
def files(paper: Paper) -> dict[str, bytes]:
    return {fmt: render_pack(paper, fmt) for fmt in ("xlsx", "docx", "html", "pdf")}


def headings(paper: Paper) -> list[str]:
    return [s.heading for s in paper.sections]


# -- xlsx ----------------------------------------------------------------------------------


def test_xlsx_is_a_working_spreadsheet(paper: Paper, files: dict[str, bytes]) -> None:
    book = load_workbook(io.BytesIO(files["xlsx"]))
    assert book.sheetnames == SHEETS
    summary = book["Summary"]
    assert summary["A1"].value == paper.title == PLAN_NAME
    assert summary["A2"].value == "Draft committee pack (not issued)"
    sheet = book["All actions"]
    assert sheet["A1"].value == "All actions (25)" and sheet["A2"].value.startswith("Every action")
    assert [c.value for c in sheet[3]] == REGISTER_HEADERS
    assert sheet.freeze_panes == "A4" and sheet.auto_filter.ref == "A3:L28"
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=4)}
    moved = rows["1.3"]
    assert moved[5].value == datetime(2018, 6, 30) and moved[5].number_format == "dd/mm/yyyy"
    assert (moved[6].value, moved[7].value) == ("revised", 1)
    assert rows["1.5"][1].value == TRICKY_TITLE
    amber = rows["1.2"][9]
    assert amber.value == "Amber (at risk)" and amber.fill.fgColor.rgb == "00" + FILLS["amber"]
    overdue = rows["2.1"][8]
    assert overdue.value == "Not started, overdue"
    assert overdue.fill.fgColor.rgb == "00" + FILLS["overdue"]
    assert [r[0].value for r in book["Completed"].iter_rows(min_row=4)] == ["1.1"]
    assert [r[0].value for r in book["Time extensions"].iter_rows(min_row=4)] == ["1.3"]
    # Printed: landscape, one page wide, the plan and the page number on every page.
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.oddHeader.left.text == paper.running
    assert sheet.oddFooter.right.text == "Page &P of &N"


def test_xlsx_summary_keeps_figures_as_numbers(paper: Paper, files: dict[str, bytes]) -> None:
    summary = load_workbook(io.BytesIO(files["xlsx"]))["Summary"]
    cells = {row[0].value: row for row in summary.iter_rows() if row[0].value}
    done = [c for c in cells["Done"] if not isinstance(c, MergedCell)]
    assert [c.value for c in done[:4]] == ["Done", 1, 0, 1]
    assert done[3].number_format == '+#,##0;\u2212#,##0;"no change"'
    assert summary["A6"].value == "At a glance"
    assert len(summary._images) == 1  # the chart beside RAG by theme


def test_xlsx_columns_fit_every_header_word_and_the_longest_word(files: dict[str, bytes]) -> None:
    """Read back with openpyxl, every sheet: each word of a table's cells, headers (bold)
    included, fits its column's width, measured with Arial's metrics (Helvetica, wider than
    Excel's Calibri); and each row is tall enough for its wrapped lines, or a header's
    second line would be hidden under the first row of figures."""
    book = load_workbook(io.BytesIO(files["xlsx"]))
    checked = headers = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            tallest = 1
            for cell in row:
                if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                    continue  # a heading or a sentence above a table, free to run on
                # Excel's width unit is 7 pixels ("0" in Calibri 11), less 5 of padding.
                room = (span_width(sheet, cell.coordinate) * 7 - 5) * 0.75
                font = "Helvetica-Bold" if cell.font.b else "Helvetica"
                for word in cell.value.split():
                    assert stringWidth(word, font, 11) <= room, (sheet.title, cell.coordinate, word)
                    checked += 1
                    headers += bool(cell.font.b)
                tallest = max(tallest, wrapped_lines(cell.value, room, font))
            height = sheet.row_dimensions[row[0].row].height or 15.0
            assert tallest * 15 <= height, (sheet.title, row[0].row, tallest, height)
    assert checked > 500 and headers > 60


def span_width(sheet: Worksheet, coordinate: str) -> float:
    """The width of the cell at `coordinate`, in Excel's units: its merged range's, if any."""
    first, last = sheet[coordinate].column, last_column(sheet, coordinate)
    return sum(
        sheet.column_dimensions[get_column_letter(c)].width or 13.0 for c in range(first, last + 1)
    )


def test_xlsx_summary_tables_are_as_wide_as_their_own_content(
    paper: Paper, files: dict[str, bytes]
) -> None:
    """Issue 24: the Summary sheet stacks its tables in columns the whole sheet shares, so
    "At a glance" took the widths of the overdue list's columns ("Now" as wide as "Action")
    and the chart sat far right of its table, the sheet printed tiny. Read back: every
    column of every Summary table is no wider than its widest line (its header, its
    cells' longest line) and a margin, and the chart starts at the RAG-by-theme
    table's right edge."""
    sheet = load_workbook(io.BytesIO(files["xlsx"]))["Summary"]
    rows = list(sheet.iter_rows())
    top = checked = 0
    edges: dict[str, int] = {}
    for table in (t for s in paper.sections for t in s.tables if t.figures):
        names = [c.header for c in table.columns]
        top, headers = next(
            (r, cells)
            for r, row in enumerate(rows[top:], top)
            for cells in [[c for c in row if c.value is not None]]
            if [c.value for c in cells] == names
        )
        for index, (head, column) in enumerate(zip(headers, table.columns, strict=True)):
            lines = [line for row in table.rows for line in row[index].text.split("\n")]
            widest = max(
                [stringWidth(column.header, "Helvetica-Bold", 11)]
                + [stringWidth(line, "Helvetica-Bold", 11) for line in lines]
            )
            width = span_width(sheet, head.coordinate) * 7 * 0.75  # points
            # DejaVu Sans (what the widths are worked out in) is wider than Helvetica.
            assert width <= widest * 1.3 + 15, (table.name, column.header, width, widest)
            checked += 1
        edges[table.name] = last_column(sheet, headers[-1].coordinate)
    assert checked >= 30
    [chart] = sheet._images
    # The chart's anchor is 0-based: the column right after the table's last one.
    assert chart.anchor._from.col == edges["RAG by theme"]


def last_column(sheet: Worksheet, coordinate: str) -> int:
    return max(
        [sheet[coordinate].column]
        + [m.max_col for m in sheet.merged_cells.ranges if coordinate in m]
    )


def wrapped_lines(text: str, width: float, font: str) -> int:
    lines = 0
    for part in text.split("\n"):
        lines += 1
        line = ""
        for word in part.split():
            longer = f"{line} {word}".strip()
            if line and stringWidth(longer, font, 11) > width:
                lines, line = lines + 1, word
            else:
                line = longer
    return lines


# -- docx ----------------------------------------------------------------------------------


def docx(files: dict[str, bytes]) -> DocumentType:
    return Document(io.BytesIO(files["docx"]))


def test_docx_headings_tables_header_and_footer(paper: Paper, files: dict[str, bytes]) -> None:
    document = docx(files)
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == [PLAN_NAME]
    assert word_headings(document) == headings(paper)
    section_ = document.sections[0]
    assert section_.page_width > section_.page_height  # landscape
    assert section_.header.paragraphs[0].text == paper.running
    footer = section_.footer.paragraphs[0]._p.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer
    assert paper.footer in section_.footer.paragraphs[0].text
    register = document.tables[-1]
    assert [c.text for c in register.rows[0].cells] == REGISTER_HEADERS
    assert len(register.rows) == 26
    assert register.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats
    by_ref = {r.cells[0].text: r.cells for r in register.rows[1:]}
    assert by_ref["1.3"][5].text == "30 Jun 2018" and by_ref["1.5"][1].text == TRICKY_TITLE
    shading = by_ref["1.2"][9]._tc.tcPr.find(qn("w:shd"))
    assert by_ref["1.2"][9].text == "Amber (at risk)"
    assert shading.get(qn("w:fill")) == FILLS["amber"]
    assert len(document.inline_shapes) == 1  # the chart


def test_docx_columns_are_wide_enough_for_every_word(files: dict[str, bytes]) -> None:
    """No word is split across lines ("organisatio n") and no header word runs into the next
    column ("Slips" into "Reasons for slips"), in every table, those of the summary inside
    its layout tables too: measured with Helvetica's metrics (Arial's), independently of
    the widths the renderer worked out."""
    document = docx(files)
    checked = headers = 0
    for element in document.element.body.iter(qn("w:tbl")):
        table = DocxTable(element, document._body)
        if table.style is None or table.style.name != "Table Grid":
            continue  # a layout table placing tables and the chart side by side
        grid = [int(col.get(qn("w:w"))) / 20 for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        for index, row in enumerate(table.rows):
            for width, cell in zip(grid, row.cells, strict=True):
                for word in cell.text.split():
                    bold = index == 0 or cell._tc.tcPr.find(qn("w:shd")) is not None
                    font = "Helvetica-Bold" if bold else "Helvetica"
                    assert stringWidth(word, font, 7.5) + 6 <= width, (word, width)
                    checked += 1
                    headers += index == 0
    assert checked > 500 and headers > 60


# -- html ----------------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.headings: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag: str) -> None:
        self._in_h2 = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_h2:
            self.headings.append(data)


def test_html_is_escaped_complete_and_in_order(paper: Paper, files: dict[str, bytes]) -> None:
    html = files["html"].decode("utf-8")
    page = _Page()
    page.feed(html)
    assert page.headings == headings(paper)
    assert "script" not in page.tags and "b" not in page.tags  # plan text is not markup
    assert TRICKY_TITLE in "".join(page.text)
    assert "&lt;script&gt;" in html and 'src="data:image/png;base64,' in html
    # The chart is drawn for a place beside its table, not at 640 pixels with names twice
    # the size of the tables' words.
    [width] = re.findall(r'<img class="chart" style="width: (\d+)pt"', html)
    assert 150 <= int(width) <= 380
    assert 'class="short tone-amber">Amber (at risk)</td>' in html
    assert paper.running in "".join(page.text)


# -- pdf -----------------------------------------------------------------------------------


def pdf_pages(files: dict[str, bytes]) -> list[str]:
    document = pypdfium2.PdfDocument(files["pdf"])
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    document.close()
    return pages


def test_pdf_every_page_has_the_running_header_and_its_number(
    paper: Paper, files: dict[str, bytes]
) -> None:
    pages = pdf_pages(files)
    assert len(pages) >= 3
    for number, text in enumerate(pages, 1):
        flat = " ".join(text.split())
        assert paper.running in flat, number
        assert f"Page {number} of {len(pages)}" in flat, number
        assert paper.footer in flat
    text = " ".join(" ".join(pages).split())
    positions = [text.find(heading) for heading in headings(paper)]
    assert -1 not in positions and positions == sorted(positions)


def test_pdf_first_page_is_the_summary_in_landscape(files: dict[str, bytes]) -> None:
    document = pypdfium2.PdfDocument(files["pdf"])
    first = document[0]
    text = first.get_textpage().get_text_range()
    assert "At a glance" in text and "RAG by theme" in text and "Not started" in text
    image = first.render(scale=1).to_pil()
    width, height = image.size
    assert width > height  # A4 landscape
    ink = (np.asarray(image.convert("L")) < 200).mean()
    assert 0.01 < ink < 0.6, ink  # not blank, not a black page
    document.close()


def test_pdf_splits_no_word_across_lines(story: Runtime, files: dict[str, bytes]) -> None:
    """Every word of every action's title is whole somewhere in the PDF's text: a column
    too narrow for a word would break it ("Strengtheni ng")."""
    text = "\n".join(pdf_pages(files))
    words = set(re.findall(r"\b[A-Za-z]{9,}\b", text))
    from sqlalchemy import select

    from store.models import Action

    with story.sessions() as session:
        titles = session.scalars(select(Action.title)).all()
    wanted = {w for title in titles for w in re.findall(r"\b[A-Za-z]{9,}\b", title)}
    assert {"organisation", "Strengthening", "commissioning"} <= wanted
    assert wanted <= words, sorted(wanted - words)


def test_pdf_headers_stay_in_their_columns(paper: Paper, files: dict[str, bytes]) -> None:
    """Every word of every table's header row (white on navy) is whole and lies between
    the column rules drawn under it, on every page: a header word wider than its column
    would run into the next ("Slips" into "Reasons for slips") or be broken ("mo ved")."""
    said = {
        w for s in paper.sections for t in s.tables for c in t.columns for w in c.header.split()
    }
    checked = 0
    with pdfplumber.open(io.BytesIO(files["pdf"])) as pdf:
        for page in pdf.pages:
            rules = [line for line in page.lines if abs(line["x0"] - line["x1"]) < 0.1]
            words = page.extract_words(extra_attrs=["non_stroking_color"])
            for word in (w for w in words if tuple(w["non_stroking_color"]) == (1, 1, 1)):
                assert word["text"] in said, (page.page_number, word["text"])
                below = [r for r in rules if 0 <= r["top"] - word["bottom"] <= 60]
                top = min(r["top"] for r in below)
                edges = sorted({r["x0"] for r in below if r["top"] - top < 0.5})
                assert any(
                    left - 0.5 <= word["x0"] and word["x1"] <= right + 0.5
                    for left, right in zip(edges, edges[1:], strict=False)
                ), (page.page_number, word["text"], edges)
                checked += 1
    assert checked > 100


# -- all four ------------------------------------------------------------------------------


def test_every_format_has_the_sections_in_the_same_order(
    paper: Paper, files: dict[str, bytes]
) -> None:
    expected = headings(paper)
    assert [s.key for s in paper.sections] == [
        "glance",
        "themes",
        "overdue",
        "extensions",
        "all_overdue",
        "all_extensions",
        "completed",
        "escalated",
        "actions",
    ]
    book = load_workbook(io.BytesIO(files["xlsx"]))
    assert xlsx_headings(book) == expected
    assert word_headings(docx(files)) == expected
    page = _Page()
    page.feed(files["html"].decode("utf-8"))
    assert page.headings == expected
    text = " ".join(" ".join(pdf_pages(files)).split())
    assert [h for h in expected if h in text] == expected
    assert section(paper, "actions").part == "detail"


def test_a_named_plans_title_is_its_name_in_every_format(
    paper: Paper, files: dict[str, bytes]
) -> None:
    """Issue 24: the title showed the plan's code before its name ("NCC: ..."). A named
    plan's pack is titled with its name alone: the first line, the running header and the
    file's own title, in every format; "NCC:" is nowhere in the paper."""
    assert paper.title == PLAN_NAME and paper.running.startswith(f"{PLAN_NAME} · ")
    book = load_workbook(io.BytesIO(files["xlsx"]))
    assert book["Summary"]["A1"].value == PLAN_NAME
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert all(sheet.oddHeader.left.text == paper.running for sheet in book.worksheets)
    document = docx(files)
    assert document.paragraphs[0].text == PLAN_NAME
    assert document.sections[0].header.paragraphs[0].text == paper.running
    words = [p.text for p in document.paragraphs] + [
        c.text for t in document.tables for r in t.rows for c in r.cells
    ]
    page = _Page()
    page.feed(files["html"].decode("utf-8"))
    html = "".join(page.text)
    assert f"<title>{PLAN_NAME}: Draft committee pack" in files["html"].decode("utf-8")
    assert f"<h1>{PLAN_NAME}</h1>" in files["html"].decode("utf-8")
    pages = pdf_pages(files)
    first = [line.strip() for line in pages[0].splitlines()]
    assert first[0] == paper.running and PLAN_NAME in first  # the running header, the title
    with pdfplumber.open(io.BytesIO(files["pdf"])) as pdf:
        assert pdf.metadata["Title"] == f"{PLAN_NAME}: Draft committee pack (not issued)"
    for text in (" ".join(cells), " ".join(words), html, " ".join(pages)):
        assert PLAN_NAME in text and "NCC:" not in text and "NCC ·" not in text


def xlsx_headings(book: Workbook) -> list[str]:
    """Section headings in reading order: the Summary's, then each list sheet's first cell."""
    summary = book["Summary"]
    found = [
        str(row[0].value)
        for row in summary.iter_rows(min_row=5)
        if row[0].value and row[0].font.sz == 13
    ]
    return found + [str(book[name]["A1"].value) for name in book.sheetnames[1:]]
