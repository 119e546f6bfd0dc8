"""The pack as PDF, rendered from the same HTML with xhtml2pdf.

xhtml2pdf rather than WeasyPrint: WeasyPrint needs the system's Pango and HarfBuzz
libraries, which a clean CI machine or a council laptop may not have; xhtml2pdf is pure
Python on top of ReportLab and installs from PyPI alone.
"""

from __future__ import annotations

import io
import logging

from xhtml2pdf import pisa

from bot.reports.committee import Pack
from bot.reports.formats.web import render_html_text


class PdfError(Exception):
    """The HTML could not be laid out as PDF."""


def render_pdf(pack: Pack) -> bytes:
    buffer = io.BytesIO()
    # xhtml2pdf logs every CSS property it ignores at WARNING; they are not ours to fix.
    logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)
    status = pisa.CreatePDF(render_html_text(pack), dest=buffer, encoding="utf-8")
    if status.err:
        raise PdfError(f"xhtml2pdf reported {status.err} error(s)")
    return buffer.getvalue()
