"""Plans imported straight from Excel workbooks and Word documents (issue 14).

The fixtures in tests/fixtures/office/ are written by tests/fixtures/make_office_fixtures.py
(openpyxl, python-docx; one workbook and the .xls/.doc saved by LibreOffice). Every test
imports into a real register, on SQLite and PostgreSQL, and reads the register back.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from bot.importer.cell_text import displayed
from bot.importer.errors import ImportFileError
from store.models import Event
from tests.conftest import FIXTURES
from tests.importer.test_plan_files import _Register, cli_clock, db, imported, run
from tests.plan_workbooks import odd_headers_csv, two_sheet_workbook

__all__ = ["cli_clock", "db"]

OFFICE = FIXTURES / "office"
SAMPLE = Path(__file__).parents[2] / "bot" / "samples" / "ncc-financial-management-2017.csv"
NCC = "ncc-financial-management-2017"
BY_THEME = OFFICE / "peer_challenge_by_theme.xlsx"


def fields(register: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every field of every action, but the history and times of this particular import."""
    skip = {"plan", "history", "updated_at"}
    return {ref: {k: v for k, v in r.items() if k not in skip} for ref, r in register.items()}


# --- the bundled plan, three ways ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [f"{NCC}.xlsx", f"{NCC}-libreoffice.xlsx", f"{NCC}.docx"],
    ids=["openpyxl", "libreoffice", "word"],
)
def test_bundled_plan_from_excel_or_word_gives_the_csv_register(db: _Register, name: str) -> None:
    imported(db.url, SAMPLE, "CSV")
    out = imported(db.url, OFFICE / name, "OFFICE")
    from_csv, from_office = fields(db.export("CSV")), fields(db.export("OFFICE"))
    assert len(from_csv) == 25
    assert list(from_office) == list(from_csv)
    for ref, action in from_csv.items():
        for field, value in action.items():
            assert from_office[ref][field] == value, (ref, field)
    assert "Read as an Excel workbook" in out or "Read as a Word document" in out


def test_workbook_saved_by_libreoffice_is_a_real_libreoffice_file() -> None:
    with zipfile.ZipFile(OFFICE / f"{NCC}-libreoffice.xlsx") as archive:
        app = archive.read("docProps/app.xml").decode()
    assert "LibreOffice" in app


def test_word_report_sections_tables_and_bullets(db: _Register) -> None:
    out = imported(db.url, OFFICE / f"{NCC}.docx", "DOC")
    register = db.export("DOC")
    # The table of section 2 breaks across a page; its second part has no header row.
    assert register["2.9"]["section"] == "2. Financial strategy, planning and forecasting"
    # Sections 3 and 4 share a table: full-width merged rows name them, the header repeats.
    assert register["3.1"]["section"] == "3. Decision-making"
    assert register["4.6"]["section"] == "4. Financial outcomes"
    assert register["1.1"]["tasks"][0].startswith("Review of the arrangements")
    assert register["1.1"]["owners"] == [
        "CEO",
        "Strategic Leadership Team",
        "Overview and Scrutiny Committee Chair",
    ]
    assert "tables with no plan header, not imported: table 1 (2 rows)" in out
    assert "Read as a Word document, table 2, table 3, table 4, table 5" in out


# --- a workbook with one sheet per theme ------------------------------------------------------


def test_every_sheet_with_a_plan_is_imported_with_sheet_all(db: _Register) -> None:
    out = imported(db.url, BY_THEME, "PCR", "--sheet", "all")
    register = db.export("PCR")
    assert list(register) == ["1.1", "1.2", "1.10", "2.1", "2.2"]
    assert {r["theme"] for r in register.values()} == {
        "Financial Governance",
        "Children’s Services",
    }
    assert "sheets with no plan header, not imported: 'Read me'" in out
    # A real Excel date: exact, whatever the format shows; the shown text is kept.
    assert register["1.1"]["target_text"] == "31/03/2018"
    assert register["1.1"]["target_date"] == "2018-03-31"
    assert register["1.2"]["revised_target_date"] == "2018-09-30"
    assert (register["1.10"]["target_text"], register["1.10"]["target_date"]) == (
        "Jun-18",
        "2018-06-30",
    )
    # "30 June 2018" typed as text goes through the UK parser.
    assert register["2.1"]["target_date"] == "2018-06-30"
    # The owner cell merged over 1.2 and 1.10 applies to both.
    assert register["1.10"]["owners"] == register["1.2"]["owners"] == ["Chief Finance Officer"]
    # Hidden rows and columns are imported, and said to be hidden.
    assert register["1.10"]["extra"] == {"Directorate": "Finance"}
    assert "hidden in the workbook; imported" in register["1.10"]["flags"]
    assert "sheet 'Financial Governance' has hidden column I: imported" in out
    # A cell comment is kept beside the values.
    assert (
        register["1.1"]["extra"]["Improvement Action (comment)"]
        == "Agreed at Cabinet on 12 December"
    )
    assert (
        "Read as an Excel workbook, sheet 'Financial Governance', sheet 'Children’s Services'"
        in out
    )


def test_without_sheet_the_first_plan_sheet_is_imported_and_others_named(db: _Register) -> None:
    out = imported(db.url, BY_THEME, "PCR")
    assert list(db.export("PCR")) == ["1.1", "1.2", "1.10"]
    assert "'Children’s Services' also look like plans (--sheet all imports every one)" in out


@pytest.mark.parametrize("sheet", ["3", "children’s services"])
def test_sheet_by_number_or_name(db: _Register, sheet: str) -> None:
    imported(db.url, BY_THEME, "PCR", "--sheet", sheet)
    assert list(db.export("PCR")) == ["2.1", "2.2"]


def test_unknown_sheet_names_the_sheets_and_writes_nothing(db: _Register) -> None:
    for sheet in ("Budget", "9"):
        code, _, err = run(db.url, "import", str(BY_THEME), "--plan", "PCR", "--sheet", sheet)
        assert code == 1
        assert "'Read me', 'Financial Governance', 'Children’s Services'" in err
        assert "Nothing was written" in err
    assert db.nothing_written()


def test_reimporting_a_workbook_or_document_changes_nothing(db: _Register) -> None:
    for plan, path, args in (
        ("X", BY_THEME, ("--sheet", "all")),
        ("D", OFFICE / f"{NCC}.docx", ()),
    ):
        imported(db.url, path, plan, *args)
        events = db.count(Event)
        out = imported(db.url, path, plan, *args)
        assert " 0 added, 0 changed" in out.splitlines()[0]
        assert db.count(Event) == events


def test_dry_run_of_a_workbook_writes_nothing(db: _Register) -> None:
    out = imported(db.url, OFFICE / f"{NCC}.xlsx", "NCC", "--dry-run")
    assert out.startswith("DRY RUN: nothing written. Plan NCC: 25 added")
    assert db.nothing_written()


# --- the file's kind comes from its bytes ---------------------------------------------------


def test_file_kind_comes_from_content_not_the_name(db: _Register, tmp_path: Path) -> None:
    cases = {
        "plan.csv": OFFICE / f"{NCC}.xlsx",
        "plan.txt": OFFICE / f"{NCC}.docx",
        "plan.xlsx": SAMPLE,
    }
    for index, (name, source) in enumerate(cases.items()):
        path = tmp_path / name
        shutil.copyfile(source, path)
        imported(db.url, path, f"P{index}")
        assert len(db.export(f"P{index}")) == 25, name


# --- bad files --------------------------------------------------------------------------------


def _not_office_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photos/site-visit.jpg", b"\xff\xd8\xff" + b"\x00" * 100)
        archive.writestr("notes.txt", "Action plan photos")


def _no_plan_docx(path: Path) -> None:
    shutil.copyfile(OFFICE / "minutes_no_plan.docx", path)


def _fifty_megabytes(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write((OFFICE / f"{NCC}.xlsx").read_bytes())
        handle.truncate(50 * 1024 * 1024)


def _zip_bomb(path: Path) -> None:
    # A few hundred kilobytes that would unpack into 101 MB of sheet XML.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(101):
                member.write(chunk)


BAD_FILES = {
    "password-protected workbook": (
        lambda p: shutil.copyfile(OFFICE / "password_protected.xlsx", p),
        "is password-protected; open it, remove the password",
    ),
    "zip that is not office": (
        _not_office_zip,
        "is a zip archive, not an Excel workbook or Word document (it holds notes.txt, "
        "photos/site-visit.jpg)",
    ),
    "50 MB workbook": (_fifty_megabytes, "is 50.0 MB; plans larger than 25 MB are refused"),
    "document with no plan table": (_no_plan_docx, "has no plan table"),
    "workbook unpacking to 101 MB": (_zip_bomb, "unpacks to 101 MB; files that unpack to more"),
    "word document named .xlsx, no plan table": (
        lambda p: shutil.copyfile(OFFICE / "minutes_no_plan.docx", p),
        "has no plan table",
    ),
    "damaged workbook": (
        lambda p: p.write_bytes((OFFICE / f"{NCC}.xlsx").read_bytes()[:3000]),
        "is damaged",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_office_files_are_refused_clearly_and_write_nothing(
    db: _Register, tmp_path: Path, case: str
) -> None:
    make, message = BAD_FILES[case]
    path = tmp_path / "plan.xlsx"
    make(path)
    code, out, err = run(db.url, "import", str(path), "--plan", "BAD")
    assert code == 1, out
    assert message in err and "Nothing was written" in err
    assert "Traceback" not in out + err
    assert db.nothing_written()


def test_workbook_whose_sheets_hold_no_plan_is_refused(db: _Register, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Budget line", "2017/18", "2018/19"])
    sheet.append(["Adults", 120, 130])
    path = tmp_path / "budget.xlsx"
    book.save(path)
    code, _, err = run(db.url, "import", str(path), "--plan", "BAD")
    assert code == 1
    assert "no sheet of budget.xlsx has a plan header row" in err and "'Sheet'" in err
    assert db.nothing_written()


def _without_libreoffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.parametrize(("suffix", "new"), [("xls", ".xlsx"), ("doc", ".docx")])
def test_old_office_files_without_libreoffice_say_how_to_save_them(
    db: _Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str, new: str
) -> None:
    _without_libreoffice(monkeypatch, tmp_path)
    path = tmp_path / f"plan.{suffix}"
    shutil.copyfile(OFFICE / f"{NCC}.{suffix}", path)
    code, _, err = run(db.url, "import", str(path), "--plan", "OLD")
    assert code == 1
    assert f"open it and save it as {new}, then import that" in err
    assert "install LibreOffice" in err
    assert db.nothing_written()


# What converting each old format takes: a LibreOffice with Calc for .xls, with Writer for
# .doc. Some machines' LibreOffice has Writer but not Calc (Debian's libreoffice-writer alone).
COMPONENT = {
    "xls": ("Calc", "csv", "Ref,Action\n1,x\n", "xlsx"),
    "doc": ("Writer", "txt", "x\n", "docx"),
}


@functools.cache
def libreoffice_converts(suffix: str) -> bool:
    """Whether this machine's LibreOffice can convert the old format at all: a tiny file
    of the kind its component opens, converted once per test run."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return False
    _, kind, text, new = COMPONENT[suffix]
    with tempfile.TemporaryDirectory(prefix="actionbot-lo-probe-") as tmp:
        source = Path(tmp) / f"probe.{kind}"
        source.write_text(text, encoding="utf-8")
        profile = f"-env:UserInstallation=file://{tmp}/profile"
        command = [soffice, profile, "--headless", "--convert-to", new, "--outdir", tmp]
        try:
            subprocess.run([*command, str(source)], capture_output=True, timeout=120, check=False)
        except (subprocess.SubprocessError, OSError):
            return False
        return (Path(tmp) / f"probe.{new}").is_file()


@pytest.mark.parametrize(("suffix", "new"), [("xls", ".xlsx"), ("doc", ".docx")])
def test_old_office_file_is_converted_by_libreoffice_when_installed(
    db: _Register, suffix: str, new: str
) -> None:
    code, out, err = run(db.url, "import", str(OFFICE / f"{NCC}.{suffix}"), "--plan", "OLD")
    # Skipped only when this machine cannot convert the format at all, not when it merely
    # has some LibreOffice: then a failure here is actionbot's.
    if code != 0 and not libreoffice_converts(suffix):
        component = COMPONENT[suffix][0]
        pytest.skip(f"this machine's LibreOffice cannot convert .{suffix} (no {component})")
    assert code == 0, err
    assert f"converted to {new} with LibreOffice" in out
    imported(db.url, SAMPLE, "CSV")
    assert fields(db.export("OLD")) == fields(db.export("CSV"))


@pytest.mark.parametrize("name", [f"{NCC}.docx", f"{NCC}.xlsx", f"{NCC}-libreoffice.xlsx"])
def test_readers_raise_only_import_file_error_on_a_mangled_office_file(
    tmp_path: Path, name: str
) -> None:
    from bot.importer.plan_file import parse_plan_file

    source = (OFFICE / name).read_bytes()
    path = tmp_path / name
    for cut in (100, 5000, len(source) // 2, len(source) - 10):
        path.write_bytes(source[:cut])
        with pytest.raises(ImportFileError):
            parse_plan_file(path, today=date(2018, 1, 15))
    # Flipped bytes in the middle of the compressed XML.
    damaged = bytearray(source)
    for offset in range(len(source) // 3, len(source) // 3 + 400, 7):
        damaged[offset] ^= 0xFF
    path.write_bytes(bytes(damaged))
    with pytest.raises(ImportFileError):
        parse_plan_file(path, today=date(2018, 1, 15))


def test_macro_enabled_workbook_is_read(tmp_path: Path) -> None:
    from bot.importer.plan_file import parse_plan_file

    path = tmp_path / "plan.xlsm"
    with zipfile.ZipFile(OFFICE / f"{NCC}.xlsx") as source, zipfile.ZipFile(path, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
                ).replace(
                    b"application/vnd.openxmlformats-officedocument.ms-excel",
                    b"application/vnd.ms-excel",
                )
                assert b"macroEnabled" in data
            out.writestr(item, data)
    assert len(parse_plan_file(path, today=date(2018, 1, 15)).actions) == 25


def test_a_document_with_a_plan_table_built_in_the_test(tmp_path: Path) -> None:
    from bot.importer.plan_file import parse_plan_file

    document = Document()
    document.add_heading("2. Staffing", level=2)
    table = document.add_table(rows=3, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Ref", "Action", "Lead"), strict=True):
        cell.text = text
    for cell, text in zip(
        table.rows[1].cells, ("2.10", "Recruit a finance director", "Chief Executive"), strict=True
    ):
        cell.text = text
    # An owner cell merged down two rows applies to both.
    table.cell(1, 2).merge(table.cell(2, 2))
    table.cell(2, 0).text, table.cell(2, 1).text = "2.11", "Interim cover"
    path = tmp_path / "staffing.docx"
    document.save(path)
    plan = parse_plan_file(path, today=date(2018, 1, 15))
    assert [(a.ref, a.section, a.owners) for a in plan.actions] == [
        ("2.10", "2. Staffing", ["Chief Executive"]),
        ("2.11", "2. Staffing", ["Chief Executive"]),
    ]


# --- what a cell shows ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (2.1, "0.00", "2.10"),
        (2.1, "General", "2.1"),
        (3.0, "0", "3"),
        (0.1 + 0.2, "General", "0.3"),
        (1234.5, "#,##0.00", "1,234.50"),
        (0.25, "0%", "25%"),
        (datetime(2018, 3, 31), "dd/mm/yyyy", "31/03/2018"),
        (datetime(2018, 3, 31), "DD/MM/YYYY", "31/03/2018"),
        (datetime(2018, 3, 31), "mmm-yy", "Mar-18"),
        (datetime(2018, 3, 31), "[$-809]d mmmm yyyy;@", "31 March 2018"),
        (datetime(2018, 3, 31, 14, 5), "dd/mm/yyyy hh:mm", "31/03/2018 14:05"),
        (datetime(2018, 3, 31), "General", "2018-03-31"),
        (date(2018, 3, 31), "yyyy-mm-dd", "2018-03-31"),
        (True, "General", "TRUE"),
        ("1.10", "@", "1.10"),
    ],
)
def test_cells_read_as_excel_shows_them(value: object, number_format: str, shown: str) -> None:
    assert displayed(value, number_format) == shown


def test_import_records_the_sheet_row_in_each_created_event(db: _Register) -> None:
    imported(db.url, BY_THEME, "PCR", "--sheet", "all")
    history = db.export("PCR")["2.1"]["history"]
    assert history[0]["field"] == "created"
    assert history[0]["note"] == "sheet 'Children’s Services' row 4"


# --- the committed fixtures are what the script writes ------------------------------------------


def _workbook_values(path: Path) -> list[tuple[str, list[tuple[object, ...]], list[str]]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [
        (ws.title, list(ws.iter_rows(values_only=True)), sorted(map(str, ws.merged_cells.ranges)))
        for ws in book.worksheets
    ]


def _document_text(path: Path) -> list[str]:
    document = Document(str(path))
    return [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]


def test_office_fixtures_match_their_generator(tmp_path: Path) -> None:
    from tests.fixtures import make_office_fixtures as make

    make.ncc_workbook(tmp_path / "ncc.xlsx")
    make.council_workbook(tmp_path / "council.xlsx")
    make.ncc_document(tmp_path / "ncc.docx")
    stale = "is stale: run tests/fixtures/make_office_fixtures.py"
    assert _workbook_values(tmp_path / "ncc.xlsx") == _workbook_values(OFFICE / f"{NCC}.xlsx"), (
        stale
    )
    assert _workbook_values(tmp_path / "council.xlsx") == _workbook_values(BY_THEME), stale
    assert _document_text(tmp_path / "ncc.docx") == _document_text(OFFICE / f"{NCC}.docx"), stale


# --- the command line names its own options (chat names them its way: issue 12) ------------


def test_the_command_lines_messages_name_sheet_and_map(db: _Register, tmp_path: Path) -> None:
    book, odd = tmp_path / "book.xlsx", tmp_path / "odd.csv"
    book.write_bytes(two_sheet_workbook())
    odd.write_bytes(odd_headers_csv())
    cases = [
        ((book, "--sheet", "3"), "--sheet 3: the workbook has 2 sheets: 'Finance plan'"),
        ((book, "--sheet", "Budget"), "--sheet 'Budget': no such sheet"),
        ((odd, "--sheet", "2"), "--sheet is for Excel workbooks; odd.csv is a text file"),
        ((odd,), 'name it with --map ref="<header>"'),
        ((odd, "--map", "ref=Key"), "--map ref='Key': no such column"),
        ((odd, "--map", "colour=Key"), "--map names an unknown field 'colour'"),
    ]
    for (path, *args), message in cases:
        code, out, err = run(db.url, "import", str(path), "--plan", "X", *args)
        assert code == 1 and message in err, (args, err)
        assert "the message" not in err and "`" not in err
    assert db.nothing_written()
    out = imported(db.url, book, "X")
    assert "'Action plan' also look like plans (--sheet all imports every one)" in out
