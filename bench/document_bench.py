"""Reading a 100-page agenda pack (issue 25): how long until its actions are read.

An agenda pack is what a committee clerk publishes before a meeting: the agenda, the
minutes of the last meeting (resolutions to read), then report after report of dense
prose, tables and lists. This writes one (HTML through xhtml2pdf, as the committee pack
is made, so no LibreOffice is needed), then times reading it as `actionbot import` does
(`parse_plan_file`: text layer, paragraphs, minutes), wall clock and CPU, in this process
and as a CLI dry run. Aim: at most 5 s.

    .venv/bin/python bench/document_bench.py [--pages 100]
"""

from __future__ import annotations

import argparse
import html
import io
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AIM_S = 5.0
TODAY = date(2026, 3, 20)

_WORDS = (
    "the council committee budget service residents housing report officers members "
    "programme savings delivery review risk plan strategy performance contract support "
    "capital revenue quarter target progress assurance governance audit policy update "
    "consultation partners community investment demand pressure forecast outturn"
).split()
_ROLES = ("Director of Finance", "Head of Housing", "Chief Executive", "Head of ICT")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(12, 24))]
    return " ".join(words).capitalize() + "."


def _paragraphs(rng: random.Random, count: int) -> str:
    return "".join(
        f"<p>{html.escape(' '.join(_sentence(rng) for _ in range(4)))}</p>" for _ in range(count)
    )


def pack_html(pages: int, seed: int = 25) -> str:
    """An agenda pack of roughly `pages` A4 pages."""
    rng = random.Random(seed)
    parts = [
        "<html><head><style>@page { size: a4; margin: 2cm; } body { font-size: 10pt; }"
        "table { border: 0.5pt solid #000; } td { padding: 2pt; }</style></head><body>",
        "<h1>Resources Scrutiny Committee</h1><p>Agenda pack for the meeting on Thursday "
        "19 March 2026</p>",
        "<h2>Minutes of the meeting held on 15 January 2026</h2>",
    ]
    for number in range(1, 13):
        parts.append(f"<p><b>{number}/26 ITEM {number}</b></p>")
        parts.append(_paragraphs(rng, 2))
        parts.append("<p><b>RESOLVED that:</b></p>")
        parts.append("<p>(a) the report be noted;</p>")
        role = rng.choice(_ROLES)
        parts.append(
            f"<p>(b) the {role} report back to the next meeting on {rng.choice(_WORDS)} "
            f"{rng.choice(_WORDS)} by {rng.randint(1, 28)} June 2026.</p>"
        )
    parts.append("<p>The next meeting will be held on Thursday 19 March 2026.</p>")
    report = 0
    # About 22 paragraphs of four sentences fill an A4 page at 10 pt.
    while len("".join(parts)) < pages * 4000:
        report += 1
        parts.append(f"<h2>Report {report}: {rng.choice(_WORDS).title()} update</h2>")
        parts.append(_paragraphs(rng, 14))
        parts.append("<table>")
        for _ in range(8):
            cells = "".join(f"<td>{rng.randint(100, 9999):,}</td>" for _ in range(4))
            parts.append(f"<tr><td>{rng.choice(_WORDS).title()}</td>{cells}</tr>")
        parts.append("</table><ul>")
        for _ in range(5):
            parts.append(f"<li>{html.escape(_sentence(rng))}</li>")
        parts.append("</ul>")
        parts.append(_paragraphs(rng, 10))
    parts.append("</body></html>")
    return "".join(parts)


def write_pack(path: Path, pages: int) -> int:
    """Write the pack as a PDF; the number of pages it came to."""
    from xhtml2pdf import pisa

    source = pack_html(pages)
    with path.open("wb") as handle:
        pisa.CreatePDF(io.StringIO(source), dest=handle)
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def read_once(path: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, actions read) of reading the pack as an import does."""
    from bot.importer.plan_file import parse_plan_file

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    plan = parse_plan_file(path, today=TODAY)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, len(plan.actions)


def cli_dry_run(path: Path, url: str) -> tuple[float, float]:
    """(wall s, CPU s) of `actionbot import PACK --plan P --dry-run`, start-up included (the
    register's schema is made first, not timed, as for the other CLI figures)."""
    actionbot = Path(sys.executable).with_name("actionbot")
    subprocess.run(
        [str(actionbot), "--database-url", url, "plans", "list"], capture_output=True, check=True
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [str(actionbot), "--database-url", url, "import", str(path), "--plan", "P", "--dry-run"],
        capture_output=True,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(pages: int, *, cli: bool = True) -> dict[str, float]:
    """Figures for a pack of `pages` pages: made, then read (best of three)."""
    with tempfile.TemporaryDirectory(prefix="actionbot-pack-") as tmp:
        path = Path(tmp) / "agenda-pack.pdf"
        made = write_pack(path, pages)
        runs = [read_once(path) for _ in range(3)]
        wall, cpu, actions = min(runs)
        figures = {"pages": made, "wall_s": wall, "cpu_s": cpu, "actions": actions}
        if cli:
            figures["cli_s"], figures["cli_cpu_s"] = cli_dry_run(path, f"sqlite:///{tmp}/r.db")
        return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI dry run")
    args = parser.parse_args(argv)
    figures = measure(args.pages, cli=not args.no_cli)
    print(  # noqa: T201
        f"read a {figures['pages']:.0f}-page agenda pack: {figures['wall_s']:.2f} s "
        f"({figures['cpu_s']:.2f} s CPU), {figures['actions']:.0f} actions read "
        f"[aim ≤ {AIM_S:.0f} s: {'met' if figures['wall_s'] <= AIM_S else 'MISSED'}]"
    )
    if "cli_s" in figures:
        print(  # noqa: T201
            f"  `actionbot import PACK --dry-run`, start-up included: {figures['cli_s']:.2f} s "
            f"({figures['cli_cpu_s']:.2f} s CPU)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
