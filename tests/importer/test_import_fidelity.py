"""Import fidelity (issue 8.7): a UTF-8 file cut short is not read as Windows-1252, and two
columns with the same header both keep their values."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.importer.errors import ImportFileError
from bot.importer.reader import parse_bytes
from tests.importer.test_plan_files import _Register, cli_clock, db, imported, run

__all__ = ["cli_clock", "db"]

HEADER = "Ref,Action,Owner\r\n"


def test_utf8_file_missing_its_last_byte_is_still_utf8_and_warns(
    db: _Register, tmp_path: Path
) -> None:
    whole = (HEADER + "1.1,Save £5k,Head of Finance\r\n1.2,Open the café,Head of Café").encode()
    path = tmp_path / "cut.csv"
    path.write_bytes(whole[:-1])  # "é" is two bytes: the file now ends inside it

    out = imported(db.url, path, "CUT")

    assert "Read as utf-8" in out
    assert f"byte {len(whole) - 2}" in out and "cut short" in out
    register = db.export("CUT")
    assert register["1.1"]["title"] == "Save £5k"
    assert register["1.2"]["owners"] == ["Head of Caf\ufffd"]
    assert any("cut short" in flag for flag in register["1.2"]["flags"])


def test_utf8_with_a_foreign_byte_in_the_middle_is_refused_naming_it(
    db: _Register, tmp_path: Path
) -> None:
    data = (HEADER + "1.1,Save £5k,Finance\r\n").encode() + b"1.2,Pay \x80 now,HR\r\n"
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    code, _, err = run(db.url, "import", str(path), "--plan", "MIX")
    assert code == 1
    offset = data.index(b"\x80")
    assert f"byte {offset} (line 3)" in err
    assert "Nothing was written" in err
    assert db.nothing_written()


def test_windows_1252_file_is_still_read_as_windows_1252() -> None:
    table = parse_bytes((HEADER + "1.1,Save £5k,Finance\r\n").encode("cp1252"))
    assert table.encoding == "cp1252" and table.rows[1][1] == "Save £5k"
    assert table.warnings == [] and table.row_notes == {}


def test_ascii_file_ending_in_one_high_byte_says_it_may_be_cut_short() -> None:
    # "Renée" in Windows-1252, or "Rene" plus half of a UTF-8 "é": say which was chosen.
    table = parse_bytes((HEADER + "1.1,Thank Ren").encode() + b"\xc3")
    assert table.encoding == "cp1252" and table.rows[1][1] == "Thank RenÃ"
    assert list(table.row_notes) == [1] and "cut short" in table.row_notes[1][0]


def test_not_text_at_all_is_still_refused() -> None:
    with pytest.raises(ImportFileError, match="neither UTF-8 nor Windows-1252"):
        parse_bytes(b"Ref,Action\n1,\x81\x8d\x8f\x90\x9d\n")


def test_two_columns_with_the_same_header_keep_both(db: _Register, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(
        "Ref,Action,Notes,Owner,Notes,Owner,Notes (2)\r\n"
        "1.1,Publish the budget,first note,Head of Finance,second note,Chief Executive,third\r\n",
        encoding="utf-8",
        newline="",
    )
    out = imported(db.url, path, "TWICE")
    # "Notes (2)" is taken by column 7, so the second "Notes" becomes "Notes (3)".
    assert "'Notes' heads columns 3 and 5: the second is kept as 'Notes (3)'" in out
    assert "'Owner' heads columns 4 and 6: the second is kept as 'Owner (2)'" in out
    action = db.export("TWICE")["1.1"]
    assert action["owners"] == ["Head of Finance"]
    assert action["extra"] == {
        "Notes": "first note",
        "Notes (3)": "second note",
        "Owner (2)": "Chief Executive",
        "Notes (2)": "third",
    }

    code, exported, _ = run(db.url, "export", "--plan", "TWICE", "--format", "csv")
    assert code == 0
    again = tmp_path / "again.csv"
    again.write_text(exported, encoding="utf-8", newline="")
    imported(db.url, again, "TWICE")
    assert db.export("TWICE")["1.1"]["extra"] == action["extra"]


def test_values_under_a_blank_header_are_kept(db: _Register, tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("Ref,Action,,Owner\r\n1.1,Publish,kept text,Finance\r\n", encoding="utf-8")
    out = imported(db.url, path, "BLANK")
    assert "column 3 has values but no header: kept as '(column 3)'" in out
    assert db.export("BLANK")["1.1"]["extra"] == {"(column 3)": "kept text"}
