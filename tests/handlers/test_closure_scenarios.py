"""Closure from every door: a plan with a verifier (Internal Audit) and a date approver (CEO)
goes through done-with-evidence → reject → done again → accept, and date request → decline
→ request → approve, from Slack and from Teams (the console: tests/services/test_closure.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import FixedClock
from store.models import Action, Event, Evidence, Review
from tests.harness import SlackWorld, seed_sample, slack_world
from tests.services.test_closure import closure_plan
from tests.teams_harness import TeamsWorld, teams_world

NOW = datetime(2018, 1, 15, 9, 0, tzinfo=UTC)
LINK = "https://intranet.example/minutes.pdf"


def state(sessions: sessionmaker[Session], ref: str) -> tuple[str, date | None, list[str]]:
    with sessions() as session:
        action = session.scalars(select(Action).where(Action.ref == ref)).one()
        reviews = session.scalars(
            select(Review.state).where(Review.action_id == action.id).order_by(Review.id)
        ).all()
        return action.status, action.due_date, list(reviews)


def steps(sessions: sessionmaker[Session], source: str) -> list[tuple[str, str | None]]:
    with sessions() as session:
        return [
            (e.field, e.new_value)
            for e in session.scalars(
                select(Event)
                .where(
                    Event.source == source,
                    Event.field.in_(("verification", "extension", "evidence")),
                )
                .order_by(Event.id)
            )
        ]


@pytest.fixture
def slack(db_url: str) -> Iterator[SlackWorld]:
    with slack_world(db_url, clock=FixedClock(NOW)) as world:
        seed_sample(world.runtime, NOW)
        closure_plan(world.runtime.sessions, verify="Internal Audit", approve="CEO")
        world.fake.add_user("UFIN", email="finance@northants.example")
        world.fake.add_user("UAUDIT", email="internal.audit@northants.example")
        world.fake.add_user("UCEO", email="ceo@northants.example")
        yield world


@pytest.fixture
def teams(db_url: str) -> Iterator[TeamsWorld]:
    with teams_world(db_url, clock=FixedClock(NOW)) as world:
        seed_sample(world.runtime, NOW)
        closure_plan(world.runtime.sessions, verify="Internal Audit", approve="CEO")
        yield world


def said(response: object) -> str:
    return json.dumps(response, ensure_ascii=False)


def test_slack_closure_end_to_end_by_text(slack: SlackWorld) -> None:
    sessions = slack.runtime.sessions
    done = slack.command(f"2.4 done evidence {LINK}", user="UFIN").json()
    assert "awaits verification by Internal Audit" in said(done)
    own = slack.command("2.4 accept", user="UFIN").json()
    assert "is yours" in said(own)
    assert "back to its owners" in said(
        slack.command("2.4 reject no signed minutes", user="UAUDIT").json()
    )
    slack.command("2.4 done", user="UFIN")
    assert "verified and done" in said(slack.command("2.4 accept", user="UAUDIT").json())
    assert state(sessions, "2.4")[0::2] == ("done", ["rejected", "accepted"])

    slack.command("2.7 date 30/06/2018 awaiting audit", user="UFIN")
    slack.command("2.7 decline the committee set this date", user="UCEO")
    slack.command("2.7 date 31/05/2018 audit booked", user="UFIN")
    assert "Approved" in said(slack.command("2.7 approve", user="UCEO").json())
    assert state(sessions, "2.7")[1:] == (date(2018, 5, 31), ["declined", "approved"])
    assert steps(sessions, "slack") == [
        ("verification", "requested"),
        ("evidence", LINK),
        ("verification", "rejected"),
        ("verification", "requested"),
        ("verification", "accepted"),
        ("extension", "2018-06-30"),
        ("extension", "declined"),
        ("extension", "2018-05-31"),
        ("extension", "approved"),
    ]


def test_teams_closure_end_to_end_by_text(teams: TeamsWorld) -> None:
    sessions = teams.runtime.sessions
    fiona = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-00000000f1a0", name="Fiona", email="finance@northants.example"
    )
    audit = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-0000000a0d17", name="Ian", email="internal.audit@northants.example"
    )
    ceo = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-000000000ce0", name="Chris", email="ceo@northants.example"
    )
    teams.say(fiona, f"2.4 done evidence {LINK}")
    assert "awaits verification" in said(teams.fake.cards()[-1])
    teams.say(audit, "2.4 reject")
    assert "Say why" in said(teams.fake.cards()[-1])
    teams.say(audit, "2.4 reject no signed minutes")
    teams.say(fiona, "2.4 done")
    teams.say(audit, "2.4 accept")
    assert state(sessions, "2.4")[0::2] == ("done", ["rejected", "accepted"])

    teams.say(fiona, "2.7 date 30/06/2018 awaiting audit")
    teams.say(ceo, "2.7 decline the committee set this date")
    teams.say(fiona, "2.7 date 31/05/2018 audit booked")
    teams.say(ceo, "2.7 approve")
    assert state(sessions, "2.7")[1:] == (date(2018, 5, 31), ["declined", "approved"])
    assert [s for s, _ in steps(sessions, "teams")].count("verification") == 4


def action_id(sessions: sessionmaker[Session], ref: str) -> int:
    with sessions() as session:
        return int(session.scalars(select(Action.id).where(Action.ref == ref)).one())


def test_slack_verifier_gets_one_batched_message_and_decides_with_its_buttons(
    slack: SlackWorld,
) -> None:
    from bot.jobs.runner import run_delivery, run_sweep
    from bot.messengers.slack import SlackMessenger, make_web_client
    from tests.harness import TOKEN

    sessions = slack.runtime.sessions
    slack.command(f"2.4 done evidence {LINK}", user="UFIN")
    slack.command("2.4 note <!channel> *bold*", user="UFIN")
    slack.command("2.7 date 30/06/2018 awaiting audit", user="UFIN")
    messenger = SlackMessenger(make_web_client(slack.runtime.settings, TOKEN))
    mark = len(slack.fake.calls)
    for hour in (1, 2):  # a second sweep the same day sends nothing new
        slack.clock.set(NOW + timedelta(hours=hour))  # type: ignore[attr-defined]
        run_sweep(slack.runtime, now=slack.clock.now())
        run_delivery(slack.runtime, {"slack": messenger}, sleep=lambda _: None)
    posts = [
        c.params
        for c in slack.fake.calls[mark:]
        if c.method == "chat.postMessage" and "action_accept" in said(c.params)
    ]
    assert len(posts) == 1  # Internal Audit's: 2.4 with its evidence, Accept and Reject…
    assert "Waiting for your decision: 1 action to verify" in said(posts[0])
    assert LINK in said(posts[0]) and "action_reject" in said(posts[0])
    approvals = [
        c.params
        for c in slack.fake.calls[mark:]
        if c.method == "chat.postMessage" and "action_approve" in said(c.params)
    ]
    assert len(approvals) == 1 and "awaiting audit" in said(approvals[0])  # the CEO's

    own = action_id(sessions, "2.4")
    slack.click("action_reject", str(own), user="UAUDIT", trigger_id="T1")
    opened = slack.fake.wait_for("views.open")[-1].params["view"]
    assert opened["callback_id"] == "closure_reason"
    empty = {"reason": {"value": {"type": "plain_text_input", "value": " "}}}
    refused = slack.submit("closure_reason", empty, user="UAUDIT", metadata=f"reject:{own}")
    assert refused.json()["response_action"] == "errors"
    assert state(sessions, "2.4")[2] == ["pending"]
    reason = {"reason": {"value": {"type": "plain_text_input", "value": "no minutes"}}}
    slack.submit("closure_reason", reason, user="UAUDIT", metadata=f"reject:{own}")
    assert state(sessions, "2.4")[0::2] == ("in_progress", ["rejected"])

    slack.click("action_approve", str(action_id(sessions, "2.7")), user="UCEO")
    assert state(sessions, "2.7")[1:] == (date(2018, 6, 30), ["approved"])


def test_teams_buttons_accept_and_ask_why_before_declining(teams: TeamsWorld) -> None:
    from bot.jobs.runner import run_sweep
    from bot.render.cards import reply_cards
    from tests.render.test_cards import assert_valid
    from tests.teams_harness import executes as buttons

    sessions = teams.runtime.sessions
    fiona = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-00000000f1a0", name="Fiona", email="finance@northants.example"
    )
    audit = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-0000000a0d17", name="Ian", email="internal.audit@northants.example"
    )
    ceo = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-000000000ce0", name="Chris", email="ceo@northants.example"
    )
    teams.say(fiona, f"2.4 done evidence {LINK}")
    teams.say(fiona, "2.7 date 30/06/2018 awaiting audit")
    result = run_sweep(teams.runtime, now=NOW + timedelta(hours=1), dry_run=True)
    [verify] = [r for m, r in result.messages if m.kind == "review" and "verify" in (r.title or "")]
    verbs = [b["verb"] for card in reply_cards(verify) for b in buttons(assert_valid(card))]
    assert "accept" in verbs and "reject" in verbs

    first = action_id(sessions, "2.4")
    data = {"action_id": str(first), "ids": str(first)}
    teams.click(audit, {**data, "action": "accept"})
    assert state(sessions, "2.4")[0::2] == ("done", ["accepted"])

    second = action_id(sessions, "2.7")
    data = {"action_id": str(second), "ids": str(second)}
    form = teams.click(ceo, {**data, "action": "decline"})["value"]
    assert [b["verb"] for b in buttons(form)][0] == "save_decline"
    again = teams.click(ceo, {**data, "action": "save_decline", "reason": ""})["value"]
    assert "Say why" in said(again) and state(sessions, "2.7")[2] == ["pending"]
    teams.click(ceo, {**data, "action": "save_decline", "reason": "set by committee"})
    assert state(sessions, "2.7")[2] == ["declined"]


def test_slack_file_sent_with_done_is_evidence_fetched_from_slack_only(slack: SlackWorld) -> None:
    from tests.handlers.test_slack_chat_import import upload

    sessions = slack.runtime.sessions
    upload(slack, "minutes.exe", b"MZ", user="UFIN", text="2.4 done")
    assert state(sessions, "2.4")[2] == []  # refused before anything was fetched
    assert "not a kind of file kept" in said(slack.fake.calls_to("chat.postMessage")[-1].params)
    data = b"%PDF-1.4 the signed minutes"
    upload(slack, "minutes.pdf", data, user="UFIN", text="2.4 done all signed")
    assert state(sessions, "2.4")[2] == ["pending"]
    with sessions() as session:
        [kept] = session.scalars(select(Evidence)).all()
        assert (kept.filename, kept.content, kept.size) == ("minutes.pdf", data, len(data))
    assert "awaits verification" in said(slack.fake.calls_to("chat.postMessage")[-1].params)
    # The plan-file import is untouched: a file with other words is still a plan for admins.
    upload(slack, "plan.csv", b"a,b", user="UFIN", text="NCC")
    assert "admin" in said(slack.fake.calls_to("chat.postMessage")[-1].params).lower()


def test_teams_file_sent_with_done_is_evidence(teams: TeamsWorld) -> None:
    from tests.handlers.test_teams_chat_import import send_file

    sessions = teams.runtime.sessions
    fiona = teams.fake.add_user(
        "aaaaaaaa-0000-0000-0000-00000000f1a0", name="Fiona", email="finance@northants.example"
    )
    send_file(teams, fiona, "run.exe", b"MZ", text="2.4 done")
    assert "not a kind of file kept" in said(teams.fake.cards()[-1])
    data = b"%PDF-1.4 the signed minutes"
    send_file(teams, fiona, "minutes.pdf", data, text="2.4 done all signed")
    assert "awaits verification" in said(teams.fake.cards()[-1])
    with sessions() as session:
        [kept] = session.scalars(select(Evidence)).all()
        assert (kept.filename, kept.content) == ("minutes.pdf", data)
    assert state(sessions, "2.4")[2] == ["pending"]
