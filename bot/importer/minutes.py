"""Actions from committee minutes: each resolution clause that asks someone to act.

Minutes are a run of minutes, each a number (``23/26``, ``23.``, ``Minute 23``,
``AGC/23/26``) and a heading, some discussion, and a resolution: "RESOLVED that the report
be noted", "AGREED that: (a) ...; (b) ...", "RESOLVED – (1) To note ...", "Resolved:".
Every clause of every resolution is read (`clauses.read_clause`): those that ask an officer
to act become candidate actions, ref ``23/26 (b)`` (``27/26`` for a single clause), theme
the minute's heading, owner the officer named, date the one the clause gives; the others
are listed as decisions, with why. The meeting's date (for "within five working days of
this meeting") and the next meeting's (for "report back to the next meeting") are read
from the minutes themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.core.when import plural
from bot.importer.clauses import FULL_DATE, ROLE_WORDS, find_date, first_date, read_clause
from bot.importer.dates import parse_date
from bot.importer.prose import NotAction, Paragraph, label_kind, split_label
from bot.importer.prose_actions import Candidate, ProseReading

__all__ = ["read_minutes"]

# A minute's number at the start of its paragraph.
_MINUTE = re.compile(
    r"^(?:(?P<word>minute|min\.?|item|agenda\s+item)\s*(?:no\.?\s*)?)?"
    r"(?P<number>(?:[A-Z]{1,8}[\s/.-]?)?\d{1,4}(?:[/.]\d{1,4}){0,2})(?P<dot>\.?)"
    r"(?=\s|$)\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# What a resolution starts with: "RESOLVED that", "It was RESOLVED:", "AGREED –",
# "The Committee RESOLVED", "The Audit Committee AGREED to", "Members resolved to:",
# "Resolved:", "DECISION:", "ACTION:". The keyword's case matters (a capitalised RESOLVED
# is a resolution, "resolved" in a sentence may not be); the words before it do not.
_KEYWORDS = "RESOLVED|AGREED|DECIDED|DECISION|DECISIONS|NOTED|ACTION|ACTIONS|ACTIONS AGREED"
_BODY = (
    r"committee|cabinet|council|board|panel|sub-committee|members|meeting|authority|forum|"
    r"executive|group|partnership"
)
_RESOLUTION = re.compile(
    r"^(?i:(?P<who>it\s+was\s+(?:therefore\s+|also\s+|further\s+)?|(?:the\s+)?"
    rf"(?:[a-z&-]+\s+){{0,3}}?(?:{_BODY})\s+(?:therefore\s+|also\s+|then\s+|unanimously\s+)?))?"
    rf"(?P<keyword>{_KEYWORDS}|Resolved|Agreed|Decided|Decision|Noted|Actions?|"
    r"resolved|agreed|decided)\b"
    r"(?P<rest>.*)$",
    re.DOTALL,
)
# "It was moved by Councillor Barnes, seconded by Mrs Fielding and RESOLVED:", "On being
# put to the vote it was RESOLVED that": a capitalised keyword after a preamble.
_AFTER_PREAMBLE = re.compile(
    r"^.{3,250}?(?:,\s*|\s+and\s+|\s+)(?i:it\s+was\s+)?(?i:(?:therefore|unanimously)\s+)?"
    r"(?P<keyword>RESOLVED|AGREED|DECIDED)\b(?P<rest>.*)$",
    re.DOTALL,
)
# How the words after a keyword written in lower case begin when it starts a resolution.
_LABEL_REST = re.compile(r"^\s*(?:[:–—-]|that\b|\(|$)", re.IGNORECASE)
_LOWER_REST = re.compile(r"^\s*(?:[:–—-]|that\b|to\b|\(|$)", re.IGNORECASE)
_LEAD = re.compile(
    r"^(?:\s|[:–—-]|\(\s*(?:unanimously|by\s[^)]*)\s*\)|unanimously|\bthat\b(?=\s*:?\s*$)|,)*",
    re.IGNORECASE,
)
_ATTENDEE = re.compile(
    r"(?P<name>(?:(?:Councillor|Cllr\.?|Mr|Mrs|Ms|Miss|Dr)\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,3})"
    r"\s*\((?P<role>[^()]{3,160})\)"
)
# The other way round, as fire and police minutes list officers: "Chief Fire Officer
# (Gareth Lloyd)", "Treasurer/S151 Officer (Hugh Barr)".
_ATTENDEE_BY_ROLE = re.compile(
    r"(?P<role>[A-Z][\w/'’&-]*(?:\s+(?:of|and|for|to|the|&|[A-Z0-9][\w/'’&-]*)){0,9})"
    r"\s*\((?P<name>(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2})\)"
)


@dataclass
class _Minute:
    number: str
    heading: str | None
    paragraph: Paragraph


@dataclass
class _State:
    minute: _Minute | None = None
    candidates: list[Candidate] = field(default_factory=list)
    not_actions: list[NotAction] = field(default_factory=list)
    refs: set[str] = field(default_factory=set)
    resolutions: int = 0


def read_minutes(paragraphs: list[Paragraph], *, described: str) -> ProseReading | None:
    """The actions of minutes, or None when the paragraphs hold no resolution."""
    starts = [i for i, p in enumerate(paragraphs) if _resolution(p) is not None]
    if not starts:
        return None
    first_minute = next(
        (i for i, p in enumerate(paragraphs) if _minute(p, paragraphs, i) is not None),
        len(paragraphs),
    )
    opening = paragraphs[: min(first_minute, starts[0])]
    meeting = _meeting_date(paragraphs[: starts[0]]) or first_date(
        p.text for p in (opening or paragraphs[:8])
    )
    next_meeting = _next_meeting(paragraphs, meeting)
    roles = _attendance(paragraphs[: starts[0]] if first_minute > starts[0] else opening)
    state = _State()
    index = 0
    minutes = 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        minute = _minute(paragraph, paragraphs, index)
        if minute is not None:
            state.minute = minute
            minutes += 1
            index += 2 if minute.heading is not None and not _rest_of(paragraph) else 1
            continue
        found = _resolution(paragraph)
        if found is None:
            index += 1
            continue
        keyword, rest = found
        state.resolutions += 1
        index = _read_resolution(
            paragraphs,
            index,
            keyword,
            rest,
            state,
            meeting=meeting,
            next_meeting=next_meeting,
            roles=roles,
        )
    warnings: list[str] = []
    if meeting is None:
        warnings.append(
            "the minutes give no meeting date: dates counted from the meeting were not read"
        )
    what = f"{described}: {plural(minutes, 'minute')}, {plural(state.resolutions, 'resolution')}"
    if meeting is not None:
        what += f", meeting of {meeting.day} {meeting:%B %Y}"
    return ProseReading("minutes", state.candidates, state.not_actions, what, warnings)


def _rest_of(paragraph: Paragraph) -> str:
    match = _MINUTE.match(paragraph.text)
    return match.group("rest").strip() if match else paragraph.text


def _minute(paragraph: Paragraph, paragraphs: list[Paragraph], index: int) -> _Minute | None:
    """The minute that starts at this paragraph, if one does."""
    match = _MINUTE.match(paragraph.text)
    if match is None:
        return None
    number, rest = match.group("number"), match.group("rest").strip()
    if _resolution_text(rest) is not None and not match.group("word"):
        return None
    slashed = "/" in number or bool(re.match(r"^[A-Za-z]", number))
    worded = match.group("word") is not None
    if rest:
        looks_like_heading = paragraph.heading or paragraph.bold or _shouting(rest)
        if not (looks_like_heading or (worded and len(rest.split()) <= 15)):
            # "3. The Committee considered..." or "2.1 This report...": a numbered
            # paragraph, not a minute, unless the number is a minute's (23/26).
            if not slashed:
                return None
            return _Minute(_number(match), None, paragraph)
        if not (slashed or worded) and "." in number:
            return None  # "2.1 Background": a report's section, not a minute
        heading = rest if len(rest.split()) <= 20 else None
        return _Minute(_number(match), heading, paragraph)
    if not (slashed or worded or paragraph.bold or paragraph.heading):
        return None
    following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
    heading = None
    if following is not None and (following.heading or _shouting(following.text)):
        heading = following.text
    return _Minute(_number(match), heading, paragraph)


def _number(match: re.Match[str]) -> str:
    return " ".join(match.group("number").split())


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _resolution(paragraph: Paragraph) -> tuple[str, str] | None:
    """(keyword, the words after it) when the paragraph starts a resolution (perhaps
    after its minute's number: "24. RESOLVED that ...")."""
    found = _resolution_text(paragraph.text)
    if found is not None:
        return found
    minute = _MINUTE.match(paragraph.text)
    if minute is not None and minute.group("rest"):
        return _resolution_text(minute.group("rest"))
    return None


def _resolution_text(text: str) -> tuple[str, str] | None:
    match = _RESOLUTION.match(text)
    if match is None:
        match = _AFTER_PREAMBLE.match(text)
        if match is None or not re.match(r"^\s*(?:[:–—-]|that\b|to\b|\(|$)", match["rest"]):
            return None
        return match["keyword"], _LEAD.sub("", match["rest"], count=1).strip()
    keyword, rest = match.group("keyword"), match.group("rest")
    if keyword.islower():
        # "The Committee resolved to:", "Members agreed that": only after the body.
        if not match.group("who") or not _LOWER_REST.match(rest):
            return None
    elif not keyword.isupper():
        # "Resolved:", "Agreed –", "Decision:" in title case only as a label; "Agreed to"
        # after the body that agreed.
        if not (_LOWER_REST if match.group("who") else _LABEL_REST).match(rest):
            return None
        if keyword.lower() in ("noted", "action", "actions") and not rest.lstrip().startswith(
            (":", "–", "-")
        ):
            return None
    if keyword.upper().startswith("ACTION") and not re.match(
        r"^\s*(?:[:–—-]|S?\b\s*(?:AGREED)?\s*:)", rest
    ):
        return None
    return keyword.upper(), _LEAD.sub("", rest, count=1).strip()


def _read_resolution(
    paragraphs: list[Paragraph],
    index: int,
    keyword: str,
    rest: str,
    state: _State,
    *,
    meeting: date | None,
    next_meeting: date | None,
    roles: list[tuple[str, str]],
) -> int:
    """Read the clauses of the resolution at `index`; the index after its last clause."""
    paragraph = paragraphs[index]
    context = _Context(state, keyword, meeting, next_meeting, roles, _own_number(paragraph, state))
    inline = _inline_clauses(rest)
    if inline:
        for shown, text in inline:
            context.clause(shown, text, paragraph, source=f"({shown}) {text}")
        return index + 1
    if rest and not rest.rstrip().endswith(":"):
        context.clause(None, rest, paragraph, source=paragraph.text)
        return index + 1
    lead = rest.rstrip().rstrip(":").strip()
    lead = "" if lead.lower() in ("that", "") else lead
    index += 1
    clauses: list[tuple[str, str, Paragraph]] = []
    kinds: list[str] = []
    while index < len(paragraphs):
        current = paragraphs[index]
        if _minute(current, paragraphs, index) is not None or _resolution(current) is not None:
            break
        label, body = split_label(current.text)
        if label is None:
            if clauses and body[:1].islower():  # a clause carried on (a page break)
                last_label, last_text, last_paragraph = clauses[-1]
                clauses[-1] = (last_label, f"{last_text} {body}", last_paragraph)
                index += 1
                continue
            if not clauses and re.match(r"^that\b", body, re.IGNORECASE):
                clauses.append((str(len(clauses) + 1), body, current))
                kinds.append("number")
                index += 1
                continue
            if clauses and kinds[-1] == "number" and re.match(r"^that\b", body, re.I):
                clauses.append((str(len(clauses) + 1), body, current))
                index += 1
                continue
            break
        clauses.append((label, body, current))
        kinds.append(label_kind(label))
        index += 1
    if not clauses:
        if lead:
            context.clause(None, lead, paragraph, source=paragraph.text)
        return index
    _read_list(clauses, kinds, lead, context)
    return index


def _read_list(
    clauses: list[tuple[str, str, Paragraph]], kinds: list[str], lead: str, context: _Context
) -> None:
    """Clauses in order; a clause ending "to:" leads the items under it, numbered in
    another style: "(a) the Director be asked to: (i) review ...; (ii) report ..."."""
    top = kinds[0] if kinds[0] != "roman" or clauses[0][0].strip("()") == "i" else "letter"
    if top == "roman" and len(set(kinds)) > 1 and "letter" in kinds:
        top = "letter"
    parent: tuple[str, str] | None = None
    bullets = 0
    for (label, text, paragraph), kind in zip(clauses, kinds, strict=True):
        shown = label.strip("().")
        if kind == "bullet":
            bullets += 1
            shown = str(bullets)
        nested = (
            parent is not None
            and kind != top
            and not (top == "letter" and kind == "roman" and _letter_follows(parent[0], shown))
        )
        if nested and parent is not None:
            parent_label, parent_text = parent
            joined = f"{parent_text.rstrip().rstrip(':').rstrip()} {text}"
            context.clause(
                f"{parent_label})({shown}", joined, paragraph, source=f"{label} {text}", lead=lead
            )
            continue
        if text.rstrip().endswith(":"):
            parent = (shown, text)
            continue
        parent = None
        context.clause(shown, text, paragraph, source=f"{label} {text}", lead=lead)


def _own_number(paragraph: Paragraph, state: _State) -> str | None:
    """ "47.3" for "47.3 The Committee AGREED to ..." under minute 47."""
    match = _MINUTE.match(paragraph.text)
    minute = state.minute
    if match is None or minute is None:
        return None
    number = _number(match)
    return number if number.startswith(f"{minute.number}.") else None


def _letter_follows(previous: str, label: str) -> bool:
    """ "i" after "h" is the letter i, not the roman one."""
    return len(previous) == 1 and len(label) == 1 and ord(label) == ord(previous) + 1


def _inline_clauses(rest: str) -> list[tuple[str, str]]:
    """ "(a) that the report be noted; (b) that the Director ..." written in one paragraph."""
    if not re.match(r"^\(?(?:[a-z]|[ivx]{1,4}|\d{1,2})\)\s", rest):
        return []
    parts = re.split(r"(?:^|(?<=[;.:]))\s*\(?((?:[a-z]|[ivx]{1,4}|\d{1,2}))\)\s+", rest)
    found = []
    for position in range(1, len(parts) - 1, 2):
        found.append((parts[position], parts[position + 1].strip()))
    return found if len(found) >= 1 else []


@dataclass
class _Context:
    state: _State
    keyword: str
    meeting: date | None
    next_meeting: date | None
    roles: list[tuple[str, str]]
    # The resolution's own paragraph number under its minute ("47.3"), if it has one.
    number: str | None = None

    def clause(
        self,
        label: str | None,
        text: str,
        paragraph: Paragraph,
        *,
        source: str,
        lead: str = "",
    ) -> None:
        minute = self.state.minute
        ref = self._ref(minute, label)
        where = paragraph.where
        title = _title(text)
        # "RESOLVED that the Director of Finance be asked to: (a) review ..." asks the
        # Director to review: the clause is read with the words that lead it in.
        lead = re.sub(r"^that\b\s*", "", lead, flags=re.IGNORECASE)
        full = f"{lead} {text}" if lead else text
        if self.keyword == "NOTED":
            self.state.not_actions.append(NotAction(ref, title, "noted", where))
            return
        reading = read_clause(full)
        if not reading.is_action and not self.keyword.startswith("ACTION"):
            self.state.not_actions.append(NotAction(ref, title, reading.why, where))
            return
        candidate = Candidate(
            ref=ref,
            title=title,
            paragraph=paragraph,
            source=" ".join(source.split()),
            theme=minute.heading if minute is not None else None,
            owners=list(reading.owners),
            date=find_date(full, reference=self.meeting, next_meeting=self.next_meeting),
        )
        for owner in candidate.owners:
            # Another name for the owner, should the register know that one: the title
            # the clause gives a person, the person the attendance list gives for a role.
            other = reading.titles.get(owner) or _holder(owner, self.roles)
            if other is not None:
                candidate.aliases[owner] = other
        if not candidate.owners:
            candidate.notes.append(f"no owner: the clause {reading.no_owner or 'names no one'}")
        self.state.candidates.append(candidate)

    def _ref(self, minute: _Minute | None, label: str | None) -> str:
        if minute is not None:
            base = minute.number
        else:
            # Resolutions under no minute number are numbered in order: R1, R2 (a)...
            base = f"R{self.state.resolutions}"
        ref = f"{base} ({label})" if label else base
        if ref in self.state.refs and self.number is not None:
            # A second resolution under one minute: its paragraph number tells them apart.
            ref = f"{self.number} ({label})" if label else self.number
        unique, count = ref, 1
        while unique in self.state.refs:
            count += 1
            unique = f"{ref}-{count}"
        self.state.refs.add(unique)
        return unique


def _title(text: str) -> str:
    title = " ".join(text.split())
    title = re.sub(r"^that\s+", "", title, flags=re.IGNORECASE)
    title = re.sub(r"[\s;,.]*(?:\b(?:and|or)\b)?[\s;,.]*$", "", title)
    return title


# Where minutes give the next meeting's date: "DATE OF NEXT MEETING" (the date below),
# "The next meeting will be held on ...", "Next meeting: 9 June 2026". A clause asking
# someone to "attend the next meeting" is not one of them, whatever follows it.
_NEXT_MEETING_GIVEN = re.compile(
    r"\bdate\s+of\s+(?:the\s+)?next\s+meeting\b|\bnext\s+meeting\b(?:\s+of\s+the\s+[\w\s&-]{2,60}?)?"
    r"\s*(?:[:–—-]|(?:will|would|is|shall|to)\s+(?:be\s+held|take\s+place|be\b|is\b))",
    re.IGNORECASE,
)
# The minutes' own opening: "Minutes of a meeting ... held on Thursday 22 January 2026".
_HELD = re.compile(
    r"^(?:the\s+)?(?:(?:draft|unconfirmed|confirmed)\s+)?(?:minutes|notes|record)\b.*\bheld\b",
    re.IGNORECASE | re.DOTALL,
)


def _meeting_date(before: list[Paragraph]) -> date | None:
    """The date of the meeting the minutes record, from the last paragraph before the
    first resolution that opens "Minutes of the meeting ... held on": an agenda pack's
    front sheet, dated for the meeting the pack is for, comes before the minutes of the
    one before it; a minute headed "24. Minutes of the meeting held on 25 September"
    opens with its number, and is about another meeting."""
    held = [p.text for p in before if _HELD.search(p.text)]
    return first_date(reversed(held))


def _next_meeting(paragraphs: list[Paragraph], meeting: date | None) -> date | None:
    """The date the minutes give for the next meeting: in the paragraph that says so, or
    (under a heading "Date of next meeting") the one after it."""
    for index, paragraph in enumerate(paragraphs):
        if not _NEXT_MEETING_GIVEN.search(paragraph.text):
            continue
        texts = [paragraph.text]
        if index + 1 < len(paragraphs) and not FULL_DATE.search(paragraph.text):
            texts.append(paragraphs[index + 1].text)
        for text in texts:
            for match in FULL_DATE.finditer(text):
                value = parse_date(match.group(0)).value
                if value is not None and (meeting is None or value > meeting):
                    return value
    return None


def _attendance(paragraphs: list[Paragraph]) -> list[tuple[str, str]]:
    """(role as written, lower case; person) from "Rachel Dunmore (Director of Finance and
    Section 151 Officer)"; councillors' brackets say whom they stand in for, not a role."""
    found: list[tuple[str, str]] = []
    for paragraph in paragraphs:
        for match in _ATTENDEE.finditer(paragraph.text):
            name = match.group("name")
            if name.split()[0] in ("Councillor", "Cllr", "Cllr."):
                continue
            found.append((match.group("role").lower(), name))
        for match in _ATTENDEE_BY_ROLE.finditer(paragraph.text):
            role = re.sub(r"^(?:the\s+)", "", match.group("role"), flags=re.IGNORECASE)
            if any(w.lower() in ROLE_WORDS for w in re.findall(r"[\w/-]+", role)):
                found.append((role.lower(), match.group("name")))
    return found


def _holder(role: str, roles: list[tuple[str, str]]) -> str | None:
    """The person the attendance list gives for `role`, whole words matched."""
    pattern = re.compile(rf"(?:^|[\s,(]){re.escape(role.lower())}(?:$|[\s,)])")
    for held, name in roles:
        if pattern.search(held):
            return name
    return None
