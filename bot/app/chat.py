"""`actionbot chat`: a REPL on the register, speaking through the console door.

Any `/action …` line (with or without the slash) runs as the chosen person, exactly as if
they had typed it in Slack or Teams; a number clicks that choice of the last answer. Lines
starting with `:` drive the session: who you are, the virtual clock, the digest.
"""

from __future__ import annotations

import atexit
import sys
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.panel import Panel
from rich.text import Text
from sqlalchemy import select

from bot.commands.help import GRAMMAR
from bot.commands.types import AdminDigest, AdminNudge
from bot.core.clock import RunningClock
from bot.core.messages import Button, Reply
from bot.core.runtime import Runtime
from bot.core.when import day, plural
from bot.handlers.console import ConsoleDoor, DoneForm
from bot.jobs.digest_chart import preview_folder, save_charts
from bot.jobs.runner import DigestResult, run_delivery, run_digest, run_sweep
from bot.messengers.console import ConsoleMessenger, stand_in_for_all
from bot.render.terminal import reply_render
from bot.services.conversation import Outcome
from bot.services.people.identity import ConsoleUser, UnknownPerson, owner_names_by_email
from store.models import Action, Plan

HELP = """\
Type what you would type after /action in Slack or Teams (the slash is optional):
  mine · overdue · due 7d · 2.4 · 2.4 done · 4.4 at risk NOTE · 2.7 date 30/06/2027 REASON
  a number clicks that choice (a button) of the last answer
:as NAME      speak as another owner (their name or email), or as `admin`
:day +N       move the clock N days to 09:00 and run that day's reminders (shown here)
:digest       this week's leadership digest, as it stands now
:help         this help          :quit   leave (or Ctrl-D)"""

PREVIEW_ONLY = (
    "This register is connected to {platforms}, so :day only previews: marking reminders "
    "sent here would keep them from the people they are for."
)


def completions(prefix: str, refs: list[str]) -> list[str]:
    """What Tab offers: refs (bare and PLAN:REF), verbs and the session commands."""
    words = [*refs, ":as", ":day", ":digest", ":help", ":quit"]
    words += sorted({form.usage.split(" ")[0] for form in GRAMMAR if form.usage[0].islower()})
    words += ["done", "progress", "on", "at", "off", "track", "risk", "blocked", "note", "date"]
    return sorted({w for w in words if w.lower().startswith(prefix.lower())})


class Chat:
    def __init__(
        self,
        runtime: Runtime,
        console: Console,
        *,
        user: ConsoleUser,
        clock: RunningClock,
        read: Callable[[], str | None],
        charts: Path | None = None,
    ) -> None:
        self.runtime = runtime
        self.console = console
        self.user = user
        self.clock = clock
        self.read = read
        self.door = ConsoleDoor(sessions=runtime.sessions, clock=clock, settings=runtime.settings)
        self.tz = ZoneInfo(runtime.settings.tz)
        self.choices: list[Button] = []
        self.charts = charts or preview_folder()

    @property
    def prompt(self) -> str:
        local = self.clock.now().astimezone(self.tz)
        return f"{self.user.name} · {day(local, local.date())} {local:%H:%M}> "

    def run(self) -> None:
        self.console.print(
            Text.assemble(
                ("actionbot chat", "bold"),
                f" on {self.runtime.settings.database_url}, as ",
                (self.user.name, "bold"),
                ". Type `help` for /action, `:help` for the chat, `:quit` to leave.",
            )
        )
        while True:
            line = self.read()
            if line is None:
                break
            if not self.handle(line.strip()):
                break

    def handle(self, line: str) -> bool:
        """Run one line; False when the session should end."""
        if not line:
            return True
        if line.startswith(":"):
            return self.session_command(line)
        if line.isdigit():
            self.click(int(line))
            return True
        outcome = self.door.say(self.user, line)
        self.show(outcome.reply)
        if outcome.reply.ok and isinstance(outcome.command, AdminNudge):
            self.day(0)
        elif outcome.reply.ok and isinstance(outcome.command, AdminDigest):
            self.digest()
        return True

    def show(self, reply: Reply) -> None:
        view = reply_render(reply)
        self.choices = view.choices
        self.console.print(view.renderable)

    def click(self, number: int) -> None:
        if not 1 <= number <= len(self.choices):
            self.console.print(f"No choice {number}: the last answer had {len(self.choices)}.")
            return
        result = self.door.click(self.user, self.choices[number - 1])
        if isinstance(result, DoneForm):
            result = self.ask(result)
        if isinstance(result, str):
            self.console.print(result)
        else:
            self.show(result.reply)

    def ask(self, form: DoneForm) -> Outcome | str:
        """The Done… form at the terminal: one question a line (end of input cancels it)."""
        self.console.print(form.intro, markup=False, highlight=False)
        answers: dict[str, str] = {}
        for field, question in form.questions:
            self.console.print(question, markup=False, highlight=False)
            line = self.read()
            if line is None:
                return "Cancelled: nothing was changed."
            answers[field] = line.strip()
        return self.door.submit_done(self.user, form, answers)

    def session_command(self, line: str) -> bool:
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word in (":quit", ":q", ":exit"):
            return False
        if word == ":help":
            self.console.print(HELP, highlight=False, markup=False)
        elif word == ":as":
            self.switch(rest)
        elif word == ":day":
            days = _days(rest)
            if days is None:
                self.console.print("Say how many days ahead: `:day +7`.")
            else:
                self.day(days)
        elif word == ":digest":
            self.digest()
        else:
            self.console.print(f"I don't know {word!r}; `:help` lists what I do.")
        return True

    def switch(self, spec: str) -> None:
        if not spec:
            self.console.print("Who? `:as Finance`, `:as jane@council.example` or `:as admin`.")
            return
        try:
            self.user = self.door.user(spec)
        except UnknownPerson as exc:
            self.console.print(f"{exc}.")
            return
        self.console.print(f"You are now {self.user.name}.")

    def day(self, days: int) -> None:
        """Move the clock `days` ahead to 09:00 (or keep it, when later), then run that
        day's reminder sweep and deliver what it queued, to this terminal."""
        local = self.clock.now().astimezone(self.tz)
        target = local.date() + timedelta(days=days)
        nine = datetime.combine(target, time(self.runtime.settings.nudge_hour), tzinfo=self.tz)
        self.clock.set(max(nine, local) if days == 0 else nine)
        now = self.clock.now().astimezone(self.tz)
        self.console.print(Text(f"It is now {day(now)} {now:%H:%M}.", style="bold"))
        settings = self.runtime.settings
        platforms = [
            p
            for p, on in (("Slack", settings.slack_enabled), ("Teams", settings.teams_enabled))
            if on
        ]
        preview = bool(platforms)
        sweep = run_sweep(self.runtime, now=self.clock.now(), dry_run=preview)
        with self.runtime.sessions() as session:
            names = owner_names_by_email(session, day=now.date())
        messenger = ConsoleMessenger(self.console, names=names)
        if preview:
            self.console.print(PREVIEW_ONLY.format(platforms=" and ".join(platforms)))
            for message, reply in sweep.messages:
                self.console.print(Panel(reply_render(reply).renderable, title=message.recipient))
        else:
            run_delivery(self.runtime, stand_in_for_all(messenger))
        sent = len(messenger.sent) if not preview else len(sweep.messages)
        self.console.print(f"Reminders: {plural(sent, 'message')} today.")

    def digest(self) -> None:
        result = run_digest(
            self.runtime, now=self.clock.now(), channel="leadership (preview)", dry_run=True
        )
        for number, reply in enumerate(result.replies, start=1):
            title = "This week's digest" + (f", part {number}" if number > 1 else "")
            self.console.print(Panel(reply_render(reply).renderable, title=title))
        show_charts(self.console, result, self.charts)


def show_charts(console: Console, result: DigestResult, folder: Path) -> None:
    """Save the digest's charts (Slack posts them in its thread, Teams in its card) and say
    where they are; a folder that cannot be written is said, not a crash."""
    try:
        paths = save_charts(result.charts, folder)
    except OSError as exc:
        console.print(f"The digest's charts could not be saved in {folder}: {exc.strerror or exc}")
        return
    for chart, path in zip(result.charts, paths, strict=True):
        console.print(Text(f"The digest's chart for {chart.plan_code}: {path}", style="dim"))


def _days(text: str) -> int | None:
    text = text.strip().removeprefix("+").removesuffix("d")
    return int(text) if text.isdigit() and int(text) <= 366 else None


def refs_of(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        rows = session.execute(select(Plan.code, Action.ref).join(Action.plan)).all()
    return sorted({ref for _, ref in rows} | {f"{code}:{ref}" for code, ref in rows})


def _save_history(write: Callable[[Path], None], path: Path) -> None:
    with suppress(OSError):
        write(path)


def line_reader(
    console: Console, prompt: Callable[[], str], refs: list[str]
) -> Callable[[], str | None]:
    """Read a line: with history and Tab completion of refs at a terminal (readline);
    from a pipe, echoing each line, so a transcript reads like the session."""
    interactive = sys.stdin.isatty()
    if interactive:
        try:
            import readline
        except ImportError:  # pragma: no cover - Windows without pyreadline
            pass
        else:
            matches: list[str] = []

            def complete(text: str, state: int) -> str | None:
                if state == 0:
                    matches[:] = completions(text, refs)
                return matches[state] if state < len(matches) else None

            readline.set_completer(complete)
            readline.set_completer_delims(" \t\"'")
            readline.parse_and_bind("tab: complete")
            # Up-arrow reaches earlier sessions' lines too.
            history = Path.home() / ".actionbot_history"
            with suppress(OSError):
                readline.read_history_file(history)
            readline.set_history_length(1000)
            atexit.register(_save_history, readline.write_history_file, history)

    def read() -> str | None:
        if interactive:
            try:
                return input(prompt())
            except EOFError:
                return None
        line = sys.stdin.readline()
        if not line:
            return None
        console.print(Text(prompt(), style="bold") + Text(line.rstrip("\n")))
        return line

    return read
