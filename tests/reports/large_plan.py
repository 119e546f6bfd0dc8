"""A larger register for the committee pack: the bundled plan's 25 actions copied as many
times as asked (their own words, owners and themes, renumbered), imported from a real CSV,
then a pack issued and, after it, owners moving dates and finishing actions through the
`/action` grammar, as in `conftest.py`. Everything not done or moved into the future is
overdue at the pack's instant (the plan's default date is 31 March 2018).
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.runtime import Runtime, open_runtime
from bot.services.audit import Actor
from bot.services.imports.apply import ImportOptions, import_file
from bot.services.people.owners import import_owners, read_owners_file
from store.db import transaction
from tests.conftest import SAMPLES
from tests.reports.conftest import AS_OF, issue_first_pack, say

# Themes a large plan adds to the sample's three, so the chart and its table have the rows
# a council's plan has.
MORE_THEMES = (
    "Procurement and contracts",
    "Children's services budget",
    "Adult social care demand",
    "Capital programme",
    "Workforce and skills",
)
REASONS = (
    "waiting for the audit findings",
    "supplier confirmed a later timetable",
    "cabinet paper moved to the next meeting",
)


def write_plan(path: Path, copies: int) -> int:
    """The sample plan copied `copies` times into `path` (refs 1.1 … n.25); how many rows."""
    with (SAMPLES / "ncc-financial-management-2017.csv").open(newline="") as source:
        reader = csv.DictReader(source)
        sample = list(reader)
        fields = list(reader.fieldnames or ())
    with path.open("w", newline="") as target:
        writer = csv.DictWriter(target, fields)
        writer.writeheader()
        for copy in range(copies):
            for number, row in enumerate(sample, 1):
                extra = MORE_THEMES[(copy + number) % len(MORE_THEMES)] if copy else None
                writer.writerow(
                    row
                    | {
                        "Action Ref.": f"{copy + 1}.{number}",
                        "Improvement theme": extra or row["Improvement theme"],
                    }
                )
    return copies * len(sample)


def large_history(db_url: str, folder: Path, *, copies: int, moved: int, done: int) -> Runtime:
    """A register of `copies` × 25 actions with a pack issued on 10 March 2018; then
    `moved` actions given a new date after the pack (the first a second time as well) and
    `done` marked done."""
    settings = Settings(_env_file=None, DATABASE_URL=db_url, ACTIONBOT_ADMINS="UADMIN")  # type: ignore[call-arg]
    runtime = open_runtime(settings, clock=FixedClock(AS_OF))
    start = datetime(2018, 3, 1, 8, 0, tzinfo=UTC)
    with transaction(runtime.sessions) as session:
        owners = read_owners_file(SAMPLES / "ncc-owners-example.csv")
        import_owners(session, rows=owners, now=start)
    plan = folder / "large-plan.csv"
    count = write_plan(plan, copies)
    import_file(
        runtime.sessions,
        path=plan,
        options=ImportOptions(
            plan_code="NCC", source_file=plan.name, default_due=date(2018, 3, 31)
        ),
        actor=Actor("test", "cli"),
        now=start,
    )
    issue_first_pack(runtime)
    refs = [f"{n // 25 + 1}.{n % 25 + 1}" for n in range(count)]
    step = max(count // max(moved + done, 1), 1)
    chosen = refs[::step]
    for index, ref in enumerate(chosen[:moved]):
        when = datetime(2018, 3, 12, 9, tzinfo=UTC) + timedelta(hours=index)
        to = date(2018, 6, 30) + timedelta(days=index)
        say(runtime, f"NCC:{ref} date {to:%d/%m/%Y} {REASONS[index % 3]}", when)
    if moved:
        later = date(2018, 9, 28)
        say(
            runtime,
            f"NCC:{chosen[0]} date {later:%d/%m/%Y} {REASONS[1]}",
            AS_OF - timedelta(days=1),
        )
    for index, ref in enumerate(chosen[moved : moved + done]):
        say(
            runtime, f"NCC:{ref} done", datetime(2018, 4, 2, 9, tzinfo=UTC) + timedelta(hours=index)
        )
    return runtime
