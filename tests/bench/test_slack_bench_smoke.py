"""bench/slack_latency.py must keep running: a tiny register, a few requests, every row."""

from __future__ import annotations

import pytest

from bench import slack_latency


def test_slack_latency_bench_prints_every_app(capsys: pytest.CaptureFixture[str]) -> None:
    assert slack_latency.main(["--requests", "5", "--actions", "200", "--owners", "20"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.split()[-5:-4] == ["5"]]
    assert "actionbot /action mine" in out and "bare Bolt ack(answer)" in out
    assert "bare Bolt at the ack" in out
    assert [row.split()[0] for row in rows] == ["actionbot", "bare", "bare"], out
    assert "register: 200 actions" in out
    assert "the 50 ms aim" in out
