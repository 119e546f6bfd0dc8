"""CSV injection (issue 8.4): a cell that Excel would run as a formula is neutralised on
export with OWASP's leading `'`, and the importer takes that `'` off again, so the export
still re-imports to exactly the same register."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from bot.importer.formula_guard import TRIGGERS, neutralise, restore
from tests.importer.test_plan_files import _Register, cli_clock, db, imported, run

__all__ = ["cli_clock", "db"]

HOSTILE = {
    '=HYPERLINK("https://evil.example","Open budget")': "formula",
    "+44 1604 123456 is the helpline": "plus",
    "-5k from the reserves": "minus text",
    "-12": "negative number",
    "@SUM(A1:A9)": "at",
    "'plain quote kept": "a quote then text",
}


def _plan(tmp_path: Path) -> Path:
    rows = [["Ref", "Action", "Owner", "Latest update", "Notes"]]
    for index, (text, _) in enumerate(HOSTILE.items(), start=1):
        rows.append([f"1.{index}", f"Action {index}", "Head of Finance", text, text])
    rows.append(["=1+1", "A formula as a ref", "=cmd|' /C calc'!A0", "", ""])
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "hostile.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return path


def _without_history(register: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    skip = {"plan", "history", "updated_at"}
    return {ref: {k: v for k, v in r.items() if k not in skip} for ref, r in register.items()}


def test_export_neutralises_formula_cells_and_reimports_exactly(
    db: _Register, tmp_path: Path
) -> None:
    imported(db.url, _plan(tmp_path), "EVIL")
    # An owner plants a formula from chat, the way the issue describes.
    db.chat('1.1 note =HYPERLINK("https://evil.example","Open budget")')
    # A note that itself starts with a quote before "=" must come back with its quote.
    db.chat("1.2 note '=already quoted by someone")
    code, exported, err = run(db.url, "export", "--plan", "EVIL", "--format", "csv")
    assert code == 0, err

    cells = [cell for row in csv.reader(io.StringIO(exported, newline="")) for cell in row]
    dangerous = [c for c in cells if c[:1] in TRIGGERS]
    assert not dangerous, dangerous
    assert '\'=HYPERLINK("https://evil.example","Open budget")' in cells
    assert "'-12" in cells and "'=1+1" in cells
    assert "''=already quoted by someone" in cells
    assert "'plain quote kept" in cells

    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8", newline="")
    imported(db.url, path, "BACK")
    original, back = db.export("EVIL"), db.export("BACK")
    assert list(back) == list(original)
    assert _without_history(back) == _without_history(original)
    assert back["1.4"]["latest_update"] == "-12"
    assert back["1.3"]["extra"] == {"Notes": "-5k from the reserves"}
    assert back["1.2"]["latest_update"] == "'=already quoted by someone"
    assert back["1.6"]["latest_update"] == "'plain quote kept"
    assert back["=1+1"]["owners"] == ["=cmd|' /C calc'!A0"]


@pytest.mark.parametrize(
    "value",
    ["=1", "+1", "-1", "@x", "\tx", "\rx", "'=1", "''-1", "'", "'x", "x=1", "", "-", "£5k"],
)
def test_neutralise_then_restore_is_the_identity(value: str) -> None:
    safe = neutralise(value)
    assert safe[:1] not in TRIGGERS
    assert restore(safe) == value


def test_restore_leaves_text_that_was_never_neutralised() -> None:
    for text in ("'tis the season", "O'Neill", "plain", "'"):
        assert restore(text) == text
