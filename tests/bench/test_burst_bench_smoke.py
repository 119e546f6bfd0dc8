"""bench/burst.py must keep running: a small burst on SQLite, both rows, every update once."""

from __future__ import annotations

import pytest

from bench import burst


def test_burst_bench_prints_actionbot_and_the_floor(capsys: pytest.CaptureFixture[str]) -> None:
    code = burst.main(
        ["--requests", "12", "--actions", "200", "--owners", "20", "--databases", "sqlite"]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "actionbot on sqlite" in out and "bare Bolt ack() (floor)" in out
    assert "applied once 12, twice 0, never 0" in out
