"""The pack as a Word document (python-docx): real headings and real tables, so a clerk
can restyle it with the council's template and screen readers find their way."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

from bot.reports.chart import CATEGORIES, LABELS
from bot.reports.committee import Pack, PackAction, Total, uk_date
from bot.reports.formats.columns import ACTION_COLUMNS, SECTION_COLUMNS, Column, as_text, sections


def render_docx(pack: Pack) -> bytes:
    document = Document()
    section = document.sections[0]
    # Landscape A4: the action register has twelve columns.
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(9)

    document.add_heading(pack.title, level=0)
    document.add_paragraph(
        f"Committee report produced {uk_date(pack.produced)}. Changes are {pack.since_label}."
    )
    document.add_heading("Summary", level=1)
    _totals(document.add_table(rows=1, cols=4), "Status", pack.by_status)
    document.add_paragraph()
    _totals(document.add_table(rows=1, cols=4), "RAG of open actions", pack.by_rag)

    document.add_heading("RAG by theme", level=1)
    themes = document.add_table(rows=1, cols=len(CATEGORIES) + 2)
    themes.style = "Table Grid"
    _row(themes, ["Theme", *(LABELS[c] for c in CATEGORIES), "Total"], header=True)
    for theme in pack.themes:
        _row(themes, [theme.theme, *(str(theme.counts[c]) for c in CATEGORIES), str(theme.total)])
    if pack.chart_png:
        document.add_paragraph()
        document.add_picture(io.BytesIO(pack.chart_png), width=Cm(22))

    document.add_heading("All actions", level=1)
    _actions(document.add_table(rows=1, cols=len(ACTION_COLUMNS)), ACTION_COLUMNS, pack.actions)
    for heading, meaning, items in sections(pack):
        document.add_heading(f"{heading} ({len(items)})", level=1)
        document.add_paragraph(meaning)
        if items:
            table = document.add_table(rows=1, cols=len(SECTION_COLUMNS))
            _actions(table, SECTION_COLUMNS, items)
        else:
            document.add_paragraph("None.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _row(table: Table, values: Sequence[str], *, header: bool = False) -> None:
    cells = table.rows[0].cells if header else table.add_row().cells  # type: ignore[no-untyped-call]
    for cell, value in zip(cells, values, strict=True):
        cell.text = value
        if header:
            for run in cell.paragraphs[0].runs:
                run.bold = True


def _totals(table: Table, heading: str, totals: Sequence[Total]) -> None:
    table.style = "Table Grid"
    _row(table, [heading, "Now", "Then", "Change"], header=True)
    for total in totals:
        then = "" if total.then is None else str(total.then)
        _row(table, [total.label, str(total.now), then, total.change])


def _actions(table: Table, columns: Sequence[Column], items: Sequence[PackAction]) -> None:
    table.style = "Table Grid"
    _row(table, [c.header for c in columns], header=True)
    # Repeat the header row on every page of a long register.
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for item in items:
        _row(table, [as_text(c.value(item)) for c in columns])
