"""A simulated March and April 2018 with an injected clock against a fake Slack Web API."""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.calendar import WorkingCalendar
from bot.jobs.runner import run_delivery, run_digest, run_sweep
from bot.services.conversation import Who, converse
from tests.jobs.conftest import JobWorld, slack_id

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar("GB-ENG")


def dms(world: JobWorld, since: int) -> list[tuple[str, str]]:
    """(channel, text of blocks) of direct messages posted since call number `since`.

    A reply in a DM's thread (the overflow of a long day's list) is part of that DM.
    """
    out: list[tuple[str, str]] = []
    for call in world.fake.calls[since:]:
        channel = str(call.params.get("channel"))
        if call.method != "chat.postMessage" or call.status != 200 or not channel.startswith("U"):
            continue
        text = json.dumps(call.params.get("blocks"))
        if call.params.get("thread_ts"):
            index = max(i for i, (c, _) in enumerate(out) if c == channel)
            out[index] = (channel, out[index][1] + text)
        else:
            out.append((channel, text))
    return out


def test_a_month_of_reminders_batched_on_working_days_never_twice_never_after_done(
    jobs: JobWorld,
) -> None:
    finance = slack_id("finance@northants.example")
    ceo = slack_id("ceo@northants.example")
    sent_on: dict[date, list[tuple[str, str]]] = defaultdict(list)
    day = date(2018, 3, 1)
    while day <= date(2018, 4, 30):
        for hour, minute in ((7, 30), (9, 5), (13, 0)):
            jobs.at(datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON))
            mark = len(jobs.fake.calls)
            run_sweep(jobs.runtime, now=jobs.clock.now())
            run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
            sent_on[day] += dms(jobs, mark)
            if day == date(2018, 3, 20) and hour == 9:
                outcome = converse(
                    jobs.runtime.sessions,
                    Who("slack", finance, "finance@northants.example"),
                    text="2.4 done",
                    admins=frozenset(),
                    default_tz="Europe/London",
                    now=jobs.clock.now(),
                )
                assert outcome.reply.ok, outcome.reply.lines
        day += timedelta(days=1)

    assert sent_on, "nobody was reminded"
    for when, messages in sent_on.items():
        if messages:
            assert CAL.is_working_day(when), f"messages on a day off: {when}"
        per_person = Counter(channel for channel, _ in messages)
        assert max(per_person.values(), default=0) <= 1, f"two DMs to one person on {when}"

    # The plan is due Sat 31 Mar: 14 days before is Sat 17 → Fri 16; 7 days → Fri 23;
    # 1 working day before and the day itself → Thu 29 (Good Friday 30 Mar is a holiday).
    reminded = sorted(d for d, m in sent_on.items() if any(c == finance for c, _ in m))
    assert reminded[:3] == [date(2018, 3, 16), date(2018, 3, 23), date(2018, 3, 29)]
    # Then weekly while overdue: Sat 7 Apr → Fri 6 Apr, 14 Apr → Fri 13, 21 → Fri 20, 28 → Fri 27.
    assert reminded[3:] == [
        date(2018, 4, 6),
        date(2018, 4, 13),
        date(2018, 4, 20),
        date(2018, 4, 27),
    ]

    # One message lists all of Finance's actions that day, each with its buttons.
    _, blocks = next(m for m in sent_on[date(2018, 3, 16)] if m[0] == finance)
    assert blocks.count('"action_id": "action_done"') > 1
    assert "NCC:2.4" in blocks and "NCC:2.7" in blocks

    # Done on 20 March: never mentioned again.
    after = [b for d, m in sent_on.items() if d > date(2018, 3, 20) for c, b in m if c == finance]
    assert after and all("NCC:2.4" not in b for b in after)

    # Escalation: 10 working days after Sat 31 Mar (Easter Monday off) is Mon 16 Apr; once.
    to_ceo = {d: [b for c, b in m if c == ceo] for d, m in sent_on.items()}
    escalated_on = [d for d, blocks_ in to_ceo.items() if any("no update" in b for b in blocks_)]
    assert escalated_on == [date(2018, 4, 16)]


def test_digest_every_monday_once_and_within_slack_limits(jobs: JobWorld) -> None:
    jobs.at(datetime(2018, 4, 16, 8, 30, tzinfo=LONDON))
    first = run_digest(jobs.runtime, now=jobs.clock.now(), scheduled=True)
    again = run_digest(jobs.runtime, now=jobs.clock.now() + timedelta(minutes=5), scheduled=True)
    assert first.enqueued and not again.enqueued
    run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    posts = [c for c in jobs.fake.calls_to("chat.postMessage") if c.params["channel"] == "CDIGEST"]
    assert posts and all(c.status == 200 for c in posts)
    assert all(len(c.params["blocks"]) <= 50 for c in posts)
    assert all("thread_ts" in c.params for c in posts[1:])
    text = json.dumps([c.params["blocks"] for c in posts])
    # Nothing changed this week, so nothing needs a decision; the 25 overdue and silent
    # actions are counts with a pointer, not 50 lines.
    assert "No action needs a decision this week: weekly digest, Mon 16 Apr" in text
    assert "25 actions are past their due date" in text and "`/action overdue`" in text
    assert "25 open actions have had no update in 30 days" in text
    assert "Overdue in all" in text and "Escalated" not in text  # 10 working days, not yet 20


def test_rerunning_a_sweep_or_restarting_never_sends_twice(jobs: JobWorld, db_url: str) -> None:
    from bot.core.runtime import open_runtime

    jobs.at(datetime(2018, 3, 16, 9, 30, tzinfo=LONDON))
    planned = run_sweep(jobs.runtime, now=jobs.clock.now())
    assert planned.enqueued > 0
    # "Crash" between deciding and sending: a new process picks the outbox up.
    restarted = open_runtime(jobs.runtime.settings, clock=jobs.clock)
    again = run_sweep(restarted, now=jobs.clock.now() + timedelta(hours=2))
    assert again.enqueued == 0 and again.already_planned == planned.enqueued
    stats = run_delivery(restarted, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert stats.sent == planned.enqueued + 1  # and the admins' summary (unmapped owners)
    assert run_delivery(restarted, {"slack": jobs.messenger}, sleep=jobs.sleep).sent == 0
    channels = [c.params["channel"] for c in jobs.fake.calls_to("chat.postMessage")]
    assert len(channels) == len(set(channels)) == planned.enqueued + 1
    assert "UADMIN" in channels
    restarted.engine.dispose()


def test_a_missed_nine_oclock_is_caught_up_later_that_day(jobs: JobWorld) -> None:
    jobs.at(datetime(2018, 3, 16, 8, 59, tzinfo=LONDON))
    assert run_sweep(jobs.runtime, now=jobs.clock.now()).enqueued == 0
    jobs.at(datetime(2018, 3, 16, 16, 45, tzinfo=LONDON))  # the bot was down all morning
    assert run_sweep(jobs.runtime, now=jobs.clock.now()).enqueued > 0


def test_snooze_pauses_one_action(jobs: JobWorld) -> None:
    finance = slack_id("finance@northants.example")
    jobs.at(datetime(2018, 3, 15, 10, 0, tzinfo=LONDON))
    outcome = converse(
        jobs.runtime.sessions,
        Who("slack", finance, "finance@northants.example"),
        text="2.4 snooze 3d on leave",
        admins=frozenset(),
        default_tz="Europe/London",
        now=jobs.clock.now(),
    )
    assert outcome.reply.ok
    jobs.at(datetime(2018, 3, 16, 9, 30, tzinfo=LONDON))
    result = run_sweep(jobs.runtime, now=jobs.clock.now())
    cards = [json.dumps(r.cards, default=str) for m, r in result.messages if m.kind == "nudge"]
    assert any("'2.7'" in c or '"2.7"' in c or "ref='2.7'" in c for c in cards)
    assert not any("ref='2.4'" in c for c in cards)


def admin_dms(world: JobWorld, since: int) -> list[str]:
    return [text for channel, text in dms(world, since) if channel == "UADMIN"]


def test_unreachable_owners_are_quiet_but_reported_to_admins_once(jobs: JobWorld) -> None:
    owner = "Directorates (BI&PM Finance Support)"
    jobs.at(datetime(2018, 3, 16, 9, 30, tzinfo=LONDON))
    result = run_sweep(jobs.runtime, now=jobs.clock.now())
    assert owner in result.unreachable
    assert not [m for m, _ in result.messages if m.recipient.startswith("slack:")]
    run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    [summary] = [html.unescape(text) for text in admin_dms(jobs, 0)]  # as Slack shows it
    # Named as the plan writes it, with its plan, what is wrong and the exact fix.
    assert f"*{owner}* (plan NCC), no email" in summary
    assert "nobody is mapped" in summary
    assert f'/action admin owner \\"{owner}\\" @person' in summary
    assert "actionbot owners import" in summary
    # A known problem is not repeated: the next working days bring no admin DM at all.
    for day in (19, 20):
        jobs.at(datetime(2018, 3, day, 9, 30, tzinfo=LONDON))
        mark = len(jobs.fake.calls)
        run_sweep(jobs.runtime, now=jobs.clock.now())
        run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
        assert admin_dms(jobs, mark) == []


def test_forty_unknown_emails_make_one_admin_message_not_forty(jobs: JobWorld) -> None:
    from sqlalchemy import select

    from store.models import Person

    jobs.fake.fail("users.lookupByEmail", error="users_not_found", times=None)
    with jobs.runtime.sessions.begin() as session:
        emails = [p.email for p in session.scalars(select(Person)) if p.email]
    jobs.at(datetime(2018, 3, 16, 9, 30, tzinfo=LONDON))
    run_sweep(jobs.runtime, now=jobs.clock.now())
    stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert stats.failed >= 2
    [summary] = admin_dms(jobs, 0)
    told = [e for e in emails if e in summary]
    assert len(told) == stats.failed  # each owner whose reminder failed, by email
    assert summary.count("Slack has no user with the email") == stats.failed
    # The next day the same people fail again: nothing new, so nothing to admins.
    jobs.at(datetime(2018, 3, 19, 9, 30, tzinfo=LONDON))
    mark = len(jobs.fake.calls)
    run_sweep(jobs.runtime, now=jobs.clock.now())
    run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert admin_dms(jobs, mark) == []


def test_rate_limits_are_waited_out_and_permanent_errors_recorded(jobs: JobWorld) -> None:
    from sqlalchemy import select

    from store.models import Delivery

    jobs.fake.rate_limit_every(10, retry_after=3, methods={"chat.postMessage"})
    jobs.fake.fail("users.lookupByEmail", error="users_not_found")  # the first person left
    jobs.at(datetime(2018, 3, 16, 9, 30, tzinfo=LONDON))
    planned = run_sweep(jobs.runtime, now=jobs.clock.now())
    stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    # Every planned message but the failed one, plus the day's summary to the one admin.
    assert stats.failed == 1 and stats.sent == planned.enqueued - 1 + 1
    notices = [m for m in jobs.fake.posted_messages() if m.params["channel"] == "UADMIN"]
    assert len(notices) == 1
    assert "Slack has no user with the email" in json.dumps(notices[0].params["blocks"])
    assert stats.rate_limited >= 1 and set(jobs.waits) == {3.0}
    with jobs.runtime.sessions() as session:
        failed = session.scalars(select(Delivery).where(Delivery.state == "failed")).all()
        assert len(failed) == 1 and "users_not_found" in (failed[0].last_error or "")
    # Not retried forever, and the digest lists it too.
    assert run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep).sent == 0
    digest = run_digest(jobs.runtime, now=jobs.clock.now(), channel="CDIGEST", dry_run=True)
    assert "Slack has no user with the email" in json.dumps([r.lines for r in digest.replies])


def test_server_errors_are_retried_with_backoff(jobs: JobWorld) -> None:
    jobs.fake.fail("chat.postMessage", error="internal_error", status=500, times=1)
    jobs.at(datetime(2018, 3, 16, 9, 30, tzinfo=LONDON))
    planned = run_sweep(jobs.runtime, now=jobs.clock.now())
    first = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    # All but the failed one, and the admins' summary (the sample has unmapped owners).
    assert first.rescheduled == 1 and first.sent == planned.enqueued - 1 + 1
    assert run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep).sent == 0
    jobs.clock.advance(timedelta(minutes=2))
    assert run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep).sent == 1


def test_owner_time_zone_decides_nine_oclock(jobs: JobWorld) -> None:
    from sqlalchemy import select

    from store.models import Person

    with jobs.runtime.sessions.begin() as session:
        person = session.scalars(
            select(Person).where(Person.email == "finance@northants.example")
        ).one()
        person.tz = "America/New_York"
    # 09:30 in London is 04:30 in New York: Finance hears nothing yet, others do.
    jobs.at(datetime(2018, 3, 16, 9, 30, tzinfo=LONDON))
    first = {m.recipient for m, _ in run_sweep(jobs.runtime, now=jobs.clock.now()).messages}
    jobs.at(datetime(2018, 3, 16, 9, 5, tzinfo=ZoneInfo("America/New_York")))
    later = {m.recipient for m, _ in run_sweep(jobs.runtime, now=jobs.clock.now()).messages}
    assert f"person:{person.id}" not in first and f"person:{person.id}" in later
    assert jobs.clock.now().astimezone(UTC).hour == 13
