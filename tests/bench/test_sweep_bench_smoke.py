"""bench/sweep_bench.py must keep running: a small register, every figure of the sweep row."""

from __future__ import annotations

from pathlib import Path

from bench import sweep_bench


def test_sweep_bench_measures_a_small_register(tmp_path: Path) -> None:
    figures = sweep_bench.measure(f"sqlite:///{tmp_path / 'sweep.db'}", actions=300)
    assert figures["actions"] == 300 and figures["owners"] == 30
    # The window: some actions read, never the whole register (a quarter of it is done).
    assert 0 < figures["rows_read"] < 300
    assert figures["enqueued"] == figures["messages"] > 0
    assert figures["write_s"] > 0 and figures["rss_mb"] > 10
    assert "plan + outbox write" in sweep_bench.line("sqlite", figures)
