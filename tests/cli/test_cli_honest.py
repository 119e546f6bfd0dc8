"""An honest command line: undated plans said in bold with the fix, `plans default-due`,
`nudge --at` later than now, and dry runs that name people and explain an empty result."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli.main import app
from bot.core.calendar import WorkingCalendar
from store.db import make_engine
from store.models import Action, Event, Plan
from tests.conftest import FIXTURES, SAMPLES
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import SECRET, TOKEN
from tests.jobs.conftest import slack_id

SAMPLE = SAMPLES / "ncc-financial-management-2017.csv"
OWNERS = SAMPLES / "ncc-owners-example.csv"
CLEAN = FIXTURES / "plans" / "clean.csv"
FIX = "actionbot plans default-due NCC YYYY-MM-DD"


def run(db_url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["--database-url", db_url, *args], env={"COLUMNS": "80", **(env or {})}
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    flat = " ".join(result.stdout.split()), " ".join(result.stderr.split())
    return result.exit_code, *flat


def test_an_undated_import_says_so_with_the_fix_and_the_fix_works(db_url: str) -> None:
    run(db_url, "owners", "import", str(OWNERS))
    code, out, _ = run(db_url, "import", str(SAMPLE), "--plan", "NCC")
    assert code == 0
    assert "25 actions in NCC have no due date" in out and FIX in out
    # nudge and digest say it too, every time, until it is fixed.
    _, _, err = run(db_url, "nudge", "--dry-run", "--at", "2018-03-16T10:00")
    assert "25 actions in NCC have no due date" in err and FIX in err
    _, _, err = run(db_url, "digest", "--dry-run", "--at", "2018-03-16T10:00")
    assert FIX in err

    code, out, _ = run(db_url, "plans", "default-due", "NCC", "2018-03-30")
    assert code == 0 and "25 actions now due then" in out
    _, _, err = run(db_url, "nudge", "--dry-run", "--at", "2018-03-16T10:00")
    assert "no due date" not in err
    engine = make_engine(db_url)
    with engine.connect() as conn:
        dues = set(conn.scalars(select(Action.due_date)))
        fields = list(conn.scalars(select(Event.field).where(Event.source == "cli")))
    engine.dispose()
    assert dues == {date(2018, 3, 30)}
    assert fields.count("plan.default_due") == 1 and fields.count("due_date") == 25


def test_default_due_keeps_an_actions_own_date(db_url: str) -> None:
    run(db_url, "import", str(CLEAN), "--plan", "FIN")
    code, out, _ = run(db_url, "plans", "default-due", "FIN", "2019-01-31")
    assert code == 0 and "0 actions now due then" in out
    engine = make_engine(db_url)
    with engine.connect() as conn:
        default = conn.scalar(select(Plan.default_due))
        dues = sorted(conn.scalars(select(Action.due_date)))
    engine.dispose()
    assert default == date(2019, 1, 31)
    assert dues == [date(2018, 3, 31), date(2018, 6, 30), date(2018, 12, 31)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE", "2019-01-31"], "no plan 'NOPE'"),
        (["FIN", "31/01/2019"], "YYYY-MM-DD"),
    ],
)
def test_default_due_refuses_bad_input(db_url: str, args: list[str], message: str) -> None:
    run(db_url, "import", str(CLEAN), "--plan", "FIN")
    code, _, err = run(db_url, "plans", "default-due", *args)
    assert code != 0 and message in err


def test_dry_run_names_people_and_explains_an_early_hour(db_url: str) -> None:
    run(db_url, "owners", "import", str(OWNERS))
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-30")
    _, out, _ = run(db_url, "nudge", "--dry-run", "--at", "2018-03-16T08:00")
    assert "08:00 is before the 09:00 send time" in out and "--at 2018-03-16T09:00" in out
    _, out, _ = run(db_url, "nudge", "--dry-run", "--at", "2018-03-16T10:00")
    assert "→ Finance <finance@northants.example> (nudge)" in out
    assert "person:" not in out
    assert "nothing sent and nothing written" in out and "19 reminder messages" in out
    assert "outbox" not in out and "before the 09:00" not in out
    _, out, _ = run(db_url, "nudge", "--dry-run", "--at", "2018-03-17T10:00")
    assert "Sat 17 Mar 2018 is not a working day" in out


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI(bot_token=TOKEN) as fake:
        with OWNERS.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                fake.add_user(slack_id(row["email"]), email=row["email"])
        yield fake


def test_nudge_at_a_later_time_sends_as_of_then_and_never_twice(
    db_url: str, fake_slack: FakeSlackAPI
) -> None:
    cal = WorkingCalendar()
    due = date.today() + timedelta(days=60)
    reminder = cal.on_or_before(due - timedelta(days=14))
    env = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.base_url,
    }
    run(db_url, "owners", "import", str(OWNERS))
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", due.isoformat())
    code, out, err = run(db_url, "nudge", "--at", f"{reminder}T09:30", env=env)
    assert code == 0, err
    posts = [c for c in fake_slack.calls_to("chat.postMessage") if c.status == 200]
    assert len(posts) == 19 and "19 sent" in out
    code, out, _ = run(db_url, "nudge", "--at", f"{reminder}T11:00", env=env)
    assert code == 0 and "0 sent" in out
    assert len([c for c in fake_slack.calls_to("chat.postMessage") if c.status == 200]) == 19
