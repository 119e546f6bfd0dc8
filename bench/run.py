"""`make bench`: every issue-15 figure in one table, SQLite and PostgreSQL side by side,
each beside its target, with the machine it ran on. Figures only: nothing here fails.

    .venv/bin/python bench/run.py [--quick] [--no-million]

PostgreSQL is an embedded server started for the run (or $BENCH_DATABASE_URL's server).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import date_bench, document_bench, import_bench, slack_latency, sweep_bench  # noqa: E402
from bench.postgres import BenchPostgres, postgres  # noqa: E402
from bot.importer.limits import MAX_ROWS  # noqa: E402

Cell = str
NA = "—"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, load average {load}"
    )


def cli_cpu(url: str, *args: str, runs: int = 3) -> float:
    """Median CPU seconds (user + system) of one `actionbot` command, interpreter included."""
    actionbot = Path(sys.executable).with_name("actionbot")
    env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "100"}
    samples = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([str(actionbot), *args], env=env, capture_output=True, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(samples)


def cli_show_plan(url: str) -> str:
    """`show --plan NCC` on a register holding the sample plan (imported first, not timed)."""
    sample = Path(__file__).resolve().parent.parent / "bot" / "samples"
    actionbot = Path(sys.executable).with_name("actionbot")
    plan = sample / "ncc-financial-management-2017.csv"
    subprocess.run(
        [str(actionbot), "--database-url", url, "import", str(plan), "--plan", "NCC"],
        capture_output=True,
        check=True,
    )
    return seconds(cli_cpu(url, "show", "--plan", "NCC"))


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, Cell, Cell]] = []

    def add(self, figure: str, target: str, sqlite: Cell, pg: Cell = NA) -> None:
        self.rows.append((figure, target, sqlite, pg))
        print(f"  … {figure}: {sqlite} | {pg}", file=sys.stderr, flush=True)

    def render(self) -> str:
        head = ("figure", "target", "SQLite", "PostgreSQL")
        widths = [max(len(r[i]) for r in [head, *self.rows]) for i in range(4)]
        line = "  ".join("-" * w for w in widths)
        out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)), line]
        for row in self.rows:
            out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        return "\n".join(out)


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


def both(
    pg: BenchPostgres | None, measure: Callable[[str], str], sqlite_url: Callable[[], str]
) -> tuple[str, str]:
    left = measure(sqlite_url())
    right = measure(pg.new_database()) if pg is not None else "not run"
    if pg is not None:
        pg.drop_all()
    return left, right


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--no-million", action="store_true", help="skip the 1M-action sweep")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    big = 2_000 if args.quick else 100_000
    small = 500 if args.quick else 10_000
    started = time.perf_counter()
    load_before = machine()
    table = Table()
    with tempfile.TemporaryDirectory(prefix="actionbot-bench-") as tmp:
        counter = iter(range(1000))

        def sqlite_url() -> str:
            return f"sqlite:///{tmp}/r{next(counter)}.db"

        with postgres() if not args.no_postgres else _none() as pg:
            # 1. CLI start on an empty register (the first command creates the schema).
            def cli(args_: tuple[str, ...]) -> Callable[[str], str]:
                def run(url: str) -> str:
                    cli_cpu(url, "plans", "list", runs=1)  # schema created, not timed
                    return seconds(cli_cpu(url, *args_))

                return run

            for label, command in (
                ("CLI `--help`, CPU", ("--help",)),
                ("CLI `plans list`, empty register, CPU", ("plans", "list")),
                ("CLI `show --plan X`, empty register, CPU", ("show", "--plan", "X")),
            ):
                table.add(label, "≤ 0.30 s", *both(pg, cli(command), sqlite_url))
            table.add(
                "CLI `show --plan NCC`, the sample plan, CPU",
                "≤ 0.30 s",
                *both(pg, cli_show_plan, sqlite_url),
            )

            # 2. Sweep: plan + outbox write, at three sizes; rows read; peak RSS.
            sizes = [small, big] + ([] if args.no_million or args.quick else [1_000_000])
            sweeps: dict[tuple[str, int], dict[str, float]] = {}
            for size in sizes:
                sweeps["sqlite", size] = sweep_bench.measure(sqlite_url(), actions=size)
                if pg is not None:
                    sweeps["pg", size] = sweep_bench.measure(pg.new_database(), actions=size)
                    pg.drop_all()
            for size in sizes:
                s, p = sweeps["sqlite", size], sweeps.get(("pg", size))
                owners = f"{s['owners']:,.0f}"
                table.add(
                    f"sweep plan + outbox write, {size:,} actions / {owners} owners "
                    f"({s['enqueued']:,.0f} messages)",
                    "≤ 1 s at 100,000" if size == big else "(growth)",
                    f"{seconds(s['write_s'])} ({seconds(s['write_cpu_s'])} CPU)",
                    f"{seconds(p['write_s'])} ({seconds(p['write_cpu_s'])} CPU)"
                    if p
                    else "not run",
                )
                table.add(
                    f"  actions the sweep read, of {size:,}",
                    "the window only",
                    f"{s['rows_read']:,.0f}",
                    f"{p['rows_read']:,.0f}" if p else NA,
                )
                table.add(
                    f"  peak RSS of the sweep process, {size:,} actions",
                    "printed",
                    f"{s['rss_mb']:.0f} MB",
                    f"{p['rss_mb']:.0f} MB" if p else NA,
                )

            # 3. Import: a CSV near the most a plan file may hold (MAX_ROWS rows with content,
            # section rows and the header included) through the CLI.
            plan = Path(tmp) / "plan.csv"
            rows = min(small, MAX_ROWS - 100)
            import_bench.write_plan(plan, rows)

            def cli_import(url: str) -> str:
                import_bench.create_register(url)
                wall, cpu = import_bench.cli_import(url, plan)
                return f"{seconds(wall)} ({seconds(cpu)} CPU)"

            table.add(
                f"import a {rows:,}-action CSV through the CLI (near the file limit)",
                "≤ 2 s",
                *both(pg, cli_import, sqlite_url),
            )

            # 3b. Import from a published document: a 100-page agenda pack read (no database).
            pack = document_bench.measure(10 if args.quick else 100)
            table.add(
                f"read a {pack['pages']:.0f}-page agenda pack (PDF) as `import` does",
                "≤ 5 s",
                f"{seconds(pack['wall_s'])} ({seconds(pack['cpu_s'])} CPU); CLI dry run "
                f"{seconds(pack['cli_s'])} ({seconds(pack['cli_cpu_s'])} CPU)",
                NA,
            )

            # 3c. The one date reader over the cells a real export holds.
            table.add(
                "read 10,000 realistic date cells (best of 3)",
                "≤ 0.2 s",
                seconds(date_bench.measure()),
                NA,
            )

            # 4. /action mine p99 against a bare Bolt app in the same run.
            requests = 50 if args.quick else 300

            unpolled: list[str] = []

            def mine(url: str) -> str:
                _, latency, _ = slack_latency.run(
                    url, actions=big, owners=big // 10, requests=requests
                )
                bot, bare = latency.bot, latency.bare
                unpolled.append(f"{latency.unpolled.p99:.1f} ms")
                ratio = bot.p99 / bare.p99
                return f"{bot.p99:.1f} ms = {ratio:.2f}× bare Bolt {bare.p99:.1f} ms"

            table.add(
                f"`/action mine` p99, {big:,} actions, {requests} requests",
                "≤ 1.5× bare Bolt",
                *both(pg, mine, sqlite_url),
            )
            table.add(
                "  bare Bolt answering at the ack (no 10 ms ack poll), p99",
                "printed",
                *(unpolled + ["not run"])[:2],
            )

            # 5. serve under bursts of 1,000, and its memory as requests go by.
            if not args.quick:
                burst_rows(table, postgres_too=pg is not None)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\nactionbot benchmarks, {when}, {time.perf_counter() - started:.0f} s")
    print(f"machine: {load_before} at the start; load average {_load()} at the end")
    pg_note = "embedded PostgreSQL" if not os.environ.get("BENCH_DATABASE_URL") else "server"
    print(f"SQLite: temporary files; PostgreSQL: {pg_note}, a fresh database per figure\n")
    print(table.render())
    # Figures outside issue 15 keep their own benches, printed after the table.
    from bench import kill_sweep, nudge_bench, pack_bench, stats_bench, teams_bench

    for name, bench in (
        ("nudge_bench (delivery rate)", nudge_bench),
        ("kill_sweep", kill_sweep),
        ("stats_bench", stats_bench),
        ("teams_bench", teams_bench),
        ("pack_bench (committee pack)", pack_bench),
    ):
        print(f"\n=== bench.{name} ===", flush=True)
        bench.main([])
    return 0


def _wall_and_cpu(figures: dict[str, float]) -> str:
    return f"{seconds(figures['write_s'])} ({seconds(figures['write_cpu_s'])} CPU)"


def burst_rows(table: Table, *, postgres_too: bool) -> None:
    """Bursts against one `actionbot serve` (bench/burst.py): on PostgreSQL five of 1,000,
    on SQLite a ladder up to 1,000; each round's acks, double applications and RSS."""
    from bench import burst

    sqlite = burst.measure("sqlite")
    pg = burst.measure("postgresql") if postgres_too else []
    for r in [*sqlite, *pg]:
        print(f"  … {burst.round_line(r)}", file=sys.stderr, flush=True)

    def acked(rounds: list[burst.Round], size: int) -> str:
        found = [r for r in rounds if r.size == size]
        if not found:
            return "not run"
        shots = sum(len(r.result.shots) for r in found)
        late = sum(r.result.errors for r in found)
        worst = max(r.result.pct(1.0) for r in found) / 1000
        return f"{shots - late:,} of {shots:,} (slowest {worst:.2f} s)"

    def twice(rounds: list[burst.Round]) -> str:
        counts = [sum(1 for n in r.result.notes if r.result.applied[n] != 1) for r in rounds]
        sent = sum(len(r.result.notes) for r in rounds)
        return f"{sum(counts)} of {sent:,}" if rounds else "not run"

    holding = [r.size for r in sqlite if r.holds]
    table.add(
        "burst of 1,000 `/action` (+100 repeats): acked within 3 s",
        "all (PostgreSQL)",
        acked(sqlite, 1000),
        f"{acked(pg, 1000)}, {len(pg)} bursts" if pg else "not run",
    )
    table.add(
        "  updates applied other than once (twice or never)",
        "none",
        twice(sqlite),
        twice(pg) if pg else NA,
    )
    table.add(
        "  largest burst that holds on SQLite (ladder 100…1,000)",
        "printed",
        f"{max(holding):,}" if holding else "none",
        NA,
    )
    table.add(
        "peak RSS of `serve` under the bursts",
        "printed",
        f"{max(r.peak_mb for r in sqlite):.0f} MB",
        f"{max(r.peak_mb for r in pg):.0f} MB" if pg else NA,
    )
    if pg:
        first, last = pg[0], pg[-1]
        table.add(
            f"  RSS of `serve` after {first.served:,} vs {last.served:,} requests",
            "no growth",
            NA,
            f"{first.rss_mb:.0f} MB vs {last.rss_mb:.0f} MB",
        )


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


class _none:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    raise SystemExit(main())
