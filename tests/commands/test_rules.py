"""The rules both doors share live in the services: a door that skipped its own form checks
still cannot move a date into the past or without a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.commands.rules import revision_problems
from bot.commands.types import RefSpec, Revise
from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.runtime import open_runtime
from bot.services.conversation import Who, converse
from store.models import Action, Event
from tests.harness import seed_sample

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
TODAY = date(2018, 1, 15)


def test_revision_problems_by_field() -> None:
    assert revision_problems(None, "", today=TODAY) == {
        "date": "Pick the new date.",
        "reason": "Say why it is moving: leadership sees this.",
    }
    assert revision_problems("2018-01-14", "late", today=TODAY) == {
        "date": "Pick a date that is not in the past."
    }
    assert revision_problems("not a date", "late", today=TODAY) == {"date": "Pick the new date."}
    assert revision_problems("2018-01-15", "x" * 1501, today=TODAY) == {
        "reason": "Keep it under 1,500 characters."
    }
    assert revision_problems("2018-01-15", " late ", today=TODAY) == {}


@pytest.mark.parametrize(
    ("new", "reason"), [(date(2017, 12, 1), "auditors late"), (date(2018, 6, 30), "  ")]
)
def test_the_service_refuses_a_bad_revision_from_any_door(
    db_url: str, new: date, reason: str
) -> None:
    settings = Settings(_env_file=None, DATABASE_URL=db_url, ACTIONBOT_ADMINS="ceo@x.example")  # type: ignore[call-arg]
    rt = open_runtime(settings, clock=FixedClock(NOW))
    seed_sample(rt, NOW)
    with rt.sessions() as session:
        events = session.query(Event).count()
    outcome = converse(
        rt.sessions,
        Who("teams", "some-admin", "ceo@x.example"),
        command=Revise(RefSpec("2.4", "NCC"), new, new.isoformat(), reason),
        admins=settings.admin_ids,
        default_tz="Europe/London",
        now=NOW,
    )
    assert not outcome.reply.ok and "Nothing was changed" in outcome.reply.lines[0]
    with rt.sessions() as session:
        assert session.query(Event).count() == events
        action = session.query(Action).filter(Action.ref == "2.4").one()
        assert action.slip_count == 0 and action.due_date == date(2018, 3, 31)
    rt.engine.dispose()
