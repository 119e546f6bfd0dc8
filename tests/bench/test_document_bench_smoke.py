"""bench/document_bench.py must keep running: a small agenda pack, made and read."""

from __future__ import annotations

import pytest

from bench import document_bench


def test_document_bench_prints_the_reading_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert document_bench.main(["--pages", "3", "--no-cli"]) == 0
    out = capsys.readouterr().out
    assert "-page agenda pack:" in out and "s CPU)" in out and "[aim ≤ 5 s:" in out
    # The pack opens with the minutes of the last meeting: their actions are read.
    assert "12 actions read" in out
