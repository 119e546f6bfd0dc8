"""The committee pack's cost in each format: the sample plan (25 actions) and a 1,000-action
plan (the sample copied 40 times, with a pack issued before and date moves and completions
after it, as `tests/reports/large_plan.py` builds it), each made as `actionbot report`
makes a draft: read the register, build the paper, write the file.

    .venv/bin/python bench/pack_bench.py [--copies 40]

SQLite registers in a temporary folder (the pack reads the register once; the files are
made from what it read).

Figures only (wall and CPU seconds, pages or sheets, file size); `make bench` prints them.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.runtime import Runtime  # noqa: E402
from bot.reports.formats import FORMATS  # noqa: E402
from bot.services.packs import preview_report  # noqa: E402
from tests.reports.conftest import AS_OF, make_history  # noqa: E402
from tests.reports.large_plan import large_history  # noqa: E402


@dataclass(frozen=True)
class Made:
    fmt: str
    wall_s: float
    cpu_s: float
    size: int
    parts: str  # pages of a PDF, sheets of a workbook


def measure(runtime: Runtime, fmt: str) -> Made:
    wall, cpu = time.perf_counter(), time.process_time()
    with runtime.sessions() as session:
        made = preview_report(session, plan_code="NCC", fmt=fmt, now=AS_OF, tz="Europe/London")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Made(fmt, wall, cpu, len(made.content), _parts(fmt, made.content))


def _parts(fmt: str, content: bytes) -> str:
    if fmt == "pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(content)
        pages = len(document)
        document.close()
        return f"{pages} pages"
    if fmt == "xlsx":
        from openpyxl import load_workbook

        return f"{len(load_workbook(io.BytesIO(content), read_only=True).sheetnames)} sheets"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=40, help="of the 25-action sample")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="actionbot-pack-") as tmp:
        folder = Path(tmp)
        registers = {
            "sample plan, 25 actions": lambda url: make_history(url),
            f"{args.copies * 25:,} actions": lambda url: large_history(
                url, folder, copies=args.copies, moved=30, done=10
            ),
        }
        # Matplotlib's first import and font cache cost a second or two: paid before timing.
        from bot.reports.formats.layout import chart_png  # noqa: F401

        print("committee pack (draft) per format: wall s (CPU s), size")
        for index, (label, build) in enumerate(registers.items()):
            url = f"sqlite:///{folder / f'pack{index}.db'}"
            started = time.perf_counter()
            runtime = build(url)
            built = time.perf_counter() - started
            measure(runtime, "html")  # warm: first use of the templates and fonts
            row = [measure(runtime, fmt) for fmt in FORMATS]
            runtime.engine.dispose()
            print(f"  {label} (register built in {built:.0f} s):")
            for made in row:
                parts = f", {made.parts}" if made.parts else ""
                print(
                    f"    {made.fmt:<5} {made.wall_s:6.2f} s ({made.cpu_s:.2f} s CPU), "
                    f"{made.size / 1024:,.0f} KB{parts}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
