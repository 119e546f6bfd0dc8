import random
from datetime import date

import pytest

from bot.importer.dates import DateKind, ParsedDate, due_from, parse_date

REFERENCE = date(2024, 5, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.08.20", date(2020, 8, 31)),
        ("31/03/2022", date(2022, 3, 31)),
        ("31/3/22", date(2022, 3, 31)),
        ("1/4/2019", date(2019, 4, 1)),
        ("2017-04-03", date(2017, 4, 3)),
        ("03-04-2017", date(2017, 4, 3)),
        ("3rd April 2017", date(2017, 4, 3)),
        ("17th November 2016", date(2016, 11, 17)),
        ("1 June 2020", date(2020, 6, 1)),
        ("30 June 2018", date(2018, 6, 30)),
        ("1st of May 2021", date(2021, 5, 1)),
        ("22nd Sept. 2019", date(2019, 9, 22)),
        ("Sept 30 2019", date(2019, 9, 30)),
        ("September 30th, 2019", date(2019, 9, 30)),
        ("03-Apr-17", date(2017, 4, 3)),
        ("29/02/2024", date(2024, 2, 29)),
        ("  31/03/2022  ", date(2022, 3, 31)),
        ("03/04/2017 00:00", date(2017, 4, 3)),
        ("2017-04-03 00:00:00", date(2017, 4, 3)),
        ("by 31/03/2021", date(2021, 3, 31)),
        ("<p>31/03/2021</p>", date(2021, 3, 31)),
        ("31\u201303\u20132021", date(2021, 3, 31)),
        ("2017-04-03T00:00:00Z", date(2017, 4, 3)),
        ("3rd April 2017 09:30", date(2017, 4, 3)),
        ("30 June, 2021", date(2021, 6, 30)),
        ("w/c 5 June 2020", date(2020, 6, 5)),
        # A year-less caption in front of the real date is not a second milestone.
        ("Year end: 31 March 2018", date(2018, 3, 31)),
        ("End of June: 30/06/2021", date(2021, 6, 30)),
        ("End of financial year (31/03/2019)", date(2019, 3, 31)),
    ],
)
def test_exact_dates_are_read_day_first(text: str, expected: date) -> None:
    parsed = parse_date(text)
    assert (parsed.kind, parsed.value) == ("exact", expected)
    assert parsed.original == text
    assert parsed.note is None
    assert not parsed.flagged


@pytest.mark.parametrize(
    ("text", "expected", "shown"),
    [
        (
            "ahead of the Joint Committee on 17th November 2016",
            date(2016, 11, 17),
            "17 November 2016",
        ),
        ("Report to Cabinet 31/03/2021 for approval", date(2021, 3, 31), "31 March 2021"),
        # The "30" is not read as a date of its own, so the note must say text was left.
        ("30 June, 31/07/2024", date(2024, 7, 31), "31 July 2024"),
    ],
)
def test_date_inside_a_sentence_is_used_and_noted(text: str, expected: date, shown: str) -> None:
    parsed = parse_date(text, reference=REFERENCE)
    assert (parsed.kind, parsed.value) == ("exact", expected)
    assert parsed.note == f"date taken from a sentence: {shown}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mar-21", date(2021, 3, 31)),
        ("Jan-21", date(2021, 1, 31)),
        ("Feb-24", date(2024, 2, 29)),
        ("December 2024", date(2024, 12, 31)),
        ("March 24", date(2024, 3, 31)),
        ("Dec 2024", date(2024, 12, 31)),
        ("March 2021", date(2021, 3, 31)),
        ("June '21", date(2021, 6, 30)),
        ("end June 2018", date(2018, 6, 30)),
        ("end of June 2018", date(2018, 6, 30)),
        ("by end of September 2020", date(2020, 9, 30)),
    ],
)
def test_month_only_means_the_last_day_of_that_month(text: str, expected: date) -> None:
    parsed = parse_date(text)
    assert (parsed.kind, parsed.value) == ("month", expected)
    assert parsed.flagged
    assert parsed.note is not None
    assert "month only" in parsed.note


def test_month_note_says_which_day_was_taken() -> None:
    assert parse_date("March 2021").note == "month only: taken as 31 March 2021"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Summer 23", date(2023, 8, 31)),
        ("Spring 2022", date(2022, 5, 31)),
        ("Autumn 2021", date(2021, 11, 30)),
        ("autumn '21", date(2021, 11, 30)),
        ("Winter 23", date(2024, 2, 29)),
        ("Winter 2024", date(2025, 2, 28)),
        ("Winter 2023/24", date(2024, 2, 29)),
    ],
)
def test_season_means_the_last_day_of_the_season(text: str, expected: date) -> None:
    parsed = parse_date(text)
    assert (parsed.kind, parsed.value) == ("season", expected)
    assert parsed.flagged
    assert parsed.note is not None
    assert "season" in parsed.note


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q1 2021", date(2021, 3, 31)),
        ("Q2 2021", date(2021, 6, 30)),
        ("q4 21", date(2021, 12, 31)),
        ("Quarter 3 2020", date(2020, 9, 30)),
        ("Q1 2021/22", date(2021, 6, 30)),
        ("Q4 2020/21", date(2021, 3, 31)),
        ("end of financial year 2017/18", date(2018, 3, 31)),
        ("End of the financial year 2017/18", date(2018, 3, 31)),
        ("year end 2017/18", date(2018, 3, 31)),
        ("financial year end 2019-20", date(2020, 3, 31)),
        ("2017/18", date(2018, 3, 31)),
        ("FY17/18", date(2018, 3, 31)),
        ("by 2021", date(2021, 12, 31)),
    ],
)
def test_quarters_and_financial_years_are_approximate(text: str, expected: date) -> None:
    parsed = parse_date(text)
    assert (parsed.kind, parsed.value) == ("approximate", expected)
    assert parsed.flagged
    assert parsed.note


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("end of financial year", date(2024, 5, 10), date(2025, 3, 31)),
        ("end of the financial year", date(2025, 3, 31), date(2025, 3, 31)),
        ("year end", date(2025, 1, 2), date(2025, 3, 31)),
        ("By the end of the financial year", date(2024, 4, 1), date(2025, 3, 31)),
    ],
)
def test_financial_year_end_without_a_year_uses_the_reference(
    text: str, reference: date, expected: date
) -> None:
    parsed = parse_date(text, reference=reference)
    assert (parsed.kind, parsed.value) == ("approximate", expected)


@pytest.mark.parametrize(
    "text", ["end of financial year", "year end", "30 June", "30/06", "end of June", "Summer"]
)
def test_year_less_dates_without_a_reference_are_unreadable(text: str) -> None:
    parsed = parse_date(text)
    assert (parsed.kind, parsed.value) == ("unreadable", None)
    assert parsed.note is not None
    assert "no year" in parsed.note


@pytest.mark.parametrize(
    ("text", "reference", "kind", "expected"),
    [
        ("30 June", date(2024, 5, 10), "exact", date(2024, 6, 30)),
        ("30 June", date(2024, 7, 1), "exact", date(2025, 6, 30)),
        ("30 June", date(2024, 6, 30), "exact", date(2024, 6, 30)),
        ("30/06", date(2024, 5, 10), "exact", date(2024, 6, 30)),
        ("by 1/4", date(2024, 5, 10), "exact", date(2025, 4, 1)),
        ("29 February", date(2024, 5, 10), "exact", date(2028, 2, 29)),
        ("June 30th", date(2024, 5, 10), "exact", date(2024, 6, 30)),
        ("end of June", date(2024, 5, 10), "month", date(2024, 6, 30)),
        ("end of June", date(2024, 7, 1), "month", date(2025, 6, 30)),
        ("May", date(2024, 5, 10), "month", date(2024, 5, 31)),
        ("Summer", date(2024, 9, 1), "season", date(2025, 8, 31)),
        ("Winter", date(2024, 2, 10), "season", date(2024, 2, 29)),
    ],
)
def test_year_less_dates_take_the_next_one_on_or_after_the_reference(
    text: str, reference: date, kind: DateKind, expected: date
) -> None:
    parsed = parse_date(text, reference=reference)
    assert (parsed.kind, parsed.value) == (kind, expected)
    assert parsed.note is not None
    assert "no year" in parsed.note


@pytest.mark.parametrize(
    ("text", "has_note"),
    [
        ("", False),
        ("   ", False),
        ("N/a", False),
        ("n/a", False),
        ("NA", False),
        ("-", False),
        ("None", False),
        ("TBC", True),
        ("TBA", True),
        ("tbc.", True),
        ("To be confirmed", True),
        ("Ongoing", True),
        ("On-going", True),
    ],
)
def test_blank_and_placeholders_mean_no_date(text: str, has_note: bool) -> None:
    parsed = parse_date(text)
    assert (parsed.kind, parsed.value) == ("none", None)
    assert parsed.original == text
    assert (parsed.note is not None) == has_note
    assert not parsed.flagged


def test_none_input_is_no_date_with_empty_original() -> None:
    assert parse_date(None) == ParsedDate(original="", value=None, kind="none")


def test_phased_dates_keep_every_milestone_and_take_the_last() -> None:
    parsed = parse_date("Phase 1 1 June 2020 Phase 2 1 October 2020 Phase 3 March 2021")
    assert parsed.kind == "phased"
    assert parsed.milestones == (date(2020, 6, 1), date(2020, 10, 1), date(2021, 3, 31))
    assert parsed.value == date(2021, 3, 31)
    assert parsed.flagged
    assert parsed.note is not None
    assert "month only" in parsed.note


@pytest.mark.parametrize(
    ("text", "milestones"),
    [
        (
            "<p>Phase 1: 31/03/2021</p><p>Phase 2: 30/09/2021</p>",
            (date(2021, 3, 31), date(2021, 9, 30)),
        ),
        ("Stage 1 Jan-21, Stage 2 Jun-21", (date(2021, 1, 31), date(2021, 6, 30))),
        ("1 June 2020 - 31 July 2020", (date(2020, 6, 1), date(2020, 7, 31))),
        # Text order is not date order: milestones are sorted and the note says so.
        ("31/03/2021 (revised from 31/12/2020)", (date(2020, 12, 31), date(2021, 3, 31))),
    ],
)
def test_several_dates_are_phased_in_date_order(text: str, milestones: tuple[date, ...]) -> None:
    parsed = parse_date(text)
    assert (parsed.kind, parsed.milestones, parsed.value) == ("phased", milestones, milestones[-1])


def test_phased_note_mentions_text_order_when_dates_were_out_of_order() -> None:
    note = parse_date("31/03/2021 (revised from 31/12/2020)").note
    assert note is not None
    assert "not in date order" in note


def test_repeated_single_date_is_not_phased() -> None:
    parsed = parse_date("31/03/2021 (31 March 2021)")
    assert (parsed.kind, parsed.value, parsed.milestones) == ("exact", date(2021, 3, 31), ())


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2020, 1, 1), date(2020, 6, 1)),
        (date(2020, 6, 1), date(2020, 6, 1)),
        (date(2020, 6, 2), date(2020, 10, 1)),
        (date(2021, 3, 31), date(2021, 3, 31)),
        (date(2023, 1, 1), date(2021, 3, 31)),
    ],
)
def test_due_from_picks_the_next_open_milestone(as_of: date, expected: date) -> None:
    parsed = parse_date("Phase 1 1 June 2020 Phase 2 1 October 2020 Phase 3 March 2021")
    assert due_from(parsed, as_of=as_of) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/03/2021", date(2021, 3, 31)),
        ("Mar-21", date(2021, 3, 31)),
        ("28 February 2021 and then annually", date(2021, 2, 28)),
        ("TBC", None),
        ("When resources allow", None),
    ],
)
def test_due_from_is_the_value_for_other_kinds(text: str, expected: date | None) -> None:
    assert due_from(parse_date(text), as_of=date(2030, 1, 1)) == expected


@pytest.mark.parametrize(
    ("text", "expected", "recurrence"),
    [
        ("28 February 2021 and then annually", date(2021, 2, 28), "annually"),
        ("31/03/2021 annually thereafter", date(2021, 3, 31), "annually"),
        ("30 June 2020 then quarterly", date(2020, 6, 30), "quarterly"),
        ("1 April 2020 and monthly thereafter", date(2020, 4, 1), "monthly"),
        ("Mar-21, then every year", date(2021, 3, 31), "annually"),
        ("31/01/2021 then six-monthly", date(2021, 1, 31), "six-monthly"),
        ("Quarterly", None, "quarterly"),
        ("Monthly reporting", None, "monthly"),
    ],
)
def test_recurring_dates(text: str, expected: date | None, recurrence: str) -> None:
    parsed = parse_date(text)
    assert (parsed.kind, parsed.value, parsed.recurrence) == ("recurring", expected, recurrence)
    assert parsed.flagged
    assert parsed.note


def test_recurring_note_names_the_first_date() -> None:
    parsed = parse_date("28 February 2021 and then annually")
    assert parsed.note == "repeats annually from 28 February 2021"


@pytest.mark.parametrize(
    "text",
    [
        "When resources allow",
        "31/02/2021",
        "30/13/2021",
        "31 June 2021",
        "1 June 1850",
        "1 June 202",
        "Subject to Cabinet approval",
        "2017-04",
        "2017/19",
        "When resources allow, or 31/02/2021",
        "Phase 1 31/02/2021 Phase 2 30/06/2021",
    ],
)
def test_unreadable_text_gives_no_date_and_a_note(text: str) -> None:
    parsed = parse_date(text, reference=REFERENCE)
    assert (parsed.kind, parsed.value, parsed.milestones) == ("unreadable", None, ())
    assert parsed.flagged
    assert parsed.note is not None
    assert "could not read a date" in parsed.note
    assert parsed.original == text


def test_impossible_date_note_quotes_the_bad_date() -> None:
    assert parse_date("31/02/2021").note == "could not read a date: '31/02/2021' is not a real date"


@pytest.mark.parametrize(
    ("kind", "flagged"),
    [
        ("none", False),
        ("exact", False),
        ("month", True),
        ("season", True),
        ("approximate", True),
        ("phased", True),
        ("recurring", True),
        ("unreadable", True),
    ],
)
def test_flagged_follows_the_kind(kind: DateKind, flagged: bool) -> None:
    parsed = ParsedDate(original="x", value=None, kind=kind)
    assert parsed.flagged is flagged


def test_words_that_look_like_months_in_prose_are_not_dates() -> None:
    assert parse_date("We may decide later").kind == "unreadable"
    assert parse_date("Market review in due course").kind == "unreadable"


_FUZZ_PIECES = [
    "1", "31", "02", "2021", "21", "/", ".", "-", " ", "st", "th", "June", "Mar", "may",
    "Summer", "winter", "Q", "q4", "phase", "Phase 2", "end of", "financial year", "year end",
    "annually", "then", "TBC", "n/a", "<p>", "</p>", "&amp;", "<", ">", "\u2013", "\u00a0",
    "\u0130", "\u00df", "\u0663", "\U0001d7da", "'", ",", "(", ")", "fy", "9999", "0000",
]  # fmt: skip


def test_fuzz_never_raises_and_results_are_consistent() -> None:
    rng = random.Random(20240510)
    alphabet = [chr(code) for code in range(32, 0x250)] + ["\n", "\t", "\u2028", "\ufeff"]
    for round_number in range(6000):
        if round_number % 2:
            text = "".join(rng.choice(_FUZZ_PIECES) for _ in range(rng.randint(0, 12)))
        else:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        reference = rng.choice([None, date(2024, 5, 10), date.max, date.min])
        parsed = parse_date(text, reference=reference)
        assert parsed.original == text
        if parsed.kind in {"exact", "month", "season", "approximate", "phased"}:
            assert parsed.value is not None
        if parsed.kind in {"none", "unreadable"}:
            assert parsed.value is None
        if parsed.kind == "phased":
            assert len(parsed.milestones) >= 2
            assert list(parsed.milestones) == sorted(set(parsed.milestones))
            assert parsed.value == parsed.milestones[-1]
        else:
            assert parsed.milestones == ()
        assert (parsed.recurrence is not None) == (parsed.kind == "recurring")
