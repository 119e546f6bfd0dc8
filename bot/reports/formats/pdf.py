"""The pack as PDF, laid out by xhtml2pdf from the same HTML as the web page.

xhtml2pdf rather than WeasyPrint: WeasyPrint needs the system's Pango and HarfBuzz
libraries, which a clean CI machine or a council laptop may not have; xhtml2pdf is pure
Python on top of ReportLab and installs from PyPI alone. It gives what a committee paper
needs: static frames for the running header and footer on every page, "Page 2 of 7"
(`<pdf:pagenumber>`, `<pdf:pagecount>`), table headers repeated on each page, and an
embedded TrueType font (DejaVu Sans) for any letter a plan holds.
"""

from __future__ import annotations

import io
import logging

from xhtml2pdf import pisa

from bot.reports.content import Paper
from bot.reports.formats.layout import drawable
from bot.reports.formats.web import render_html_text


class PdfError(Exception):
    """The HTML could not be laid out as PDF."""


def render_pdf(paper: Paper) -> bytes:
    buffer = io.BytesIO()
    # xhtml2pdf logs every CSS property it ignores at WARNING; they are not ours to fix.
    logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)
    html = render_html_text(paper.map_text(drawable), for_pdf=True)
    status = pisa.CreatePDF(html, dest=buffer, encoding="utf-8")
    if status.err:
        raise PdfError(f"xhtml2pdf reported {status.err} error(s)")
    return buffer.getvalue()
