"""A date column written month first (US style) is named in the import report, with its
rows. Regression: a column holding `03/04/2027` and `06/30/2026` read the first as 3 April
and refused the second, without saying the column looked month first."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.importer.dates import numeric_order
from bot.importer.plan_file import parse_plan_file
from tests.importer.test_plan_files import imported

TODAY = date(2026, 12, 7)
US = """Ref,Action,Owner,Target date,Revised date
1,First thing,Finance,03/04/2027,
2,Second thing,Finance,06/30/2026,31/03/2027
3,Third thing,Finance,12/15/2027,
4,Fourth thing,Finance,05/05/2027,
5,Fifth thing,Finance,31/01/2027,
"""


def test_numeric_order() -> None:
    assert numeric_order("03/04/2027") == "either"
    assert numeric_order("06/30/2026") == "month-first"
    assert numeric_order("31/03/2027") == "day-first"
    assert numeric_order("05/05/2027") is None  # the same either way
    assert numeric_order("2027-04-03") is None
    assert numeric_order("30 June 2027") is None


def test_a_month_first_column_is_named_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text(US, encoding="utf-8")
    plan = parse_plan_file(path, today=TODAY)
    (warning,) = [w for w in plan.warnings if "month first" in w]
    assert warning == (
        "column 'Target date' looks written month first (US style), but dates are read day "
        "first (UK): row 3 '06/30/2026', row 4 '12/15/2027' cannot be read day first, so not "
        "read; row 2 '03/04/2027' read day first ('03/04/2027' as 3 April 2027): check them. "
        "Write the column's dates day first (30/06/2026) or as 2026-06-30."
    )
    # Still read day first: 3 April, not 4 March.
    assert plan.actions[0].target.value == date(2027, 4, 3)
    # A column whose dates read only day first is not named.
    assert not [w for w in plan.warnings if "'Revised date' looks" in w]


def test_the_import_report_says_so(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text(US, encoding="utf-8")
    out = " ".join(imported(db_url, path, "US", "--dry-run").split())
    assert "column 'Target date' looks written month first (US style)" in out
    assert "row 3 '06/30/2026', row 4 '12/15/2027'" in out


def test_one_title_row_is_one_row(tmp_path: Path) -> None:
    """Regression: "rows 1-1 above the header were read as a title"."""
    path = tmp_path / "titled.csv"
    path.write_text("Council action log\nRef,Action,Owner\n1,First thing,Finance\n")
    plan = parse_plan_file(path, today=TODAY)
    assert (
        "row 1 above the header was read as a title and not imported: Council action log"
        in plan.warnings
    )
