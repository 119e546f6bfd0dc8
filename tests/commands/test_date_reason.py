"""What an owner types after `date` is kept as typed: the date ends where the date ends, the
reason is every word after it, and a split that could go two ways is asked about, never
guessed. Regression: `date 30/06/2027 the budget figures are late` kept the date text
`30/06/2027 the` and the reason `budget figures are late`.

The corpus (`tests/fixtures/date_reason_corpus.csv`) holds what was typed after `date` and
what must be kept: the date text, the date it means and the reason, or `ASK`. Today is
Mon 7 Dec 2026 for all of it."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands.grammar import parse, to_text
from bot.commands.rules import picked_date, revision_problems
from bot.commands.types import ParseError, RefSpec, Revise
from bot.importer.dates import SEPARATORS, parse_date, typed_dates

TODAY = date(2026, 12, 7)
CORPUS = Path(__file__).parent.parent / "fixtures" / "date_reason_corpus.csv"
ROWS = list(csv.DictReader(CORPUS.open(encoding="utf-8", newline="")))
FAST = settings(max_examples=300, deadline=None)


def test_the_corpus_is_large_and_covers_the_awkward_beginnings() -> None:
    assert len(ROWS) >= 200
    reasons = [r["reason"] for r in ROWS if r["date_text"] != "ASK"]
    for start in ("the ", "on ", "end ", "by ", "of ", "March ", "June ", "3 ", "30 "):
        assert any(r.startswith(start) for r in reasons), start
    typed = [r["typed"] for r in ROWS]
    for form in (
        "30/06/2027",
        "30 June 2027",
        "end of June",
        "June 2027",
        "Q3 2027/28",
        "31 March",
    ):
        assert any(t.startswith(form) for t in typed), form
    assert sum(r["date_text"] == "ASK" for r in ROWS) >= 10


@pytest.mark.parametrize("row", ROWS, ids=[r["typed"] for r in ROWS])
def test_each_phrasing_keeps_its_date_and_its_exact_reason(row: dict[str, str]) -> None:
    parsed = parse(f"2.2 date {row['typed']}", today=TODAY)
    if row["date_text"] == "ASK":
        assert isinstance(parsed, ParseError), parsed
        assert "ways" in parsed.message and len(parsed.suggestions) >= 2
        # Each way offered is one command that reads one way only.
        for suggestion in parsed.suggestions:
            again = parse(suggestion.removeprefix("/action "), today=TODAY)
            assert isinstance(again, Revise), (suggestion, again)
        return
    assert isinstance(parsed, Revise), parsed
    assert parsed.date_text == row["date_text"]
    assert parsed.new_date.isoformat() == row["due"]
    assert parsed.reason == row["reason"]
    # The date text kept reads again as the same date (history, exports, re-imports).
    assert parse_date(parsed.date_text, reference=TODAY).value == parsed.new_date


def test_the_examples_from_the_issue() -> None:
    cases = {
        "30/06/2027 the budget figures are late": ("30/06/2027", "the budget figures are late"),
        "30/06/2027 end of year accounts first": ("30/06/2027", "end of year accounts first"),
        "30/06/2027 on the advice of audit": ("30/06/2027", "on the advice of audit"),
        "end of June the auditors asked": ("end of June", "the auditors asked"),
        "30 June 2027 end of year": ("30 June 2027", "end of year"),
    }
    for typed, (text, reason) in cases.items():
        parsed = parse(f"2.2 date {typed}", today=TODAY)
        assert isinstance(parsed, Revise), typed
        assert (parsed.date_text, parsed.reason) == (text, reason)


def test_an_ambiguous_split_asks_and_names_each_reading() -> None:
    asked = parse("2.2 date June 2027 30 people waiting", today=TODAY)
    assert isinstance(asked, ParseError)
    assert "\u201c30 people waiting\u201d" in asked.message
    assert "\u201cpeople waiting\u201d" in asked.message
    assert asked.suggestions == (
        "/action 2.2 date June 2027: 30 people waiting",
        "/action 2.2 date 30 June 2027: people waiting",
    )


# -- the property: date text + reason rebuild what was typed ----------------------------------

DATE_PHRASES = sorted({r["date_text"] for r in ROWS if r["date_text"] != "ASK"})
TRICKY_WORDS = [
    "the", "on", "end", "of", "by", "to", "until", "June", "March", "Q3", "year", "financial",
    "30", "3", "27", "2028", "2027/28", "-", ":", ",", "30/06/2027", "summer", "<!channel>",
    "*bold*", "\U0001f6a8", "=SUM(A1)", "R&D", "'", '"',
]  # fmt: skip
reason_words = st.lists(
    st.one_of(
        st.sampled_from(TRICKY_WORDS),
        st.text(st.characters(blacklist_categories=("Zs", "Cc", "Zl", "Zp")), min_size=1),
    ),
    min_size=1,
    max_size=8,
)
_GAP = re.compile(rf"\s*[{re.escape(SEPARATORS)}]?\s+|\s*[{re.escape(SEPARATORS)}]\s*")


@FAST
@given(st.sampled_from(DATE_PHRASES), st.sampled_from([" ", ": ", ", ", " - "]), reason_words)
def test_the_date_text_and_the_reason_rebuild_what_was_typed(
    phrase: str, gap: str, words: list[str]
) -> None:
    typed = " ".join(f"{phrase}{gap}{' '.join(words)}".split())
    parsed = parse(f"2.2 date {typed}", today=TODAY)
    if not isinstance(parsed, Revise):
        assert isinstance(parsed, ParseError) and parsed.message
        return
    assert typed.startswith(parsed.date_text)
    assert typed.endswith(parsed.reason)
    between = typed[len(parsed.date_text) : len(typed) - len(parsed.reason)]
    assert _GAP.fullmatch(between), (typed, parsed)
    if gap.strip():  # a separator typed after the date settles where it ends
        assert parsed.date_text == phrase


@FAST
@given(st.sampled_from(DATE_PHRASES), reason_words)
def test_a_reason_that_starts_with_a_word_never_joins_the_date(
    phrase: str, words: list[str]
) -> None:
    first = words[0]
    if any(c.isdigit() for c in first) or first in SEPARATORS:
        return  # numbers may be a year or a day: the corpus pins those down
    typed = " ".join(f"{phrase} {' '.join(words)}".split())
    parsed = parse(f"2.2 date {typed}", today=TODAY)
    if isinstance(parsed, Revise):
        assert parsed.date_text == phrase, typed


@FAST
@given(
    st.sampled_from(DATE_PHRASES),
    st.text(min_size=1, max_size=40).filter(lambda t: t.strip()),
)
def test_a_revision_reads_back_as_itself(phrase: str, reason: str) -> None:
    reason = " ".join(reason.split())
    value = typed_dates(phrase, today=TODAY)[0].value
    command = Revise(RefSpec("2.2"), value, phrase, reason)
    again = parse(to_text(command), today=TODAY)
    assert again == command, to_text(command)


# -- the forms' date field ------------------------------------------------------------------


def test_a_forms_date_field_is_read_by_the_same_parser() -> None:
    assert picked_date("2027-06-30", today=TODAY) == date(2027, 6, 30)  # what a picker sends
    assert picked_date("30/06/2027", today=TODAY) == date(2027, 6, 30)  # a text box
    assert picked_date("end of June", today=TODAY) == date(2027, 6, 30)
    assert revision_problems("30 June 2027", "late", today=TODAY) == {}


def test_a_reason_typed_into_a_forms_date_field_is_refused_not_swallowed() -> None:
    problems = revision_problems("30/06/2027 the budget figures are late", "", today=TODAY)
    assert problems["date"] == (
        "Only the date goes here: put \u201cthe budget figures are late\u201d in the reason."
    )
    assert picked_date("30/06/2027 the budget figures are late", today=TODAY) is None


def test_curly_quotes_in_a_reason_are_kept_as_typed() -> None:
    # Phones and Word type “ and ”: a reason keeps them; a ref quoted with them still reads.
    parsed = parse("2.2 date 30/06/2027 the “final” accounts", today=TODAY)
    assert isinstance(parsed, Revise) and parsed.reason == "the “final” accounts"
    quoted = parse("“10/16 (c)” date 30/06/2027 audit asked", today=TODAY)
    assert isinstance(quoted, Revise) and quoted.target.ref == "10/16 (c)"


def test_a_separator_typed_after_the_date_ends_it_before_a_number() -> None:
    # Regression (found by the property above): "- 30" was read as the year, 7 Dec 2030.
    parsed = parse("2.2 date 7 December - 30 the auditors asked", today=TODAY)
    assert isinstance(parsed, Revise)
    assert (parsed.date_text, parsed.reason) == ("7 December", "30 the auditors asked")


def test_a_mark_typed_on_its_own_after_a_month_ends_the_date() -> None:
    # Regression (found by the property above): "June / 30 the" was read as June 2030.
    parsed = parse("2.2 date June / 30 the auditors", today=TODAY)
    assert isinstance(parsed, Revise) and parsed.date_text == "June"
