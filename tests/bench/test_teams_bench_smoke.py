"""bench/teams_bench.py must keep running: both render figures and the latency line."""

from __future__ import annotations

import pytest

from bench import teams_bench


def test_teams_bench_prints_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    assert teams_bench.main(["--requests", "3"]) == 0
    out = capsys.readouterr().out
    assert "60-action reminder: " in out and "300-action digest: " in out
    assert "Teams `mine` round trip, 3 signed requests: p50" in out
