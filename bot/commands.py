"""The `/action` grammar: text → a typed Command. Pure; every platform shares it.

The help text is generated from `GRAMMAR`, so it can never drift from what is parsed.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import date

from bot.importer.dates import parse_date

MAX_INPUT = 2000
MAX_NOTE = 1500


@dataclass(frozen=True)
class RefSpec:
    ref: str
    plan: str | None = None

    def __str__(self) -> str:
        return f"{self.plan}:{self.ref}" if self.plan else self.ref


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Mine:
    pass


@dataclass(frozen=True)
class Overdue:
    pass


@dataclass(frozen=True)
class DueWithin:
    days: int


@dataclass(frozen=True)
class Show:
    target: RefSpec


@dataclass(frozen=True)
class SetStatus:
    """done / progress / blocked: a status, with an optional (or required) note."""

    target: RefSpec
    status: str
    note: str | None


@dataclass(frozen=True)
class SetRag:
    target: RefSpec
    rag: str
    note: str | None


@dataclass(frozen=True)
class AddNote:
    target: RefSpec
    note: str


@dataclass(frozen=True)
class Revise:
    target: RefSpec
    new_date: date
    date_text: str
    reason: str


@dataclass(frozen=True)
class Snooze:
    target: RefSpec
    days: int
    reason: str | None


@dataclass(frozen=True)
class AdminOwner:
    owner: str
    user: str  # a platform user id, e.g. Slack's U123 from <@U123|jane>


@dataclass(frozen=True)
class AdminNudge:
    pass


@dataclass(frozen=True)
class AdminDigest:
    pass


Command = (
    Help
    | Mine
    | Overdue
    | DueWithin
    | Show
    | SetStatus
    | SetRag
    | AddNote
    | Revise
    | Snooze
    | AdminOwner
    | AdminNudge
    | AdminDigest
)


@dataclass(frozen=True)
class ParseError:
    """Why the text was not understood, and the closest valid form."""

    message: str
    suggestion: str


@dataclass(frozen=True)
class Form:
    usage: str
    summary: str
    example: str
    admin: bool = False


GRAMMAR: tuple[Form, ...] = (
    Form("help", "this help", "help"),
    Form("mine", "your open actions, soonest due first", "mine"),
    Form("overdue", "open actions past their due date", "overdue"),
    Form("due [N]d", "open actions due in the next N days (default 14)", "due 7d"),
    Form("REF", "details of one action: owners, due date, status, last updates", "2.4"),
    Form("REF done [note]", "mark an action done", "2.4 done budget signed off"),
    Form("REF progress NOTE", "record progress (also: update NOTE)", "2.4 progress draft sent"),
    Form("REF on track [note]", "RAG green", "4.4 on track"),
    Form("REF at risk [note]", "RAG amber", "4.4 at risk supplier late"),
    Form("REF off track [note]", "RAG red", "4.4 off track no budget"),
    Form("REF blocked REASON", "mark blocked, with the reason", "3.1 blocked awaiting cabinet"),
    Form("REF note TEXT", "add a note without changing anything else", "1.2 note met comms"),
    Form(
        "REF date DATE REASON",
        "revise the target date; the reason is required and the slip is counted",
        "2.7 date 30/06/2018 awaiting audit",
    ),
    Form("REF snooze Nd [reason]", "pause reminders for one action", "2.7 snooze 3d on leave"),
    Form('"REF WITH SPACES" …, PLAN:REF …', "quote a ref, or name its plan", '"10/16 (c)" done'),
    Form(
        'admin owner "NAME" @user',
        "map an owner name to a person",
        'admin owner "Finance" @jane',
        True,
    ),
    Form("admin nudge", "send today's reminders now", "admin nudge", True),
    Form("admin digest", "post the digest now", "admin digest", True),
)

RAG_WORDS = {"on track": "green", "at risk": "amber", "off track": "red"}
VERBS = ("done", "progress", "update", "blocked", "note", "date", "snooze", "on", "at", "off")
_PLAN_REF = re.compile(r"^([A-Za-z][A-Za-z0-9_-]{0,39}):(.+)$")
_DAYS = re.compile(r"^(\d{1,3})\s*d(?:ays?)?$", re.IGNORECASE)
_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")


def help_text(*, admin: bool = False) -> str:
    lines = ["*/action* keeps your actions current. Forms:"]
    for form in GRAMMAR:
        if form.admin and not admin:
            continue
        lines.append(f"• `/action {form.usage}`: {form.summary} (e.g. `/action {form.example}`)")
    lines.append("Dates: 30/06/2018, 30 June, 2018-06-30, end of June.")
    return "\n".join(lines)


def parse(text: str, *, today: date) -> Command | ParseError:
    """Parse the text after `/action`.

    Example:
        >>> parse('2.4 done', today=date(2018, 1, 1))
        SetStatus(target=RefSpec(ref='2.4', plan=None), status='done', note=None)
    """
    text = " ".join(text.replace("\u201c", '"').replace("\u201d", '"').split())
    if len(text) > MAX_INPUT:
        return ParseError(
            f"That is {len(text):,} characters; /action reads up to {MAX_INPUT:,}.",
            "/action REF note TEXT with a shorter note",
        )
    if not text:
        return Help()
    word = text.split(" ", 1)[0].lower()
    rest = text[len(word) :].strip()
    if word in ("help", "?"):
        return Help()
    if word in ("mine", "my", "list") and not rest:
        return Mine()
    if word == "overdue" and not rest:
        return Overdue()
    if word == "due":
        return _due(rest)
    if word == "admin":
        return _admin(rest)
    return _about_ref(text, today)


def _due(rest: str) -> Command | ParseError:
    if not rest:
        return DueWithin(14)
    match = _DAYS.match(rest)
    if not match or not 0 < int(match.group(1)) <= 366:
        return ParseError(f"I can't read {rest!r} as a number of days.", "/action due 14d")
    return DueWithin(int(match.group(1)))


def _admin(rest: str) -> Command | ParseError:
    try:
        words = shlex.split(rest)
    except ValueError:
        return ParseError("A quote is not closed.", '/action admin owner "Head of Finance" @jane')
    if words == ["nudge"]:
        return AdminNudge()
    if words == ["digest"]:
        return AdminDigest()
    if len(words) == 3 and words[0] == "owner":
        mention = _MENTION.match(words[2])
        if mention:
            return AdminOwner(owner=words[1], user=mention.group(1))
        return ParseError(
            f"{words[2]!r} is not a Slack mention.", f'/action admin owner "{words[1]}" @jane'
        )
    return ParseError(
        "Admin commands are: owner, nudge, digest.", '/action admin owner "Head of Finance" @jane'
    )


def _split_ref(text: str) -> tuple[str, str] | ParseError:
    """The ref (quoted, or every word up to the first verb) and the rest."""
    if text.startswith(('"', "'")):
        quote = text[0]
        end = text.find(quote, 1)
        if end == -1:
            return ParseError("A quote is not closed.", '/action "10/16 (c)" done')
        return text[1:end].strip(), text[end + 1 :].strip()
    words = text.split(" ")
    for index, word in enumerate(words):
        if index and word.lower() in VERBS:
            return " ".join(words[:index]), " ".join(words[index:])
    if (
        len(words) > 1
        and any(c.isdigit() for c in words[0])
        and re.fullmatch(r"[A-Za-z]{3,}", words[1])
    ):
        # "2.4 finish": a ref then a word that is no verb; refs rarely hold plain words.
        return words[0], " ".join(words[1:])
    return text, ""


def _target(ref: str) -> RefSpec:
    match = _PLAN_REF.match(ref)
    if match and not match.group(1).isdigit():
        return RefSpec(ref=match.group(2).strip(), plan=match.group(1).upper())
    return RefSpec(ref=ref)


def _about_ref(text: str, today: date) -> Command | ParseError:
    split = _split_ref(text)
    if isinstance(split, ParseError):
        return split
    ref, rest = split
    if not ref:
        return ParseError("Which action? Start with its reference.", "/action 2.4 done")
    if len(ref) > 60:
        return ParseError(
            "I couldn't find an action reference or a command in that.", "/action help"
        )
    target = _target(ref)
    if not rest:
        return Show(target)
    verb, _, tail = rest.partition(" ")
    verb = verb.lower()
    tail = tail.strip()
    two = " ".join(rest.lower().split(" ")[:2])
    if two in RAG_WORDS:
        note = rest[len(two) :].strip() or None
        return _noted(SetRag(target, RAG_WORDS[two], note), note)
    if verb == "done":
        return _noted(SetStatus(target, "done", tail or None), tail)
    if verb in ("progress", "update"):
        if not tail:
            return ParseError("Progress needs a note.", f"/action {ref} progress draft sent to CLT")
        return _noted(SetStatus(target, "in_progress", tail), tail)
    if verb == "blocked":
        if not tail:
            return ParseError(
                "Say what it is blocked by.", f"/action {ref} blocked awaiting cabinet"
            )
        return _noted(SetStatus(target, "blocked", tail), tail)
    if verb == "note":
        if not tail:
            return ParseError("The note is empty.", f"/action {ref} note met the auditors")
        return _noted(AddNote(target, tail), tail)
    if verb == "date":
        return _revise(target, tail, today)
    if verb == "snooze":
        days, _, reason = tail.partition(" ")
        match = _DAYS.match(days)
        if not match or not 0 < int(match.group(1)) <= 90:
            return ParseError(
                "Snooze for how many days (1-90)?", f"/action {ref} snooze 3d on leave"
            )
        return Snooze(target, int(match.group(1)), reason.strip() or None)
    return ParseError(
        f"I don't know {verb!r}.",
        f"/action {ref} done · /action {ref} at risk NOTE · /action {ref} date 30/06/2018 REASON",
    )


def _noted(command: Command, note: str | None) -> Command | ParseError:
    if note and len(note) > MAX_NOTE:
        return ParseError(f"Notes are limited to {MAX_NOTE:,} characters.", "a shorter note")
    return command


def _revise(target: RefSpec, tail: str, today: date) -> Command | ParseError:
    example = f"/action {target} date 30/06/2018 awaiting audit sign-off"
    words = tail.split(" ") if tail else []
    found: tuple[date, str, str] | None = None
    for length in range(min(4, len(words)), 0, -1):
        candidate = " ".join(words[:length])
        parsed = parse_date(candidate, reference=today)
        if (
            parsed.value is not None
            and parsed.kind in ("exact", "month")
            and not (parsed.note and "sentence" in parsed.note)
        ):
            found = (parsed.value, candidate, " ".join(words[length:]).strip())
            break
    if found is None:
        what = f"I can't read a date in {tail!r}." if tail else "Which date?"
        return ParseError(what, example)
    new_date, text, reason = found
    if not reason:
        return ParseError(
            "A new date needs a reason, so leadership can see why it slipped.", example
        )
    if new_date < today:
        return ParseError(f"{new_date:%d %B %Y} is in the past.", example)
    return _noted(Revise(target, new_date, text, reason), reason)
