"""bench/import_bench.py must keep running: a small messy plan, every row of the table."""

from __future__ import annotations

import pytest

from bench import import_bench


def test_import_bench_prints_each_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert import_bench.main(["--rows", "300"]) == 0
    out = capsys.readouterr().out
    lines = {line.split("  ")[0].strip(): line for line in out.splitlines()}
    assert "added    300" in lines["first import"]
    assert "unchanged    300" in lines["re-import, same file"]
    # The edited copy changes the title of every 100th row: rows 0, 100 and 200.
    assert "changed     3" in lines["re-import, 1 row in 100 edited"]
    assert "[aim < 5 s:" in out
    assert "added    300" in lines["first import, .xlsx"]
    assert "first import of a 300-row workbook:" in out
