"""Plans, minutes and reports in the shapes councils publish them (issue 25), beyond the
practice set: the documents in tests/fixtures/documents/ (make_document_fixtures.py) are
imported through the CLI into a real register, SQLite and PostgreSQL, and read back.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from tests.conftest import FIXTURES
from tests.importer.test_office_files import fields
from tests.importer.test_plan_files import _Register, cli_clock, db, imported, run

__all__ = ["cli_clock", "db"]

DOCUMENTS = FIXTURES / "documents"
PUBLISHED = FIXTURES / "published"
SAMPLE = Path(__file__).parents[2] / "bot" / "samples" / "ncc-financial-management-2017.csv"


# --- plan tables in PDFs -------------------------------------------------------------------


def test_pdf_plan_report_gives_the_csv_register_field_by_field(db: _Register) -> None:
    imported(db.url, SAMPLE, "CSV")
    out = imported(db.url, PUBLISHED / "ncc-financial-management-2017.pdf", "PDF")
    from_csv, from_pdf = fields(db.export("CSV")), fields(db.export("PDF"))
    assert len(from_csv) == 25
    assert list(from_pdf) == list(from_csv)
    for ref, action in from_csv.items():
        for field, value in action.items():
            assert from_pdf[ref][field] == value, (ref, field)
    assert "Read as a PDF, page 3, page 4" in out


def _same_but_owner_runs(from_csv: dict[str, Any], from_pdf: dict[str, Any]) -> None:
    """Field by field, but for owner cells that a PDF without space between paragraphs
    runs together ("Business Intelligence Democratic Services"): each owner read must be
    one or more of the CSV's owners, in order (expected.json allows the same)."""
    assert list(from_pdf) == list(from_csv)
    skip = {"owners", "owners_text", "flags"}
    for ref, action in from_csv.items():
        for field, value in action.items():
            if field not in skip:
                assert from_pdf[ref][field] == value, (ref, field)
        assert " ".join(from_pdf[ref]["owners"]) == " ".join(action["owners"]), ref


@pytest.mark.parametrize(
    "name",
    ["plan-word-report.pdf", "plan-without-rules.pdf"],
    ids=["ruled, header not repeated, section rows", "no rules, header repeated"],
)
def test_pdf_plan_tables_across_pages_give_the_csv_register(db: _Register, name: str) -> None:
    imported(db.url, SAMPLE, "CSV")
    imported(db.url, DOCUMENTS / name, "PDF")
    from_csv, from_pdf = fields(db.export("CSV")), fields(db.export("PDF"))
    _same_but_owner_runs(from_csv, from_pdf)
    # Rows cut by a page break come back whole.
    assert from_pdf["3.1"]["tasks"][-1].endswith(
        "reviewed for focus on improvement and efficiency."
    )
    assert from_pdf["4.5"]["tasks"][-1].endswith("timely use of block purchasing.")


def test_sections_from_full_width_rows_carry_over_pages(db: _Register) -> None:
    imported(db.url, DOCUMENTS / "plan-word-report.pdf", "PDF")
    register = db.export("PDF")
    # Sections 3 and 4 share a table under one heading; their rows name them, and the
    # table's last page starts with neither a heading nor a section row.
    assert register["3.3"]["section"] == "3. Decision-making"
    assert register["4.6"]["section"] == "4. Financial outcomes"
    assert register["2.9"]["section"] == "2. Financial strategy, planning and forecasting"


# --- minutes --------------------------------------------------------------------------------


def test_minutes_numbered_by_word_itself(db: _Register) -> None:
    out = imported(db.url, DOCUMENTS / "cabinet-minutes-word-numbering.docx", "CAB", "--yes")
    register = db.export("CAB")
    assert list(register) == ["42 (b)", "42 (c)(i)", "42 (c)(ii)", "43 (b)", "43 (c)"]
    assert register["42 (b)"]["owners"] == ["Chief Executive"]
    assert register["42 (b)"]["due_date"] == "2026-06-30"
    assert register["42 (b)"]["theme"] == "LOCAL PLAN: PREFERRED OPTIONS"
    # An item under "the Director of Place be asked to:" is asked of the Director.
    assert register["42 (c)(i)"]["title"] == (
        "the Director of Place be asked to publish the consultation documents by 1 June 2026"
    )
    assert register["42 (c)(i)"]["due_date"] == "2026-06-01"
    assert register["42 (c)(ii)"]["target_text"] == "in the autumn"
    assert register["42 (c)(ii)"]["due_date"] == "2026-11-30"
    # "officers" names no one: no owner, flagged.
    assert register["43 (b)"]["owners"] == []
    assert any("no owner" in flag for flag in register["43 (b)"]["flags"])
    # "the next meeting" with no date for it in the minutes: kept as words, flagged.
    assert register["43 (c)"]["target_text"] == "to the next meeting"
    assert register["43 (c)"]["due_date"] is None
    assert any("no date" in flag for flag in register["43 (c)"]["flags"])
    assert register["43 (c)"]["extra"] == {
        "Source file": "cabinet-minutes-word-numbering.docx",
        "Source paragraph": "20",
        "Source text": "(c) the Head of Planning be requested to bring a report on the parking "
        "strategy to the next meeting.",
    }
    for decided in ("42 (a)  paragraph 10: approved", "43 (a)  paragraph 18: noted", "44  "):
        assert decided in out


@pytest.mark.parametrize("suffix", ["docx", "pdf"])
def test_minutes_numbered_minute_12_in_word_and_as_pdf(db: _Register, suffix: str) -> None:
    imported(db.url, DOCUMENTS / f"scrutiny-minutes.{suffix}", "OS", "--yes")
    register = db.export("OS")
    assert list(register) == ["13 (2)", "13 (3)", "14 (i)"]
    first = register["13 (2)"]
    assert first["owners"] == ["Head of Waste Services"]
    # Two weeks from the meeting of 14 April 2026.
    assert (first["target_text"], first["due_date"]) == (
        "within two weeks of the meeting",
        "2026-04-28",
    )
    assert register["13 (3)"]["due_date"] is None
    last = register["14 (i)"]
    # The clause runs over the page; the next meeting is dated in minute 15.
    assert last["title"].startswith("the Head of Waste Services report back on the number")
    assert last["title"].endswith("the cost of the enforcement contract, by the next meeting")
    assert last["due_date"] == "2026-06-09"
    assert first["theme"] == "Waste collection performance"
    if suffix == "pdf":
        assert first["extra"]["Source page"] == "1"
        # The running head and page number are not part of any text.
        assert "Overview and Scrutiny Committee –" not in last["title"]


def test_minutes_laid_out_in_a_table(db: _Register) -> None:
    out = imported(db.url, DOCUMENTS / "audit-panel-minutes-table.docx", "AP", "--yes")
    register = db.export("AP")
    assert list(register) == ["AGC/24/26", "AGC/25/26"]
    assert register["AGC/24/26"]["owners"] == ["Head of Finance"]
    assert register["AGC/24/26"]["due_date"] == "2026-03-20"
    assert register["AGC/25/26"]["owners"] == ["Internal Audit"]
    assert register["AGC/25/26"]["due_date"] == "2027-03-31"
    assert "AGC/23/26  paragraph" in out and "signed" in out


# --- reports --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["docx", "pdf"])
def test_report_recommendations_next_steps_and_carried_over(db: _Register, suffix: str) -> None:
    out = imported(db.url, DOCUMENTS / f"housing-improvement-report.{suffix}", "HIP", "--yes")
    actions = {a["title"]: a for a in db.export("HIP").values()}
    assert set(actions) == {
        "asks the Director of Housing to report back on the voids backlog by March 2027",
        "Procure the new responsive repairs contract",
        "Publish repairs performance monthly",
        "Refresh the tenant scrutiny panel",
        "Survey all tenants about the repairs service",
    }
    asked = actions[
        "asks the Director of Housing to report back on the voids backlog by March 2027"
    ]
    assert (asked["owners"], asked["due_date"]) == (["Director of Housing"], "2027-03-31")
    procure = actions["Procure the new responsive repairs contract"]
    assert procure["target_text"] == "by end of Q2 2026/27" and procure["due_date"] == "2026-09-30"
    assert (procure["theme"], procure["owners"]) == ("Repairs", ["Head of Repairs"])
    panel = actions["Refresh the tenant scrutiny panel"]
    assert (panel["target_text"], panel["owners"]) == ("Spring 2027", ["Rita Osei"])
    survey = actions["Survey all tenants about the repairs service"]
    assert (survey["owners"], survey["due_date"]) == (["Head of Repairs"], "2026-10-31")
    assert "a recommendation to note" in out
    assert "under 'Completed': done" in out and "Out-of-hours repairs line moved in-house" in out
    assert "Recruitment of surveyors" not in out  # a risk, not listed


def _report(path: Path, items: list[str]) -> None:
    document = Document()
    document.add_heading("1. Customer Access", level=1)
    document.add_paragraph("Workstream lead: Sam Okafor, Head of Customer Services")
    document.add_paragraph("Actions carried forward").runs[0].bold = True
    for item in items:
        document.add_paragraph(item, style="List Bullet")
    document.save(path)


def test_next_quarters_report_updates_the_same_actions(db: _Register, tmp_path: Path) -> None:
    """Refs of listed actions come from their words, not their place: a later report that
    inserts an item and moves a date updates the same actions and adds one."""
    path = tmp_path / "q3.docx"
    _report(path, ["Introduce a call-back option (May 2026)", "Agree email standards"])
    imported(db.url, path, "CA", "--yes")
    before = {a["title"]: ref for ref, a in db.export("CA").items()}
    _report(
        path,
        [
            "Publish the accessibility statement (July 2026)",
            "Introduce a call-back option (June 2026)",
            "Agree email standards",
        ],
    )
    last = db.last_event_id()
    out = imported(db.url, path, "CA", "--yes")
    after = {a["title"]: ref for ref, a in db.export("CA").items()}
    assert after["Introduce a call-back option"] == before["Introduce a call-back option"]
    assert after["Agree email standards"] == before["Agree email standards"]
    assert "1 added, 2 changed, 0 unchanged" in out
    changed = {(ref, name) for ref, name, _, _ in db.events_after(last) if name != "created"}
    moved, dated = before["Agree email standards"], before["Introduce a call-back option"]
    # Both moved down the list (position, and the paragraph the source names); the
    # call-back option's date moved too. Nothing else changed.
    assert {name for ref, name in changed if ref == moved} == {"position", "extra"}
    assert {name for ref, name in changed if ref == dated} == {
        "position",
        "extra",
        "target_text",
        "target_date",
        "due_date",
        "flags",
    }
    assert all(r.startswith("CA-") for r in after.values())


# --- the preview, and asking first ----------------------------------------------------------


def test_dry_run_shows_every_candidate_with_page_and_sentence(db: _Register) -> None:
    path = PUBLISHED / "wessex-audit-governance-minutes-2026-03-12.pdf"
    code, out, _ = run(db.url, "import", str(path), "--plan", "W", "--dry-run")
    assert code == 0
    assert "DRY RUN: nothing written" in out
    assert "29/26 (c)  page 2" in out
    assert (
        "“(c) the Chief Internal Auditor bring the results of a follow-up audit of fleet fuel cards to the Committee by the end of June 2026.”"
        in out
    )
    assert "owner: Chief Internal Auditor; due: Tue 30 Jun 2026 ('by the end of June 2026')" in out
    assert "Not actions (11), not imported:" in out
    assert "34/26  page 3: the press and public excluded" in out
    assert db.nothing_written()


def test_prose_without_a_terminal_needs_yes_and_writes_nothing(db: _Register) -> None:
    path = PUBLISHED / "mercia-vale-fit-for-the-future-q3-report.pdf"
    code, out, err = run(db.url, "import", str(path), "--plan", "MV")
    assert code == 1
    assert "17 actions were read from a report" in err and "--yes" in err
    assert "Nothing was written" in err
    assert "Read from the report: 17 actions" in out  # the preview to check first
    assert db.nothing_written()


def test_a_plan_table_needs_no_confirmation(db: _Register) -> None:
    code, _, err = run(
        db.url, "import", str(PUBLISHED / "ncc-financial-management-2017.pdf"), "--plan", "N"
    )
    assert code == 0, err
    assert len(db.export("N")) == 25


def _at_a_terminal(db_url: str, path: Path, answer: str) -> str:
    """`actionbot import` run with a real terminal (a pty) on stdin, answering `answer`."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "200"}
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "bot",
            "--database-url",
            db_url,
            "import",
            str(path),
            "--plan",
            "TTY",
        ],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    output = b""
    sent = False
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if not sent and b"[y/N]" in output:
            os.write(leader, answer.encode() + b"\n")
            sent = True
    process.wait(timeout=60)
    os.close(leader)
    return output.decode("utf-8", "replace")


def test_at_a_terminal_the_admin_is_asked_and_no_writes_nothing(db: _Register) -> None:
    path = PUBLISHED / "wessex-audit-governance-minutes-2026-03-12.docx"
    said = _at_a_terminal(db.url, path, "n")
    assert "Import these 7 actions into plan TTY? [y/N]" in said
    assert "Not imported: nothing was written." in said
    assert db.nothing_written()
    said = _at_a_terminal(db.url, path, "y")
    assert "7 added" in said
    assert len(db.export("TTY")) == 7


# --- bad input ------------------------------------------------------------------------------


def _big_pdf(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write((PUBLISHED / "ncc-financial-management-2017.pdf").read_bytes())
        handle.truncate(26 * 1024 * 1024)


BAD = {
    "scanned": (
        lambda p: p.write_bytes((DOCUMENTS / "scanned.pdf").read_bytes()),
        "this PDF has no text: run OCR first",
    ),
    "password": (
        lambda p: p.write_bytes((DOCUMENTS / "password-protected.pdf").read_bytes()),
        "is a password-protected PDF",
    ),
    "too big": (_big_pdf, "is 26.0 MB; plans larger than 25 MB are refused"),
    "damaged": (
        lambda p: p.write_bytes((DOCUMENTS / "letter.pdf").read_bytes()[:2000]),
        "could not be read as a PDF",
    ),
    "letter pdf": (
        lambda p: p.write_bytes((DOCUMENTS / "letter.pdf").read_bytes()),
        "has no plan table, no minutes with resolutions and no list of actions. Looked for: "
        "a table whose header row",
    ),
    "letter docx": (
        lambda p: p.write_bytes((DOCUMENTS / "letter.docx").read_bytes()),
        "has no plan table, no minutes with resolutions and no list of actions",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_documents_are_refused_clearly_and_write_nothing(
    db: _Register, tmp_path: Path, case: str
) -> None:
    make, message = BAD[case]
    path = tmp_path / "minutes.pdf"
    make(path)
    code, out, err = run(db.url, "import", str(path), "--plan", "BAD", "--yes")
    assert code == 1, out
    assert message in err and "Nothing was written" in err
    assert "Traceback" not in out + err
    assert db.nothing_written()


def test_sheet_is_refused_for_a_pdf(db: _Register) -> None:
    path = PUBLISHED / "ncc-financial-management-2017.pdf"
    code, _, err = run(db.url, "import", str(path), "--plan", "N", "--sheet", "2")
    assert code == 1 and "--sheet is for Excel workbooks" in err and "is a PDF" in err
    assert db.nothing_written()


# --- hostile text --------------------------------------------------------------------------

# No control character: a Word document cannot hold one (XML 1.0 forbids it).
HOSTILE = (
    '<!channel> =HYPERLINK("http://evil.example","x") *bold* <tag> 📎 ' + "long " * 600
).strip()


def test_hostile_clause_text_is_kept_exactly_as_written(db: _Register, tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("5.\tACTIONS").runs[0].bold = True
    document.add_paragraph(f"RESOLVED that the Head of ICT review {HOSTILE}.")
    path = tmp_path / "hostile.docx"
    document.save(path)
    imported(db.url, path, "H", "--yes")
    [action] = db.export("H").values()
    assert action["title"] == f"the Head of ICT review {HOSTILE}"
    assert action["owners"] == ["Head of ICT"]
    assert action["ref"] == "5"


# --- owners matched to the register's ------------------------------------------------------


def test_a_role_is_matched_to_the_owner_the_register_knows(db: _Register, tmp_path: Path) -> None:
    """The clause names "the Director of Finance"; the owners file knows her as Rachel
    Dunmore, whom the minutes' attendance list gives as Director of Finance; and it knows
    "Head of ICT" in its own spelling. Roles nobody vouched for stay as the clause says."""
    owners = tmp_path / "owners.csv"
    owners.write_text(
        "owner,email\nRachel Dunmore,rachel@wessex.example\nhead of ICT,ict@wessex.example\n",
        encoding="utf-8",
    )
    code, _, err = run(db.url, "owners", "import", str(owners))
    assert code == 0, err
    imported(db.url, PUBLISHED / "wessex-audit-governance-minutes-2026-03-12.pdf", "W", "--yes")
    register = db.export("W")
    assert register["28/26 (b)"]["owners"] == ["Rachel Dunmore"]
    assert register["31/26 (b)"]["owners"] == ["head of ICT"]
    assert register["29/26 (c)"]["owners"] == ["Chief Internal Auditor"]


def test_clauses_led_in_by_whom_they_ask_and_resolutions_without_numbers(
    db: _Register, tmp_path: Path
) -> None:
    """Action notes with no minute numbers: resolutions are numbered in order (R1, R2);
    "RESOLVED that the Director of Finance be asked to:" asks the Director each clause."""
    document = Document()
    document.add_paragraph("Notes of the Budget Board, 2 February 2026")
    document.add_paragraph("RESOLVED that the Director of Finance be asked to:")
    document.add_paragraph("(a)\treview the reserves policy by 30 April 2026;")
    document.add_paragraph("(b)\tcirculate the savings tracker.")
    document.add_paragraph("The Board discussed the capital programme.")
    document.add_paragraph("AGREED: the Head of Property to list surplus sites.")
    path = tmp_path / "notes.docx"
    document.save(path)
    imported(db.url, path, "BB", "--yes")
    register = db.export("BB")
    assert list(register) == ["R1 (a)", "R1 (b)", "R2"]
    assert register["R1 (a)"]["owners"] == ["Director of Finance"]
    assert register["R1 (a)"]["due_date"] == "2026-04-30"
    assert register["R1 (b)"]["owners"] == ["Director of Finance"]
    assert register["R2"]["owners"] == ["Head of Property"]
