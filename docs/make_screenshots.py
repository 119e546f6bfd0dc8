"""Make the README's pictures with the project's own commands, reproducibly.

    .venv/bin/python docs/make_screenshots.py

Imports the bundled plan and owners into a fresh SQLite register, plays a fixed-seed history
(four months of reminders and owners' answers, see tests/history.py) with a committee pack
issued in January, then runs `actionbot digest --dry-run --chart-out` and
`actionbot report --issue ... --format pdf` for the April meeting, and renders two of the
pack's pages to PNG: the summary (page 1) and a page of the action register.
Writes docs/img/chart.png, docs/img/pack-summary.png and docs/img/pack-actions.png.
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

from bot.core.clock import FixedClock  # noqa: E402
from bot.core.config import Settings  # noqa: E402
from bot.core.runtime import open_runtime  # noqa: E402
from store.models import Plan  # noqa: E402
from tests.harness import seed_sample  # noqa: E402
from tests.history import simulate  # noqa: E402

OUT = ROOT / "docs" / "img"
AT = "2018-04-16T10:00"  # a Monday, two weeks past the plan's deadline of 31 March
PLAN_NAME = "Northamptonshire CC financial management improvement plan 2017"
ACTIONBOT = str(Path(sys.executable).with_name("actionbot"))
SCALE = 1.4  # 118 dpi: an A4 page 1,386 pixels wide


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/story.db"
        settings = Settings(_env_file=None, DATABASE_URL=url, ACTIONBOT_ADMINS="UADMIN")  # type: ignore[call-arg]
        runtime = open_runtime(settings, clock=FixedClock(datetime(2017, 12, 1, 9, tzinfo=UTC)))
        seed_sample(runtime, runtime.clock.now())
        with runtime.sessions.begin() as session:
            session.execute(update(Plan).values(name=PLAN_NAME))
        # A pack issued for January's committee, so April's shows what changed since.
        simulate(runtime, start=date(2017, 12, 4), end=date(2018, 1, 15))
        run(
            "report",
            "--plan",
            "NCC",
            "--issue",
            "Audit Committee 18 January 2018",
            "--by",
            "Committee clerk",
            "--output",
            f"{tmp}/jan.pdf",
            "--at",
            "2018-01-15T16:00",
            url=url,
        )
        simulate(runtime, start=date(2018, 1, 16), end=date(2018, 4, 16), seed=2019)
        runtime.engine.dispose()
        run("digest", "--dry-run", "--chart-out", tmp, "--at", AT, url=url)
        (OUT / "chart.png").write_bytes(Path(tmp, "NCC-rag-by-theme-2018-04-16.png").read_bytes())
        pdf = Path(tmp, "april.pdf")
        run(
            "report",
            "--plan",
            "NCC",
            "--issue",
            "Audit Committee 26 April 2018",
            "--by",
            "Committee clerk",
            "--output",
            str(pdf),
            "--at",
            AT,
            url=url,
        )
        import pypdfium2

        document = pypdfium2.PdfDocument(pdf)
        texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
        start = next(i for i, text in enumerate(texts) if "All actions (" in text)
        # The register's first full page: where it starts, the lists before it may fill most.
        actions = start + 1 if start + 1 < len(texts) else start
        document[0].render(scale=SCALE).to_pil().save(OUT / "pack-summary.png")
        document[actions].render(scale=SCALE).to_pil().save(OUT / "pack-actions.png")
        document.close()
        run("stats", "--plan", "NCC", "--at", AT, url=url)
    print(f"wrote {OUT / 'chart.png'}, {OUT / 'pack-summary.png'} and {OUT / 'pack-actions.png'}")
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
