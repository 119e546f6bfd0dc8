"""Make the README's pictures with the project's own commands, reproducibly.

    .venv/bin/python docs/make_screenshots.py

Imports the bundled plan and owners into a fresh SQLite register, plays a fixed-seed history
(three months of reminders and owners' answers, see tests/history.py), then runs
`actionbot digest --dry-run --chart-out` and `actionbot report --format pdf`, and renders
the pdf's first page to PNG. Writes docs/img/chart.png and docs/img/report-page-1.png.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import update  # noqa: E402

from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.runtime import open_runtime  # noqa: E402
from store.models import Plan  # noqa: E402
from tests.harness import seed_sample  # noqa: E402
from tests.history import simulate  # noqa: E402

OUT = ROOT / "docs" / "img"
AT = "2018-04-16T10:00"  # a Monday, two weeks past the plan's deadline of 31 March
PLAN_NAME = "Northamptonshire CC financial management improvement plan 2017"
ACTIONBOT = str(Path(sys.executable).with_name("actionbot"))


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/story.db"
        settings = Settings(_env_file=None, DATABASE_URL=url, ACTIONBOT_ADMINS="UADMIN")  # type: ignore[call-arg]
        runtime = open_runtime(settings, clock=FixedClock(datetime(2017, 12, 1, 9, tzinfo=UTC)))
        seed_sample(runtime, runtime.clock.now())
        with runtime.sessions.begin() as session:
            session.execute(update(Plan).values(name=PLAN_NAME))
        # A first committee report in January, so the March one shows what changed since.
        simulate(runtime, start=date(2017, 12, 4), end=date(2018, 1, 15))
        run(
            "report",
            "--plan",
            "NCC",
            "--format",
            "xlsx",
            "--output",
            f"{tmp}/jan.xlsx",
            "--at",
            "2018-01-15T16:00",
            url=url,
        )
        simulate(runtime, start=date(2018, 1, 16), end=date(2018, 4, 16), seed=2019)
        runtime.engine.dispose()
        run("digest", "--dry-run", "--chart-out", tmp, "--at", AT, url=url)
        (OUT / "chart.png").write_bytes(Path(tmp, "NCC-rag-by-theme-2018-04-16.png").read_bytes())
        pdf = Path(tmp, "report.pdf")
        run("report", "--plan", "NCC", "--format", "pdf", "--output", str(pdf), "--at", AT, url=url)
        import pypdfium2

        document = pypdfium2.PdfDocument(pdf)
        document[0].render(scale=1.4).to_pil().save(OUT / "report-page-1.png")
        document.close()
        run("stats", "--plan", "NCC", "--at", AT, url=url)
    print(f"wrote {OUT / 'chart.png'} and {OUT / 'report-page-1.png'}")
    return 0


def run(*args: str, url: str) -> None:
    subprocess.run(  # noqa: S603 - our own command line
        [ACTIONBOT, "--database-url", url, *args],
        check=True,
        stdout=subprocess.DEVNULL if args[0] == "digest" else None,
        env={"PATH": "/usr/bin:/bin", "ACTIONBOT_TZ": "Europe/London", "COLUMNS": "160"},
    )


if __name__ == "__main__":
    raise SystemExit(main())
