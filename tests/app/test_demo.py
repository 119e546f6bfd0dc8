"""`actionbot demo` end to end: the story it prints, at 80 columns, on a throwaway register."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from bot.app.demo import DemoOptions, play
from bot.cli.main import app
from tests.conftest import FIXTURES

MONDAY = date(2026, 11, 23)


def story(**options: object) -> tuple[str, object]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, highlight=False, color_system=None)
    totals = play(console, DemoOptions(fast=True, start=MONDAY, **options))  # type: ignore[arg-type]
    return buffer.getvalue().replace("\xa0", " "), totals


def parts(transcript: str) -> list[tuple[str, str]]:
    """(heading, body) for each part the demo heads with a date."""
    found = re.split(r"^(\w{3} \d{1,2} \w{3} \d{4}[^\n]*?) ─+$", transcript, flags=re.M)
    return list(zip(found[1::2], found[2::2], strict=True))


def test_the_cli_demo_runs_at_80_columns_and_leaves_the_register_alone(tmp_path: Path) -> None:
    register = tmp_path / "actionbot.db"
    result = CliRunner().invoke(
        app,
        ["--database-url", f"sqlite:///{register}", "demo", "--fast", "--weeks", "3"],
        env={"COLUMNS": "80", "DATABASE_URL": f"sqlite:///{register}"},
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    wide = [line for line in out.splitlines() if cell_len(line) > 80]
    assert wide == []
    assert "DM to " in out and "types: /action" in out and "Post in #leadership" in out
    assert "Traceback" not in out
    assert not register.exists()  # never DATABASE_URL, never actionbot.db
    assert "actionbot chat" in out and "README" in out


def test_the_story_nudges_owners_records_their_updates_and_digests_them() -> None:
    transcript, totals = story()
    sections = parts(transcript)
    headings = [h for h, _ in sections]
    assert headings[0].startswith("Mon 23 Nov 2026")
    assert any("09:00: reminders" in h for h in headings)
    digests = [(h, body) for h, body in sections if "digest" in h]
    assert len(digests) == 6  # every Monday of six weeks, the first one included
    assert all("Post in #leadership" in body for _, body in digests)
    assert all("25 actions" in body for _, body in digests)

    # The first reminder goes a week before the first due date, to every owner of it.
    first = next(body for h, body in sections if "reminders" in h)
    assert "DM to CEO <ceo@northants.example>" in first
    assert "[1] Done" in first and "[3] At risk" in first
    # The CEO answers through the console door, and the register records it: the next
    # digest reports the action done this week.
    assert "CEO types: /action NCC:1.1 done" in first
    done_digest = digests[1][1]  # the Monday after the CEO said done
    assert re.search(r"Done this week \(\d+\)[^╰]*NCC:1\.1", done_digest)
    assert "types: /action NCC:1.2 at risk" in transcript
    assert re.search(r"types: /action NCC:1\.3 date \d\d/\d\d/\d{4}", transcript)
    assert "types: /action NCC:1.4 snooze 7d" in transcript
    # The owner who ignores everything: their overdue action reaches the escalation contact.
    escalated = [body for _, body in sections if "10 working days overdue" in body]
    assert escalated and "DM to CEO" in escalated[0]

    assert totals.actions == 25  # type: ignore[attr-defined]
    assert totals.slipped == 1  # type: ignore[attr-defined]
    assert totals.done >= 5 and totals.escalations >= 1  # type: ignore[attr-defined]
    assert totals.reminders > 20 and totals.digests == 6  # type: ignore[attr-defined]
    assert f"Actions done              {totals.done} of 25" in transcript  # type: ignore[attr-defined]
    assert all(cell_len(line) <= 80 for line in transcript.splitlines())


def test_the_story_plays_on_the_admins_own_dated_plan() -> None:
    plan = FIXTURES / "plans" / "clean.csv"
    owners = FIXTURES / "plans" / "clean_owners.csv"
    transcript, totals = story(plan=plan, owners=owners, weeks=2)
    flat = " ".join(transcript.split())
    # Due months apart in the plan: spread within the story, and said so.
    assert (
        "the demo spreads its 3 dated actions evenly from Mon 30 Nov 2026, in the plan's "
        "order (the plan's own dates are too far apart for the story's weeks)." in flat
    )
    assert "DM to Head of Finance <finance@council.example>" in transcript
    assert totals.actions == 3  # type: ignore[attr-defined]


def test_the_story_plays_on_any_plan_and_says_what_it_did() -> None:
    """Regression: on a plan whose dates lay months apart and whose owners the owners file
    did not name, the story said it gave "due dates three days apart" and ended with 0
    reminders and 0 updates."""
    plan = FIXTURES / "plans" / "dates.csv"  # 18 actions, dates from 2017 to 2030, "Finance"
    owners = FIXTURES / "plans" / "clean_owners.csv"  # names "Head of Finance" only
    transcript, totals = story(plan=plan, owners=owners)
    flat = " ".join(transcript.split())
    assert "spreads its 15 dated actions evenly from Mon 30 Nov 2026" in flat
    assert "gives the 3 actions with no date due dates three days apart after them" in flat
    assert (
        "1 owner name of the plan (Finance) has no address in clean_owners.csv: the demo "
        "gives it a stand-in address ending @stand-in.invalid" in flat
    )
    assert totals.reminders > 5 and totals.updates > 5  # type: ignore[attr-defined]
    assert totals.done > 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "x.csv"], "--plan and --owners go together"),
        (["--plan", "nope.csv", "--owners", "nope.csv"], "no such file"),
        (["--weeks", "0"], "greater than or equal to 1"),
    ],
)
def test_bad_demo_options_are_refused(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["demo", "--fast", *args])
    assert result.exit_code != 0
    assert message in result.output + result.stderr
    assert "Traceback" not in result.output
