"""Read the due-date text of UK council improvement plans.

Plan authors write dates in many ways: ``31.08.20``, ``3rd April 2017``, ``Mar-21``,
``Summer 23``, ``end of financial year 2017/18``, ``Phase 1 1 June 2020 Phase 2 ...``,
``28 February 2021 and then annually``, ``TBC``. :func:`parse_date` turns any of these
into a :class:`ParsedDate` that keeps the original text, gives the date it means and
says how sure it is; anything that is a guess is ``flagged`` so an admin can check it.

Dates are always read day first (UK), and two-digit years are taken as 20xx.
:func:`parse_date` never raises on any ``str`` (or ``None``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal, NamedTuple

from bot.importer.html_text import clean_html

__all__ = [
    "DateKind",
    "ParsedDate",
    "TypedDate",
    "due_from",
    "numeric_order",
    "parse_date",
    "typed_date",
    "typed_dates",
]

DateKind = Literal[
    "none", "exact", "month", "season", "approximate", "phased", "recurring", "unreadable"
]
_MentionKind = Literal["exact", "month", "season", "approximate"]

_FLAGGED_KINDS: frozenset[str] = frozenset(
    {"month", "season", "approximate", "phased", "recurring", "unreadable"}
)


@dataclass(frozen=True)
class ParsedDate:
    """What a date cell means.

    ``original`` is exactly the text given (``""`` for ``None``). ``value`` is the date
    the text means, or ``None`` when it gives no date or could not be read. ``kind``
    says how the value was found:

    - ``"none"``: blank or a placeholder such as ``N/a``, ``TBC`` or ``Ongoing``.
    - ``"exact"``: a full day, month and year (or a day and month placed using the
      ``reference`` date).
    - ``"month"``: a month only; the value is its last day.
    - ``"season"``: a season only; the value is its last day.
    - ``"approximate"``: a quarter, financial year end or bare year; the value is its
      last day.
    - ``"phased"``: several dates; ``milestones`` holds them all in date order and
      ``value`` is the last. Use :func:`due_from` for the one currently due.
    - ``"recurring"``: a first date (``value``, possibly ``None``) that then repeats
      as ``recurrence`` says (``"annually"``, ``"quarterly"``, ``"monthly"`` ...).
    - ``"unreadable"``: text that holds no readable date.

    ``note`` is a sentence for an admin explaining any guess or problem.
    """

    original: str
    value: date | None
    kind: DateKind
    milestones: tuple[date, ...] = ()
    recurrence: str | None = None
    note: str | None = None

    @property
    def flagged(self) -> bool:
        """True when an admin should check the value (any kind but none and exact)."""
        return self.kind in _FLAGGED_KINDS


class _Mention(NamedTuple):
    """One date found in a cell; a NamedTuple because cells are read in bulk."""

    start: int
    end: int
    kind: _MentionKind
    value: date | None
    note: str | None = None
    # Why value is None: an impossible date, or a year-less date with no reference.
    problem: str | None = None
    # A year-less "end of June" or "year end" may just caption the date that follows.
    caption: bool = False


_MONTH_NAMES = (
    "", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_MONTH_NUMBERS = {name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES) if name}
_SEASON_ENDS = {"spring": (5, 0), "summer": (8, 0), "autumn": (11, 0), "fall": (11, 0)}
_EARLIEST_YEAR = 1990
_LATEST_YEAR = 2099

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_NO_YEAR_AFTER = r"(?![\s\-/.,']*\d)"
# "30 June, 2021" is a year but "30 June, 31/07/2021" starts another date, so a comma
# may come before a four-digit year only, and a year may not run on into "/07".
_COMMA_BEFORE_FULL_YEAR = r"(?:,\s*(?=\d{4}))?"
_YEAR_END = r"(?!\d|[/.-]\d)"
_RECURRENCE_NAMES = {
    "annually": "annually",
    "quarterly": "quarterly",
    "monthly": "monthly",
    "weekly": "weekly",
    "fortnightly": "fortnightly",
    "six_monthly": "six-monthly",
}
# One pattern scanned once over lower-cased text. Alternatives are grouped by how they
# start so that most positions are rejected by a single lookahead; within a group the
# first alternative that matches wins, so longer, more specific forms come first
# ("Sept 30 2019" before "Sept 30").
_MENTION = re.compile(
    r"(?<![a-z0-9])(?:"
    # Forms starting with a digit.
    r"(?=\d)(?:"
    r"(?P<iso>(?P<iso_y>\d{4})(?P<iso_s>[-/.])(?P<iso_m>\d{1,2})(?P=iso_s)(?P<iso_d>\d{1,2})"
    r"(?!\d))"
    r"|(?P<fy>(?P<fy_a>\d{4})\s*[/-]\s*(?P<fy_b>\d{4}|\d{2})(?!\d|[/.-]\d))"
    r"|(?P<dmy>(?P<dmy_d>\d{1,2})\s*(?P<dmy_s>[./-])\s*(?P<dmy_m>\d{1,2})\s*(?P=dmy_s)\s*"
    r"(?P<dmy_y>\d{4}|\d{2})(?!\d))"
    rf"|(?P<dny>(?P<dny_d>\d{{1,2}}){_ORD}[\s\-/.]*(?:of\s+)?(?P<dny_m>{_MONTH})"
    rf"[\s\-/.]*{_COMMA_BEFORE_FULL_YEAR}'?(?P<dny_y>\d{{4}}|\d{{2}}){_YEAR_END})"
    rf"|(?P<dm>(?P<dm_d>\d{{1,2}}){_ORD}[\s\-]*(?:of\s+)?(?P<dm_m>{_MONTH}){_NO_YEAR_AFTER})"
    r")"
    # Forms starting with a month name.
    r"|(?=jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?:"
    rf"(?P<mdy>(?P<mdy_m>{_MONTH})\s*(?P<mdy_d>\d{{1,2}}){_ORD},?\s+(?P<mdy_y>\d{{4}})(?!\d))"
    rf"|(?P<md>(?P<md_m>{_MONTH})\s*(?P<md_d>\d{{1,2}})(?:st|nd|rd|th){_NO_YEAR_AFTER})"
    rf"|(?P<my>(?P<my_m>{_MONTH})[\s\-/']*{_COMMA_BEFORE_FULL_YEAR}(?P<my_y>\d{{4}}|\d{{2}})"
    rf"(?!st|nd|rd|th){_YEAR_END})"
    r")"
    # Year ends and month ends.
    r"|(?=end|the|year|fin|fis)(?:"
    r"(?P<fye>(?:(?:the\s+)?end\s+of\s+(?:the\s+)?(?:financial|fiscal)\s+year"
    r"|(?:(?:financial|fiscal)\s+)?year[\s-]?end)"
    r"(?:\s+(?:of\s+)?(?:fy\s*)?(?:(?P<fye_a>\d{4}|\d{2})\s*[/-]\s*(?P<fye_b>\d{4}|\d{2})"
    r"|(?P<fye_c>\d{4}))(?!\d))?)"
    rf"|(?P<eom>end\s+(?:of\s+)?(?:the\s+)?(?P<eom_m>{_MONTH}){_NO_YEAR_AFTER})"
    r")"
    # Financial years written "FY17/18" and quarters.
    r"|(?=fy|q)(?:"
    r"(?P<fyp>fy\s*(?P<fyp_a>\d{4}|\d{2})\s*[/-]?\s*(?P<fyp_b>\d{4}|\d{2})(?!\d|[/.-]\d))"
    r"|(?P<q>(?:q|quarter\s*)(?P<q_n>[1-4])\s*[-,]?\s*(?:(?P<q_a>\d{4}|\d{2})\s*[/-]\s*"
    r"(?P<q_b>\d{4}|\d{2})|(?P<q_c>\d{4}|\d{2}))(?!\d))"
    r")"
    # Seasons.
    r"|(?P<season>(?P<s_n>spring|summer|autumn|fall|winter)\s*[-']?\s*'?"
    r"(?:(?P<s_a>\d{4}|\d{2})\s*/\s*(?P<s_b>\d{4}|\d{2})|(?P<s_c>\d{4}|\d{2}))(?!\d))"
    r")"
)
# The commonest cells are a bare numeric date, sometimes with the midnight time a
# spreadsheet export adds; reading them directly keeps bulk imports fast.
_PLAIN_NUMERIC = re.compile(
    r"\s*(?:(?P<d>\d{1,2})(?P<s>[./-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"(?:[ tT]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*"
)
# Forms too ambiguous to pick out of a sentence ("30/06", "May", "2021", "Summer") are
# only read when they are the whole cell, perhaps after "by" or "end of".
_LEAD = r"(?:(?:by|on|due|before|in|during|for|target|deadline)\s*[:\-]?\s+)?"
_WHOLE = re.compile(
    _LEAD
    + r"(?:(?P<wdm>(?P<wdm_d>\d{1,2})\s*/\s*(?P<wdm_m>\d{1,2}))"
    + rf"|(?P<wm>(?:(?:the\s+)?end\s+(?:of\s+)?(?:the\s+)?)?(?P<wm_m>{_MONTH}))"
    + r"|(?P<wy>(?:(?:the\s+)?end\s+(?:of\s+)?)?(?P<wy_y>\d{4}))"
    + r"|(?P<ws>(?P<ws_n>spring|summer|autumn|winter)))"
    + r"[\s.]*"
)
_RECURRENCE = re.compile(
    r"(?<![a-z])(?:"
    r"(?P<annually>annually|yearly|every\s+year|each\s+year|per\s+annum)"
    r"|(?P<quarterly>quarterly|every\s+quarter|each\s+quarter)"
    r"|(?P<monthly>monthly|every\s+month|each\s+month)"
    r"|(?P<weekly>weekly|every\s+week|each\s+week)"
    r"|(?P<fortnightly>fortnightly|every\s+(?:two|2)\s+weeks)"
    r"|(?P<six_monthly>bi-?annually|six[\s-]?monthly|6[\s-]?monthly|half[\s-]?yearly"
    r"|every\s+(?:six|6)\s+months)"
    r")(?![a-z])"
)
# Phase numbers ("Phase 3 March 2021") would otherwise be read as a day of the month.
_PHASE_NUMBER = re.compile(
    r"(?<![a-z])(?=[pstm])(?:phase|stage|step|tranche|milestone)\s*(?:no\.?\s*)?"
    r"(?:\d{1,2}|[ivx]{1,4})(?![a-z0-9])\s*[:.)\-]?"
)
_PHASE_WORD = re.compile(r"phase|stage|step|tranche|milestone")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2019": "'"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[a-z]{2,}")
_DIGIT = re.compile(r"\d")
# Spreadsheet exports add a time of day to dates; it is not a second number to read.
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?")
# What may sit between a caption and its date: "Year end: 31 March 2018".
_LABEL_GAP = re.compile(r"[\s:,;(\-]*")
# Words that may surround a date without making the cell a sentence.
_FILLER_WORDS = frozenset(
    {
        "by", "on", "due", "before", "deadline", "target", "date", "dates", "end", "of",
        "the", "no", "later", "than", "and", "then", "thereafter", "from", "to", "until",
        "till", "in", "during", "at", "latest", "approx", "approximately", "around",
        "circa", "mid", "early", "late", "beginning", "start", "starting", "commencing",
        "week", "wc", "revised", "original", "originally", "expected", "estimated",
        "planned", "completion", "or", "each", "every", "after", "for", "financial",
        "fiscal", "year", "fy", "phase", "phases", "stage", "milestone", "milestones",
    }
    # A month name left over is the caption of a date ("End of June: 30/06/2021").
    | {name.lower() for name in _MONTH_NAMES if name}
    | set(_MONTH_NUMBERS)
    | {"sept"}
)  # fmt: skip
_TBC_WORDS = frozenset(
    {
        "tbc", "tba", "tbd", "tobeconfirmed", "tobeagreed", "tobedetermined",
        "tobearranged", "tobeadvised", "notknown", "unknown", "nk",
    }
)  # fmt: skip
_ONGOING_WORDS = frozenset(
    {
        "ongoing", "continuous", "continual", "bau", "businessasusual", "asrequired",
        "asandwhenrequired", "asneeded",
    }
)  # fmt: skip
_NO_DATE_WORDS = frozenset({"", "na", "none", "nil", "notapplicable", "nodate", "nodeadline"})
_PLACEHOLDER_KEYS = _NO_DATE_WORDS | _TBC_WORDS | _ONGOING_WORDS
_PLACEHOLDER_LIMIT = 40
_QUOTE_LIMIT = 60


def parse_date(text: str | None, *, reference: date | None = None) -> ParsedDate:
    """Read a plan's date text, e.g. ``"31/03/2022"``, ``"Mar-21"`` or ``"Summer 23"``.

    ``reference`` (usually today) places dates written without a year: ``"30 June"``,
    ``"30/06"``, ``"end of June"`` and ``"end of financial year"`` become the first
    such date on or after ``reference``. Without ``reference`` they are
    ``"unreadable"``. A date found inside a longer sentence is used, and ``note``
    says it came from a sentence. See :class:`ParsedDate` for the kinds returned.

    Results are cached (the value is immutable), as plan columns repeat the same few
    deadlines on many rows.
    """
    return _parse(text if text is not None else "", reference)


@lru_cache(maxsize=4096)
def _parse(original: str, reference: date | None) -> ParsedDate:
    plain = _PLAIN_NUMERIC.fullmatch(original)
    if plain is not None:
        value = _plain_numeric_value(plain)
        if value is not None:
            return ParsedDate(original, value, "exact")

    display, text = _prepare(original)
    if len(text) <= _PLACEHOLDER_LIMIT:
        key = _NOT_ALNUM.sub("", text)
        if key in _PLACEHOLDER_KEYS:
            return _no_date(original, key)

    mentions = _find_mentions(text, display, reference)
    recurrence_match = None
    if "ly" in text or "every" in text or "each" in text or "annum" in text:
        recurrence_match = _RECURRENCE.search(text)
    recurrence = None
    if recurrence_match is not None:
        recurrence = _RECURRENCE_NAMES[recurrence_match.lastgroup or ""]

    if not mentions:
        if recurrence is not None:
            note = f"repeats {recurrence} but gives no first date"
            return ParsedDate(original, None, "recurring", recurrence=recurrence, note=note)
        return _unreadable(original, f"could not read a date in {_quote(original)}")

    problems: list[str] = []
    dated: list[date] = []
    guesses: list[str] = []
    for mention in mentions:
        if mention.problem is not None:
            problems.append(mention.problem)
        if mention.value is not None:
            dated.append(mention.value)
        if mention.note is not None:
            guesses.append(mention.note)
    if problems:
        return _unreadable(original, "could not read a date: " + "; ".join(problems))

    only = mentions[0]
    whole_cell = len(mentions) == 1 and only.start == 0 and only.end == len(text)

    if recurrence is not None:
        first = dated[0]
        notes = [f"repeats {recurrence} from {_format(first)}", *guesses]
        if _is_sentence(text, mentions, recurrence_match):
            notes.append("taken from a sentence")
        return ParsedDate(
            original, first, "recurring", recurrence=recurrence, note="; ".join(notes)
        )

    milestones = tuple(sorted(set(dated)))
    if len(milestones) >= 2:
        notes = [
            f"{len(milestones)} dates read as phased milestones; "
            f"due date is the last, {_format(milestones[-1])}"
        ]
        if list(milestones) != list(dict.fromkeys(dated)):
            notes.append("the dates were not in date order in the text")
        notes.extend(guesses)
        return ParsedDate(
            original, milestones[-1], "phased", milestones=milestones, note="; ".join(notes)
        )

    if not whole_cell and _is_sentence(text, mentions, None):
        guesses.insert(0, f"date taken from a sentence: {_format(milestones[0])}")
    return ParsedDate(original, milestones[0], only.kind, note="; ".join(guesses) or None)


def due_from(parsed: ParsedDate, *, as_of: date) -> date | None:
    """Return the date an action is due as of ``as_of``.

    For a phased plan this is the first milestone on or after ``as_of``, or the last
    milestone once all have passed. For every other kind it is ``parsed.value``.
    """
    if parsed.kind == "phased" and parsed.milestones:
        for milestone in parsed.milestones:
            if milestone >= as_of:
                return milestone
        return parsed.milestones[-1]
    return parsed.value


def _prepare(original: str) -> tuple[str, str]:
    """The cell as (display, text): HTML removed, plain dashes, single spaces and phase
    numbers blanked out; ``text`` is lower-cased for matching and ``display`` keeps the
    author's case at the same positions, for quoting in notes."""
    display = original
    if "<" in display or "&" in display:
        display = clean_html(display)
    if not display.isascii():
        display = display.translate(_DASHES)
    display = " ".join(display.split())
    text = display.lower()
    if len(text) != len(display):
        # A few characters grow when lower-cased; quote the lower-cased text instead
        # so that match positions still line up.
        display = text
    if _PHASE_WORD.search(text) is None:
        return display, text
    pieces: list[str] = []
    shown: list[str] = []
    position = 0
    for match in _PHASE_NUMBER.finditer(text):
        pieces.append(text[position : match.start()])
        shown.append(display[position : match.start()])
        pieces.append(" ; ")
        shown.append(" ; ")
        position = match.end()
    pieces.append(text[position:])
    shown.append(display[position:])
    return "".join(shown), "".join(pieces)


def _plain_numeric_value(match: re.Match[str]) -> date | None:
    day, month, year = match.group("d", "m", "y")
    if day is None:
        day, month, year = match.group("id", "im", "iy")
    return _day_of_month(_year(year), int(month), int(day))


def _no_date(original: str, key: str) -> ParsedDate:
    note: str | None = None
    if key in _TBC_WORDS:
        note = f"no date yet: {_quote(original.strip())} means the date is still to be set"
    elif key in _ONGOING_WORDS:
        note = f"no due date: {_quote(original.strip())} describes ongoing work"
    return ParsedDate(original, None, "none", note=note)


def _unreadable(original: str, note: str) -> ParsedDate:
    return ParsedDate(original, None, "unreadable", note=note)


def _find_mentions(text: str, display: str, reference: date | None) -> list[_Mention]:
    mentions: list[_Mention] = []
    for match in _MENTION.finditer(text):
        mention = _read_mention(match, display[match.start() : match.end()], reference)
        if mention is not None:
            mentions.append(mention)
    if not mentions:
        whole = _WHOLE.fullmatch(text)
        if whole is not None:
            mention = _read_whole(whole, display, reference)
            if mention is not None:
                mentions.append(mention)
    if len(mentions) > 1:
        mentions = _drop_labels(text, mentions)
    return mentions


def _drop_labels(text: str, mentions: list[_Mention]) -> list[_Mention]:
    kept: list[_Mention] = []
    for index, mention in enumerate(mentions):
        following = mentions[index + 1] if index + 1 < len(mentions) else None
        if (
            mention.caption
            and following is not None
            and not following.caption
            and _LABEL_GAP.fullmatch(text, mention.end, following.start)
        ):
            continue
        kept.append(mention)
    return kept


def _read_mention(match: re.Match[str], shown: str, reference: date | None) -> _Mention | None:
    form = match.lastgroup
    g = match.group
    start, end = match.span()
    if form == "iso":
        return _exact(start, end, g("iso_y"), g("iso_m"), g("iso_d"), shown)
    if form == "dmy":
        return _exact(start, end, g("dmy_y"), g("dmy_m"), g("dmy_d"), shown)
    if form == "dny":
        return _exact(start, end, g("dny_y"), _month(g("dny_m")), g("dny_d"), shown)
    if form == "mdy":
        return _exact(start, end, g("mdy_y"), _month(g("mdy_m")), g("mdy_d"), shown)
    if form == "my":
        return _month_end(start, end, g("my_y"), _month(g("my_m")), shown)
    if form == "dm":
        return _day_no_year(start, end, _month(g("dm_m")), g("dm_d"), shown, reference)
    if form == "md":
        return _day_no_year(start, end, _month(g("md_m")), g("md_d"), shown, reference)
    if form == "eom":
        return _month_no_year(start, end, _month(g("eom_m")), shown, reference)
    if form == "fye":
        return _financial_year_end(start, end, match, shown, reference)
    if form == "fy":
        return _financial_year(start, end, g("fy_a"), g("fy_b"))
    if form == "fyp":
        return _financial_year(start, end, g("fyp_a"), g("fyp_b"))
    if form == "q":
        return _quarter(start, end, match, shown)
    if form == "season":
        return _season(start, end, g("s_n"), g("s_a") or g("s_c"), g("s_b"), shown)
    return None


def _read_whole(match: re.Match[str], display: str, reference: date | None) -> _Mention | None:
    form = match.lastgroup
    g = match.group
    start, end = match.span()
    shown = display[match.start(form or 0) : match.end(form or 0)]
    if form == "wdm":
        return _day_no_year(start, end, int(g("wdm_m")), g("wdm_d"), shown, reference)
    if form == "wm":
        return _month_no_year(start, end, _month(g("wm_m")), shown, reference)
    if form == "wy":
        year = _year(g("wy_y"))
        if year is None:
            return _impossible(start, end, shown)
        value = date(year, 12, 31)
        return _Mention(start, end, "approximate", value, f"year only: taken as {_format(value)}")
    if form == "ws":
        return _season_no_year(start, end, g("ws_n"), shown, reference)
    return None


def _exact(start: int, end: int, year: str, month: str | int, day: str, text: str) -> _Mention:
    value = _day_of_month(_year(year), int(month), int(day))
    if value is None:
        return _impossible(start, end, text)
    return _Mention(start, end, "exact", value)


def _month_end(start: int, end: int, year: str, month: int, text: str) -> _Mention:
    value = _make_date(_year(year), month, 0)
    if value is None:
        return _impossible(start, end, text)
    return _Mention(start, end, "month", value, f"month only: taken as {_format(value)}")


def _day_no_year(
    start: int, end: int, month: int, day: str, text: str, reference: date | None
) -> _Mention:
    day_number = int(day)
    if _day_of_month(2000, month, day_number) is None:  # 2000 is a leap year: allows 29 Feb
        return _impossible(start, end, text)
    if reference is None:
        return _needs_reference(start, end, text, "exact", caption=False)
    value = _next_on_or_after(reference, month, day_number)
    if value is None:
        return _impossible(start, end, text)
    # Notes name the date taken, not `reference`, so a re-import on another day that
    # reads the same date gives the same note (and no spurious change of flags).
    note = f"no year given: {_quote(text)} taken as the next one, {_format(value)}"
    return _Mention(start, end, "exact", value, note)


def _month_no_year(start: int, end: int, month: int, text: str, reference: date | None) -> _Mention:
    if reference is None:
        return _needs_reference(start, end, text, "month", caption=True)
    value = _next_on_or_after(reference, month, 0)
    if value is None:
        return _impossible(start, end, text)
    note = (
        f"month only, no year: {_quote(text)} taken as the end of the next "
        f"{_MONTH_NAMES[month]}, {_format(value)}"
    )
    return _Mention(start, end, "month", value, note, caption=True)


def _financial_year_end(
    start: int, end: int, match: re.Match[str], shown: str, reference: date | None
) -> _Mention:
    first, second, single = match.group("fye_a", "fye_b", "fye_c")
    if first is not None:
        named = _financial_year(start, end, first, second, label="end of financial year")
        return named if named is not None else _impossible(start, end, shown)
    if single is not None:
        year = _year(single)
        if year is None:
            return _impossible(start, end, shown)
        year_end = date(year, 3, 31)
        note = f"end of financial year {year}: taken as {_format(year_end)}"
        return _Mention(start, end, "approximate", year_end, note)
    if reference is None:
        return _needs_reference(start, end, shown, "approximate", caption=True)
    value = _next_on_or_after(reference, 3, 31)
    if value is None:
        return _impossible(start, end, shown)
    note = (
        f"end of financial year, no year: {_quote(shown)} taken as the next "
        f"31 March, {_format(value)}"
    )
    return _Mention(start, end, "approximate", value, note, caption=True)


def _financial_year(
    start: int, end: int, first: str, second: str, *, label: str = "financial year"
) -> _Mention | None:
    first_year = _year(first)
    second_year = _year(second)
    # "2017/18" names a financial year only when the years are consecutive; anything
    # else (e.g. "2017-04") is not a date we can read.
    if first_year is None or second_year is None or second_year != first_year + 1:
        return None
    value = date(second_year, 3, 31)
    note = f"{label} {first_year}/{str(second_year)[2:]}: taken as {_format(value)}"
    return _Mention(start, end, "approximate", value, note)


def _quarter(start: int, end: int, match: re.Match[str], shown: str) -> _Mention | None:
    quarter = int(match.group("q_n"))
    calendar_year_text = match.group("q_c")
    if calendar_year_text is not None:
        year = _year(calendar_year_text)
        if year is None:
            return _impossible(start, end, shown)
        value = _make_date(year, quarter * 3, 0)
        if value is None:
            return _impossible(start, end, shown)
        note = f"quarter only: Q{quarter} {year} taken as the calendar quarter's end, "
        return _Mention(start, end, "approximate", value, note + _format(value))
    first_year = _year(match.group("q_a"))
    second_year = _year(match.group("q_b"))
    if first_year is None or second_year is None or second_year != first_year + 1:
        return _impossible(start, end, shown)
    # Financial quarters run April-June (Q1) to January-March (Q4).
    month = quarter * 3 + 3
    year = first_year if month <= 12 else second_year
    value = _make_date(year, (month - 1) % 12 + 1, 0)
    if value is None:
        return _impossible(start, end, shown)
    note = (
        f"quarter only: Q{quarter} of financial year {first_year}/{str(second_year)[2:]} "
        f"taken as its end, {_format(value)}"
    )
    return _Mention(start, end, "approximate", value, note)


def _season(
    start: int, end: int, name: str, year_text: str, second_text: str | None, text: str
) -> _Mention:
    year = _year(year_text)
    second = _year(second_text) if second_text is not None else None
    if year is None or (second_text is not None and second is None):
        return _impossible(start, end, text)
    value = _season_end(name.lower(), year, second)
    if value is None:
        return _impossible(start, end, text)
    note = f"season only: {_quote(text)} taken as {_format(value)}"
    return _Mention(start, end, "season", value, note)


def _season_no_year(
    start: int, end: int, name: str, shown: str, reference: date | None
) -> _Mention:
    if reference is None:
        return _needs_reference(start, end, shown, "season", caption=False)
    season = name.lower()
    # A winter ending in February of the reference year may still be running.
    year = reference.year - 1
    value = _season_end(season, year, None)
    while value is not None and value < reference:
        year += 1
        value = _season_end(season, year, None)
    if value is None:
        return _impossible(start, end, shown)
    note = (
        f"season only, no year: {_quote(shown)} taken as the end of the next one, {_format(value)}"
    )
    return _Mention(start, end, "season", value, note)


def _season_end(name: str, year: int, second_year: int | None) -> date | None:
    if name == "winter":
        # Winter runs December to February, so it ends in the next calendar year.
        return _make_date(second_year if second_year is not None else year + 1, 2, 0)
    month, day = _SEASON_ENDS[name]
    return _make_date(year, month, day)


def _needs_reference(
    start: int, end: int, text: str, kind: _MentionKind, *, caption: bool
) -> _Mention:
    problem = f"{_quote(text)} has no year and no reference date was given to place it"
    return _Mention(start, end, kind, None, problem=problem, caption=caption)


def _impossible(start: int, end: int, text: str) -> _Mention:
    return _Mention(start, end, "exact", None, problem=f"{_quote(text)} is not a real date")


def _next_on_or_after(reference: date, month: int, day: int) -> date | None:
    """The first date with this month and day (0 = month end) on or after reference."""
    for year in range(reference.year, min(reference.year + 9, date.max.year + 1)):
        value = _make_date(year, month, day)
        if value is not None and value >= reference:
            return value
    return None


def _day_of_month(year: int | None, month: int, day: int) -> date | None:
    """A day written in the text: "00/01/2020" is no date (found by the property tests)."""
    return None if day == 0 else _make_date(year, month, day)


def _make_date(year: int | None, month: int, day: int) -> date | None:
    """Build a date, day 0 meaning the month's last day; None if impossible."""
    if year is None or not 1 <= month <= 12 or not date.min.year <= year <= date.max.year:
        return None
    if day == 0:
        day = calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int | None:
    year = int(text)
    if len(text) <= 2:
        year += 2000
    if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
        return None
    return year


def _month(name: str) -> int:
    return _MONTH_NUMBERS[name[:3].lower()]


def _is_sentence(text: str, mentions: list[_Mention], recurrence: re.Match[str] | None) -> bool:
    spans = [(m.start, m.end) for m in mentions]
    if recurrence is not None:
        spans.append(recurrence.span())
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        pieces.append(text[position:start])
        position = max(position, end)
    pieces.append(text[position:])
    rest = _TIME.sub(" ", " ".join(pieces))
    # Leftover digits are a number we did not read, e.g. the "30" of "30 June, 31/07/2024".
    return _DIGIT.search(rest) is not None or any(
        word not in _FILLER_WORDS for word in _WORD.findall(rest)
    )


def _format(value: date) -> str:
    return f"{value.day} {_MONTH_NAMES[value.month]} {value.year}"


def _quote(text: str) -> str:
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 3] + "..."
    return f"'{text}'"


# -- Month-first (US) dates -------------------------------------------------------------------
# 03/04/2027 is 3 April here, but a column that also holds 06/30/2026 was written month first.

NumericOrder = Literal["day-first", "month-first", "either"]
_NUMERIC_DMY = re.compile(r"\s*(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})\s*")


def numeric_order(text: str) -> NumericOrder | None:
    """How a numeric date such as ``06/30/2026`` can be read: only ``"day-first"``, only
    ``"month-first"``, ``"either"`` way with different results (``03/04/2027``), or None
    (not such a date, or one that reads the same both ways, such as ``05/05/2027``)."""
    match = _NUMERIC_DMY.fullmatch(text)
    if match is None:
        return None
    first, second, year = int(match.group(1)), int(match.group(3)), _year(match.group(4))
    day_first = _day_of_month(year, second, first) is not None
    month_first = _day_of_month(year, first, second) is not None
    if day_first and month_first:
        return "either" if first != second else None
    if month_first:
        return "month-first"
    return "day-first" if day_first else None


# -- Dates people type ------------------------------------------------------------------------
# `/action 2.2 date 30/06/2027 the budget figures are late`, `away 20 Dec 3 Jan`, a form's date
# field: the date comes first and words after it are the person's own (a reason, a note). A
# plan cell may wrap its date in words ("by 30/06/2027 the latest"); typed text may not, or the
# first words of the reason would vanish into the date.

TypedKind = Literal["exact", "month", "season", "approximate"]
PEOPLE_KINDS: frozenset[str] = frozenset({"exact", "month", "season", "approximate"})
# What may come before the date itself: "by June", "the end of June", "end of June 2027".
_TYPED_LEAD = re.compile(_LEAD + r"(?:the\s+)?(?:end\s+(?:of\s+)?(?:the\s+)?)?")
# One of these, on its own or at the end of the date's last word, separates date and words.
SEPARATORS = ",;:.-\u2013\u2014"
_MAX_DATE_WORDS = 7  # "by the end of the financial year 2027/28"
_TWO_DIGIT_YEAR = re.compile(r"'?\d{2}")
_DAY_NUMBER = re.compile(r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?", re.IGNORECASE)


@dataclass(frozen=True)
class TypedDate:
    """A date at the start of typed text: the words of the date and the words after it,
    both exactly as typed (the one separator between them, white space or a mark from
    `SEPARATORS`, belongs to neither). ``composed`` readings put a number typed after a
    month into it ("June 30 people" read as 30 June); they are never taken unasked."""

    value: date
    kind: str
    text: str
    rest: str
    separated: bool = False
    composed: bool = False


def typed_dates(
    text: str, *, today: date, kinds: frozenset[str] = PEOPLE_KINDS
) -> tuple[TypedDate, ...]:
    """Every reading of the date that ``text`` starts with; empty when it starts with none.

    The first reading is the longest run of words that is one date and nothing else, so a
    complete date ends where it ends and a word that is not part of a date never joins it.
    Further readings appear only where the split is genuinely ambiguous: a two-digit year
    typed as its own word that may instead start the words after it (``June 27 the
    auditors asked``), or a number after a month that may be its day (``June 30 people
    waiting``). A separator typed after the date (``June: 30 people waiting``) settles it.

    Example:
        >>> typed_dates("30/06/2027 the budget figures are late", today=date(2026, 12, 7))[0]
        TypedDate(value=datetime.date(2027, 6, 30), kind='exact', text='30/06/2027', \
rest='the budget figures are late', separated=False, composed=False)
    """
    words = text.split()
    longest = _longest_typed_date(words, today, kinds)
    if longest is None:
        return ()
    first, size = longest
    if first.separated or not first.rest:
        return (first,)
    readings = [first]
    last = words[size - 1]
    if size > 1 and _TWO_DIGIT_YEAR.fullmatch(last):
        shorter = _typed_date(words, size - 1, today, kinds)
        if shorter is not None:
            readings.append(shorter)
    if "exact" in kinds:
        readings += [r for r in map(_with_day_after, readings, [today] * 2) if r is not None]
    return tuple(readings)


def _with_day_after(reading: TypedDate, today: date) -> TypedDate | None:
    """``June`` followed by ``30 people waiting``, read as 30 June and ``people waiting``."""
    head, _, rest = reading.rest.partition(" ")
    if reading.kind != "month" or not _DAY_NUMBER.fullmatch(head):
        return None
    dated = _strict_date(f"{head} {reading.text}", today)
    if dated is None or dated[1] != "exact":
        return None
    return TypedDate(dated[0], "exact", f"{reading.text} {head}", rest, composed=True)


def typed_date(text: str, *, today: date, kinds: frozenset[str] = PEOPLE_KINDS) -> date | None:
    """The date when ``text`` is one date and nothing else (a form's date field, ``--from``)."""
    whole = [r for r in typed_dates(text, today=today, kinds=kinds) if not r.rest]
    return whole[0].value if len(whole) == 1 and not whole[0].composed else None


def _longest_typed_date(
    words: list[str], today: date, kinds: frozenset[str]
) -> tuple[TypedDate, int] | None:
    for size in range(min(_MAX_DATE_WORDS, len(words)), 0, -1):
        found = _typed_date(words, size, today, kinds)
        if found is not None:
            return found, size
    return None


def _typed_date(
    words: list[str], size: int, today: date, kinds: frozenset[str]
) -> TypedDate | None:
    """The first ``size`` words as one date (a separator mark at the end dropped), or None."""
    head, after = words[:size], words[size:]
    if any(not any(c.isalnum() for c in word) for word in head):
        # A mark on its own ends the date before it ("7 December - 30 the auditors" is
        # 7 December, then "30 the auditors"; so is "June / 30"): never inside or at its end.
        return None
    core = " ".join(head)
    separated = core[-1] in SEPARATORS
    if separated:
        core = core[:-1]
    dated = _strict_date(core, today)
    if dated is None or dated[1] not in kinds:
        return None
    if not separated and after and len(after[0]) == 1 and after[0] in SEPARATORS:
        after, separated = after[1:], True
    return TypedDate(dated[0], dated[1], core, " ".join(after), separated)


def _strict_date(core: str, today: date) -> tuple[date, str] | None:
    """(value, kind) when ``core`` is one date, perhaps after "by" or "end of", with no word
    after it; otherwise None."""
    text = " ".join(core.translate(_DASHES).split()).lower()
    if not text or len(text) != len(core.translate(_DASHES)):
        return None  # characters that change length when lower-cased are no date of ours
    mentions = _find_mentions(text, text, today)
    if len(mentions) != 1:
        return None
    found = mentions[0]
    if found.value is None or found.end != len(text):
        return None
    if not _TYPED_LEAD.fullmatch(text, 0, found.start):
        return None
    return found.value, found.kind
