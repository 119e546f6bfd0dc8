"""10,000 date cells in the proportions real plan exports have, read as `import` reads them.

    .venv/bin/python bench/date_bench.py

A figure only (the best of three seeds): `make bench` prints it beside its target.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.importer.dates import parse_date  # noqa: E402

REFERENCE = date(2024, 5, 10)


def realistic_cells(rng: random.Random, count: int) -> list[str]:
    """Date cells in roughly the proportions real plan exports have: mostly numeric
    dates, then written-out dates and months, then placeholders and rarer forms."""
    months = ["January", "Feb", "March", "Apr", "May", "June", "Jul", "August", "Sept", "Oct"]
    cells: list[str] = []
    for _ in range(count):
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2016, 2030)
        name = rng.choice(months)
        roll = rng.random()
        if roll < 0.35:
            cells.append(f"{day:02d}/{month:02d}/{year}")
        elif roll < 0.45:
            cells.append(rng.choice([f"{day}.{month:02d}.{year % 100}", f"{year}-{month:02d}-01"]))
        elif roll < 0.60:
            cells.append(f"{day}{rng.choice(['', 'st', 'th'])} {name} {year}")
        elif roll < 0.72:
            cells.append(rng.choice([f"{name}-{year % 100:02d}", f"{name} {year}"]))
        elif roll < 0.84:
            cells.append(rng.choice(["TBC", "N/a", "", "Ongoing", "-", "When resources allow"]))
        elif roll < 0.90:
            cells.append(f"end of financial year {year}/{(year + 1) % 100:02d}")
        elif roll < 0.95:
            cells.append(rng.choice([f"Summer {year % 100}", f"Q{rng.randint(1, 4)} {year}"]))
        elif roll < 0.98:
            cells.append(f"Phase 1 {day} June {year} Phase 2 {name} {year + 1}")
        else:
            cells.append(f"ahead of the Joint Committee on {day}th {name} {year}")
    return cells


def measure(cells: int = 10_000) -> float:
    """Seconds to read `cells` cells, the best of three seeds."""
    best = float("inf")
    for seed in range(3):
        batch = realistic_cells(random.Random(seed), cells)
        started = time.perf_counter()
        for cell in batch:
            parse_date(cell, reference=REFERENCE)
        best = min(best, time.perf_counter() - started)
    return best


if __name__ == "__main__":
    print(f"10,000 realistic date cells read in {measure() * 1000:.0f} ms (best of 3)")
