"""The committee pack in each format a committee clerk can attach: one module per format,
each made with the library built for it (openpyxl, python-docx, Jinja2, ReportLab)."""

from __future__ import annotations

from collections.abc import Callable

from bot.reports.content import Paper

FORMATS: tuple[str, ...] = ("xlsx", "docx", "html", "pdf")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "pdf": "application/pdf",
}


def render_pack(paper: Paper, fmt: str) -> bytes:
    """The paper as the bytes of a file in `fmt` (one of FORMATS)."""
    return _renderer(fmt)(paper)


def _renderer(fmt: str) -> Callable[[Paper], bytes]:
    # Each library is imported only when its format is asked for.
    if fmt == "xlsx":
        from bot.reports.formats.excel import render_xlsx

        return render_xlsx
    if fmt == "docx":
        from bot.reports.formats.word import render_docx

        return render_docx
    if fmt == "html":
        from bot.reports.formats.web import render_html

        return render_html
    if fmt == "pdf":
        from bot.reports.formats.pdf import render_pdf

        return render_pdf
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
