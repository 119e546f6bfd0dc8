"""Plan text that could harm the reader, or break a file, in every format of the pack:
a formula (`=HYPERLINK(...)` must stay words, never a live cell), markup, control
characters (`\\x01`, `\\x1b`, `\\x08`, `\\x0c`: no document format can hold them), 3,000
characters and an emoji. The register keeps all of it as written."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.core.runtime import Runtime
from bot.reports.content import Paper
from bot.reports.formats import render_pack
from store.models import Action, Event, Owner
from tests.reports.conftest import AS_OF, make_history
from tests.reports.reading import draft

FORMULA = '=HYPERLINK("http://evil.example","x")'
CONTROLS = "\x01\x1b\x08\x0c"
LONG = f"{FORMULA} <tag> *bold* <!channel> {CONTROLS} 🎉 😀 " + "word " * 590
SHOWN = LONG.replace(CONTROLS, "\ufffd" * 4)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    runtime = make_history(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'h.db'}")
    with runtime.sessions.begin() as session:
        session.execute(update(Action).where(Action.ref == "2.1").values(title=LONG))
        session.execute(update(Action).where(Action.ref == "1.2").values(theme=FORMULA))
        session.execute(
            update(Action).where(Action.ref == "2.2").values(latest_update=f"@SUM(1) {CONTROLS}")
        )
        session.execute(update(Owner).where(Owner.name == "Finance").values(name="+cmd <b>x</b>"))
        # The reason 1.3's date moved: as an owner could have typed it.
        session.execute(
            update(Event)
            .where(Event.field == "revised_target_date", Event.note.is_not(None))
            .values(note=f"-2+3 {CONTROLS} #N/A")
        )
    yield runtime
    runtime.engine.dispose()


@pytest.fixture(scope="module")
def paper(hostile: Runtime) -> Paper:
    return draft(hostile, AS_OF)


def test_the_register_keeps_the_text_as_written(hostile: Runtime, paper: Paper) -> None:
    with hostile.sessions() as session:
        assert session.scalar(select(Action.title).where(Action.ref == "2.1")) == LONG
    texts = [c.text for s in paper.sections for t in s.tables for row in t.rows for c in row]
    assert SHOWN in texts and not any(ch in t for t in texts for ch in CONTROLS)


def test_no_cell_of_the_workbook_is_a_formula(paper: Paper, tmp_path: Path) -> None:
    """Issue 20 item 4: every text cell is written as text (data type 's')."""
    book = load_workbook(io.BytesIO(render_pack(paper, "xlsx")))
    values: list[str] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    values.append(cell.value)
                    if cell.value[:1] in "=+-@":
                        assert cell.quotePrefix, cell.coordinate  # stays text when edited
    assert SHOWN in values and FORMULA in values
    assert f"-2+3 {chr(0xFFFD) * 4} #N/A" in values and "@SUM(1) \ufffd\ufffd\ufffd\ufffd" in values
    assert any(v.startswith("+cmd <b>x</b>") for v in values)


def test_word_keeps_every_word_and_shows_control_characters(paper: Paper) -> None:
    document = Document(io.BytesIO(render_pack(paper, "docx")))
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert SHOWN in cells and FORMULA in cells


def test_html_escapes_it_once(paper: Paper) -> None:
    html = render_pack(paper, "html").decode("utf-8")
    assert "&lt;tag&gt; *bold* &lt;!channel&gt;" in html and "<tag>" not in html
    assert "&#34;http://evil.example&#34;" in html and "🎉" in html
    assert not any(ch in html for ch in CONTROLS)


def test_pdf_keeps_an_emoji_as_written_not_as_its_name(paper: Paper) -> None:
    """The PDF used to write "🎉" as "[party popper]". It keeps the character: DejaVu Sans
    draws "😀" (and its text layer says U+1F600, not ReportLab's U+1F60), and has no "🎉",
    drawn as the missing-character box while the text still says "🎉"."""
    document = pypdfium2.PdfDocument(render_pack(paper, "pdf"))
    text = " ".join(
        " ".join(document[i].get_textpage().get_text_range() for i in range(len(document))).split()
    )
    document.close()
    assert FORMULA in text and "<tag> *bold* <!channel>" in text
    assert "\ufffd\ufffd\ufffd\ufffd 🎉 😀 word" in text and "party popper" not in text
    assert text.count("word") >= 590


def test_pdf_a_row_taller_than_a_page_splits_without_a_header_mid_page(paper: Paper) -> None:
    """A 3,000-character title makes a row taller than a page. ReportLab split the table
    before that row, then split the rest inside it in the space left on the page: a second
    header row sat in the middle of the page, right under the rows above it. A header row
    now starts a table or a page, never right under a row of the same table."""
    navy = (0.122, 0.22, 0.392)  # #1F3864, the header row's fill
    with pdfplumber.open(io.BytesIO(render_pack(paper, "pdf"))) as pdf:
        headers = 0
        for page in pdf.pages:
            rules = [line["top"] for line in page.lines if abs(line["top"] - line["bottom"]) < 0.1]
            for rect in page.rects:
                fill = rect.get("non_stroking_color") or ()
                if len(fill) == 3 and all(
                    abs(a - b) < 0.01 for a, b in zip(fill, navy, strict=True)
                ):
                    headers += 1
                    assert not any(abs(top - rect["top"]) < 1.5 for top in rules), (
                        page.page_number,
                        rect["top"],
                    )
    assert headers > 10
