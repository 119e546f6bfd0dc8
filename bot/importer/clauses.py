"""What one resolution clause or recommendation asks for: an action, or a decision.

Council minutes record two kinds of clause. Some decide, and nothing is left to do: a
report "be noted", a plan "be approved", a member "be appointed", the public "be
excluded", a code "be recommended to Council". Others ask someone to do something: "the
Director of Finance provide members with a briefing note", "the Head of ICT be asked to
report back", "officers to circulate the tracker". The difference is in the grammar, not
in a model: the clause's subject (an officer, a body, a thing) and its predicate ("be
noted", "be asked to", "provide"). `read_clause` reads both, the owner the clause names
and the date phrase it gives ("by the end of June 2026", "to the next meeting").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.importer.dates import ParsedDate, parse_date

__all__ = ["FULL_DATE", "ROLE_WORDS", "ClauseReading", "find_date", "first_date", "read_clause"]

# "be <participle>" that asks the subject to act.
_REQUESTED = frozenset(
    "asked requested instructed invited directed tasked required commissioned charged "
    "mandated urged".split()
)
# "be <participle>" or "<body> <verb>" that decides: why it is no action.
_DECIDED: dict[str, str] = {
    **dict.fromkeys("noted note notes".split(), "noted"),
    **dict.fromkeys("received receive receives".split(), "received (noted)"),
    **dict.fromkeys(
        "approved approve approves agreed agree agrees adopted adopt adopts accepted accept "
        "accepts ratified ratify ratifies confirmed confirm confirms determined "
        "determine determines resolved granted grant refused refuse rejected reject "
        "amended varied upheld dismissed closed discharged".split(),
        "approved at the meeting",
    ),
    **dict.fromkeys(
        "endorsed endorse endorses supported support supports welcomed welcome welcomes".split(),
        "endorsed",
    ),
    **dict.fromkeys(
        "appointed appoint appoints elected elect elects nominated nominate re-appointed "
        "reappointed co-opted".split(),
        "appointed at the meeting",
    ),
    **dict.fromkeys("excluded exclude".split(), "the press and public excluded"),
    **dict.fromkeys(
        "recommended recommend recommends".split(), "recommended to another body: its decision"
    ),
    **dict.fromkeys(
        "delegated delegate delegates authorised authorized authorise authorize authorises "
        "authorizes".split(),
        "authority delegated: a decision",
    ),
    **dict.fromkeys("deferred defer defers withdrawn".split(), "deferred or withdrawn"),
    # "That Cabinet comments on the progress": said at the meeting, nothing left to do.
    **dict.fromkeys("comment comments commented".split(), "comments made at the meeting"),
    **dict.fromkeys("signed sign".split(), "signed"),
    **dict.fromkeys("thanked thank thanks".split(), "thanks recorded"),
}
# "be <participle>" that leaves something to do, though it names no one to do it.
_TO_BE_DONE = frozenset(
    "submitted brought circulated provided presented prepared arranged sent forwarded "
    "published reviewed updated investigated explored written added included scheduled "
    "reported shared reconsidered reissued re-issued drafted produced undertaken carried "
    "commissioned established developed organised organized held issued "
    "incorporated obtained sought set convened clarified checked tabled revisited "
    "monitored kept pursued progressed completed implemented raised refreshed considered "
    "made circulated contacted informed notified advised briefed investigated costed "
    "explored examined assessed evaluated identified procured delivered launched "
    "introduced tested trained recruited".split()
)
_BODIES = frozenset(
    "committee council cabinet board panel members forum sub-committee meeting executive "
    "commission assembly authority group".split()
)
ROLE_WORDS = frozenset(
    "director directors head heads officer officers manager managers chief executive "
    "auditor auditors clerk chair chairman chairwoman chairperson vice-chair leader "
    "secretary lead team treasurer solicitor co-ordinator coordinator adviser advisor "
    "councillor councillors cllr portfolio holder engineer planner controller accountant "
    "analyst administrator commissioner monitoring s151 services service partnership "
    "unit department directorate division governor registrar inspector surveyor "
    "architect editor mayor deputy president trustee trustees consultant consultants "
    "coordinators practitioner specialist steward".split()
)
_CONNECTORS = frozenset({"of", "and", "for", "&", "the", "in", "to"})
_MODALS = frozenset({"should", "will", "would", "must", "shall", "may", "can", "could"})
# Verbs a clause starts with after "To" ("To note the report", "To ask the Director to").
_ASK_VERBS = frozenset(
    "ask asks request requests instruct instructs invite invites direct directs require "
    "task commission".split()
)
# A body asking in its own voice: "the Committee notes the report and asks the Director
# to ...", "The Panel asked the Commissioner to ...".
_BODY_ASKS = _ASK_VERBS | frozenset("asked requested instructed invited directed".split())
# A word, "Treasurer/S151" and "2026/27" included; brackets and stops on their own.
_WORD = re.compile(r"[A-Za-z][\w'’&/-]*|\d[\w/.-]*|[(),;:]")


@dataclass(frozen=True)
class ClauseReading:
    """What a clause is: an action (with owners and a date phrase) or a decision (why)."""

    is_action: bool
    why: str = ""
    owners: list[str] = field(default_factory=list)
    # Set when the clause asks for action but names nobody (or only "officers").
    no_owner: str | None = None
    # The title the clause gives a person it names ("Mark Obi, Executive Director of
    # Resources"): another name for that owner, should the register know the role.
    titles: dict[str, str] = field(default_factory=dict)


def read_clause(text: str) -> ClauseReading:
    """Read one clause, its label and any leading "that" already removed or not.

    >>> read_clause("the Director of Finance provide members with a briefing note").owners
    ['Director of Finance']
    >>> read_clause("the progress report be noted").why
    'noted'
    """
    clause = _strip_lead(text)
    lower = clause.lower()
    whole = _whole_clause_decision(lower)
    if whole is not None:
        return ClauseReading(False, why=whole)
    asked = _explicit_request(clause)
    if asked is not None:
        return asked
    if lower.startswith("to "):
        return _infinitive(clause)
    words = _WORD.findall(clause)
    split = _predicate_start(words)
    if split is None:
        return ClauseReading(False, why="no one is asked to do anything")
    subject, predicate = words[:split], words[split:]
    kind = _subject_kind(subject)
    verb = predicate[0].lower()
    if verb in _MODALS and len(predicate) > 1:
        predicate = predicate[1:]
        verb = predicate[0].lower()
    if verb == "be" and len(predicate) > 1:
        return _passive(subject, kind, predicate[1].lower(), clause)
    if verb == "to":
        return _acting(subject, kind)
    if kind == "body":
        asked = _asking(predicate)
        if asked is not None:
            return asked
        if verb in ("refers", "refer"):
            return _referral(clause)
        why = _DECIDED.get(verb)
        if why is not None and not (verb in ("receive", "consider") and find_date(clause)):
            return ClauseReading(False, why=why)
        return ClauseReading(True, no_owner="names no officer: the body itself is to act")
    if kind == "thing":
        return ClauseReading(True, no_owner="names no officer")
    return _acting(subject, kind)


def _strip_lead(text: str) -> str:
    clause = " ".join(text.split()).strip()
    # Who is consulted or what a role is called in brackets names no owner.
    clause = re.sub(
        r",?\s*\b(?:in consultation with|with the agreement of|after consulting)\b[^,;]*,?",
        "",
        clause,
        flags=re.IGNORECASE,
    )
    clause = re.sub(r"^(?:[-–—:]\s*)", "", clause)
    clause = re.sub(r"^that\s+", "", clause, flags=re.IGNORECASE)
    clause = re.sub(r"[\s;,.]*(?:\b(?:and|or)\s*)?$", "", clause)
    return clause


def _whole_clause_decision(lower: str) -> str | None:
    if re.search(r"\bcorrect record\b", lower):
        return "previous minutes approved as a correct record"
    if re.search(
        r"\b(?:press and(?: the)? public|public and(?: the)? press|the public)\b", lower
    ) and ("exclud" in lower):
        return "the press and public excluded"
    if re.search(
        r"\brecommend(?:ed|s)?\b(?:\s+\w+){0,3}\s+to\s+(?:full\s+)?(?:the\s+)?council\b", lower
    ):
        return "recommended to Council: a decision for Council"
    if re.search(r"^(?:it\s+be\s+)?recommended\b", lower):
        return "a recommendation to another body: its decision"
    if re.search(r"\bno further action\b", lower):
        return "no further action"
    return None


# "the Head of ICT be asked to", "officers be requested to", anywhere in the clause.
_REQUEST = re.compile(
    r"(?P<who>(?:(?:the|that)\s+)?[\w'’&(),. -]{2,120}?)\s+be\s+(?P<how>"
    + "|".join(sorted(_REQUESTED))
    + r")\s+to\b",
    re.IGNORECASE,
)


def _explicit_request(clause: str) -> ClauseReading | None:
    for match in _REQUEST.finditer(clause):
        who = match.group("who")
        # Only the words after the last clause boundary name who is asked.
        who = re.split(r"[;:]|\band that\b|\band\s+(?=the\b)", who)[-1]
        who = re.sub(r"^(?:that\s+)?", "", who.strip(), flags=re.IGNORECASE)
        words = _WORD.findall(who)
        kind = _subject_kind(words)
        if kind in ("role", "person", "officers"):
            return _acting(words, kind)
        return ClauseReading(True, no_owner="names no officer")
    return None


def _infinitive(clause: str) -> ClauseReading:
    """Clauses written "To note the report", "To ask the Director of Finance to ..."."""
    words = _WORD.findall(clause)
    verb = words[1].lower() if len(words) > 1 else ""
    asked = _asking(words[1:])
    if asked is not None:
        return asked
    why = _DECIDED.get(verb)
    if why is not None and not (verb in ("receive", "consider") and find_date(clause)):
        return ClauseReading(False, why=why)
    return ClauseReading(True, no_owner="names no officer: the meeting itself is to act")


def _asking(predicate: list[str]) -> ClauseReading | None:
    """Who the predicate asks to act, when it asks: "asks the Director of Place to ...",
    "notes the report and requests that the Clerk arranges ...", "ask officers to ...";
    None when it asks no one. The asking verb leads the predicate or follows "and"."""
    for index, word in enumerate(predicate):
        if word.lower() not in _BODY_ASKS:
            continue
        if index and predicate[index - 1].lower() not in ("and", "to", ","):
            continue
        rest = predicate[index + 1 :]
        if rest and rest[0].lower() == "that":
            rest = rest[1:]
        split = _predicate_start(rest)
        subject = rest[:split] if split is not None else rest
        kind = _subject_kind(subject)
        if kind in ("role", "person", "officers"):
            return _acting(subject, kind)
        return ClauseReading(True, no_owner="names no officer")
    return None


def _referral(clause: str) -> ClauseReading:
    """ "be referred to Cabinet", "refers the plan to the Scrutiny Committee" hand the
    matter to another body, whose decision it is; "be referred back to officers" or to an
    officer asks them to act."""
    match = re.search(r"\brefer(?:s|red)?\b.*?\bto\s+(.{2,120})", clause, re.IGNORECASE)
    words = _WORD.findall(match.group(1)) if match is not None else []
    split = next((i for i, w in enumerate(words) if w in ",;" or w.lower() == "for"), len(words))
    kind = _subject_kind(words[:split])
    if kind in ("role", "person", "officers"):
        return _acting(words[:split], kind)
    if kind == "body":
        return ClauseReading(False, why="referred to another body: its decision")
    return ClauseReading(True, no_owner="names no officer")


def _passive(subject: list[str], kind: str, participle: str, clause: str) -> ClauseReading:
    if participle in _REQUESTED:
        if kind in ("role", "person", "officers"):
            return _acting(subject, kind)
        return ClauseReading(True, no_owner="names no officer")
    why = _DECIDED.get(participle)
    if why is not None:
        return ClauseReading(False, why=why)
    if participle == "referred":
        return _referral(clause)
    if participle in _TO_BE_DONE:
        agent = re.search(
            r"\bby\s+(?:the\s+)?((?:[A-Z][\w'’&-]*)(?:\s+(?:of|and|for|&|[A-Z][\w'’&-]*))*)", clause
        )
        if agent is not None:
            words = _WORD.findall(agent.group(1))
            if _subject_kind(words) in ("role", "person"):
                return _acting(words, "role")
        return ClauseReading(True, no_owner="names no officer")
    return ClauseReading(False, why=f"decided (be {participle}); no one is asked to act")


def _acting(subject: list[str], kind: str) -> ClauseReading:
    if kind == "officers":
        return ClauseReading(True, no_owner='names no officer ("officers")')
    named = _owners(subject)
    if not named:
        return ClauseReading(True, no_owner="names no officer")
    titles = {owner: title for owner, title in named if title is not None}
    return ClauseReading(True, owners=[owner for owner, _ in named], titles=titles)


def _predicate_start(words: list[str]) -> int | None:
    """Where the predicate starts.

    After a name or a role ("the Head of Housing Property Services report back", "Karen
    Osei to share", "officers investigate") the first lower-case word is the verb, as
    minutes write it in the subjunctive. After anything else ("the revised Internal Audit
    Charter be endorsed") only "be", a modal or "to" starts the predicate.
    """
    index = 1 if words and words[0].lower() == "the" else 0
    name = index
    while name < len(words):
        word = words[name]
        lower = word.lower()
        after = name + 1
        while after < len(words) and words[after].lower() in _CONNECTORS:
            after += 1
        following = words[after] if after < len(words) else ""
        if word[:1].isupper() or word[:1].isdigit():
            name += 1
        elif lower in _CONNECTORS and following[:1].isupper() and name > index:
            name += 1
        elif lower in ROLE_WORDS or lower in ("responsible", "relevant", "appropriate"):
            name += 1
        else:
            break
    named = words[index:name]
    kind = _subject_kind(words[:name])
    if named and kind == "person" and name < len(words) and words[name] in ",(":
        # "Jane Smith, Section 151 Officer, provide ...", "Karen Osei (Chief Internal
        # Auditor) to share ...": the title is part of the subject.
        closer = "," if words[name] == "," else ")"
        end = min(len(words), name + 12)
        close = next((i for i in range(name + 1, end) if words[i] == closer), 0)
        if close and _subject_kind(words[name + 1 : close]) == "role":
            name = close + 1
    if named and name < len(words) and kind in ("role", "person", "officers", "body"):
        return name
    for position, word in enumerate(words):
        if position and (word.lower() in ("be", "to") or word.lower() in _MODALS):
            return position
    return None


def _subject_kind(subject: list[str]) -> str:
    """ "officers", "role", "body", "person" or "thing"."""
    words = [w for w in subject if w not in "(),"]
    lower = [w.lower().strip("'’") for w in words]
    if not lower:
        return "thing"
    content = [w for w in lower if w not in ("the", "that", "all", "relevant", "appropriate")]
    if content in (["officers"], ["officer"], ["council", "officers"], ["staff"]):
        return "officers"
    if any(w in ROLE_WORDS for w in lower):
        if content and content[-1] in _BODIES and not any(w in ROLE_WORDS for w in content[:-1]):
            return "body"
        return "role"
    if content and content[-1] in _BODIES:
        return "body"
    names = [w for w in words if w[:1].isupper()]
    if len(names) >= 2 and lower[0] != "the" and len(names) == len(words):
        return "person"
    return "thing"


# A person and the title the clause gives them: "Mark Obi, Executive Director of Resources",
# "Karen Osei (Chief Internal Auditor)".
_TITLED = re.compile(
    r"^(?P<name>(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,2})"
    r"\s*(?:,\s*|\(\s*)(?:the\s+)?(?P<title>[^()]+?)\s*\)?$"
)


def _owners(subject: list[str]) -> list[tuple[str, str | None]]:
    """The owners a subject names, each with the title it gives them: "the Director of
    Finance and the Head of ICT" is two; "Karen Osei (Chief Internal Auditor)" is Karen
    Osei, titled Chief Internal Auditor; "in consultation with" names no owner."""
    text = " ".join(subject)
    text = re.sub(r"\(\s*", "(", text)
    text = re.sub(r"\s*\)", ")", text)
    # A role's own bracket ("the Corporate Director (Resources)") is no title.
    text = re.sub(
        r"\s*\((?![^)]*\b(?:" + "|".join(sorted(ROLE_WORDS)) + r")\b)[^)]*\)\s*",
        " ",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(
        r",?\s*\b(?:in consultation with|with the agreement of|after consulting)\b.*$",
        "",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"\s+([,;])", r"\1", text)
    pieces = re.split(r",\s*(?:and\s+)?(?=the\b)|\s+and\s+(?=the\b)", text, flags=re.IGNORECASE)
    owners: list[tuple[str, str | None]] = []
    for piece in pieces:
        piece = re.sub(r"^(?:the|that)\s+", "", piece.strip(" ,"), flags=re.IGNORECASE).strip()
        if not piece or piece.lower() in ("officers", "officer"):
            continue
        titled = _TITLED.match(piece)
        if titled is not None and _subject_kind(_WORD.findall(titled.group("name"))) == "person":
            title = titled.group("title").strip(" ,")
            if _subject_kind(_WORD.findall(title)) == "role":
                owners.append((titled.group("name"), title))
                continue
        owners.append((re.sub(r"\s*\([^)]*\)", "", piece).strip(), None))
    return owners


# --- dates in a clause ------------------------------------------------------------------

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15,
    "twenty": 20, "twenty-one": 21, "twenty-eight": 28, "thirty": 30,
}  # fmt: skip
_WITHIN = re.compile(
    r"\bwithin\s+(?P<n>\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")\s+(?P<working>working\s+|"
    r"calendar\s+|clear\s+)?(?P<unit>days?|weeks?|months?)\s+(?:of|after|following|from)\s+"
    r"(?:this|the|today's)\s+(?:meeting|date)",
    re.IGNORECASE,
)
_NEXT_MEETING = re.compile(
    r"\b(?:(?:to|at|by|before|for|until)\s+)?(?:the|its)\s+next\s+(?:(?:scheduled|ordinary|"
    r"available)\s+)?(?:meeting|committee)\b",
    re.IGNORECASE,
)
# Temporal words a date phrase starts with, strongest (a deadline) first.
_DEADLINE = r"by|before|no\s+later\s+than|not\s+later\s+than|on\s+or\s+before|until|ahead\s+of"
_PERIOD = r"in|during|over|for\s+the\s+meeting\s+in|at\s+the\s+meeting\s+in"
_ON = r"on|at\s+(?:its|the)\s+meeting\s+(?:on|of)"
_PHRASE = re.compile(rf"\b(?P<prep>{_DEADLINE}|{_PERIOD}|{_ON})\s+", re.IGNORECASE)
_MEETING_BEFORE = re.compile(r"\bmeeting\s*$", re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+", re.IGNORECASE)
# Where a date phrase ends; "of the" but not in "the end of the financial year".
_STOP = re.compile(
    r"[,;()]|\s(?:and|to|with|so|which|that|for|on|at|in|(?<!\bend\s)of\s+the)\s", re.IGNORECASE
)
# "before the end of the municipal year": a deadline, though no date can be read from it.
_END_OF = re.compile(
    rf"\b(?:{_DEADLINE})\s+the\s+(?:end|start|beginning|close)\s+of\s+(?:the\s+|this\s+)?"
    r"(?:[\w/-]+\s+){0,2}?(?:year|term|quarter|session|recess)\b",
    re.IGNORECASE,
)
_READ_KINDS = frozenset({"exact", "month", "season", "approximate"})


@dataclass(frozen=True)
class DatePhrase:
    """A date phrase found in prose: its words as written and what they mean."""

    text: str
    parsed: ParsedDate


def find_date(
    text: str, *, reference: date | None = None, next_meeting: date | None = None
) -> DatePhrase | None:
    """The date a clause gives: a deadline ("by 24 April 2026", "no later than the end of
    June"), else a period ("in September 2026", "in the autumn"), else a day ("on 3 May"),
    "within five working days of this meeting" (counted from `reference`, the meeting),
    or "to the next meeting" (`next_meeting`, or kept as words and flagged).
    """
    found: dict[int, DatePhrase] = {}
    for match in _PHRASE.finditer(text):
        prep = " ".join(match.group("prep").lower().split())
        rank = 0 if re.fullmatch(_DEADLINE, prep) else 1 if re.fullmatch(_PERIOD, prep) else 2
        if rank == 2 and _MEETING_BEFORE.search(text, 0, match.start()):
            # "report to the Panel's meeting on 16 June 2026": the day it is due.
            rank = 0
        if rank in found:
            continue
        phrase = _phrase_at(text, match.start(), match.end(), reference, exact_only=rank == 2)
        if phrase is not None:
            found[rank] = phrase
    within = _WITHIN.search(text)
    if within is not None and reference is not None and 0 not in found:
        found[0] = _within(within, reference)
    if found:
        return found[min(found)]
    end = _END_OF.search(text)
    if end is not None:
        words = end.group(0)
        note = "could not read a date from it: kept as written"
        return DatePhrase(words, ParsedDate(words, None, "unreadable", note=note))
    meeting = _NEXT_MEETING.search(text)
    if meeting is not None:
        words = meeting.group(0)
        if next_meeting is not None:
            note = (
                f"the next meeting, {next_meeting.day} {next_meeting:%B %Y}, as the minutes give it"
            )
            return DatePhrase(words, ParsedDate(words, next_meeting, "exact", note=note))
        return DatePhrase(
            words,
            ParsedDate(words, None, "unreadable", note="the minutes give no date for it"),
        )
    return None


def _phrase_at(
    text: str, start: int, after: int, reference: date | None, *, exact_only: bool
) -> DatePhrase | None:
    tail = text[after:]
    stop = _STOP.search(tail)
    window = tail[: stop.start()] if stop else tail
    words = window.split()[:7]
    # A date ends before a word with no letter or digit in it ("31 March 2026 🔒").
    words = words[: next((i for i, w in enumerate(words) if not any(map(str.isalnum, w))), 7)]
    prep = text[start:after].strip()
    for count in range(len(words), 0, -1):
        shown = " ".join([prep, *words[:count]]).rstrip(".;:,")
        plain = _WEEKDAY.sub("", shown)
        plain = re.sub(r"\bthe\s+(spring|summer|autumn|winter)\b", r"\1", plain, flags=re.I)
        parsed = parse_date(plain, reference=reference)
        if parsed.kind not in _READ_KINDS or parsed.value is None:
            continue
        if parsed.note and "taken from a sentence" in parsed.note:
            continue
        if exact_only and parsed.kind != "exact":
            continue
        return DatePhrase(shown, ParsedDate(shown, parsed.value, parsed.kind, note=parsed.note))
    return None


def _within(match: re.Match[str], meeting: date) -> DatePhrase:
    raw = match.group("n").lower()
    count = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
    unit = match.group("unit").lower().rstrip("s")
    working = (match.group("working") or "").strip().lower() == "working"
    if unit == "week":
        day = meeting + timedelta(weeks=count)
    elif unit == "month":
        month = meeting.month - 1 + count
        year, month = meeting.year + month // 12, month % 12 + 1
        day = meeting.replace(year=year, month=month, day=min(meeting.day, 28))
    elif working:
        day = meeting
        left = count
        while left:
            day += timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
    else:
        day = meeting + timedelta(days=count)
    words = match.group(0)
    note = f"counted from the meeting on {meeting.day} {meeting:%B %Y}" + (
        " (weekends skipped, not bank holidays)" if working else ""
    )
    return DatePhrase(words, ParsedDate(words, day, "exact", note=note))


# A date written out in full ("12 March 2026", "4th February 2026"): the date of a
# meeting or a report, as its first page gives it.
FULL_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December)\s+\d{4}\b",
    re.IGNORECASE,
)


def first_date(texts: Iterable[str]) -> date | None:
    """The first date written out in full in `texts`: the meeting's or the report's own."""
    for text in texts:
        match = FULL_DATE.search(text)
        if match is not None:
            parsed = parse_date(match.group(0))
            if parsed.kind == "exact" and parsed.value is not None:
                return parsed.value
    return None
