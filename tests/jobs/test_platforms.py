"""The reminder and digest scenarios, once per platform, from the same scenario code.

"slack": everybody is on Slack (fake Web API). "teams": everybody is on Teams (fake Bot
Framework); some have written to the bot (a stored conversation reference), the others get
a 1:1 chat created. "both": everybody is on both, with a preference; each still gets one
message a day, on the platform they prefer or used last.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core.calendar import WorkingCalendar
from bot.core.clock import FixedClock
from bot.core.runtime import open_runtime
from bot.jobs.digest import Section, digest_replies
from bot.jobs.runner import run_delivery, run_digest, run_sweep
from bot.messengers.base import Messenger, Progress
from bot.messengers.slack import SlackMessenger, make_web_client
from bot.messengers.teams import TeamsMessenger, make_teams_messenger
from bot.services.conversation import Who, converse
from store.models import AdminNotice, Delivery, Person
from tests.fakes.bot_framework import FakeBotFramework, fake_bot_framework
from tests.fakes.slack_api import FakeSlackAPI
from tests.harness import TOKEN, make_settings, seed_sample
from tests.jobs.conftest import OWNERS, JobWorld, slack_id
from tests.teams_harness import APP_ID, CHANNEL, TENANT, outbound_token

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar("GB-ENG")


def aad(email: str) -> str:
    return f"00000000-0000-0000-0000-{hashlib.sha1(email.encode()).hexdigest()[:12]}"


@dataclass
class World:
    mode: str
    jobs: JobWorld
    bf: FakeBotFramework
    teams: TeamsMessenger
    messengers: dict[str, Messenger]
    emails: list[str]

    def mark(self) -> tuple[int, int]:
        return len(self.jobs.fake.calls), len(self.bf.requests)

    def dms(self, since: tuple[int, int]) -> list[tuple[str, str, str]]:
        """(email, platform, text) of each direct message sent since `since`; overflow in a
        Slack thread, or consecutive Teams messages in one delivery, count as one."""
        by_slack = {slack_id(e): e for e in self.emails}
        out: list[tuple[str, str, str]] = []
        for call in self.jobs.fake.calls[since[0] :]:
            channel = str(call.params.get("channel"))
            if call.method != "chat.postMessage" or call.status != 200 or channel not in by_slack:
                continue
            text = json.dumps(call.params.get("blocks"))
            if call.params.get("thread_ts"):
                index = max(i for i, m in enumerate(out) if m[0] == by_slack[channel])
                out[index] = (out[index][0], "slack", out[index][2] + text)
            else:
                out.append((by_slack[channel], "slack", text))
        by_aad = {aad(e): e for e in self.emails}
        grouped: dict[str, str] = {}
        for rec in self.bf.requests[since[1] :]:
            if rec.method != "POST" or "/activities" not in rec.path or rec.status >= 300:
                continue
            conversation = rec.path.split("/")[3]
            email = by_aad.get(self.bf.conversations.get(conversation, ""))
            if email is None:
                continue
            grouped[email] = grouped.get(email, "") + json.dumps(rec.body["attachments"])
        out += [(email, "teams", text) for email, text in grouped.items()]
        return out

    def round(self) -> list[tuple[str, str, str]]:
        mark = self.mark()
        run_sweep(self.jobs.runtime, now=self.jobs.clock.now())
        run_delivery(self.jobs.runtime, self.messengers, sleep=self.jobs.sleep)
        return self.dms(mark)


def link_people(world: JobWorld, bf: FakeBotFramework, mode: str, emails: list[str]) -> None:
    with world.runtime.sessions.begin() as session:
        for number, email in enumerate(emails):
            person = session.scalars(select(Person).where(Person.email == email)).one()
            if mode in ("slack", "both"):
                world.fake.add_user(slack_id(email), email=email, tz="Europe/London")
            if mode in ("teams", "both"):
                user = bf.add_user(aad(email), name=email.split("@")[0], email=email)
                person.teams_user_id = user.aad_id
                if number % 2 == 0:  # wrote to the bot once: a stored reference
                    person.teams_conversation_id = bf.personal_conversation(user)
                    person.teams_service_url = bf.base_url
                    person.teams_tenant_id = TENANT
                    person.teams_chat_id = user.chat_id
            if mode == "both":
                person.slack_user_id = slack_id(email)
                if number % 3 == 0:
                    person.preferred_platform = "slack"
                person.last_platform = "teams"


def is_reminder(text: str) -> bool:
    return '"action_id": "action_done"' in text or '"verb": "done"' in text


def expected_platform(mode: str, number: int) -> str:
    if mode != "both":
        return mode
    return "slack" if number % 3 == 0 else "teams"


@pytest.fixture(params=["slack", "teams", "both"])
def world(request: pytest.FixtureRequest, db_url: str) -> Iterator[World]:
    mode = str(request.param)
    with FakeSlackAPI(bot_token=TOKEN) as slack, fake_bot_framework() as bf:
        clock = FixedClock(datetime(2018, 3, 1, 8, 0, tzinfo=UTC))
        settings = make_settings(
            db_url,
            slack,
            TEAMS_CLIENT_ID=APP_ID,
            TEAMS_CLIENT_SECRET="unused-in-tests-the-token-callable-replaces-it",
            TEAMS_TENANT_ID=TENANT,
            TEAMS_SERVICE_URL=bf.base_url,
            TEAMS_DIGEST_CONVERSATION=CHANNEL,
            ACTIONBOT_ADMINS="ceo@northants.example",
        )
        runtime = open_runtime(settings, clock=clock)
        seed_sample(runtime, clock.now())
        jobs = JobWorld(slack, runtime, clock, SlackMessenger(make_web_client(settings, TOKEN)), [])
        with OWNERS.open(encoding="utf-8") as handle:
            emails = [row["email"] for row in csv.DictReader(handle)]
        link_people(jobs, bf, mode, emails)
        teams = make_teams_messenger(jobs.runtime.settings, token=outbound_token)
        messengers: dict[str, Messenger] = {}
        if mode in ("slack", "both"):
            messengers["slack"] = jobs.messenger
        if mode in ("teams", "both"):
            messengers["teams"] = teams
        try:
            yield World(mode, jobs, bf, teams, messengers, emails)
        finally:
            teams.connector.close()
            jobs.runtime.engine.dispose()


def test_reminders_once_a_day_never_twice_never_after_done_and_escalated(world: World) -> None:
    finance = "finance@northants.example"
    ceo = "ceo@northants.example"
    sent_on: dict[date, list[tuple[str, str, str]]] = defaultdict(list)
    days = [date(2018, 3, 16), date(2018, 3, 20), date(2018, 3, 23), date(2018, 4, 6)]
    days += [date(2018, 4, 16), date(2018, 4, 17)]
    for day in days:
        for hour, minute in ((9, 5), (13, 0)):  # the second round re-runs the same day
            world.jobs.at(datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON))
            sent_on[day] += world.round()
            if day == date(2018, 3, 20) and hour == 9:
                outcome = converse(
                    world.jobs.runtime.sessions,
                    Who("teams", aad(finance), finance)
                    if world.mode == "teams"
                    else Who("slack", slack_id(finance), finance),
                    text="2.4 done",
                    admins=frozenset(),
                    default_tz="Europe/London",
                    now=world.jobs.clock.now(),
                )
                assert outcome.reply.ok, outcome.reply.lines

    for when, messages in sent_on.items():
        # Reminders carry buttons (admin notices and escalations do not): one a day at most.
        per_person = Counter(email for email, _, text in messages if is_reminder(text))
        assert max(per_person.values(), default=0) <= 1, f"two reminders to one person on {when}"
        assert len(messages) == len(set(messages)), f"a message went twice on {when}"
    for day, messages in sent_on.items():
        for email, platform, _ in messages:
            expected = expected_platform(world.mode, world.emails.index(email))
            if world.mode == "both" and email == finance and day > date(2018, 3, 20):
                expected = "slack"  # she used Slack on the 20th: her last platform now
            assert platform == expected, (email, day)

    reminded = sorted(d for d, ms in sent_on.items() if any(e == finance for e, _, _ in ms))
    assert reminded == [date(2018, 3, 16), date(2018, 3, 23), date(2018, 4, 6)]
    text = next(t for e, _, t in sent_on[date(2018, 3, 16)] if e == finance)
    assert "NCC:2.4" in text and "NCC:2.7" in text
    after = [
        t for d, ms in sent_on.items() if d > date(2018, 3, 20) for e, _, t in ms if e == finance
    ]
    assert after and all("NCC:2.4" not in t for t in after)
    escalated = [
        d for d, ms in sent_on.items() if any(e == ceo and "no update" in t for e, _, t in ms)
    ]
    assert escalated == [date(2018, 4, 16)]
    with world.jobs.runtime.sessions() as session:
        states = Counter(d.state for d in session.scalars(select(Delivery)))
        assert states["failed"] == 0 and states["pending"] == 0, states
        if world.mode != "slack":
            # Those with no stored chat had one created, and it was kept for next time.
            people = session.scalars(select(Person).where(Person.teams_user_id.is_not(None)))
            assert all(p.teams_conversation_id for p in people if p.email in (finance, ceo))


def test_digest_once_a_week_on_each_configured_platform(world: World) -> None:
    world.jobs.at(datetime(2018, 4, 16, 8, 30, tzinfo=LONDON))
    platforms = ["slack", "teams"] if world.mode == "both" else [world.mode]
    for platform in platforms:
        first = run_digest(
            world.jobs.runtime, now=world.jobs.clock.now(), scheduled=True, platform=platform
        )
        again = run_digest(
            world.jobs.runtime,
            now=world.jobs.clock.now() + timedelta(minutes=5),
            scheduled=True,
            platform=platform,
        )
        assert first.enqueued and not again.enqueued
        if platform == "teams":
            teams_digest = first
    mark = world.mark()
    stats = run_delivery(world.jobs.runtime, world.messengers, sleep=world.jobs.sleep)
    assert stats.failed == 0
    if "teams" in platforms:
        posts = [
            r
            for r in world.bf.requests[mark[1] :]
            if r.path.startswith(f"/v3/conversations/{CHANNEL}") and r.status < 300
        ]
        assert posts, "no digest in the Teams channel"
        first_post, *replies = posts
        assert first_post.path == f"/v3/conversations/{CHANNEL}/activities"
        root = world.bf.activities()[0]  # ids are numeric; replies go to ;messageid=<root>
        assert all(";messageid=" in r.path for r in replies)
        assert root is not None
        body = json.dumps([p.body for p in posts])
        refs = set(re.findall(r"NCC:[\d.]+", "\n".join(r.text for r in teams_digest.replies)))
        assert refs and all(ref in body for ref in refs)  # the same content as the digest
    if "slack" in platforms:
        assert any(c.params.get("channel") == "CDIGEST" for c in world.jobs.fake.calls[mark[0] :])


@pytest.mark.parametrize("world", ["teams"], indirect=True)
def test_a_blocked_teams_user_is_a_permanent_failure_reported_to_admins(world: World) -> None:
    finance = world.bf.users[aad("finance@northants.example")]
    finance.blocked = True
    world.jobs.at(datetime(2018, 3, 16, 9, 5, tzinfo=LONDON))
    sent = world.round()
    assert all(email != "finance@northants.example" for email, _, _ in sent)
    finance_id = _person_id(world, finance.email)
    with world.jobs.runtime.sessions() as session:
        failed = session.scalars(select(Delivery).where(Delivery.state == "failed")).all()
        assert [d.recipient for d in failed] == [f"person:{finance_id}"]
        assert "403" in (failed[0].last_error or "")
        # Reported to the admins like a Slack failure: a notice for their daily summary …
        notice = session.scalars(
            select(AdminNotice).where(AdminNotice.key == f"recipient:person:{finance_id}")
        ).one()
        assert "blocked actionbot in Teams" in notice.text and "Slack" not in notice.text
    # … which reaches the admin (in Teams) by the next day's summary at the latest.
    world.jobs.at(datetime(2018, 3, 19, 9, 5, tzinfo=LONDON))
    world.round()
    ceo = [t for e, _, t in world.dms((0, 0)) if e == "ceo@northants.example"]
    assert any(finance.email.split("@")[0] in t for t in ceo), ceo


def _person_id(world: World, email: str | None) -> int:
    with world.jobs.runtime.sessions() as session:
        return session.scalars(select(Person.id).where(Person.email == email)).one()


@pytest.mark.parametrize("world", ["teams"], indirect=True)
def test_teams_429_waits_retry_after_and_5xx_backs_off(world: World) -> None:
    world.jobs.at(datetime(2018, 3, 16, 9, 5, tzinfo=LONDON))
    world.bf.fail_next(429, retry_after="7")
    world.bf.fail_next(502)
    run_sweep(world.jobs.runtime, now=world.jobs.clock.now())
    stats = run_delivery(world.jobs.runtime, world.messengers, sleep=world.jobs.sleep)
    assert world.jobs.waits[:1] == [7.0]
    assert stats.rate_limited == 1 and stats.rescheduled == 1 and stats.failed == 0
    with world.jobs.runtime.sessions() as session:
        later = session.scalars(select(Delivery).where(Delivery.state == "pending")).one()
        assert "HTTP 502" in (later.last_error or "")
        assert later.not_before > world.jobs.clock.now()
    # An hour later the backoff is over and it goes, once.
    world.jobs.at(datetime(2018, 3, 16, 10, 5, tzinfo=LONDON))
    stats = run_delivery(world.jobs.runtime, world.messengers, sleep=world.jobs.sleep)
    assert stats.sent == 1 and stats.failed == 0


@pytest.mark.parametrize("world", ["teams"], indirect=True)
def test_two_workers_send_each_teams_reminder_once(world: World, db_url: str) -> None:
    """Two delivery workers, each with its own engine and connector, share one PostgreSQL
    outbox (threads in one process: a subprocess could not be given the test's token)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: run one actionbot process")
    world.jobs.at(datetime(2018, 3, 16, 9, 30, tzinfo=LONDON))
    mark = world.mark()
    runtimes = [open_runtime(world.jobs.runtime.settings, clock=world.jobs.clock) for _ in range(2)]
    messengers = [make_teams_messenger(rt.settings, token=outbound_token) for rt in runtimes]
    errors: list[BaseException] = []

    # As `actionbot serve` does it: one process plans (the advisory-lock leader), all deliver.
    run_sweep(runtimes[0], now=world.jobs.clock.now())
    run_sweep(runtimes[1], now=world.jobs.clock.now())  # a re-run adds nothing

    def work(index: int) -> None:
        try:
            run_delivery(runtimes[index], {"teams": messengers[index]}, sleep=world.jobs.sleep)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for messenger, rt in zip(messengers, runtimes, strict=True):
        messenger.connector.close()
        rt.engine.dispose()
    assert errors == []
    sent = world.dms(mark)
    per_person = Counter(email for email, _, _ in sent)
    assert len(per_person) >= 15 and max(per_person.values()) == 1, per_person
    # A third round finds nothing left to send.
    assert world.round() == []


@pytest.mark.parametrize("world", ["teams"], indirect=True)
def test_a_long_teams_digest_is_threaded_under_its_first_post(world: World) -> None:
    lines = [
        f"• *NCC:{i}.1* Overdue action {i}, a realistic title about the budget and its "
        f"monitoring: Finance & Comms, Procurement, due 01 Mar 2018 ({i} days ago)"
        for i in range(300)
    ]
    replies = digest_replies([Section("All overdue (300)", lines)], title="Weekly digest")
    progress = Progress()
    world.teams.post_channel(CHANNEL, replies, progress)
    posts = [r for r in world.bf.requests if r.path.startswith(f"/v3/conversations/{CHANNEL}")]
    assert len(posts) == progress.sent > 1
    first, *rest = posts
    root = progress.thread
    assert first.path == f"/v3/conversations/{CHANNEL}/activities" and root and root.isdigit()
    assert {r.path for r in rest} == {f"/v3/conversations/{CHANNEL};messageid={root}/activities"}
    text = json.dumps([p.body for p in posts])
    assert all(f"NCC:{i}.1" in text for i in range(300))
