"""The delivery worker with long messages, failures part-way, and broken rows."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.messages import ActionCard, Reply, reply_payload
from bot.jobs.runner import run_delivery
from store.models import Delivery
from store.outbox import enqueue
from tests.jobs.conftest import JobWorld

OWNER = "UFINANCE"
OFFICE_HOURS = datetime(
    2018, 3, 1, 9, 30, tzinfo=ZoneInfo("Europe/London")
)  # a Thursday  # finance@northants.example in the sample owners file


def long_reminder(count: int) -> Reply:
    cards = [
        ActionCard(
            action_id=i,
            plan_code="NCC",
            ref=f"9.{i}",
            title=f"Action number {i}",
            owners=["Finance"],
            due=date(2018, 3, 31),
            due_label="due 31 Mar 2018",
            status="in_progress",
            rag="amber",
            updates=[f"latest update on {i}"],  # the most blocks a card can take
        )
        for i in range(1, count + 1)
    ]
    return Reply(title=f"{count} actions to look at today", lines=["Use the buttons."], cards=cards)


def put(jobs: JobWorld, key: str, recipient: str, replies: list[Reply]) -> None:
    now = jobs.clock.now()
    with jobs.runtime.sessions.begin() as session:
        assert enqueue(
            session,
            key=key,
            platform="slack",
            recipient=recipient,
            kind="nudge",
            payload=reply_payload(replies),
            not_before=now,
            now=now,
        )


def posted(jobs: JobWorld) -> list[dict[str, object]]:
    return [c.params for c in jobs.fake.calls_to("chat.postMessage") if c.response.get("ok")]


def states(jobs: JobWorld) -> dict[str, tuple[str, str | None]]:
    with jobs.runtime.sessions() as session:
        rows = session.query(Delivery).all()
        return {d.key: (d.state, d.last_error) for d in rows}


def test_a_long_days_list_is_one_dm_with_the_rest_in_its_thread(jobs: JobWorld) -> None:
    put(jobs, "long", f"slack:{OWNER}", [long_reminder(30)])
    stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)

    assert (stats.sent, stats.failed) == (1, 0)
    messages = posted(jobs)
    assert len(messages) > 1
    assert all(len(m["blocks"]) <= 50 for m in messages)  # type: ignore[arg-type]
    first, *rest = messages
    assert "thread_ts" not in first
    assert {m["thread_ts"] for m in rest} == {jobs.fake.posted_messages()[0].response["ts"]}
    text = "".join(json.dumps(m["blocks"]) for m in messages)
    for i in range(1, 31):
        assert f"NCC:9.{i}*" in text, i  # every action is there, each once
        assert text.count(f'"value": "{i}"') >= 1
    assert "the rest follow in the thread" in json.dumps(first["blocks"])
    assert '"action_id": "page_next"' not in text  # nothing hidden behind a Next button


def test_rate_limits_part_way_resume_without_repeating_a_message(jobs: JobWorld) -> None:
    # Every second call is answered 429: each retry must pick up where the last one stopped.
    jobs.fake.rate_limit_every(2, retry_after=1, methods={"chat.postMessage"})
    put(jobs, "digest", "channel:CDIGEST", [long_reminder(12), long_reminder(11)])
    stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)

    assert (stats.sent, stats.failed) == (1, 0) and stats.rate_limited >= 2
    messages = posted(jobs)
    bodies = [json.dumps(m["blocks"]) for m in messages]
    assert len(bodies) == len(set(bodies)), "a message was posted twice"
    assert sum("thread_ts" not in m for m in messages) == 1


def test_a_long_wait_is_rescheduled_and_resumes_later(jobs: JobWorld) -> None:
    put(jobs, "long", f"slack:{OWNER}", [long_reminder(30)])
    jobs.fake.rate_limit_every(2, retry_after=120, methods={"chat.postMessage"})
    first = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert (first.sent, first.rescheduled) == (0, 1)
    assert len(posted(jobs)) == 1  # the first message went before the 429

    jobs.fake.rate_limit_every(0)
    jobs.clock.advance(timedelta(minutes=3))
    second = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert second.sent == 1
    messages = posted(jobs)
    bodies = [json.dumps(m["blocks"]) for m in messages]
    assert len(bodies) == len(set(bodies)), "the resumed delivery repeated a message"
    text = "".join(bodies)
    assert all(f"NCC:9.{i}*" in text for i in range(1, 31))
    assert {m.get("thread_ts") for m in messages[1:]} == {
        jobs.fake.posted_messages()[0].response["ts"]
    }


def test_a_row_that_cannot_be_sent_is_failed_and_the_queue_moves_on(jobs: JobWorld) -> None:
    jobs.at(OFFICE_HOURS)
    now = jobs.clock.now()
    with jobs.runtime.sessions.begin() as session:
        enqueue(
            session,
            key="broken",
            platform="slack",
            recipient=f"slack:{OWNER}",
            kind="nudge",
            payload={"replies": [{"title": "x", "cards": [{"action_id": "not a number"}]}]},
            not_before=now,
            now=now,
        )
    put(jobs, "fine", f"slack:{OWNER}", [long_reminder(2)])

    stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)

    assert stats.failed == 1 and stats.sent == 2  # the fine row, and the admins' summary
    result = states(jobs)
    assert result["fine"] == ("sent", None)
    assert result["broken"][0] == "failed" and "ValueError" in str(result["broken"][1])
    assert [m["channel"] for m in posted(jobs)] == [OWNER, "UADMIN"]


def test_admins_are_told_in_office_hours_about_a_message_that_cannot_be_delivered(
    jobs: JobWorld,
) -> None:
    jobs.at(OFFICE_HOURS)
    jobs.fake.add_user("UADMIN", email="admin@northants.example")
    put(jobs, "gone", "slack:UGONE", [long_reminder(1)])
    jobs.fake.fail("chat.postMessage", error="channel_not_found", times=1)

    stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)

    assert stats.failed == 1 and stats.sent == 1
    [notice] = posted(jobs)
    assert notice["channel"] == "UADMIN"
    text = json.dumps(notice["blocks"])
    assert "slack:UGONE" in text and "channel_not_found" in text
    # Told once: the next round has nothing new to say.
    again = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert (again.sent, again.failed) == (0, 0)
    assert len(posted(jobs)) == 1


def test_a_failure_before_office_hours_waits_for_the_days_summary(jobs: JobWorld) -> None:
    jobs.at(datetime(2018, 3, 1, 7, 0, tzinfo=ZoneInfo("Europe/London")))
    put(jobs, "gone", "slack:UGONE", [long_reminder(1)])
    jobs.fake.fail("chat.postMessage", error="channel_not_found", times=1)
    early = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert (early.sent, early.failed) == (0, 1) and posted(jobs) == []
    jobs.at(OFFICE_HOURS)
    later = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert later.sent == 1 and [m["channel"] for m in posted(jobs)] == ["UADMIN"]


def test_slack_refusing_a_rendered_message_is_reported_as_a_bug_not_given_up_quietly(
    jobs: JobWorld, caplog: pytest.LogCaptureFixture
) -> None:
    jobs.at(OFFICE_HOURS)
    jobs.fake.add_user("UADMIN", email="admin@northants.example")
    put(jobs, "refused", f"slack:{OWNER}", [long_reminder(1)])
    jobs.fake.fail("chat.postMessage", error="msg_blocks_too_long", times=1)

    with caplog.at_level(logging.ERROR, logger="bot.messengers.slack"):
        stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)

    assert stats.failed == 1
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR and "BUG" in r.message]
    assert "msg_blocks_too_long" in record.message
    assert "header:" in record.message and "section:" in record.message  # kinds and sizes
    [notice] = posted(jobs)
    assert notice["channel"] == "UADMIN"
    shown = json.dumps(notice["blocks"])
    assert "a bug in actionbot" in shown and "`msg_blocks_too_long`" in shown


def long_titled_reminder(count: int) -> Reply:
    """`count` actions with long, hostile titles, like a real plan's worst rows."""
    reply = long_reminder(count)
    hostile = "Pay <!channel> now & see <https://evil.example|Open budget> " * 40  # ~2,400
    cards = [replace(c, title=f"{c.ref} {hostile}", updates=[hostile]) for c in reply.cards]
    return replace(reply, cards=cards)


def test_an_owner_with_80_actions_due_gets_every_one_within_slacks_limits(
    jobs: JobWorld,
) -> None:
    put(jobs, "eighty", f"slack:{OWNER}", [long_titled_reminder(80)])
    stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)

    assert (stats.sent, stats.failed) == (1, 0)
    refused = [c for c in jobs.fake.calls_to("chat.postMessage") if not c.response.get("ok")]
    assert refused == []  # the strict fake took every part
    messages = posted(jobs)
    text = json.dumps([m["blocks"] for m in messages], ensure_ascii=False)
    for i in range(1, 81):
        assert f"*NCC:9.{i}* 9.{i} Pay" in text, i  # every action is there
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in text
    assert all("<!" not in str(m["text"]) for m in messages)
