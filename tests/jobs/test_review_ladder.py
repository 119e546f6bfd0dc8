"""Closure and the reminder sweep: an action awaiting verification is its verifier's turn,
and a verification or a new date left waiting climbs the owners' escalation ladder (the same
working days, bank holidays and leave), on SQLite and PostgreSQL, with an injected clock."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from bot.core.calendar import calendar_for
from bot.handlers.console import ConsoleDoor
from bot.jobs.runner import run_delivery, run_digest, run_sweep
from bot.reports.stats import nudge_stats
from store.models import Action, Delivery, Event, Person, Review
from tests.jobs.conftest import JobWorld
from tests.services.test_closure import closure_plan

SAID_DONE = datetime(2018, 3, 16, 10, 0, tzinfo=UTC)  # a Friday; every action is due Sat 31 Mar
# 10 working days after 31 March: Easter Monday (2 April) is a bank holiday, not counted.
TEN_DAYS_OVERDUE = datetime(2018, 4, 16, 10, 0, tzinfo=UTC)
TWENTY_DAYS_OVERDUE = datetime(2018, 4, 30, 10, 0, tzinfo=UTC)


def console(jobs: JobWorld) -> ConsoleDoor:
    runtime = jobs.runtime
    return ConsoleDoor(sessions=runtime.sessions, clock=jobs.clock, settings=runtime.settings)


def action_id(jobs: JobWorld, ref: str) -> int:
    with jobs.runtime.sessions() as session:
        return session.scalars(select(Action.id).where(Action.ref == ref)).one()


def test_an_action_awaiting_verification_is_not_escalated_as_its_owners_overdue(
    jobs: JobWorld,
) -> None:
    closure_plan(jobs.runtime.sessions, verify="Internal Audit", approve=None)
    jobs.at(SAID_DONE)
    door = console(jobs)
    assert door.say(door.user("Finance"), "2.4 done").reply.ok  # before its due date
    target = action_id(jobs, "2.4")

    jobs.at(TEN_DAYS_OVERDUE)
    result = run_sweep(jobs.runtime, now=TEN_DAYS_OVERDUE, dry_run=True)
    escalated = {e.action_id for e in result.escalated}
    assert escalated and target not in escalated  # Finance's other overdue actions are
    owners = [m for m, _ in result.messages if m.kind in ("nudge", "escalation")]
    assert owners and all(target not in {i.action_id for i in m.items} for m in owners)

    jobs.at(TWENTY_DAYS_OVERDUE)
    digest = run_digest(jobs.runtime, now=TWENTY_DAYS_OVERDUE, channel="C1", dry_run=True)
    section = "\n".join(
        line for r in digest.replies for line in r.lines if line.startswith("*Escalated")
    )
    assert "NCC:2.5*" in section and "NCC:2.4*" not in section


def person(jobs: JobWorld, email: str) -> str:
    with jobs.runtime.sessions() as session:
        return f"person:{session.scalars(select(Person.id).where(Person.email == email)).one()}"


def sweep_every_day(jobs: JobWorld, first: date, last: date) -> dict[tuple[str, str], list[date]]:
    """(kind, recipient) → the days a message of that kind was planned for them, sweeping at
    10:00 UTC every day (weekends and bank holidays too: the rules decide, not the test)."""
    planned: dict[tuple[str, str], list[date]] = defaultdict(list)
    today = first
    while today <= last:
        moment = datetime.combine(today, time(10, 0), tzinfo=UTC)
        jobs.at(moment)
        for message, _ in run_sweep(jobs.runtime, now=moment).messages:
            planned[(message.kind, message.recipient)].append(message.day)
        today += timedelta(days=1)
    return planned


def test_a_verification_and_a_date_left_waiting_climb_the_owners_ladder(jobs: JobWorld) -> None:
    closure_plan(
        jobs.runtime.sessions, verify="Internal Audit", approve="communications@northants.example"
    )
    jobs.at(SAID_DONE)
    door = console(jobs)
    finance = door.user("Finance")
    assert door.say(finance, "2.4 done").reply.ok
    assert door.say(finance, "2.7 date 30/06/2018 awaiting audit").reply.ok
    # The verifier (Internal Audit's holder) is away the whole next week, and said so.
    assert door.say(door.user("Internal Audit"), "away 19/03/2018 23/03/2018").reply.ok

    planned = sweep_every_day(jobs, SAID_DONE.date(), date(2018, 4, 13))
    auditor = person(jobs, "internal.audit@northants.example")
    approver = person(jobs, "communications@northants.example")
    # The first working day it waits, then weekly: a week's reminder falling on Good Friday
    # comes the working day before; one due while away comes on the first working day back.
    assert planned[("review", approver)] == [
        date(2018, 3, 16), date(2018, 3, 23), date(2018, 3, 29), date(2018, 4, 6), date(2018, 4, 13)
    ]  # fmt: skip
    assert planned[("review", auditor)] == [
        date(2018, 3, 16), date(2018, 3, 26), date(2018, 3, 29), date(2018, 4, 6), date(2018, 4, 13)
    ]  # fmt: skip
    # 10 working days without a decision, Good Friday and Easter Monday not counted, nor the
    # verifier's week away: once each, to the reviewer's escalation contact.
    assert planned[("review_escalation", "email:ceo@northants.example")] == [
        date(2018, 4, 3),  # 2.7's new date (its approver holds Communications)
        date(2018, 4, 10),  # 2.4's verification
    ]
    with jobs.runtime.sessions() as session:
        told = session.scalars(
            select(Event.note).where(Event.field == "review_escalated").order_by(Event.id)
        ).all()
        assert told == ["told ceo@northants.example"] * 2
        escalated = {r.kind: r.escalated_on for r in session.scalars(select(Review))}
        assert escalated == {"extend": date(2018, 4, 3), "verify": date(2018, 4, 10)}


def test_the_digest_and_stats_count_a_verification_left_waiting(jobs: JobWorld) -> None:
    closure_plan(jobs.runtime.sessions, verify="Internal Audit", approve=None)
    jobs.at(SAID_DONE)
    door = console(jobs)
    assert door.say(door.user("Finance"), "2.4 done").reply.ok
    planned = sweep_every_day(jobs, date(2018, 4, 3), date(2018, 4, 6))  # escalated on the 3rd
    assert planned[("review_escalation", "email:ceo@northants.example")] == [date(2018, 4, 3)]
    stats = run_delivery(jobs.runtime, {"slack": jobs.messenger}, sleep=jobs.sleep)
    assert stats.failed == 0, stats.failures

    def digest(moment: datetime) -> str:
        jobs.at(moment)
        done = run_digest(jobs.runtime, now=moment, channel="C1", dry_run=True)
        return "\n".join(line for r in done.replies for line in [r.title or "", *r.lines])

    # The ladder's second rung, the digest's own rule: 20 working days since the first day
    # it waited (16 March), Good Friday and Easter Monday not counted.
    before = digest(datetime(2018, 4, 16, 10, 0, tzinfo=UTC))
    assert "Waiting 20+ working days" not in before
    assert "1 action implemented, awaiting verification" in before
    after = digest(datetime(2018, 4, 17, 10, 0, tzinfo=UTC))
    assert (
        "🚨 Waiting 20+ working days for a decision: NCC:2.4 (verification by Internal Audit, "
        "20 working days)" in after
    )
    assert "escalated" not in after.splitlines()[0]  # not an owners' escalation either

    # Stats count owners' reminders and escalations only: the verifier's messages and the
    # escalation of the waiting verification are neither.
    target = action_id(jobs, "2.4")
    with jobs.runtime.sessions() as session:
        sent = session.scalars(select(Delivery).where(Delivery.state == "sent")).all()
        kinds = {d.kind for d in sent}
        # One reminder per action and instant, as stats reads them.
        nudged = {
            (aid, int(d.sent_at.timestamp()))
            for d in sent
            if d.kind == "nudge" and d.sent_at is not None
            for aid in d.payload["action_ids"]
        }
        figures = nudge_stats(session, now=jobs.clock.now(), cal=calendar_for("GB-ENG"))
    assert {"nudge", "review", "review_escalation"} <= kinds
    [plan] = figures.plans
    assert target not in {aid for aid, _ in nudged}
    assert plan.reminders == len(nudged) and plan.after_escalation == 0
