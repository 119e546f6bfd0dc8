"""bench/kill_sweep.py must keep running: a few DMs, two killed processes, nothing lost or
repeated."""

from __future__ import annotations

import pytest

from bench import kill_sweep


def test_kill_sweep_bench_counts_no_duplicates(capsys: pytest.CaptureFixture[str]) -> None:
    assert kill_sweep.main(["--dms", "20", "--kills", "2"]) == 0
    out = capsys.readouterr().out
    assert "`actionbot nudge` processes SIGKILLed" in out
    assert "duplicates 0; lost 0" in out
