"""`actionbot chat`: each line typed is its own instant. Regression: the chat's clock was
frozen at start, so five date moves of one session shared one instant, the history showed
one reason against all five and the digest read the first move as `Sun 31 Oct → Wed 30 Jun`
when it was `Fri 30 Mar → Sat 30 Jun`. The wall clock is injected: no sleeps."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from rich.console import Console
from sqlalchemy import select

from bot.app.chat import Chat
from bot.core.clock import FixedClock, RunningClock
from bot.core.config import Settings
from bot.core.runtime import Runtime, open_runtime
from bot.handlers.console import ConsoleDoor
from store.models import Action, Event
from tests.app.test_chat import register

START = datetime(2018, 3, 16, 8, 0, tzinfo=UTC)  # Fri 16 Mar 2018; NCC is due Fri 30 Mar
MOVES = [
    "2.7 date 30/06/2018 first move",
    "2.7 date 31/07/2018 second move",
    "2.7 date 31/08/2018 third move",
    "2.7 date 30/09/2018 fourth move",
    "2.7 date 31/10/2018 fifth move",
]


def session(db_url: str, wall: FixedClock, step: timedelta) -> tuple[Runtime, Chat, io.StringIO]:
    register(db_url)
    settings = Settings(_env_file=None, DATABASE_URL=db_url)  # type: ignore[call-arg]
    clock = RunningClock(START, wall=wall)
    runtime = open_runtime(settings, clock=clock)
    screen = io.StringIO()
    user = ConsoleDoor(sessions=runtime.sessions, clock=clock, settings=settings).user("Finance")
    lines: Iterator[str] = iter([*MOVES, ":digest"])

    def read() -> str | None:
        wall.advance(step)  # the time the person takes to type the next line
        return next(lines, None)

    chat = Chat(runtime, Console(file=screen, width=200), user=user, clock=clock, read=read)
    return runtime, chat, screen


def moves(runtime: Runtime) -> list[tuple[datetime, str | None]]:
    with runtime.sessions() as s:
        rows = s.execute(
            select(Event.at, Event.note)
            .join(Action, Action.id == Event.action_id)
            .where(Action.ref == "2.7", Event.field == "revised_target_date")
            .order_by(Event.id)
        ).all()
    return [(at if at.tzinfo else at.replace(tzinfo=UTC), note) for at, note in rows]


def test_each_line_is_its_own_instant_and_the_digest_reads_each_move(db_url: str) -> None:
    wall = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))  # any wall time: only its steps count
    runtime, chat, screen = session(db_url, wall, timedelta(seconds=40))
    chat.run()
    recorded = moves(runtime)
    assert [note for _, note in recorded] == [m.split(" ", 3)[3] for m in MOVES]
    times = [at for at, _ in recorded]
    assert times[0] - START == timedelta(seconds=40)
    assert [b - a for a, b in zip(times, times[1:], strict=False)] == [timedelta(seconds=40)] * 4
    digest = " ".join(screen.getvalue().split())
    assert "Fri 30 Mar → Sat 30 Jun, because first move" in digest
    assert "Sun 30 Sep → Wed 31 Oct, because fifth move" in digest
    runtime.engine.dispose()


def test_lines_typed_within_one_tick_of_the_wall_are_still_apart(db_url: str) -> None:
    """A pasted transcript: the wall does not move between lines, the register still sees
    one instant per line, in order."""
    runtime, chat, screen = session(db_url, FixedClock(START), timedelta(0))
    chat.run()
    times = [at for at, _ in moves(runtime)]
    assert len(set(times)) == 5 and times == sorted(times)
    assert "Fri 30 Mar → Sat 30 Jun, because first move" in " ".join(screen.getvalue().split())
    runtime.engine.dispose()


def test_day_moves_the_clock_which_then_runs_on() -> None:
    wall = FixedClock(START)
    clock = RunningClock(START, wall=wall)
    clock.set(datetime(2018, 3, 23, 9, 0, tzinfo=UTC))
    assert clock.now() == datetime(2018, 3, 23, 9, 0, tzinfo=UTC)
    wall.advance(timedelta(minutes=5))
    assert clock.now() == datetime(2018, 3, 23, 9, 5, tzinfo=UTC)
