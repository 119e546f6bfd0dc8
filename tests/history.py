"""A reproducible history for the bundled plan: reminders go out every working day, owners
answer them (some at once, some slowly, some never) through the real `/action` grammar.

Used by the report tests and by `docs/make_screenshots.py`; nothing here is faked except the
platform, which only records what it was asked to send.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.core.calendar import calendar_for
from bot.core.messages import Reply
from bot.core.runtime import Runtime
from bot.jobs.delivery import deliver_pending
from bot.jobs.runner import run_sweep
from bot.messengers.base import Address, Progress
from bot.services.conversation import Who, converse

ADMIN = Who("slack", "UADMIN")
NOTES = (
    "supplier confirmed the timetable",
    "draft went to the portfolio holder",
    "waiting for the audit findings",
    "workshop with budget managers held",
    "cabinet paper being written",
)


@dataclass
class RecordingMessenger:
    """A platform that takes everything and remembers which actions each DM carried."""

    platform: str = "slack"
    sent: list[tuple[str, list[int]]] = field(default_factory=list)

    def send_direct(self, address: Address, replies: list[Reply], progress: Progress) -> Address:
        ids = [card.action_id for reply in replies for card in reply.cards]
        self.sent.append((address.email or str(address.person_id), ids))
        progress.sent = len(replies)
        return address

    def post_channel(self, channel: str, replies: list[Reply], progress: Progress) -> None:
        progress.sent = len(replies)


@dataclass
class _Clock:
    at: datetime

    def now(self) -> datetime:
        return self.at


def simulate(runtime: Runtime, *, start: date, end: date, seed: int = 2018) -> int:
    """Run working days from `start` to `end` (inclusive); returns the updates made."""
    rng = random.Random(seed)
    cal = calendar_for(runtime.settings.holiday_region)
    messenger = RecordingMessenger()
    temper: dict[str, str] = {}  # who answers how: prompt, slow, silent
    planned: dict[date, list[tuple[int, str, str]]] = {}
    updates = 0
    day = start
    while day <= end:
        if cal.is_working_day(day):
            morning = datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)
            run_sweep(runtime, now=morning)
            before = len(messenger.sent)
            deliver_pending(
                runtime.sessions,
                {"slack": messenger},
                clock=_Clock(morning),
                sleep=lambda _: None,
            )
            for who, ids in messenger.sent[before:]:
                mood = temper.setdefault(who, rng.choice(("prompt", "slow", "slow", "silent")))
                if mood == "silent":
                    continue
                for action_id in ids:
                    if rng.random() < 0.3:
                        continue  # even the keen miss one now and then
                    wait = 0 if mood == "prompt" else rng.randint(2, 6)
                    when = day + timedelta(days=wait)
                    planned.setdefault(when, []).append((action_id, _answer(rng, day), who))
            later = datetime(day.year, day.month, day.day, 11, 15, tzinfo=UTC)
            for action_id, text, who in planned.pop(day, []):
                updates += _say(runtime, action_id, text, later, _person(who))
        else:
            # Answers planned for a weekend wait for Monday.
            planned.setdefault(day + timedelta(days=1), []).extend(planned.pop(day, []))
        day += timedelta(days=1)
    return updates


def _answer(rng: random.Random, today: date) -> str:
    roll = rng.random()
    if roll < 0.15:
        return "done"
    if roll < 0.45:
        return f"on track {rng.choice(NOTES)}"
    if roll < 0.65:
        return f"at risk {rng.choice(NOTES)}"
    if roll < 0.75:
        return f"off track {rng.choice(NOTES)}"
    if roll < 0.9:
        moved = today + timedelta(days=rng.choice((30, 45, 60)))
        return f"date {moved:%d/%m/%Y} {rng.choice(NOTES)}"
    return f"progress {rng.choice(NOTES)}"


def _person(reminded: str) -> Who:
    """The reminded owner answering in Slack (a Slack id made from their email), so the
    register says who asked for each new date; the admin when the reminder had no email."""
    if "@" not in reminded:
        return ADMIN
    user_id = "U" + hashlib.sha1(reminded.encode()).hexdigest()[:8].upper()  # noqa: S324
    return Who("slack", user_id, email=reminded)


def _say(runtime: Runtime, action_id: int, text: str, now: datetime, who: Who = ADMIN) -> int:
    from store.models import Action

    with runtime.sessions() as session:
        action = session.get(Action, action_id)
        if action is None or not action.is_open:
            return 0
        ref = f"{action.plan.code}:{action.ref}"
    outcome = converse(
        runtime.sessions,
        who,
        text=f"{ref} {text}",
        admins=runtime.settings.admin_ids,
        default_tz=runtime.settings.tz,
        now=now,
    )
    return int(outcome.reply.ok)
