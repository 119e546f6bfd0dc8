"""Large files under the size limits do not exhaust the server (issue 20, item 6).

Regression: a 9 MB workbook of 440,000 rows (92 MB unpacked) or a 23 MB CSV of 640,000
rows, imported with --dry-run, ran 240 s and grew past 2.3 GB before being killed; the chat
import preview runs the same importer inside `serve`. Now a file with more rows than a plan
has is refused at the limit, naming it, and reading stops there; inside the server the reading
runs in a child process with a memory and time budget. (The figures before and after, on
files as large as the report's, are measured outside the suite: a test must not time itself.)
"""

from __future__ import annotations

import csv
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.importer.bounded import Budget, parse_plan_file_bounded
from bot.importer.errors import ImportFileError
from bot.importer.limits import MAX_COLUMNS, MAX_ROWS, MAX_SHEET_ROWS, MAX_XML_PART_BYTES
from bot.importer.plan_file import parse_plan_file
from bot.services.imports.preview import preview_upload
from bot.services.imports.upload import Upload
from store.models import PendingImport, Plan
from tests.conftest import FIXTURES
from tests.importer.test_plan_files import _Register, cli_clock, db, run

__all__ = ["cli_clock", "db"]

TODAY = date(2018, 1, 15)
HEADER = ["Ref", "Action", "Owner", "Target date"]
WORKBOOK = FIXTURES / "office" / "ncc-financial-management-2017.xlsx"


def plan_rows(n: int) -> list[list[str]]:
    return [[f"{i // 100 + 1}.{i % 100}", "Do it", "Finance", "31/03/2018"] for i in range(n)]


def csv_of(path: Path, rows: int) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(plan_rows(rows))
    return path


def workbook_of(path: Path, rows: int, *, stray: tuple[int, int] | None = None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in plan_rows(rows):
        sheet.append(row)
    if stray is not None:  # an empty cell, formatted, far below or beside the plan
        cell = sheet.cell(row=stray[0], column=stray[1])
        cell.number_format = "0.00"
    workbook.save(path)
    return path


# -- the row limit, every kind of file ------------------------------------------------------


def test_a_csv_with_more_rows_than_a_plan_has_is_refused_naming_the_limit(
    db: _Register, tmp_path: Path
) -> None:
    code, out, err = run(
        db.url, "import", str(csv_of(tmp_path / "big.csv", MAX_ROWS)), "--plan", "BIG"
    )
    assert code == 1, out
    assert f"more than {MAX_ROWS:,} rows" in err and "Nothing was written" in err
    assert db.nothing_written()


def test_a_workbook_with_more_rows_than_a_plan_has_is_refused_naming_the_limit(
    tmp_path: Path,
) -> None:
    with pytest.raises(ImportFileError, match=f"more than {MAX_ROWS:,} rows with content"):
        parse_plan_file(workbook_of(tmp_path / "big.xlsx", MAX_ROWS), today=TODAY)


def test_a_plan_at_the_limit_is_read_whole(tmp_path: Path) -> None:
    parsed = parse_plan_file(csv_of(tmp_path / "edge.csv", MAX_ROWS - 1), today=TODAY)
    assert len(parsed.actions) == MAX_ROWS - 1


@pytest.mark.parametrize(
    ("stray", "words"),
    [
        ((MAX_SHEET_ROWS + 1, 1), "reaches further than a plan does"),
        ((5, MAX_COLUMNS + 1), "reaches further than a plan does"),
    ],
)
def test_a_formatted_cell_far_from_the_plan_is_refused_before_openpyxl_builds_the_sheet(
    tmp_path: Path, stray: tuple[int, int], words: str
) -> None:
    path = workbook_of(tmp_path / "stray.xlsx", 10, stray=stray)
    with pytest.raises(ImportFileError, match=words):
        parse_plan_file(path, today=TODAY)


def test_empty_formatted_rows_below_a_plan_are_not_read(tmp_path: Path) -> None:
    """Below the limits, a stray formatted cell changes nothing: the plan is read to its last
    value, as before, without a cell made for every empty place up to the stray one."""
    plain = parse_plan_file(workbook_of(tmp_path / "plain.xlsx", 30), today=TODAY)
    strayed = parse_plan_file(
        workbook_of(tmp_path / "strayed.xlsx", 30, stray=(20_000, 40)), today=TODAY
    )
    assert [a.ref for a in strayed.actions] == [a.ref for a in plain.actions]
    assert strayed.warnings == plain.warnings


def test_an_xml_part_too_big_for_a_plan_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    with (
        zipfile.ZipFile(WORKBOOK) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            out.writestr(info, source.read(info))
        with out.open("xl/comments1.xml", "w", force_zip64=True) as member:
            for _ in range(MAX_XML_PART_BYTES // (1024 * 1024) + 1):
                member.write(b" " * (1024 * 1024))
    with pytest.raises(ImportFileError, match="xl/comments1.xml is 41 MB; more than 40 MB"):
        parse_plan_file(path, today=TODAY)


def test_the_streaming_check_keeps_what_the_full_workbook_gives() -> None:
    """The bundled workbook (merged cells, comments, hidden rows) reads as before."""
    parsed = parse_plan_file(WORKBOOK, today=TODAY)
    assert len(parsed.actions) == 25
    sheet = load_workbook(WORKBOOK).active
    assert sheet is not None and sheet.max_row >= 25


# -- inside the server: a child process with a budget ---------------------------------------


def test_a_bounded_read_gives_what_an_unbounded_one_does(tmp_path: Path) -> None:
    path = csv_of(tmp_path / "plan.csv", 40)
    inside = parse_plan_file(path, today=TODAY, known_owners=["Finance"])
    bounded = parse_plan_file_bounded(path, today=TODAY, known_owners=["Finance"])
    assert bounded == inside


def test_a_bounded_read_passes_on_the_readers_refusal(tmp_path: Path) -> None:
    path = csv_of(tmp_path / "big.csv", MAX_ROWS)
    with pytest.raises(ImportFileError, match=f"more than {MAX_ROWS:,} rows"):
        parse_plan_file_bounded(path, today=TODAY)
    nothing = tmp_path / "nothing.xlsx"
    nothing.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ImportFileError) as refused:
        parse_plan_file(nothing, today=TODAY)
    with pytest.raises(ImportFileError) as bounded:
        parse_plan_file_bounded(nothing, today=TODAY)
    assert str(bounded.value) == str(refused.value)


def test_a_read_that_runs_out_of_time_is_stopped_and_said(tmp_path: Path) -> None:
    # Just inside the row limit: seconds of CPU to read, more than this budget allows.
    path = workbook_of(tmp_path / "slow.xlsx", MAX_ROWS - 1)
    with pytest.raises(ImportFileError, match="took longer than 1 s"):
        parse_plan_file_bounded(path, today=TODAY, budget=Budget(seconds=1))


def test_a_read_that_runs_out_of_memory_is_stopped_and_said(tmp_path: Path) -> None:
    path = workbook_of(tmp_path / "plan.xlsx", 200)
    with pytest.raises(ImportFileError, match="needed more than 100 MB of memory"):
        parse_plan_file_bounded(path, today=TODAY, budget=Budget(memory_bytes=100 * 1024 * 1024))


def test_a_word_document_with_more_table_rows_than_a_plan_has_is_refused(tmp_path: Path) -> None:
    cells = "".join(f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>" for text in HEADER)
    rows = f"<w:tr>{cells}</w:tr>" * (MAX_ROWS + 1)
    body = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:tbl>{rows}</w:tbl></w:body></w:document>"
    )
    path = tmp_path / "plan.docx"
    source = FIXTURES / "office" / "ncc-financial-management-2017.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as out:
        for info in original.infolist():
            data = body.encode() if info.filename == "word/document.xml" else original.read(info)
            out.writestr(info, data)
    with pytest.raises(ImportFileError, match=f"more than {MAX_ROWS:,} table rows"):
        parse_plan_file(path, today=TODAY)


def test_a_chat_upload_over_the_limit_is_refused_in_its_preview_and_nothing_is_kept(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """What `serve` runs for a file sent in chat: the preview names the limit, and no
    pending import or plan is left behind, on SQLite and PostgreSQL."""
    data = csv_of(tmp_path / "BIG.csv", MAX_ROWS).read_bytes()
    answer = preview_upload(
        sessions,
        Upload(filename="BIG.csv", data=data, comment="BIG"),
        platform="slack",
        user_id="UADMIN",
        email=None,
        admins=frozenset({"uadmin"}),
        now=datetime(2018, 1, 15, 9, tzinfo=UTC),
        attach=True,
    )
    assert not answer.reply.ok
    assert f"more than {MAX_ROWS:,} rows" in answer.reply.text
    with sessions() as session:
        for model in (PendingImport, Plan):
            assert session.scalar(select(func.count()).select_from(model)) == 0
