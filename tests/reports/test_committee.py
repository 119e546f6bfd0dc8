"""What the committee pack says, read back from the register and its history."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.reports.committee import Pack, build_pack, uk_date
from bot.runtime import Runtime
from store.models import Action, Event
from store.queries import plan_by_code
from tests.reports.conftest import AS_OF, FIRST_REPORT


def pack_of(runtime: Runtime, since: datetime | None = None, now: datetime = AS_OF) -> Pack:
    with runtime.sessions() as session:
        plan = plan_by_code(session, code="NCC")
        assert plan is not None
        return build_pack(session, plan, now=now, tz="Europe/London", since=since, chart=False)


def refs(items: list) -> list[str]:  # type: ignore[type-arg]
    return [a.ref for a in items]


def test_changes_since_the_last_report(history: Runtime) -> None:
    pack = pack_of(history)
    assert pack.since == FIRST_REPORT and pack.since_reason == "last report"
    assert pack.since_label == "since 10 Mar 2018 (last report)"
    status = {t.label: (t.now, t.then, t.change) for t in pack.by_status}
    assert status["Done"] == (1, 0, "+1")
    assert status["Not started"] == (22, 24, "-2")
    assert status["In progress"] == (2, 1, "+1")
    assert status["All actions"] == (25, 25, "no change")
    rag = {t.label: (t.now, t.then) for t in pack.by_rag}
    assert rag["Green (on track)"] == (1, 1)
    assert rag["Amber (at risk)"] == (1, 0)
    assert rag["No RAG"] == (22, 24)
    assert refs(pack.completed) == ["1.1"]
    assert refs(pack.slipped) == ["1.3"]
    [slipped] = pack.slipped
    assert (slipped.revised_target, slipped.slips) == (date(2018, 6, 30), 1)
    assert slipped.reasons == ("waiting for the audit",)

    with history.sessions() as session:
        open_late = session.scalars(
            select(Action.ref).where(
                Action.status.in_(("not_started", "in_progress", "blocked")),
                Action.due_date < date(2018, 4, 16),
            )
        ).all()
        escalated = session.scalars(
            select(Action.ref).join(Event).where(Event.field == "escalated_on")
        ).all()
    assert sorted(refs(pack.overdue)) == sorted(open_late) and "1.3" not in open_late
    assert escalated and sorted(refs(pack.escalated)) == sorted(escalated)
    assert sum(r.total for r in pack.themes) == 25


def test_since_given_and_first_report(history: Runtime) -> None:
    given = pack_of(history, since=datetime(2018, 3, 11, tzinfo=UTC))
    assert given.since_reason == "--since" and refs(given.completed) == ["1.1"]
    # As of before any report: no baseline, so no "then" column and every done action.
    first = pack_of(history, now=datetime(2018, 3, 9, tzinfo=UTC))
    assert first.since is None and first.since_reason == "first report"
    assert all(t.then is None and t.change == "" for t in first.by_status)
    assert first.since_label == "since the plan was imported (no earlier report)"


def test_uk_dates() -> None:
    assert uk_date(date(2018, 3, 5)) == "5 Mar 2018"
    assert uk_date(datetime(2018, 12, 31, 23, tzinfo=UTC)) == "31 Dec 2018"
    assert uk_date(None) == ""
