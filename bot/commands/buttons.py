"""Buttons, card verbs and forms → Commands, for every door.

A click carries a verb ("done", "on_track", "save_date", ...) and the fields of its form;
this is the one place that turns them into the Command the typed grammar would give, or into
the problems to show beside each field. Slack, Teams and the console call it and do nothing
of their own with a verb beyond drawing the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.commands.grammar import parse
from bot.commands.rules import NO_DATE, TOO_LONG, note_problems, picked_date, revision_problems
from bot.commands.types import (
    MAX_NOTE,
    AddNote,
    AdminOwner,
    Approve,
    Command,
    RefSpec,
    Revise,
    SetRag,
    SetStatus,
    Verify,
)
from bot.core.messages import RAG_WORDS

# The quick buttons under every action: they run at once, with no form.
DONE, ON_TRACK, AT_RISK = "done", "on_track", "at_risk"
QUICK = (DONE, ON_TRACK, AT_RISK)
_QUICK_RAG = {ON_TRACK: "green", AT_RISK: "amber"}


@dataclass(frozen=True)
class FormProblems:
    """What is wrong with a form, by field, shown beside each field; nothing was changed."""

    by_field: dict[str, str]

    @property
    def text(self) -> str:
        return " ".join(self.by_field.values())


def quick(verb: str, target: RefSpec) -> Command:
    """Done, On track or At risk: as `/action REF done` (or `on track`, `at risk`) reads."""
    if verb == DONE:
        return SetStatus(target, "done", None)
    return SetRag(target, _QUICK_RAG[verb], None)


def update(target: RefSpec, note: str, rag: str | None) -> Command | FormProblems:
    """The Add update… form: a note, and a RAG when one is picked ("none" or nothing keeps it)."""
    note = note.strip()
    problems = note_problems(note)
    if problems:
        return FormProblems(problems)
    return SetRag(target, rag, note) if rag in RAG_WORDS else AddNote(target, note)


def revision(
    target: RefSpec, picked: str | None, reason: str, *, today: date
) -> Command | FormProblems:
    """The New date… form: the date field read as `/action REF date …` reads a date, and why."""
    reason = reason.strip()
    problems = revision_problems(picked, reason, today=today)
    new = picked_date(picked, today=today)
    if problems or new is None or picked is None:
        return FormProblems(problems or {"date": NO_DATE})
    return Revise(target, new, picked, reason)


def owner_form(name: str) -> AdminOwner:
    """What a Map… click asks leave to run, before its form opens."""
    return AdminOwner(name, ())


NO_HOLDER = "Choose at least one holder."


def owner(name: str, holders: Iterable[str], deputies: Iterable[str]) -> AdminOwner | FormProblems:
    """The Map… form: the people picked, as `admin owner "NAME" @person…` names them; an
    owner needs at least one holder."""
    held = tuple(f"<@{p}>" for p in holders)
    if not held:
        return FormProblems({"holders": NO_HOLDER})
    return AdminOwner(name, held, tuple(f"<@{p}>" for p in deputies))


# The closure buttons on a verifier's or approver's message: Accept / Reject… and
# Approve / Decline… (Reject… and Decline… ask for the reason first).
REVIEW_KINDS = frozenset({"accept", "reject", "approve", "decline"})


def review_command(kind: str, target: RefSpec, reason: str | None = None) -> Command:
    """`accept` / `reject` → Verify; `approve` / `decline` → Approve."""
    if kind in ("accept", "reject"):
        return Verify(target, kind == "accept", reason)
    return Approve(target, kind == "approve", reason)


NO_REVIEW_REASON = "Say why: the owners are told."


def review_reason(kind: str, target: RefSpec, reason: str) -> Command | FormProblems:
    """The Reject… and Decline… forms: the reason is required (the owners are told it)."""
    reason = reason.strip()
    if not reason:
        return FormProblems({"reason": NO_REVIEW_REASON})
    return review_command(kind, target, reason[:MAX_NOTE])


# The Done… form, on a plan whose closure is verified: evidence links, a note, and files
# (Slack: a file input; Teams: sent in the chat; the console: paths). Every field is optional.
DONE_FORM_FIELDS = ("links", "note")
NOT_A_LINK = "{word!r} is not a web link: evidence links start with https:// (or http://)."


def done_opens_form(verb: str, *, verified: bool) -> bool:
    """The Done button opens the Done… form on a plan with a verifier (evidence is asked
    for); elsewhere it runs at once, as it always did."""
    return verb == DONE and verified


def done_form(target: RefSpec, links: str, note: str) -> Command | FormProblems:
    """The Done… form: `done evidence LINK… NOTE` as typed, with each field checked."""
    words = links.split()
    problems: dict[str, str] = {}
    for word in words:
        scheme, _, rest = word.partition("://")
        if scheme.lower() not in ("http", "https") or not rest:
            problems["links"] = NOT_A_LINK.format(word=word)
            break
    if len(note.strip()) > MAX_NOTE:
        problems["note"] = TOO_LONG
    if problems:
        return FormProblems(problems)
    return SetStatus(target, "done", note.strip() or None, tuple(words))


def is_done(comment: str, *, today: date) -> bool:
    """True when the words sent with a file say an action is done: the file is evidence."""
    command = parse(comment, today=today) if comment else None
    return isinstance(command, SetStatus) and command.status == "done"
