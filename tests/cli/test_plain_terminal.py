"""A terminal that cannot print UTF-8 degrades what it shows and never crashes. Regression:
with `PYTHONCOERCECLOCALE=0 LANG=C` (and so an ASCII stdout) `show`, `digest`, `nudge`,
`stats`, `import` and `chat` died with UnicodeEncodeError on the first `→`, `…` or `é`.
The CLI runs as a real process in that environment: the streams are Python's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from store.db import make_engine
from store.models import Event
from tests.cli.test_cli_honest import OWNERS, SAMPLE, run

NOTE = "café → signed off … 🎉"


def plain(db_url: str, cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(cwd),
        "PYTHONCOERCECLOCALE": "0",
        "LANG": "C",
        "LC_ALL": "C",
        "PYTHONUTF8": "0",
        "COLUMNS": "80",
        "DATABASE_URL": db_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        input=stdin.encode("utf-8"),  # what a terminal sends, whatever LANG says
        capture_output=True,
        timeout=120,
        check=False,
    )  # type: ignore[call-overload, no-any-return]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_every_command_degrades_and_never_crashes(db_url: str, tmp_path: Path) -> None:
    run(db_url, "owners", "import", str(OWNERS))
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-30")
    plan = tmp_path / "accents.csv"
    plan.write_text(
        "Ref,Action,Owner,Target date\n1,Réviser le budget → 2019 …,Finance,31/03/2019\n",
        encoding="utf-8",
    )
    at = "2018-03-16T10:00"
    commands = [
        ("chat", "--as", "Finance", "--at", at),
        ("show", "--plan", "NCC"),
        ("show", "--plan", "NCC", "2.4"),
        ("digest", "--dry-run", "--at", at),
        ("nudge", "--dry-run", "--at", at),
        ("stats", "--at", at),
        ("import", str(plan), "--plan", "FR"),
    ]
    for args in commands:
        done = plain(db_url, tmp_path, *args, stdin=f"2.4 note {NOTE}\nmine\n")
        out, err = done.stdout.decode("ascii"), done.stderr.decode("utf-8", "replace")
        assert done.returncode == 0, (args, err[-2000:])
        assert "Traceback" not in out + err and "UnicodeEncodeError" not in out + err, args
    # What was typed is kept exactly, whatever the terminal could show of it.
    engine = make_engine(db_url)
    with engine.connect() as conn:
        notes = conn.scalars(select(Event.note).where(Event.field == "note")).all()
    engine.dispose()
    assert NOTE in notes
    shown = plain(db_url, tmp_path, "show", "--plan", "FR", "1").stdout.decode("ascii")
    assert "R?viser le budget ? 2019 ?" in shown
