"""What the committee pack says, read back from the register and its history: the figures
now and at the last issued pack, the lists since then, and the detail."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.core.runtime import Runtime
from bot.reports.committee import uk_date
from store.models import Action, Event, IssuedPack
from tests.reports.conftest import AS_OF, MEETING, TRICKY_TITLE
from tests.reports.reading import draft, figures, refs, rows, section


def test_changes_since_the_last_issued_pack(history: Runtime) -> None:
    paper = draft(history, AS_OF)
    assert paper.changes == f"Changes since the pack issued for {MEETING} (10 Mar 2018)."
    assert paper.meeting is None and paper.kind == "Draft committee pack (not issued)"
    glance = figures(paper)
    assert glance["Done"] == ("1", "0", "+1")
    assert glance["Not started"] == ("22", "24", "\u22122")
    assert glance["In progress"] == ("2", "1", "+1")
    assert glance["All actions"] == ("25", "25", "no change")
    assert glance["Green (on track)"] == ("1", "1", "no change")
    assert glance["Amber (at risk)"] == ("1", "0", "+1")
    assert glance["No RAG given"] == ("22", "24", "\u22122")
    [status_table, _] = section(paper, "glance").tables
    assert [c.header for c in status_table.columns][2] == "Last pack"
    assert "at the last pack (10 Mar 2018)" in section(paper, "glance").intro

    assert refs(paper, "completed") == ["1.1"]
    [moved] = rows(section(paper, "extensions").tables[0])
    assert moved["Ref"] == "1.3" and moved["Reason"] == "waiting for the audit"
    assert (moved["From"], moved["To"]) == ("31 Mar 2018", "30 Jun 2018")
    assert (moved["On"], moved["Times moved"]) == ("12 Mar 2018", "1")
    assert moved["Asked by"]  # the admin who typed it, as the register names them
    assert section(paper, "extensions").heading == "Time extensions since the last pack (1)"

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
    assert sorted(refs(paper, "all_overdue")) == sorted(open_late) and "1.3" not in open_late
    assert glance["Overdue (of the open)"][0] == str(len(open_late))
    assert escalated and sorted(refs(paper, "escalated")) == sorted(escalated)
    [themes] = section(paper, "themes").tables
    assert sum(row[-1].number or 0 for row in themes.rows) == 25
    assert section(paper, "themes").chart is not None


def test_the_register_shows_due_dates_and_where_they_come_from(history: Runtime) -> None:
    register = {r["Ref"]: r for r in rows(section(draft(history, AS_OF), "actions").tables[0])}
    assert len(register) == 25 and register["1.5"]["Action"] == TRICKY_TITLE
    assert (register["1.3"]["Due"], register["1.3"]["Due date is"]) == ("30 Jun 2018", "revised")
    assert register["1.3"]["Times moved"] == "1"
    # The sample plan gives no dates: its actions are due on the plan's default date.
    assert (register["2.1"]["Due"], register["2.1"]["Due date is"]) == (
        "31 Mar 2018",
        "plan's default",
    )
    assert register["2.1"]["Status"] == "Not started, overdue"
    assert register["1.1"]["Status"] == "Done" and register["1.1"]["RAG"] == ""
    assert register["1.2"]["RAG"] == "Amber (at risk)"
    assert register["1.2"]["Latest update"] == "supplier late"


def test_tones_colour_what_the_words_say(history: Runtime) -> None:
    [table] = section(draft(history, AS_OF), "actions").tables
    headers = [c.header for c in table.columns]
    by_ref = {row[0].text: dict(zip(headers, row, strict=True)) for row in table.rows}
    assert by_ref["1.2"]["RAG"].tone == "amber"
    assert by_ref["2.1"]["Status"].tone == "overdue" and by_ref["2.1"]["Due"].tone == "overdue"
    assert by_ref["1.1"]["Status"].tone == "done" and by_ref["1.1"]["RAG"].tone is None
    assert by_ref["1.3"]["Due"].tone is None and by_ref["1.3"]["Due"].day == date(2018, 6, 30)


def test_since_a_date_and_a_plans_first_pack(history: Runtime) -> None:
    given = draft(history, AS_OF, since=datetime(2018, 3, 11, tzinfo=UTC))
    assert given.changes == "Changes since 11 Mar 2018."
    assert section(given, "completed").heading == "Completed since 11 Mar 2018 (1)"
    assert refs(given, "completed") == ["1.1"]
    # Before any pack was issued there is nothing to compare with.
    first = draft(history, datetime(2018, 3, 9, tzinfo=UTC))
    assert first.changes.startswith("This is the plan's first pack")
    assert all(len(values) == 1 for values in figures(first).values())  # "now" only
    assert section(first, "completed").heading == "Completed since the plan was imported (0)"


def test_a_pack_as_at_an_earlier_instant_shows_the_register_as_it_was(history: Runtime) -> None:
    """Changes made after the instant are read back out of the history."""
    before = draft(history, datetime(2018, 3, 11, 12, tzinfo=UTC))
    register = {r["Ref"]: r for r in rows(section(before, "actions").tables[0])}
    assert register["1.1"]["Status"] == "Not started"  # marked done on the 12th
    assert register["1.2"]["RAG"] == "No RAG given" and register["1.2"]["Latest update"] == ""
    assert (register["1.3"]["Due"], register["1.3"]["Times moved"]) == ("31 Mar 2018", "0")
    assert register["1.4"]["RAG"] == "Green (on track)"  # said on the 5th
    assert before.position == "Position at 11 Mar 2018, 12:00."
    assert refs(before, "overdue") == []  # nothing was past 31 March yet


def test_previews_record_nothing_and_two_in_a_row_agree(history: Runtime) -> None:
    def counts() -> tuple[int, int]:
        with history.sessions() as session:
            return (
                session.scalar(select(func.count()).select_from(Event)) or 0,
                session.scalar(select(func.count()).select_from(IssuedPack)) or 0,
            )

    recorded = counts()
    first, second = draft(history, AS_OF), draft(history, AS_OF)
    assert counts() == recorded
    assert first == second and first.changes == second.changes


def test_uk_dates() -> None:
    assert uk_date(date(2018, 3, 5)) == "5 Mar 2018"
    assert uk_date(datetime(2018, 12, 31, 23, tzinfo=UTC)) == "31 Dec 2018"
    assert uk_date(None) == ""
