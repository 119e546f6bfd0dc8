"""Import figures (issue: import real plans).

Writes a messy 10,000-row plan (cp1252, semicolons, HTML cells, section rows, several owners,
mixed UK date forms) and times a first import, a re-import of the same file (nothing changes)
and a re-import after editing one row in a hundred. Aim: a 10,000-row import under 5 s.

    .venv/bin/python bench/import_bench.py [--rows 10000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.config import Settings  # noqa: E402
from bot.core.runtime import open_runtime  # noqa: E402
from bot.importer.limits import MAX_ROWS  # noqa: E402
from bot.services.audit import Actor  # noqa: E402
from bot.services.imports.apply import ImportOptions, ImportReport, import_file  # noqa: E402
from store.db import make_engine, upgrade  # noqa: E402

NOW = datetime(2018, 3, 1, 9, 0, tzinfo=UTC)
AIM_S = 5.0
HEADER = [
    "Action Ref.",
    "Improvement Action",
    "Action Task Owner",
    "Target Date",
    "Revised Target Date",
    "Intended outcome",
    "RAG / Status",
]
OWNERS = ["Head of Finance", "Chief Executive", "Monitoring Officer", "Head of HR", "S151 Officer"]
DATE_FORMS = (
    lambda d: d.strftime("%d/%m/%Y"),
    lambda d: d.strftime("%d.%m.%y"),
    lambda d: d.strftime("%b-%y"),
    lambda d: f"{d.day} {d.strftime('%B %Y')}",
    lambda d: d.isoformat(),
    lambda d: "N/a",
)


def write_plan(path: Path, rows: int, *, edit_every: int = 0) -> None:
    """A plan as Excel on Windows saves it; `edit_every` changes the title of every Nth row."""
    rng = random.Random(11)
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(rows):
            if i % 250 == 0:
                writer.writerow([f"SECTION {i // 250 + 1} – BUDGET DELEGATION", "", "", "", "", ""])
            due = date(2018, 1 + rng.randint(0, 11), rng.randint(1, 28))
            owners = rng.sample(OWNERS, rng.randint(1, 2))
            title = f"Improve the £{i:,} budget line’s “controls”"
            if edit_every and i % edit_every == 0:
                title += " (revised)"
            writer.writerow(
                [
                    f"{i // 100 + 1}.{i % 100 + 1}",
                    f"<p><b>{title}</b></p><ul><li>Task one for {i}</li><li>Task two</li></ul>",
                    "<p>" + "</p><p>".join(owners) + "</p>",
                    rng.choice(DATE_FORMS)(due),
                    "" if rng.random() < 0.8 else f"Revised to {due.strftime('%B %Y')}",
                    "Spending stays within budget &amp; is reported monthly",
                    rng.choice(["Complete", "In progress", "Not started", "Amber", "On hold"]),
                ]
            )


def write_workbook(path: Path, rows: int) -> None:
    """The same plan as an Excel workbook: a title row, real dates, refs as text, sections."""
    from openpyxl import Workbook

    rng = random.Random(11)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Plan")
    sheet.append(["Financial improvement plan (benchmark)"])
    sheet.append(HEADER)
    for i in range(rows):
        if i % 250 == 0:
            sheet.append([f"SECTION {i // 250 + 1} – BUDGET DELEGATION"])
        due = date(2018, 1 + rng.randint(0, 11), rng.randint(1, 28))
        owners = rng.sample(OWNERS, rng.randint(1, 2))
        sheet.append(
            [
                f"{i // 100 + 1}.{i % 100 + 1}",
                f"Improve the £{i:,} budget line’s “controls”",
                "\n".join(owners),
                datetime(due.year, due.month, due.day) if i % 3 else rng.choice(DATE_FORMS)(due),
                "" if rng.random() < 0.8 else f"Revised to {due.strftime('%B %Y')}",
                "Spending stays within budget & is reported monthly",
                rng.choice(["Complete", "In progress", "Not started", "Amber", "On hold"]),
            ]
        )
    book.save(path)


def timed_import(
    url: str, path: Path, *, dry_run: bool = False, plan_code: str = "BIG"
) -> tuple[float, ImportReport]:
    runtime = open_runtime(Settings(DATABASE_URL=url))
    try:
        options = ImportOptions(
            plan_code=plan_code,
            source_file=path.name,
            default_due=date(2018, 3, 31),
            dry_run=dry_run,
        )
        started = time.perf_counter()
        report = import_file(
            runtime.sessions,
            path=path,
            options=options,
            actor=Actor(name="bench", source="cli"),
            now=NOW,
        )
        return time.perf_counter() - started, report
    finally:
        runtime.engine.dispose()


def create_register(url: str) -> None:
    """The register's tables, as `actionbot` makes them the first time it meets a database:
    made once at installation, not by each import, so not part of the import's time."""
    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def cli_import(url: str, path: Path, *, plan_code: str = "CLI") -> tuple[float, float]:
    """`actionbot import` as an admin runs it: wall time and CPU time of the whole command
    (interpreter start, imports, schema check, reading, writing) into a register whose tables
    exist (see `create_register`)."""
    actionbot = Path(sys.executable).with_name("actionbot")
    command = [str(actionbot), "--database-url", url, "import", str(path), "--plan", plan_code]
    command += ["--default-due", "2018-03-31"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, "COLUMNS": "100"})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=MAX_ROWS - 100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        plan = Path(tmp) / "plan.csv"
        edited = Path(tmp) / "plan-edited.csv"
        write_plan(plan, args.rows)
        write_plan(edited, args.rows, edit_every=100)
        size_mb = plan.stat().st_size / 1_000_000
        print(f"plan: {args.rows:,} rows, {size_mb:.1f} MB, cp1252 + semicolons + HTML")

        rows = [
            ("dry run (empty register)", *timed_import(url, plan, dry_run=True)),
            ("first import", *timed_import(url, plan)),
            ("re-import, same file", *timed_import(url, plan)),
            ("re-import, 1 row in 100 edited", *timed_import(url, edited)),
        ]
        for label, seconds, report in rows:
            print(
                f"{label:32s} {seconds:6.2f} s  added {report.count('added'):>6,}  "
                f"changed {report.count('changed'):>5,}  unchanged {report.count('unchanged'):>6,}"
            )
        first = rows[1][1]
        verdict = "met" if first < AIM_S else "NOT met"
        print(
            f"first import of {args.rows:,} rows: {first:.2f} s  [aim < {AIM_S:.0f} s: {verdict}]"
        )

        workbook = Path(tmp) / "plan.xlsx"
        write_workbook(workbook, args.rows)
        size_mb = workbook.stat().st_size / 1_000_000
        print(f"workbook: {args.rows:,} rows, {size_mb:.1f} MB .xlsx, title row, real dates")
        xlsx_url = f"sqlite:///{tmp}/bench-xlsx.db" if args.database_url is None else url
        seconds, report = timed_import(xlsx_url, workbook, plan_code="XLSX")
        print(
            f"{'first import, .xlsx':32s} {seconds:6.2f} s  added {report.count('added'):>6,}  "
            f"changed {report.count('changed'):>5,}  unchanged {report.count('unchanged'):>6,}"
        )
        verdict = "met" if seconds < AIM_S else "NOT met"
        print(
            f"first import of a {args.rows:,}-row workbook: {seconds:.2f} s  "
            f"[aim < {AIM_S:.0f} s: {verdict}]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
