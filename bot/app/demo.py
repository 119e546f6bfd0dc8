"""`actionbot demo`: a plan's first weeks, played on a virtual clock in the terminal.

A throwaway SQLite register in a temporary folder (never `actionbot.db`, never
`DATABASE_URL`), no tokens, no network. The plan and owners are imported, the plan's dates
moved so the story starts now, then each day runs what `actionbot serve` runs: the Monday
digest, the 09:00 reminder sweep into the outbox, and the delivery worker, with the console
standing in for Slack and Teams. Scripted owners answer their reminders through the console
door, so every update is a real command, transaction and event.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.app.chat import show_charts
from bot.core.calendar import calendar_for
from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.runtime import Runtime, open_runtime
from bot.core.when import day as day_label
from bot.core.when import plural
from bot.handlers.console import ConsoleDoor
from bot.jobs.digest_chart import preview_folder
from bot.jobs.runner import DigestResult, run_delivery, run_digest, run_sweep
from bot.messengers.console import ConsoleMessenger, Sent, stand_in_for_all
from bot.render.terminal import import_report_view, reply_render
from bot.services.audit import Actor
from bot.services.imports.apply import ImportOptions, import_file
from bot.services.people.identity import ConsoleUser, UnknownPerson, owner_names_by_email
from bot.services.people.owners import import_owners, list_owners, read_owners_file
from bot.services.plans import Restaged, restage
from store.db import transaction
from store.models import OPEN_STATUSES, Action, Delivery
from store.queries import actions_of_plan, plan_by_code

SAMPLE_PLAN = "ncc-financial-management-2017.csv"
SAMPLE_OWNERS = "ncc-owners-example.csv"
SAMPLE_NAME = "Northamptonshire CC financial management improvement plan 2017"
DEMO_ACTOR = Actor(name="demo", source="cli")
DIGEST_CHANNEL = "leadership"
FIRST_DUE_IN = timedelta(days=7)  # the first action falls due a week after the story starts
REPLY_AT = clock_time(10, 0)  # owners answer their 09:00 reminders an hour later
PAUSE_BUDGET = 40.0  # seconds of pauses in a whole story, so it ends within a minute


@dataclass
class DemoOptions:
    weeks: int = 6
    plan: Path | None = None
    owners: Path | None = None
    fast: bool = False
    start: date | None = None  # the story's first day; default today
    charts: Path | None = None  # where the digests' charts are saved; default preview_folder()


@dataclass
class DemoTotals:
    actions: int = 0
    done: int = 0
    slipped: int = 0
    overdue: int = 0
    reminders: int = 0
    escalations: int = 0
    updates: int = 0
    digests: int = 0
    lines: list[str] = field(default_factory=list)


def demo_settings(database_url: str) -> Settings:
    """The defaults, whatever the environment or `.env` say: the story must not depend on
    them, nor reach a real database, workspace or admin."""
    return Settings.model_construct(database_url=database_url, digest_channel=DIGEST_CHANNEL)


@contextmanager
def throwaway_runtime(start: datetime) -> Iterator[tuple[Runtime, FixedClock, Path]]:
    with tempfile.TemporaryDirectory(prefix="actionbot-demo-") as folder:
        path = Path(folder) / "demo.db"
        clock = FixedClock(start)
        runtime = open_runtime(demo_settings(f"sqlite:///{path}"), clock=clock)
        try:
            yield runtime, clock, path
        finally:
            runtime.engine.dispose()


def play(
    console: Console, options: DemoOptions, *, sleep: Callable[[float], None] = time.sleep
) -> DemoTotals:
    """Play the story; returns the closing figures (also printed)."""
    tz = ZoneInfo(Settings.model_construct().tz)
    first_day = options.start or datetime.now(tz).date()
    start = datetime.combine(first_day, clock_time(8, 0), tzinfo=tz)
    with throwaway_runtime(start) as (runtime, clock, path):
        story = Story(console, runtime, clock, options, sleep=sleep, first_day=first_day)
        story.introduce(path)
        story.set_up()
        story.run()
        return story.close()


@dataclass
class Role:
    """What a scripted owner does with an action when its reminder arrives."""

    action_id: int
    label: str
    kind: str  # done | at_risk | date | snooze | ignore | on_the_day
    answered: bool = False


class Story:
    def __init__(
        self,
        console: Console,
        runtime: Runtime,
        clock: FixedClock,
        options: DemoOptions,
        *,
        sleep: Callable[[float], None],
        first_day: date,
    ) -> None:
        self.console = console
        self.runtime = runtime
        self.clock = clock
        self.options = options
        self.sleep = sleep
        self.first_day = first_day
        self.tz = ZoneInfo(runtime.settings.tz)
        self.cal = calendar_for(runtime.settings.holiday_region)
        self.door = ConsoleDoor(sessions=runtime.sessions, clock=clock, settings=runtime.settings)
        self.messenger = ConsoleMessenger(console, compact=True)
        self.plan_code = "NCC" if options.plan is None else "DEMO"
        self.roles: dict[int, Role] = {}
        self.ignorer: ConsoleUser | None = None
        self.updates = 0
        days = max(options.weeks, 1) * 7
        self.pause = 0.0 if options.fast else min(0.8, PAUSE_BUDGET / days)

    # -- the parts ----------------------------------------------------------------------

    def introduce(self, path: Path) -> None:
        self.console.print(Rule("actionbot demo", style="bold"))
        self.console.print(
            Text.assemble(
                ("actionbot", "bold"),
                " keeps an improvement plan alive: it reminds each owner before their "
                "actions fall due, takes their one-line updates from chat, and tells "
                "leadership every Monday what moved and what slipped.\n\n",
                "This demo plays the first ",
                (f"{self.options.weeks} weeks", "bold"),
                " of a plan on a virtual clock. Everything goes through the real commands, "
                "outbox and delivery worker; the terminal stands in for Slack and Teams. "
                "No tokens, no network: the register is a throwaway file, ",
                (str(path), "dim"),
                ", deleted at the end.",
            )
        )
        self._pause()

    def set_up(self) -> None:
        samples = resources.files("bot") / "samples"
        with (
            resources.as_file(samples / SAMPLE_OWNERS) as bundled_owners,
            resources.as_file(samples / SAMPLE_PLAN) as bundled_plan,
        ):
            owners_path = self.options.owners or bundled_owners
            plan_path = self.options.plan or bundled_plan
            self._heading(f"{day_label(self.first_day)}: the plan arrives")
            now = self.clock.now()
            with transaction(self.runtime.sessions) as session:
                owners = import_owners(session, rows=read_owners_file(owners_path), now=now)
            self.console.print(
                f"$ actionbot owners import {owners_path.name}\n"
                f"Owners: {owners.added} added, {owners.updated} updated",
                highlight=False,
            )
            name = SAMPLE_NAME if self.options.plan is None else plan_path.stem
            self.console.print(
                f"$ actionbot import {plan_path.name} --plan {self.plan_code}", highlight=False
            )
            report = import_file(
                self.runtime.sessions,
                path=plan_path,
                options=ImportOptions(self.plan_code, plan_path.name, name=name),
                actor=DEMO_ACTOR,
                now=now,
            )
            self.console.print(import_report_view(report, verbose=False))
        first_due = self.first_day + FIRST_DUE_IN
        # The dated actions fall due within the story, leaving two weeks for what follows.
        within = timedelta(days=max(self.options.weeks * 7 - 14, 0))
        with transaction(self.runtime.sessions) as session:
            plan = plan_by_code(session, code=self.plan_code)
            assert plan is not None
            staged = restage(
                session, plan, first_due=first_due, actor=DEMO_ACTOR, now=now, within=within
            )
            stand_ins = self._stand_ins(session, now) if self.options.plan else []
            self.messenger.names = owner_names_by_email(session, day=now.date())
        self.console.print(
            Text.assemble(
                "\nFor the story to happen now, not when the plan was written, ",
                restaged_text(staged, first_due),
                " Each move is recorded in the action's history.",
            )
        )
        if stand_ins:
            self.console.print(
                f"\n{owners_text(len(stand_ins))} of the plan ({', '.join(stand_ins)}) "
                f"{'has' if len(stand_ins) == 1 else 'have'} no address in "
                f"{owners_path.name}: the demo gives {'it' if len(stand_ins) == 1 else 'them'} "
                f"a stand-in address ending {STAND_IN}, so their reminders show here too.",
                highlight=False,
            )
        self._cast()
        self._pause()

    def _stand_ins(self, session: Session, now: datetime) -> list[str]:
        """Give every owner name of the plan that nobody is mapped to a made-up address in
        this throwaway register, so the story plays on a plan the owners file only partly
        covers; returns the names."""
        missing = [
            row.name
            for row in list_owners(session, today=now.date())
            if row.actions and not (row.email or row.slack_user_id or row.teams_user_id)
        ]
        rows = [{"owner": name, "email": stand_in_address(name)} for name in missing]
        import_owners(session, rows=rows, now=now)
        return missing

    def _cast(self) -> None:
        """Who does what: the first actions to fall due get one scripted answer each."""
        with self.runtime.sessions() as session:
            plan = plan_by_code(session, code=self.plan_code)
            assert plan is not None
            actions = sorted(
                (a for a in actions_of_plan(session, plan_id=plan.id) if a.is_open),
                key=lambda a: (a.due_date or date.max, a.position),
            )
            reachable = [a for a in actions if any(o.person for o in a.owners)]
            script = ("done", "at_risk", "date", "snooze")
            lines: list[Text] = []
            for action, kind in zip(reachable, script, strict=False):
                self.roles[action.id] = Role(action.id, f"{plan.code}:{action.ref}", kind)
            candidates: list[str] = []
            for action in reachable[len(script) :]:
                contact = [o for o in action.owners if o.person and o.escalate_to]
                if contact:
                    owner = min(contact, key=lambda o: len(_owned(actions, o.name)))
                    candidates.append(owner.name)
        for name in candidates:
            try:
                self.ignorer = self.door.user(name)
            except UnknownPerson:
                continue
            break
        for role in self.roles.values():
            lines.append(Text(f"• {role.label}: {_ROLE_TEXT[role.kind]}"))
        if self.ignorer is not None:
            lines.append(
                Text(
                    f"• {self.ignorer.name} ignores every reminder, so their overdue "
                    "actions are escalated to their escalation contact."
                )
            )
        lines.append(Text("• Everyone else marks an action done on the day it is due."))
        self.console.print(Text("\nThe script:", style="bold"))
        for line in lines:
            self.console.print(Padding(line, (0, 0, 0, 2)))

    def run(self) -> None:
        for offset in range(self.options.weeks * 7 + 1):
            day = self.first_day + timedelta(days=offset)
            if not self.cal.is_working_day(day):
                continue
            shown = len(self.messenger.sent)
            if day.weekday() == 0:
                self._digest(day)
            self._reminders(day, since=len(self.messenger.sent))
            if len(self.messenger.sent) > shown:
                self._pause()

    def _at(self, day: date, at: clock_time) -> None:
        self.clock.set(datetime.combine(day, at, tzinfo=self.tz))

    def _digest(self, day: date) -> None:
        self._at(day, clock_time(8, 30))
        self._heading(f"{day_label(day)}, 08:30: the weekly digest")
        result = run_digest(self.runtime, now=self.clock.now(), scheduled=True)
        run_delivery(self.runtime, stand_in_for_all(self.messenger), sleep=self.sleep)
        self._chart(result)

    def _chart(self, result: DigestResult) -> None:
        show_charts(self.console, result, self.options.charts or preview_folder())

    def _reminders(self, day: date, *, since: int) -> None:
        self._at(day, clock_time(self.runtime.settings.nudge_hour, 0))
        sweep = run_sweep(self.runtime, now=self.clock.now())
        if not sweep.messages:
            return
        self._heading(f"{day_label(day)}, 09:00: reminders")
        run_delivery(self.runtime, stand_in_for_all(self.messenger), sleep=self.sleep)
        self._at(day, REPLY_AT)
        answered: set[int] = set()
        for sent in self.messenger.sent[since:]:
            if sent.email:
                self._answer(sent, day, answered)

    def _answer(self, sent: Sent, day: date, answered: set[int]) -> None:
        user = ConsoleUser(sent.email or "", sent.email, sent.to.split(" <")[0])
        ignoring = self.ignorer is not None and user.email == self.ignorer.email
        for reply in sent.replies:
            for card in reply.cards:
                if not card.button_list():  # an escalation: nothing for its reader to do
                    continue
                role = self.roles.get(card.action_id)
                if role is None and (ignoring or self._owned_by_ignorer(card.owners)):
                    continue
                if card.action_id in answered:  # one owner answers for all of them
                    continue
                if role is not None and role.answered:
                    role = None  # after its scripted answer, the action goes as any other
                words = self._words(role, card.due, day)
                if words is None:
                    continue
                if role is not None:
                    role.answered = True
                answered.add(card.action_id)
                self._say(user, f"{card.label} {words}")

    def _owned_by_ignorer(self, owners: list[str]) -> bool:
        return self.ignorer is not None and self.ignorer.name in owners

    def _words(self, role: Role | None, due: date | None, day: date) -> str | None:
        kind = role.kind if role else "on_the_day"
        if kind == "done":
            return "done signed off at the finance board"
        if kind == "at_risk":
            return "at risk waiting for the budget figures from finance"
        if kind == "date" and due is not None:
            later = self.cal.on_or_before(due + timedelta(days=28))
            return f"date {later:%d/%m/%Y} the committee meeting moved"
        if kind == "snooze":
            return "snooze 7d on leave this week"
        if kind == "on_the_day" and due is not None and due <= day:
            return "done"
        return None

    def _say(self, user: ConsoleUser, text: str) -> None:
        self.console.print(
            Text.assemble((f"{user.name} types: ", "bold green"), (f"/action {text}", "green"))
        )
        outcome = self.door.say(user, text)
        self.updates += outcome.reply.ok
        view = reply_render(outcome.reply)
        self.console.print(
            Panel(
                view.renderable,
                title=f"actionbot to {user.name}",
                title_align="left",
                border_style="green" if outcome.reply.ok else "red",
            )
        )

    def close(self) -> DemoTotals:
        last = self.first_day + timedelta(days=self.options.weeks * 7)
        totals = self._totals(last)
        self._heading(f"{day_label(last)}: after {self.options.weeks} weeks")
        rows = [
            ("Actions done", f"{totals.done} of {totals.actions}"),
            ("Dates revised (slipped)", str(totals.slipped)),
            ("Overdue now", str(totals.overdue)),
            ("Reminder DMs sent", str(totals.reminders)),
            ("Escalations sent", str(totals.escalations)),
            ("Updates owners typed", str(totals.updates)),
            ("Weekly digests posted", str(totals.digests)),
        ]
        for label, value in rows:
            line = f"  {label:<26}{value}"
            totals.lines.append(line.strip())
            self.console.print(line, highlight=False)
        self.console.print(
            Group(
                Text("\nNext steps", style="bold"),
                Text.assemble(
                    "  1. Try it yourself: ",
                    ("actionbot chat", "bold cyan"),
                    " (type `mine`, `2.4 done`, `:day +7`).",
                ),
                Text.assemble(
                    "  2. Connect Slack or Teams: see the README, ",
                    ("Set up in Slack", "bold"),
                    ".",
                ),
                Text.assemble(
                    "  3. Play this story on your own plan: ",
                    ("actionbot demo --plan PLAN.csv --owners OWNERS.csv", "bold cyan"),
                ),
            )
        )
        return totals

    def _totals(self, today: date) -> DemoTotals:
        with self.runtime.sessions() as session:

            def count(*where: ColumnElement[bool]) -> int:
                query = select(func.count()).select_from(Action).where(*where)
                return int(session.scalar(query) or 0)

            def sent(kind: str) -> int:
                query = select(func.count()).where(Delivery.kind == kind, Delivery.state == "sent")
                return int(session.scalar(query) or 0)

            return DemoTotals(
                actions=count(),
                done=count(Action.status == "done"),
                slipped=count(Action.slip_count > 0),
                overdue=count(Action.status.in_(OPEN_STATUSES), Action.due_date < today),
                reminders=sent("nudge"),
                escalations=sent("escalation"),
                updates=self.updates,
                digests=sent("digest"),
            )

    # -- helpers ----------------------------------------------------------------------------

    def _heading(self, text: str) -> None:
        self.console.print()
        self.console.print(Rule(Text(text, style="bold"), align="left", style="cyan"))

    def _pause(self) -> None:
        if self.pause:
            self.sleep(self.pause)


STAND_IN = "@stand-in.invalid"  # .invalid: a domain that never exists (RFC 2606)


def stand_in_address(name: str) -> str:
    local = re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".") or "owner"
    return f"{local}{STAND_IN}"


def owners_text(count: int) -> str:
    return "1 owner name" if count == 1 else f"{count} owner names"


def restaged_text(staged: Restaged, first_due: date) -> str:
    """What `restage` did, in a sentence: the plan's own dates are not what the story shows."""
    parts = []
    if staged.dated and staged.squeezed:
        parts.append(
            f"the demo spreads its {plural(staged.dated, 'dated action')} evenly from "
            f"{day_label(first_due)}, in the plan's order (the plan's own dates are too far "
            "apart for the story's weeks),"
        )
    elif staged.dated:
        parts.append(
            f"the demo moves its {plural(staged.dated, 'dated action')} so the first is due "
            f"{day_label(first_due)}, keeping the gaps between them"
        )
    if staged.undated:
        after = "after them" if staged.dated else f"from {day_label(first_due)}"
        parts.append(
            f"{'' if parts else 'the demo '}gives the {plural(staged.undated, 'action')} "
            f"with no date due dates three days apart {after}"
        )
    if not parts:
        return "the demo would move the plan's dates, but it has no open actions."
    return " and ".join(parts).removesuffix(",") + "."


_ROLE_TEXT = {
    "done": "its owner marks it done as soon as the first reminder arrives.",
    "at_risk": "its owner says it is at risk, with a note for leadership.",
    "date": "its owner moves the date, with the reason (a slip, counted).",
    "snooze": "its owner is on leave and snoozes the reminders for a week.",
}


def _owned(actions: list[Action], owner: str) -> list[Action]:
    return [a for a in actions if owner in a.owner_names]
