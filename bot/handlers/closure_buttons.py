"""What a closure button, or a file sent with words, stands for on every platform."""

from __future__ import annotations

from datetime import date

from bot.commands import Approve, Command, RefSpec, SetStatus, Verify, parse

REVIEW_KINDS = frozenset({"accept", "reject", "approve", "decline"})


def review_command(kind: str, target: RefSpec, reason: str | None = None) -> Command:
    """`accept` / `reject` → Verify; `approve` / `decline` → Approve."""
    if kind in ("accept", "reject"):
        return Verify(target, kind == "accept", reason)
    return Approve(target, kind == "approve", reason)


def is_done(comment: str, *, today: date) -> bool:
    """True when the words sent with a file say an action is done: the file is evidence."""
    command = parse(comment, today=today) if comment else None
    return isinstance(command, SetStatus) and command.status == "done"
