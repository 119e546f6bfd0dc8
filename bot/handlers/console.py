"""The console door: a person's line of text → `converse` (as Slack uses) → a neutral Reply.

Thin like the other doors: it knows who is typing and strips the `/action` a person may type
out of habit; identity, grammar, permissions and the one-transaction rule are the services'.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.commands import buttons
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Button
from bot.services.conversation import Outcome, Who, action_ref, converse, local_today
from bot.services.people.identity import CONSOLE_ADMIN, ConsoleUser, console_user

PLATFORM = "console"
_SLASH = re.compile(r"^\s*/?action\b", re.IGNORECASE)


class ConsoleDoor:
    def __init__(
        self, *, sessions: sessionmaker[Session], clock: Clock, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings

    def user(self, spec: str) -> ConsoleUser:
        """`admin`, an email or an owner name. Raises UnknownPerson with a sentence."""
        with self.sessions() as session:
            today = local_today(self.clock.now(), self.settings.tz)
            return console_user(session, spec, day=today)

    def say(self, user: ConsoleUser, text: str, *, pinned_action_id: int | None = None) -> Outcome:
        """Run one `/action` line (the slash and the word `action` are optional)."""
        text = _SLASH.sub("", text, count=1).strip()
        return self._converse(user, text=text, pinned_action_id=pinned_action_id)

    def _converse(self, user: ConsoleUser, **kwargs: Any) -> Outcome:
        return converse(
            self.sessions,
            Who(PLATFORM, user.user_id, user.email),
            admins=self.settings.admin_ids | {CONSOLE_ADMIN},
            default_tz=self.settings.tz,
            now=self.clock.now(),
            **kwargs,
        )

    def click(self, user: ConsoleUser, button: Button) -> Outcome | str:
        """A numbered choice: quick buttons run at once; the others say what to type."""
        if button.kind == "map_owner":  # Slack and Teams open a form here
            return f'Type: admin owner "{button.value}" @person [@person…]'
        if button.kind == "choose":
            pinned, _, raw = button.value.partition("|")
            return self.say(user, raw, pinned_action_id=int(pinned))
        ref = action_ref(self.sessions, int(button.value))
        if ref is None:
            return "That action no longer exists."
        target = str(ref.target)
        if button.kind == "new_date":  # Slack opens a form here; the console says what to type
            return f"Type: {target} date DD/MM/YYYY REASON"
        if button.kind == "add_update":
            return f"Type: {target} progress NOTE (or: {target} at risk NOTE)"
        command = buttons.quick(button.kind, ref.target)
        return self._converse(user, command=command, pinned_action_id=int(button.value))
