"""`actionbot report`: previews by default, --issue, --list, --reissue, the format from the
file's name, and clear refusals that write nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.core.runtime import Runtime
from store.models import Event, IssuedPack
from tests.reports.conftest import MEETING, make_history


@pytest.fixture
def register(db_url: str) -> Iterator[Runtime]:
    """The history, on SQLite and on PostgreSQL, for a test that issues packs."""
    runtime = make_history(db_url)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture(scope="module")
def unchanged(module_db_url: str) -> Iterator[Runtime]:
    """The history built once per database, for tests that must leave it as it is."""
    runtime = make_history(module_db_url)
    yield runtime
    runtime.engine.dispose()


def report(runtime: Runtime, *args: str) -> tuple[int, str]:
    url = runtime.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app,
        ["--database-url", url, "report", *args],
        env={"COLUMNS": "200", "ACTIONBOT_TZ": "Europe/London"},
    )
    return result.exit_code, result.output


def recorded(runtime: Runtime) -> tuple[int, int]:
    with runtime.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Event)) or 0,
            session.scalar(select(func.count()).select_from(IssuedPack)) or 0,
        )


def pdf_text(path: Path) -> str:
    document = pypdfium2.PdfDocument(path)
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    document.close()
    return " ".join(text.split())


def test_two_reports_in_a_row_in_any_formats_say_the_same(
    unchanged: Runtime, tmp_path: Path
) -> None:
    """Issue 24: making the xlsx used to move the baseline, so the PDF made next said
    "Completed (0)". A preview records nothing; every format has the same figures."""
    before = recorded(unchanged)
    for name in ("pack.xlsx", "pack.pdf", "pack.docx", "again.xlsx"):
        code, out = report(
            unchanged, "--plan", "ncc", "-o", str(tmp_path / name), "--at", "2018-04-16T11:00"
        )
        assert code == 0, out
        assert f"wrote {tmp_path / name}" in out.replace("\n", "")
    assert recorded(unchanged) == before
    first = load_workbook(tmp_path / "pack.xlsx")
    again = load_workbook(tmp_path / "again.xlsx")
    for name in first.sheetnames:
        assert [[c.value for c in r] for r in first[name].iter_rows()] == [
            [c.value for c in r] for r in again[name].iter_rows()
        ]
    summary = {
        r[0].value: [c.value for c in r if c.value is not None]  # a merged cell reads None
        for r in first["Summary"].iter_rows()
        if r[0].value
    }
    assert summary["Done"][:4] == ["Done", 1, 0, 1]
    assert [r[0].value for r in first["Completed"].iter_rows(min_row=4)] == ["1.1"]
    text = pdf_text(tmp_path / "pack.pdf")
    assert "Completed since the last pack (1)" in text and "Done 1 0 +1" in text
    assert f"Changes since the pack issued for {MEETING} (10 Mar 2018)" in text
    assert "--since" not in text and "last report" not in text  # no command-line words


def test_the_format_comes_from_the_file_name_and_a_mismatch_is_refused(
    unchanged: Runtime, tmp_path: Path
) -> None:
    """Issue 21: `--format xlsx --output x.pdf` wrote an Excel file named .pdf."""
    wrong = tmp_path / "x.pdf"
    code, out = report(unchanged, "--plan", "NCC", "--format", "xlsx", "--output", str(wrong))
    assert code == 1 and "--format xlsx would write XLSX into 'x.pdf'" in out
    assert not wrong.exists()
    code, out = report(unchanged, "--plan", "NCC", "--output", str(tmp_path / "pack"))
    assert code == 1 and "--format is needed" in out
    code, out = report(unchanged, "--plan", "NCC", "--format", "html", "-o", str(tmp_path / "pack"))
    assert code == 0 and (tmp_path / "pack").read_bytes().startswith(b"<!DOCTYPE html>")
    code, _ = report(unchanged, "--plan", "NCC", "-o", str(tmp_path / "Pack.DOCX"))
    assert code == 0 and (tmp_path / "Pack.DOCX").read_bytes()[:2] == b"PK"


def test_issue_list_and_reissue(register: Runtime, tmp_path: Path) -> None:
    meeting = "Audit Committee 23 April 2018"
    code, out = report(
        register,
        "--plan", "NCC",
        "--issue", meeting,
        "--by", "Jane Clerk",
        "-o", str(tmp_path / "april.html"),
        "--at", "2018-04-16T11:00",
    )  # fmt: skip
    assert code == 0, out
    assert "issued pack 2: the next pack's changes are counted from it" in out
    assert recorded(register)[1] == 2
    code, out = report(register, "--list")
    assert code == 0 and MEETING in out and meeting in out and "Jane Clerk" in out
    assert "16 Apr 2018 11:00" in out
    code, out = report(register, "--reissue", "2", "-o", str(tmp_path / "again.html"))
    assert code == 0, out
    assert (tmp_path / "again.html").read_bytes() == (tmp_path / "april.html").read_bytes()
    code, out = report(register, "--reissue", "2", "-o", str(tmp_path / "april.xlsx"))
    book = load_workbook(io.BytesIO((tmp_path / "april.xlsx").read_bytes()))
    assert code == 0 and book["Summary"]["A2"].value == f"Committee pack for {meeting}"
    # The same meeting twice is refused; the register is unchanged.
    code, out = report(register, "--plan", "NCC", "--issue", meeting, "-o", str(tmp_path / "b.pdf"))
    assert code == 1 and "was issued already (number 2" in out and "--reissue 2" in out
    assert recorded(register)[1] == 2 and not (tmp_path / "b.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "NOPE", "-o", "x.xlsx"], "no plan 'NOPE'"),
        (["--plan", "NCC", "--format", "odt", "-o", "x.odt"], "'odt' is not one of"),
        (["--plan", "NCC", "-o", "x.xlsx", "--since", "31/03/2018"], "--since wants YYYY-MM-DD"),
        (["--plan", "NCC"], "--output FILE is needed"),
        (["-o", "x.pdf"], "--plan CODE is needed"),
        (["--reissue", "1", "--since", "2018-03-01", "-o", "x.pdf"], "without --issue, --since"),
        (["--reissue", "7", "-o", "x.pdf"], "no issued pack number 7"),
        (["--plan", "NCC", "--issue", " ", "-o", "x.pdf"], "name the meeting"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    unchanged: Runtime, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    before = recorded(unchanged)
    code, out = report(unchanged, *args)
    assert code != 0 and message in out.replace("\n", " "), out
    assert not list(tmp_path.glob("x.*")) and recorded(unchanged) == before
