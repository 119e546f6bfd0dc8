"""Control characters in a plan file, end to end through the command line (issue 20 item 5).

Regression: a cell holding \\x01, \\x1b, \\x08 or \\x0c was imported and kept, then
`report --format xlsx` and `docx` failed for the whole plan. The register keeps the text as
written; every file actionbot writes from it is whole and readable.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import main as cli
from store.db import make_engine, make_session_factory
from store.models import Action

TITLE = "Budget \x01 review \x1b[31m red \x08 back"
# A form feed and a vertical tab are white space to the importer (a line break, as Excel
# writes Alt+Enter in some exports); they must not break the outputs either.
NOTE = "Tasks: one\x0btwo \x0c three"


def run(db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.app, ["--database-url", db_url, *args], env={"COLUMNS": "250"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Ref", "Action", "Action Task(s)", "Owner", "Target date"])
        writer.writerow(["1.1", TITLE, NOTE, "Finance", "31/03/2027"])
        writer.writerow(["1.2", "An ordinary action", "", "Finance", "30/06/2027"])
    return path


def test_a_plan_with_control_characters_is_kept_and_every_output_is_written(
    db_url: str, tmp_path: Path
) -> None:
    code, _, err = run(db_url, "import", str(plan_file(tmp_path)), "--plan", "CTL")
    assert code == 0, err
    engine = make_engine(db_url)
    try:
        with make_session_factory(engine)() as session:
            assert session.scalar(select(Action.title).where(Action.ref == "1.1")) == TITLE
    finally:
        engine.dispose()

    exported = tmp_path / "ctl.json"
    code, _, err = run(db_url, "export", "--plan", "CTL", "--output", str(exported))
    assert code == 0, err
    titles = [a["title"] for a in json.loads(exported.read_text("utf-8"))]
    assert TITLE in titles  # JSON escapes them and keeps them

    as_csv = tmp_path / "ctl.csv"
    code, _, err = run(db_url, "export", "--plan", "CTL", "--format", "csv", "-o", str(as_csv))
    assert code == 0, err
    assert TITLE in as_csv.read_text("utf-8")  # re-importable: the same text comes back

    shown = "Budget \ufffd review \ufffd[31m red \ufffd back"
    for fmt in ("xlsx", "docx", "pdf", "html"):
        out = tmp_path / f"pack.{fmt}"
        code, _, err = run(db_url, "report", "--plan", "CTL", "--output", str(out))
        assert code == 0, (fmt, err)
        data = out.read_bytes()
        assert data, fmt
        if fmt == "xlsx":
            book = load_workbook(io.BytesIO(data))
            values = {c.value for s in book.worksheets for r in s.iter_rows() for c in r}
            assert shown in values
        elif fmt == "docx":
            document = Document(io.BytesIO(data))
            cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
            assert shown in cells
        elif fmt == "html":
            assert shown in data.decode("utf-8")
