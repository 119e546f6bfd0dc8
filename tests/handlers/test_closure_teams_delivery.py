"""The verifier's batched message through the real Teams messenger into the strict fake Bot
Framework: the scheduled sweep plans it, the delivery round opens a chat with the verifier
in the council's tenant and posts the card, and its Accept comes back through the Teams door.
An approver in another tenant cannot be reached in the council's, as in Teams."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.clock import FixedClock
from bot.jobs.runner import run_delivery, run_sweep
from bot.messengers.teams import make_teams_messenger
from store.models import Delivery, Person
from tests.fakes.bot_framework import TeamsUser
from tests.handlers.test_closure_scenarios import LINK, action_id, state
from tests.harness import seed_sample
from tests.services.test_closure import closure_plan
from tests.teams_harness import TeamsWorld, executes, outbound_token, teams_world

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)  # no owner has a reminder today
FINANCE = "finance@northants.example"
AUDIT = "internal.audit@northants.example"
CEO = "ceo@northants.example"


@pytest.fixture
def world(db_url: str) -> Iterator[TeamsWorld]:
    with teams_world(db_url, clock=FixedClock(NOW)) as w:
        seed_sample(w.runtime, NOW)
        closure_plan(w.runtime.sessions, verify="Internal Audit", approve=CEO)
        yield w


def on_teams(w: TeamsWorld, email: str, aad_id: str, **kw: str) -> TeamsUser:
    """A Teams user whose Entra object id the owners file gives (`teams_id`): actionbot opens
    the chat with them itself."""
    with w.runtime.sessions.begin() as session:
        person = session.scalars(select(Person).where(Person.email == email)).one()
        person.teams_user_id = aad_id
    return w.fake.add_user(aad_id, name=email.split("@")[0], email=email, **kw)


def test_the_verifier_gets_the_card_in_teams_and_accepts_from_it(world: TeamsWorld) -> None:
    fiona = world.fake.add_user("aaaaaaaa-0000-0000-0000-00000000f1a0", name="Fiona", email=FINANCE)
    ian = on_teams(world, AUDIT, "aaaaaaaa-0000-0000-0000-0000000a0d17")
    on_teams(world, CEO, "aaaaaaaa-0000-0000-0000-000000000ce0", tenant="another-council")
    assert world.say(fiona, f"2.4 done evidence {LINK}").status_code == 200
    assert world.say(fiona, "2.7 date 30/06/2018 awaiting audit").status_code == 200

    later = NOW + timedelta(hours=1)
    world.clock.set(later)  # type: ignore[attr-defined]
    messenger = make_teams_messenger(world.runtime.settings, token=outbound_token)
    try:
        run_sweep(world.runtime, now=later)
        stats = run_delivery(world.runtime, {"teams": messenger}, sleep=lambda _: None)
    finally:
        messenger.connector.close()

    # The verifier's chat was opened in the council's tenant and holds the one batched card.
    [opened] = [r for r in world.fake.requests if r.path == "/v3/conversations" and r.status < 300]
    assert opened.body["members"] == [{"id": ian.aad_id}]
    [card] = world.fake.cards(world.fake.personal_conversation(ian))
    shown = str(card)
    assert "Waiting for your decision: 1 action to verify" in shown and LINK in shown
    verbs = {b["verb"]: b for b in executes(card)}
    assert {"accept", "reject"} <= set(verbs)

    # The approver is in another tenant: Teams will not open a chat with them in ours.
    with world.runtime.sessions() as session:
        review = session.scalars(
            select(Delivery).where(Delivery.kind == "review", Delivery.state != "sent")
        ).one()
    assert review.recipient.startswith("person:") and "AclCheckFailed" in (review.last_error or "")
    assert [f for f in stats.failures if f.startswith("review to")] == [
        f"review to {review.recipient}: Teams create conversation: HTTP 403 ServiceError "
        "Failure due to: AclCheckFailed. (the user blocked or uninstalled actionbot, or it is "
        "not installed)"
    ]

    # Accept, clicked on the delivered card, comes back through the Teams door.
    accept = verbs["accept"]
    world.click(ian, {**accept["data"], "action": accept["verb"]})
    assert state(world.runtime.sessions, "2.4")[0::2] == ("done", ["accepted"])
    assert state(world.runtime.sessions, "2.7")[2] == ["pending"]
    assert action_id(world.runtime.sessions, "2.4") == int(accept["data"]["action_id"])
