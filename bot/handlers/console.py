"""The console door: a person's line of text → `converse` (as Slack uses) → a neutral Reply.

Thin like the other doors: it knows who is typing and strips the `/action` a person may type
out of habit; identity, grammar, permissions and the one-transaction rule are the services'.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.commands import buttons
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.messages import Button, Reply, error
from bot.handlers.console_evidence import read_attachments, split_paths
from bot.render.reasons import DONE_INTRO, LINKS_HINT, NOTE_LABEL
from bot.services.closure.evidence import Attachment, EvidenceRefused
from bot.services.conversation import Outcome, Who, action_ref, converse, local_today
from bot.services.people.identity import CONSOLE_ADMIN, Caller, ConsoleUser, console_user

PLATFORM = "console"
_SLASH = re.compile(r"^\s*/?action\b", re.IGNORECASE)


@dataclass(frozen=True)
class DoneForm:
    """The console's Done… form (a plan whose closure is verified): the questions to ask,
    then `ConsoleDoor.submit_done` with the answers, by field."""

    action_id: int
    label: str
    types: str

    @property
    def questions(self) -> tuple[tuple[str, str], ...]:
        return (
            ("paths", f"Files to add: their paths (quote one with spaces; {self.types}), or Enter"),
            ("links", f"Evidence links: {LINKS_HINT}, or Enter"),
            ("note", f"{NOTE_LABEL}: or Enter"),
        )

    @property
    def intro(self) -> str:
        return f"Done… {self.label}\n{DONE_INTRO}"


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
        text, paths = split_paths(text)
        try:
            attached = read_attachments(paths)
        except EvidenceRefused as exc:
            caller = Caller(PLATFORM, user.user_id, email=user.email)
            return Outcome(error(f"{exc} Nothing was changed."), caller, None)
        return self._converse(
            user, text=text, pinned_action_id=pinned_action_id, attachments=attached
        )

    def _converse(self, user: ConsoleUser, **kwargs: Any) -> Outcome:
        return converse(
            self.sessions,
            Who(PLATFORM, user.user_id, user.email),
            admins=self.settings.admin_ids | {CONSOLE_ADMIN},
            default_tz=self.settings.tz,
            now=self.clock.now(),
            **kwargs,
        )

    def click(self, user: ConsoleUser, button: Button) -> Outcome | str | DoneForm:
        """A numbered choice: quick buttons run at once (Done on a plan whose closure is
        verified asks its form's questions first); the others say what to type."""
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
        if button.kind in ("reject", "decline"):  # Slack and Teams ask for the reason in a form
            return f"Type: {target} {button.kind} REASON"
        if buttons.done_opens_form(button.kind, verified=ref.verified):
            return DoneForm(int(button.value), ref.label, ref.evidence_types)
        if button.kind in buttons.REVIEW_KINDS:
            command = buttons.review_command(button.kind, ref.target)
        else:
            command = buttons.quick(button.kind, ref.target)
        return self._converse(user, command=command, pinned_action_id=int(button.value))

    def submit_done(self, user: ConsoleUser, form: DoneForm, answers: dict[str, str]) -> Outcome:
        """The Done… form's answers: the files at the paths given, the links and the note."""
        caller = Caller(PLATFORM, user.user_id, email=user.email)
        ref = action_ref(self.sessions, form.action_id)
        if ref is None:
            return Outcome(error("That action no longer exists."), caller, None)
        command = buttons.done_form(ref.target, answers.get("links", ""), answers.get("note", ""))
        if isinstance(command, buttons.FormProblems):
            return Outcome(error(f"{command.text} Nothing was changed."), caller, None)
        attached = _read_paths(answers.get("paths", ""))
        if isinstance(attached, Reply):
            return Outcome(attached, caller, None)
        return self._converse(
            user, command=command, pinned_action_id=form.action_id, attachments=attached
        )


def _read_paths(typed: str) -> list[Attachment] | Reply:
    """The files at the paths typed (shell quoting for a name with spaces), or why not."""
    try:
        paths = [Path(p).expanduser() for p in shlex.split(typed)]
    except ValueError as exc:
        return error(f"Those paths could not be read ({exc}). Nothing was changed.")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        return error(f"No file at {', '.join(map(repr, missing))}. Nothing was changed.")
    try:
        return read_attachments(paths)
    except EvidenceRefused as exc:
        return error(f"{exc} Nothing was changed.")
