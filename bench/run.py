"""`make bench`: run every benchmark and print its figures (no pass/fail)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCHES = (
    "bench.import_bench",
    "bench.slack_latency",
    "bench.burst",
    "bench.nudge_bench",
    "bench.kill_sweep",
    "bench.stats_bench",
    "bench.teams_bench",
)


def main() -> int:
    for name in BENCHES:
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(name)
        module.main([])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
