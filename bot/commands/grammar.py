"""The `/action` grammar: text → a typed Command. Pure; every platform shares it.

The commands are in `types.py`; the help (`help.py`) is generated from `GRAMMAR`, so it can never
drift from what is parsed.
"""

from __future__ import annotations

import re
import shlex
from datetime import date

from bot.commands.help import example_date
from bot.commands.types import (
    MAX_INPUT,
    MAX_NOTE,
    AddNote,
    AdminDeputy,
    AdminDigest,
    AdminHandover,
    AdminImport,
    AdminNudge,
    AdminOwner,
    AdminOwners,
    AdminPlans,
    AdminReport,
    Assign,
    Away,
    Back,
    Command,
    DueWithin,
    Help,
    Mine,
    Overdue,
    ParseError,
    RefSpec,
    Revise,
    SetRag,
    SetStatus,
    Show,
    Snooze,
)
from bot.core.messages import RAG_WORDS
from bot.core.when import day
from bot.importer.dates import TypedDate, typed_date, typed_dates

RAG_OF_WORDS = {words: rag for rag, words in RAG_WORDS.items()}  # "on track" → green
VERBS = (
    "done",
    "progress",
    "update",
    "blocked",
    "note",
    "date",
    "snooze",
    "assign",
    "on",
    "at",
    "off",
)
_PLAN_REF = re.compile(r"^([A-Za-z][A-Za-z0-9_-]{0,39}):(.+)$")
_DAYS = re.compile(r"^(\d{1,3})\s*d(?:ays?)?$", re.IGNORECASE)
_PLAN_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")
# Slack: <@U123|jane>. Teams: <@29:1abc…> (the Teams door rewrites its @mentions so).
_MENTION = re.compile(r"^<@([A-Z0-9]+|29:[A-Za-z0-9_-]+)(?:\|[^>]*)?>$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_FROM = ("--from", "from")
_DEPUTIES = ("deputies", "deputy", "--deputies")


def person_ref(word: str) -> str | None:
    """A person as typed, in the one form every door shares: a platform mention
    (Slack's `<@U123|jane>` → `<@U123>`), an email, or `@name` (an owner name or a person's
    name, looked up by the service). None when the word names nobody."""
    mention = _MENTION.match(word)
    if mention:
        return f"<@{mention.group(1)}>"
    if _EMAIL.match(word):
        return word
    if word.startswith("@") and word[1:].strip() and "@" not in word[1:]:
        return word
    return None


def parse(text: str, *, today: date) -> Command | ParseError:
    """Parse the text after `/action`.

    Example:
        >>> parse('2.4 done', today=date(2018, 1, 1))
        SetStatus(target=RefSpec(ref='2.4', plan=None), status='done', note=None)
    """
    # Quotes typed as phones and Word type them stay in notes and reasons as typed; only
    # where quotes are grammar (a quoted ref, an admin's quoted owner) are they read as ".
    text = " ".join(text.split())
    if len(text) > MAX_INPUT:
        return ParseError(
            f"That is {len(text):,} characters; /action reads up to {MAX_INPUT:,}. "
            "Shorten it and send it again."
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
        return _admin(rest, today)
    if word == "away":
        return _away(rest, today, None)
    if word == "back" and not rest:
        return Back()
    return _about_ref(text, today)


def _due(rest: str) -> Command | ParseError:
    if not rest:
        return DueWithin(14)
    match = _DAYS.match(rest)
    if not match or not 0 < int(match.group(1)) <= 366:
        return ParseError(f"I can't read {rest!r} as a number of days.", ("/action due 14d",))
    return DueWithin(int(match.group(1)))


ADMIN_WORDS = "owner, deputy, handover, away, back, owners, plans, import, nudge, digest, report"


_ISSUE = re.compile(r"^(\S+)(?:\s+issue(?:\s+(.*))?)?$", re.IGNORECASE | re.DOTALL)


def _report(rest: str) -> Command | ParseError:
    """`report NCC` (a draft) or `report NCC issue Audit Committee 12 March 2027`: the
    meeting's name is kept as typed, apostrophes and all."""
    match = _ISSUE.match(rest)
    if not match or not _PLAN_CODE.match(match.group(1)):
        return ParseError("Name one plan by its code.", ("/action admin report NCC",))
    if "issue" in rest.lower().split()[1:2] and not (match.group(2) or "").strip():
        return ParseError(
            "Which meeting is the pack for?",
            ("/action admin report NCC issue Audit Committee 12 March 2027",),
        )
    meeting = " ".join((match.group(2) or "").split()) or None
    return AdminReport(plan=match.group(1).upper(), meeting=meeting)


def _straight(text: str) -> str:
    return text.replace("\u201c", '"').replace("\u201d", '"')


def _admin(rest: str, today: date) -> Command | ParseError:
    rest = _straight(rest)
    verb, _, tail = rest.partition(" ")
    verb = verb.lower()
    if verb == "report":
        return _report(tail.strip())
    if verb == "away":
        who, _, dates = tail.strip().partition(" ")
        person = person_ref(who)
        if person is None:
            return ParseError(
                f"Whose leave? {who!r} names nobody." if who else "Whose leave?",
                (f"/action admin away @jane until {example_date(today)}",),
            )
        return _away(dates.strip(), today, person)
    try:
        words = shlex.split(rest)
    except ValueError:
        return ParseError(
            "A quote is not closed.", ('/action admin owner "Head of Finance" @jane',)
        )
    if words == ["nudge"]:
        return AdminNudge()
    if words == ["digest"]:
        return AdminDigest()
    if words[:1] == ["import"]:
        if len(words) == 1:
            return AdminImport()
        if len(words) == 2 and _PLAN_CODE.match(words[1]):
            return AdminImport(plan=words[1].upper())
        return ParseError(
            "Name at most one plan, by its code; then send me the file.",
            ("/action admin import NCC",),
        )
    if words == ["owners"]:
        return AdminOwners()
    if words == ["plans"]:
        return AdminPlans()
    if verb == "back" and len(words) == 2 and (person := person_ref(words[1])):
        return Back(person)
    if verb in ("owner", "deputy") and len(words) >= 2:
        return _role(verb, words[1], words[2:])
    if verb == "handover":
        return _handover(words[1:], today)
    return ParseError(
        f"Admin commands are: {ADMIN_WORDS}.",
        ('/action admin owner "Head of Finance" @jane', "/action admin nudge", "/action help"),
    )


def _role(verb: str, owner: str, words: list[str]) -> Command | ParseError:
    named = shlex.quote(owner) if owner.strip() else '"Head of Finance"'
    example = f"/action admin {verb} {named} @jane"
    if not owner.strip():
        return ParseError("Which owner? Give its name in quotes.", (example,))
    if verb == "deputy" and [w.lower() for w in words] == ["none"]:
        return AdminDeputy(owner, ())
    # `admin owner "X" @jane deputies @raj` sets both in one command, as the Map… form does.
    cut = next((i for i, w in enumerate(words) if w.lower() in _DEPUTIES), None)
    deputy_words = words[cut + 1 :] if verb == "owner" and cut is not None else None
    if deputy_words is not None:
        words = words[:cut]
    if not words:
        return ParseError(
            f"Who should {verb == 'owner' and 'hold' or 'deputise for'} {owner}?", (example,)
        )
    found = _people(words, example)
    if isinstance(found, ParseError) or verb == "deputy":
        return found if isinstance(found, ParseError) else AdminDeputy(owner, found)
    if deputy_words is None:
        return AdminOwner(owner, found)
    with_deputies = f"{example} deputies @raj"
    if [w.lower() for w in deputy_words] == ["none"]:
        return AdminOwner(owner, found, ())
    if not deputy_words:
        return ParseError(f"Who should deputise for {owner}? Name them, or none.", (with_deputies,))
    deputies = _people(deputy_words, with_deputies)
    return deputies if isinstance(deputies, ParseError) else AdminOwner(owner, found, deputies)


def _people(words: list[str], example: str) -> tuple[str, ...] | ParseError:
    people = [person_ref(w) for w in words]
    bad = [w for w, p in zip(words, people, strict=True) if p is None]
    if bad:
        return ParseError(f"{bad[0]!r} names nobody: use @name, a mention or an email.", (example,))
    return tuple(dict.fromkeys(p for p in people if p))


def _handover(words: list[str], today: date) -> Command | ParseError:
    example = "/action admin handover @jane @sam"
    start: date | None = None
    if len(words) > 2 and words[2].lower() in _FROM:
        found = typed_date(" ".join(words[3:]), today=today, kinds=_DAYS_ONLY)
        if found is None:
            return ParseError(
                "Hand over from which date?", (f"{example} --from {example_date(today)}",)
            )
        start = found
        words = words[:2]
    if len(words) != 2:
        return ParseError("Hand over from whom to whom?", (example,))
    old, new = person_ref(words[0]), person_ref(words[1])
    if old is None or new is None:
        bad = words[0] if old is None else words[1]
        return ParseError(f"{bad!r} names nobody: use @name, a mention or an email.", (example,))
    return AdminHandover(old, new, start)


_DAYS_ONLY = frozenset({"exact"})  # leave and handovers start and end on a day


def _away(rest: str, today: date, person: str | None) -> Command | ParseError:
    ahead = example_date(today)
    who = f"admin away {person} " if person else "away "
    example = (f"/action {who}until {ahead}", f"/action {who}{today:%d/%m/%Y} {ahead} annual leave")
    words = rest.split(" ") if rest else []
    if words and words[0].lower() == "cancel":
        if len(words) == 1:
            return Back(person)
        named = typed_date(" ".join(words[1:]), today=today, kinds=_DAYS_ONLY)
        if named is None:
            return ParseError(
                f"I can't read {' '.join(words[1:])!r} as one date.",
                (f"/action {who}cancel {ahead}",),
            )
        return Back(person, named)
    if words and words[0].lower() == "until":
        firsts: tuple[TypedDate | None, ...] = (None,)
        after_until = " ".join(words[1:])
    else:
        firsts = typed_dates(rest, today=today, kinds=_DAYS_ONLY)
        if not firsts:
            what = f"I can't read a date in {rest!r}." if rest else "Away from when until when?"
            return ParseError(what, example)
        after_until = ""
    # Each way of reading the first day, then the last: the one that reads whole is meant.
    found: list[Away] = []
    for first in firsts:
        tail = after_until if first is None else first.rest
        head, _, more = tail.partition(" ")
        if first is not None and head.lower() in ("to", "until", "-", "–"):
            tail = more
        for last in typed_dates(tail, today=today, kinds=_DAYS_ONLY):
            value = None if first is None else first.value
            found.append(Away(last.value, value, last.rest or None, person))
    found = list(dict.fromkeys(found))
    if not found:
        return ParseError("Until which day (the last day away)?", example)
    if len(found) > 1:
        return ParseError(
            "I can read those dates more than one way: write each day whole, e.g. "
            f"{today:%d/%m/%Y}.",
            example,
        )
    return _noted(found[0], found[0].note)


def _split_ref(text: str) -> tuple[str, str] | ParseError:
    """The ref (quoted, or every word up to the first verb) and the rest."""
    if text.startswith(('"', "'", "\u201c")):
        quote = {"\u201c": "\u201d"}.get(text[0], text[0])
        end = text.find(quote, 1)
        if end == -1:
            return ParseError("A quote is not closed.", ('/action "10/16 (c)" done',))
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
        return ParseError("Which action? Start with its reference.", ("/action mine",))
    if len(ref) > 60:
        return ParseError(
            "I couldn't find an action reference or a command in that.", ("/action help",)
        )
    target = _target(ref)
    ref = _typed(ref)
    if not rest:
        return Show(target)
    verb, _, tail = rest.partition(" ")
    verb = verb.lower()
    tail = tail.strip()
    two = " ".join(rest.lower().split(" ")[:2])
    if two in RAG_OF_WORDS:
        note = rest[len(two) :].strip() or None
        return _noted(SetRag(target, RAG_OF_WORDS[two], note), note)
    if verb == "done":
        return _noted(SetStatus(target, "done", tail or None), tail)
    if verb in ("progress", "update"):
        if not tail:
            return ParseError("Progress needs a note.", (f"/action {ref} {verb} <what happened>",))
        return _noted(SetStatus(target, "in_progress", tail), tail)
    if verb == "blocked":
        if not tail:
            return ParseError("Say what it is blocked by.", (f"/action {ref} blocked <reason>",))
        return _noted(SetStatus(target, "blocked", tail), tail)
    if verb == "note":
        if not tail:
            return ParseError("The note is empty.", (f"/action {ref} note <text>",))
        return _noted(AddNote(target, tail), tail)
    if verb == "date":
        return _revise(target, ref, tail, today)
    if verb == "assign":
        person = person_ref(tail) if tail and " " not in tail else None
        if person is None:
            return ParseError("Assign to whom?", (f"/action {ref} assign @raj",))
        return Assign(target, person)
    if verb == "snooze":
        days, _, reason = tail.partition(" ")
        match = _DAYS.match(days)
        if not match or not 0 < int(match.group(1)) <= 90:
            example = f"/action {ref} snooze 7d" + (f" {reason.strip()}" if reason.strip() else "")
            return ParseError("Snooze for how many days (1-90)?", (example,))
        return Snooze(target, int(match.group(1)), reason.strip() or None)
    return ParseError(
        f"I don't know {verb!r}.",
        (
            f"/action {ref} done",
            f"/action {ref} at risk <note>",
            f"/action {ref} date {example_date(today)} <reason>",
        ),
    )


def _typed(ref: str) -> str:
    """The ref as the user would type it again: quoted when it holds a space."""
    return f'"{ref}"' if " " in ref else ref


def _noted(command: Command, note: str | None) -> Command | ParseError:
    if note and len(note) > MAX_NOTE:
        return ParseError(
            f"Notes are limited to {MAX_NOTE:,} characters and this one has {len(note):,}. "
            "Shorten it and send it again."
        )
    return command


def _revise(target: RefSpec, ref: str, tail: str, today: date) -> Command | ParseError:
    """`date DATE REASON`: the date ends where the date ends; every word after it is the
    reason, as typed. When the words can be split more than one way, ask."""
    ahead = example_date(today)
    readings = typed_dates(tail, today=today)
    if not readings:
        what = f"I can't read a date in {tail!r}." if tail else "Which date?"
        return ParseError(what, (f"/action {ref} date {ahead} <reason>",))
    possible = [r for r in readings if r.value >= today]
    if not possible:
        reason = readings[0].rest
        return ParseError(
            f"{day(readings[0].value, today)} is in the past; "
            "a new target date must be today or later.",
            (f"/action {ref} date {ahead} {reason or '<reason>'}",),
        )
    if len(possible) > 1:
        ways = "; or ".join(f"{day(r.value, today)} with the reason “{r.rest}”" for r in possible)
        return ParseError(
            f"I can read that {len(possible)} ways: {ways}. Which do you mean? "
            "A colon after the date says where it ends.",
            tuple(f"/action {ref} date {_clear(r)}: {r.rest}" for r in possible),
        )
    reading = possible[0]
    if not reading.rest:
        return ParseError(
            "A new date needs a reason, so leadership can see why it slipped.",
            (f"/action {ref} date {reading.text} <reason>",),
        )
    return _noted(Revise(target, reading.value, reading.text, reading.rest), reading.rest)


def _clear(reading: TypedDate) -> str:
    """The date of one reading written so it can be read only that way."""
    last = reading.text.rsplit(" ", 1)[-1]
    if not reading.composed and not (last.isdigit() and len(last) == 2):
        return reading.text
    value = reading.value
    return f"{value.day} {value:%B %Y}" if reading.kind == "exact" else f"{value:%B %Y}"


def _ref_text(target: RefSpec) -> str:
    """The ref as the grammar reads it back: quoted, unless it holds both quote marks (it
    can then only have been typed unquoted, and reads back the same way)."""
    text = str(target)
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return text


def to_text(command: Command) -> str:
    """The text after `/action` that parses back to `command`: the grammar's inverse.

    Example:
        >>> to_text(SetRag(RefSpec("4.4"), "amber", "supplier late"))
        '"4.4" at risk supplier late'
    """
    if isinstance(command, Help):
        return "help"
    if isinstance(command, Mine):
        return "mine"
    if isinstance(command, Overdue):
        return "overdue"
    if isinstance(command, DueWithin):
        return f"due {command.days}d"
    if isinstance(command, AdminNudge):
        return "admin nudge"
    if isinstance(command, AdminDigest):
        return "admin digest"
    if isinstance(command, AdminReport):
        issue = f" issue {command.meeting}" if command.meeting else ""
        return f"admin report {command.plan}{issue}"
    if isinstance(command, AdminImport):
        return f"admin import {command.plan}" if command.plan else "admin import"
    if isinstance(command, AdminOwners):
        return "admin owners"
    if isinstance(command, AdminPlans):
        return "admin plans"
    if isinstance(command, AdminOwner | AdminDeputy):
        verb = "owner" if isinstance(command, AdminOwner) else "deputy"
        people = " ".join(shlex.quote(p) for p in command.people) or "none"
        text = f"admin {verb} {shlex.quote(command.owner)} {people}"
        if isinstance(command, AdminOwner) and command.deputies is not None:
            deputies = " ".join(shlex.quote(p) for p in command.deputies) or "none"
            text += f" deputies {deputies}"
        return text
    if isinstance(command, AdminHandover):
        text = f"admin handover {shlex.quote(command.old)} {shlex.quote(command.new)}"
        return text + (f" --from {command.start.isoformat()}" if command.start else "")
    if isinstance(command, Away):
        head = f"admin away {command.person}" if command.person else "away"
        first = command.first.isoformat() if command.first else "until"
        return " ".join(p for p in (head, first, command.last.isoformat(), command.note) if p)
    if isinstance(command, Back):
        if command.day is not None:
            head = f"admin away {command.person}" if command.person else "away"
            return f"{head} cancel {command.day.isoformat()}"
        return f"admin back {shlex.quote(command.person)}" if command.person else "back"
    ref = _ref_text(command.target)
    if isinstance(command, Assign):
        return f"{ref} assign {command.person}"
    if isinstance(command, Show):
        return ref
    if isinstance(command, SetStatus):
        verb = {"done": "done", "in_progress": "progress", "blocked": "blocked"}[command.status]
        return " ".join(p for p in (ref, verb, command.note) if p)
    if isinstance(command, SetRag):
        return " ".join(p for p in (ref, RAG_WORDS[command.rag], command.note) if p)
    if isinstance(command, AddNote):
        return f"{ref} note {command.note}"
    if isinstance(command, Revise):
        # A colon after the date where a space alone would let the reason join it.
        plain = f"{command.date_text} {command.reason}"
        readings = typed_dates(plain, today=command.new_date)
        clear = len(readings) == 1 and readings[0].text == command.date_text
        gap = " " if clear and readings[0].rest == command.reason else ": "
        return f"{ref} date {command.date_text}{gap}{command.reason}"
    return " ".join(p for p in (ref, "snooze", f"{command.days}d", command.reason) if p)
