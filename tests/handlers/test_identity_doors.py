"""Every door: a second account with a linked person's email is told it could not be linked,
and the person keeps their id, their Teams conversation and their reminders."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from bot.core.clock import FixedClock
from store.models import AdminNotice, Person
from tests.harness import seed_sample, slack_world
from tests.teams_harness import teams_world

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
FINANCE_EMAIL = "finance@northants.example"
SAID = "could not link your"


def finance_ids(runtime: object) -> tuple[str | None, ...]:
    sessions = runtime.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        person = session.scalars(select(Person).where(Person.email == FINANCE_EMAIL)).one()
        return (
            person.slack_user_id,
            person.teams_user_id,
            person.teams_chat_id,
            person.teams_conversation_id,
            person.teams_tenant_id,
        )


def notice_keys(runtime: object) -> list[str]:
    with runtime.sessions() as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(AdminNotice.key)))


def test_slack_a_second_account_with_finances_email_is_told_and_linked_to_nobody(
    db_url: str,
) -> None:
    with slack_world(db_url, clock=FixedClock(NOW)) as w:
        seed_sample(w.runtime, NOW)
        w.fake.add_user("UFIN", email=FINANCE_EMAIL)
        w.fake.add_user("UFIN2", email=FINANCE_EMAIL)
        assert "NCC:" in json.dumps(w.command("mine", user="UFIN").json())
        before = finance_ids(w.runtime)
        answer = w.command("2.4 done", user="UFIN2", key="second")
        assert SAID in json.dumps(answer.json())
        w.event(
            {"type": "app_home_opened", "user": "UFIN2", "channel": "D2", "tab": "home"},
            event_id="Ev1",
        )
        [home] = w.fake.wait_for("views.publish")
        assert SAID in json.dumps(home.params["view"])
        assert finance_ids(w.runtime) == before == ("UFIN", None, None, None, None)
        assert notice_keys(w.runtime) == ["link:slack:UFIN2"]
        # Finance themself is unaffected.
        assert "is now done" in json.dumps(w.command("2.4 done", user="UFIN", key="f").json())


def test_teams_a_second_user_with_finances_email_keeps_finances_conversation(
    db_url: str,
) -> None:
    with teams_world(db_url, clock=FixedClock(NOW)) as w:
        seed_sample(w.runtime, NOW)
        fiona = w.fake.add_user(
            "aaaaaaaa-0000-0000-0000-00000000f1a0", name="Fiona", email=FINANCE_EMAIL
        )
        other = w.fake.add_user(
            "bbbbbbbb-0000-0000-0000-00000000f1a0", name="Other", email=FINANCE_EMAIL
        )
        assert w.say(fiona, "mine").status_code == 200
        before = finance_ids(w.runtime)
        assert before[1] == fiona.aad_id and before[3]
        assert w.say(other, "2.4 done").status_code == 200
        told = json.dumps(w.fake.cards(w.fake.personal_conversation(other)))
        assert SAID in told
        assert finance_ids(w.runtime) == before
        assert notice_keys(w.runtime) == [f"link:teams:{other.aad_id}"]
