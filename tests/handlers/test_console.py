"""The console door, the console messenger and the terminal renderer, on real registers."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from rich.console import Console
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.messages import ActionCard, Reply
from bot.handlers.console import ConsoleDoor
from bot.messengers.base import Address, Progress
from bot.messengers.console import ConsoleMessenger
from bot.render.terminal import Column, fitted_table, markup_text, reply_render
from bot.services.people.identity import UnknownPerson
from store.models import Event, Person
from tests.harness import seed_sample

NOW = datetime(2018, 3, 16, 10, 0, tzinfo=UTC)


def door(engine_url: str, sessions: sessionmaker[Session]) -> ConsoleDoor:
    settings = Settings(_env_file=None, DATABASE_URL=engine_url)  # type: ignore[call-arg]
    return ConsoleDoor(sessions=sessions, clock=FixedClock(NOW), settings=settings)


def seeded(db_url: str, sessions: sessionmaker[Session]) -> ConsoleDoor:
    from bot.core.runtime import open_runtime

    settings = Settings(_env_file=None, DATABASE_URL=db_url)  # type: ignore[call-arg]
    runtime = open_runtime(settings, clock=FixedClock(NOW))
    seed_sample(runtime, NOW)
    runtime.engine.dispose()
    return door(db_url, sessions)


def test_an_owner_speaks_through_the_door_and_links_nothing(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    finance = console.user("Finance")
    assert finance.email == "finance@northants.example"
    outcome = console.say(finance, "/action 2.4 done")
    assert outcome.reply.ok and outcome.caller.person_id is not None
    assert console.say(finance, "action 2.7 at risk late").reply.ok
    refused = console.say(finance, "1.1 done")
    assert not refused.reply.ok and "belongs to" in refused.reply.text
    with sessions() as session:
        actors = set(session.scalars(select(Event.actor).where(Event.source == "console")))
        # The console has no user ids: nobody's Slack id is set from it.
        assert session.scalar(select(Person).where(Person.slack_user_id.is_not(None))) is None
    assert actors == {"console:finance@northants.example (finance@northants.example)"}


def test_buttons_click_through_the_same_commands(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    finance = console.user("finance@northants.example")
    shown = console.say(finance, "2.4")
    view = reply_render(shown.reply)
    labels = [b.label for b in view.choices]
    assert labels[:3] == ["Done", "On track", "At risk"]
    done = console.click(finance, view.choices[0])
    assert not isinstance(done, str) and done.reply.ok and "done" in done.reply.text
    new_date = console.click(finance, view.choices[3])
    assert new_date == "Type: NCC:2.4 date DD/MM/YYYY REASON"


def test_admin_and_unknown_people(db_url: str, sessions: sessionmaker[Session]) -> None:
    console = seeded(db_url, sessions)
    admin = console.user("admin")
    assert console.say(admin, "1.1 on track").reply.ok  # the terminal's admin may change any
    try:
        console.user("Nobody at all")
    except UnknownPerson as exc:
        assert "no owner called 'Nobody at all'" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an unknown owner was accepted")


def test_plan_text_is_shown_as_written_not_as_markup() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=80, color_system=None)
    card = ActionCard(
        1,
        "P",
        "1",
        "[bold]Budget[/bold] *not bold* plan",
        [],
        date(2018, 1, 1),
        "due",
        "not_started",
        None,
    )
    console.print(reply_render(Reply(title="*Title*", cards=[card])).renderable)
    out = buffer.getvalue()
    assert "[bold]Budget[/bold]" in out and "Title" in out and "*Title*" not in out
    assert markup_text("a *b* `c` _d_").plain == "a b c d"


def test_long_titles_lose_the_address_then_words_never_letters() -> None:
    buffer = io.StringIO()
    messenger = ConsoleMessenger(Console(file=buffer, width=50, color_system=None))
    messenger.names = {"a@b.example": "Overview and Scrutiny Committee Chair of the Council"}
    messenger.send_direct(Address(email="a@b.example"), [Reply(title="Hi")], Progress())
    top = buffer.getvalue().splitlines()[0]
    assert "DM to Overview and Scrutiny Committee" in top and "a@b" not in top
    assert "Cha─" not in top and "Counc─" not in top


def test_fitted_tables_drop_columns_by_priority() -> None:
    columns = (Column("Ref"), Column("Title", wrap=True, min_width=10), Column("Extra", priority=5))
    rows = [["1.1", "A long title that wraps", Text("x" * 40)]]
    buffer = io.StringIO()
    Console(file=buffer, width=40).print(fitted_table(columns, rows, width=40))
    assert "Extra" not in buffer.getvalue() and "Ref" in buffer.getvalue()
    assert max(len(line) for line in buffer.getvalue().splitlines()) <= 40


def test_admin_import_in_the_terminal_points_at_the_command_line(
    db_url: str, sessions: sessionmaker[Session]
) -> None:
    console = seeded(db_url, sessions)
    reply = console.say(console.user("admin"), "admin import NCC").reply
    assert reply.ok and "actionbot import FILE --plan NCC --dry-run" in reply.text
    owner = console.say(console.user("Finance"), "admin import").reply
    assert not owner.ok and "Only actionbot admins can import plans" in owner.text
