"""Actions from a report: the lists under headings that carry actions, and targets.

A programme or progress report lists its actions under headings such as "Actions
carried forward", "Actions to be carried over", "Next steps", "Recommendations" or
"Targets", a lead-in such as "The Board has agreed the following targets:", or as
items ending in a bracketed target date, "Reduce office buildings from five to three
(Autumn 26)". Each item becomes an action; its theme is the heading above the list (the
workstream, the programme), its owner the lead named for that section ("Workstream
lead: Sam Okafor, Head of Customer Services") or in the item, its date the bracketed
text, read as dates are read everywhere ("Summer 26" is a season). Items under "Completed"
headings, and recommendations that only note or approve, are listed as not actions.

Refs are made from the item's words (without its date), not its place in the list, so
the next quarter's report, with an item added or its date moved, updates the same actions:
"CA-7KQ2" is the theme's initials and a hash of the normalised text.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from bot.core.when import plural
from bot.importer.clauses import DatePhrase, find_date, first_date, read_clause
from bot.importer.dates import parse_date
from bot.importer.prose import NotAction, Paragraph, label_kind, split_label
from bot.importer.prose_actions import Candidate, ProseReading

__all__ = ["read_report", "report_ref"]

_ACTION_LEAD = re.compile(
    r"\b(?:actions?\b(?!\s+(?:completed|taken|closed|achieved))|next\s+steps|carried\s+"
    r"(?:forward|over)|carry\s+(?:forward|over)|recommendations?|recommended|targets?|"
    r"milestones|priorities|to\s+do\b|will\s+(?:do|deliver)|planned|forward\s+plan|"
    r"improvement\s+plan|outstanding|to\s+be\s+(?:done|delivered|completed)|areas?\s+for\s+"
    r"improvement|we\s+will)\b",
    re.IGNORECASE,
)
_DONE_LEAD = re.compile(
    r"\b(?:completed?|achieve(?:d|ments?)|delivered|done|closed|highlights|successes|"
    r"what\s+went\s+well|what\s+we\s+(?:have\s+)?did|progress\s+(?:this|made|to\s+date))\b",
    re.IGNORECASE,
)
# Headings of prose about the programme, whose lists are not actions unless dated.
_CONTEXT_LEAD = re.compile(
    r"\b(?:background|risks?|issues?|lessons|key\s+facts|context|summary|purpose|"
    r"implications|introduction|finance|financial)\b",
    re.IGNORECASE,
)
_RECOMMEND_LEAD = re.compile(r"\brecommend", re.IGNORECASE)
_OWNER_LINE = re.compile(
    r"^(?:(?:workstream|programme|project|theme|service|lead|responsible|accountable)\s+)?"
    r"(?:lead(?:\s+officer)?|owner|responsible\s+officer|sponsor|accountable\s+officer)s?"
    r"\s*[:\-–]\s*(?P<who>.+)$",
    re.IGNORECASE,
)
_BRACKET_AT_END = re.compile(r"\s*\((?P<inner>[^()]{2,60})\)\s*[.;,]?\s*$")
# "Launch the new website – March 2027", "Contract signed: 31 May 2026".
_DASHED_AT_END = re.compile(r"\s+[–—-]\s+(?P<inner>[^–—()]{3,40})$|:\s+(?P<after>[^:()]{3,40})$")
# "(Target: Q2 2026/27)", "(due: end of June 2026)": the label is not part of the date.
_DATE_LABEL = re.compile(
    r"^(?:target(?:\s+date)?|due(?:\s+date)?|deadline|timescale|date|when)\s*[:\-–]\s*",
    re.IGNORECASE,
)
_BRACKET_OWNER = re.compile(
    r"^(?:lead|owner|responsible(?:\s+officer)?|by\s+whom|who)\s*[:\-–]\s*(?P<who>.+)$",
    re.IGNORECASE,
)
_READ_KINDS = frozenset({"exact", "month", "season", "approximate"})


@dataclass
class _Heading:
    text: str  # number removed
    level: int
    number: str | None


@dataclass
class _State:
    headings: list[_Heading] = field(default_factory=list)
    lead: str | None = None  # the heading or lead-in of the list being read
    lead_kind: str = ""  # "action" | "recommendation" | "done" | ""
    owner: str | None = None
    candidates: list[Candidate] = field(default_factory=list)
    not_actions: list[NotAction] = field(default_factory=list)
    refs: set[str] = field(default_factory=set)


def read_report(paragraphs: list[Paragraph], *, described: str, today: date) -> ProseReading | None:
    """The actions a report lists, or None when it lists none."""
    reference = first_date(p.text for p in paragraphs[:25]) or today
    state = _State()
    for paragraph in paragraphs:
        label, body = split_label(paragraph.text)
        kind = label_kind(label) if label is not None else None
        if paragraph.heading and kind in (None, "section", "number"):
            _heading(state, paragraph, label, body)
            continue
        owner = _OWNER_LINE.match(paragraph.text)
        if owner is not None and label is None:
            state.owner = _owner_name(owner.group("who"))
            continue
        if kind == "section" and state.lead_kind in ("action", "recommendation"):
            if not body.rstrip().endswith(":"):
                # "5.1 The service will procure a new operator by March 2027." under
                # "5. Next steps": the report's own numbered paragraphs are its items.
                _item(state, paragraph, label or "", body, reference)
                continue
        if label is None or kind == "section":
            # Prose, or a numbered paragraph ("2.1 Cabinet is recommended to:"): it may
            # lead in the list that follows.
            _lead_in(state, body if kind == "section" else paragraph.text)
            continue
        _item(state, paragraph, label, body, reference)
    if not state.candidates:
        return None
    themes = {c.theme for c in state.candidates}
    what = (
        f"{described}: {plural(len(state.candidates), 'listed action')} under "
        f"{plural(len(themes), 'heading')}"
    )
    return ProseReading("report", state.candidates, state.not_actions, what)


def _heading(state: _State, paragraph: Paragraph, label: str | None, body: str) -> None:
    text = body if label is not None else paragraph.text
    kind = _lead_kind(text)
    if kind and label is None:
        # "Actions carried forward", "Completed this quarter": a list's heading, not a
        # section of its own. A numbered one ("2. Recommendations") is both.
        state.lead, state.lead_kind = text, kind
        return
    number = label.rstrip(".") if label is not None else None
    level = (
        number.count(".") + 1 if number else (state.headings[-1].level + 1 if state.headings else 1)
    )
    while state.headings and state.headings[-1].level >= level:
        state.headings.pop()
    state.headings.append(_Heading(text, level, number))
    state.lead, state.lead_kind, state.owner = (text, kind, None) if kind else (None, "", None)


def _lead_kind(text: str) -> str:
    if len(text.split()) > 30:
        return ""
    if _DONE_LEAD.search(text) and not re.search(r"\bto\s+be\s+completed\b", text, re.I):
        return "done"
    if _RECOMMEND_LEAD.search(text):
        return "recommendation"
    if _ACTION_LEAD.search(text):
        return "action"
    if _CONTEXT_LEAD.search(text):
        return "context"
    return ""


def _lead_in(state: _State, text: str) -> None:
    stripped = text.rstrip()
    if stripped.endswith(":"):
        # "That Cabinet:" under "Recommendations" leads the recommendations.
        kind = _lead_kind(stripped) or state.lead_kind
        state.lead, state.lead_kind = stripped.rstrip(":"), kind
    else:
        # Prose between lists ends the list a heading led in.
        if state.lead_kind != "" and not stripped.endswith(":"):
            state.lead, state.lead_kind = None, ""


def _item(state: _State, paragraph: Paragraph, label: str, body: str, reference: date) -> None:
    text = " ".join(body.split())
    title, date_phrase, owner = _split_item(text, reference)
    theme, section = _theme(state)
    lead = state.lead or ""
    if state.lead_kind == "done":
        state.not_actions.append(NotAction(None, title, f"under '{lead}': done", paragraph.where))
        return
    owners: list[str] = [owner] if owner else []
    notes: list[str] = []
    if state.lead_kind == "recommendation":
        reading = read_clause(f"To {text}" if text[:1].islower() else text)
        if not reading.is_action:
            verb = text.split()[0].lower() if text.split() else ""
            verb = verb[:-1] if verb.endswith("s") and not verb.endswith("ss") else verb
            why = f"a recommendation to {verb}: the meeting's decision, not an action"
            state.not_actions.append(NotAction(None, title, why, paragraph.where))
            return
        owners = owners or list(reading.owners)
    elif state.lead_kind != "action" and date_phrase is None:
        return  # a list in the text, not of actions
    if not owners and state.owner:
        owners = [state.owner]
    if not owners:
        notes.append("no owner: no one is named for it or its section")
    candidate = Candidate(
        ref=report_ref(theme, title, state.refs),
        title=title,
        paragraph=paragraph,
        source=f"{label} {text}",
        theme=theme,
        section=section,
        owners=owners,
        date=date_phrase,
        notes=notes,
    )
    state.candidates.append(candidate)


def _theme(state: _State) -> tuple[str | None, str | None]:
    if not state.headings:
        return None, None
    theme = state.headings[-1].text
    section = state.headings[-2].text if len(state.headings) >= 2 else None
    return theme, section


def _split_item(text: str, reference: date) -> tuple[str, DatePhrase | None, str | None]:
    """(title, date, owner) of an item: a bracketed date at its end is its date, kept as
    written ("Autumn 26"); a bracketed "Lead: X" its owner; else a date phrase in it."""
    title = text.rstrip(" .;,")
    owner: str | None = None
    found: DatePhrase | None = None
    bracket = _BRACKET_AT_END.search(title)
    if bracket is not None:
        parts = [p.strip() for p in re.split(r"[;,]", bracket.group("inner")) if p.strip()]
        kept: list[str] = []
        for part in parts:
            who = _BRACKET_OWNER.match(part)
            if who is not None:
                owner = who.group("who").strip()
                continue
            dated = _read_date(_DATE_LABEL.sub("", part), reference) if found is None else None
            if dated is not None:
                found = dated
                continue
            kept.append(part)
        if owner is not None or found is not None:
            title = title[: bracket.start()].rstrip()
            if kept:
                title += f" ({', '.join(kept)})"
    if found is None:
        dashed = _DASHED_AT_END.search(title)
        if dashed is not None:
            found = _read_date(dashed.group("inner") or dashed.group("after"), reference)
            if found is not None:
                title = title[: dashed.start()].rstrip()
    if found is None:
        found = find_date(title, reference=reference)
    return title, found, owner


def _read_date(text: str, reference: date) -> DatePhrase | None:
    """`text` as a date, when the whole of it is one ("Autumn 26", "31 May 2026")."""
    text = text.strip()
    parsed = parse_date(text, reference=reference)
    if (
        parsed.kind in _READ_KINDS
        and parsed.value is not None
        and not (parsed.note and "taken from a sentence" in parsed.note)
    ):
        return DatePhrase(text, parsed)
    return None


def _owner_name(who: str) -> str:
    """ "Sam Okafor, Head of Customer Services" names Sam Okafor."""
    return who.split(",")[0].split(" (")[0].strip().rstrip(".")


def report_ref(theme: str | None, title: str, taken: set[str]) -> str:
    """A ref that stays the same when the report is reissued: the theme's initials and a
    hash of the item's words (lower case, letters and digits only), made unique."""
    words = re.findall(r"[A-Za-z]+", theme or "")
    initials = (
        "".join(w[0] for w in words if w[0].isupper())[:4]
        or "".join(w[0] for w in words[:3])
        or "R"
    )
    key = " ".join(re.findall(r"[a-z0-9]+", title.lower()))
    digest = hashlib.sha256(key.encode()).digest()
    code = base64.b32encode(digest).decode()[:4]
    ref = f"{initials.upper()}-{code}"
    unique, count = ref, 1
    while unique in taken:
        count += 1
        unique = f"{ref}-{count}"
    taken.add(unique)
    return unique
