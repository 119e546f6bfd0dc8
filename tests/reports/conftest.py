"""A register with the bundled plan and a short, hand-made history (times in UTC = London
in March):

  Mon 5 Mar   1.4 on track (so it is in progress)           before the first report
  Sat 10 Mar  the first committee pack, issued for the Audit Committee of 12 March
  Mon 12 Mar  1.1 done · 1.2 at risk · 1.3 date 30/06/2018 "waiting for the audit"
  Mon 16 Apr  09:30 the reminder sweep escalates overdue actions to the CEO
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.runtime import Runtime, open_runtime
from bot.jobs.runner import run_sweep
from bot.services.audit import Actor
from bot.services.conversation import Who, converse
from bot.services.packs import issue_report
from store.db import transaction
from store.models import Action, Plan
from tests.conftest import _database, _Postgres
from tests.harness import seed_sample

FIRST_REPORT = datetime(2018, 3, 10, 12, 0, tzinfo=UTC)
MEETING = "Audit Committee 12 March 2018"
AS_OF = datetime(2018, 4, 16, 10, 0, tzinfo=UTC)
TRICKY_TITLE = 'Budget & <b>risks</b> "review" <script>x</script>'
PLAN_NAME = "Financial Improvement Plan"


def say(runtime: Runtime, text: str, at: datetime) -> None:
    outcome = converse(
        runtime.sessions,
        Who("slack", "UADMIN"),
        text=text,
        admins=runtime.settings.admin_ids,
        default_tz="Europe/London",
        now=at,
    )
    assert outcome.reply.ok, outcome.reply.text


def issue_first_pack(runtime: Runtime) -> None:
    """The pack issued for the Audit Committee of 12 March (the baseline of later packs)."""
    with transaction(runtime.sessions) as session:
        issue_report(
            session,
            plan_code="NCC",
            fmt="xlsx",
            now=FIRST_REPORT,
            tz="Europe/London",
            meeting=MEETING,
            actor=Actor("cli", "cli"),
            issued_by="Jane Clerk",
            issued_at=FIRST_REPORT,
        )


def make_history(db_url: str, *, name: str | None = None) -> Runtime:
    """The history above on the register at `db_url`; the plan called `name` if given."""
    settings = Settings(_env_file=None, DATABASE_URL=db_url, ACTIONBOT_ADMINS="UADMIN")  # type: ignore[call-arg]
    runtime = open_runtime(settings, clock=FixedClock(AS_OF))
    seed_sample(runtime, datetime(2018, 3, 1, 8, 0, tzinfo=UTC))
    with runtime.sessions.begin() as session:
        session.execute(update(Action).where(Action.ref == "1.5").values(title=TRICKY_TITLE))
        if name is not None:
            session.execute(update(Plan).values(name=name))
    say(runtime, "NCC:1.4 on track", datetime(2018, 3, 5, 10, tzinfo=UTC))
    issue_first_pack(runtime)
    monday = datetime(2018, 3, 12, 10, tzinfo=UTC)
    say(runtime, "NCC:1.1 done", monday)
    say(runtime, "NCC:1.2 at risk supplier late", monday)
    say(runtime, "NCC:1.3 date 30/06/2018 waiting for the audit", monday)
    run_sweep(runtime, now=datetime(2018, 4, 16, 9, 30, tzinfo=UTC))
    return runtime


@pytest.fixture
def history(db_url: str) -> Iterator[Runtime]:
    runtime = make_history(db_url)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def module_db_url(
    request: pytest.FixtureRequest,
    postgres: _Postgres,
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """A migrated, empty register for a whole test module, on SQLite and on PostgreSQL:
    for a history built once per database and only read by the module's tests."""
    folder = tmp_path_factory.mktemp("register")
    yield from _database(request, postgres, sqlite_template, folder, migrated=True)


@pytest.fixture(scope="module")
def story(module_db_url: str) -> Iterator[Runtime]:
    """The same history, the plan named, built once per database for the format tests."""
    runtime = make_history(module_db_url, name=PLAN_NAME)
    yield runtime
    runtime.engine.dispose()
