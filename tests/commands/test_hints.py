"""Hints that are right: examples relative to today, and what the user typed kept."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from bot.commands.grammar import parse
from bot.commands.help import GRAMMAR, help_text
from bot.commands.types import ParseError, Revise

TODAYS = [date(2018, 1, 31), date(2018, 6, 29), date(2018, 12, 31), date(2026, 11, 24)]


def dates_in(text: str) -> list[date]:
    return [
        date(int(y), int(m), int(d)) for d, m, y in re.findall(r"\b(\d\d)/(\d\d)/(\d{4})\b", text)
    ]


@pytest.mark.parametrize("today", TODAYS)
def test_every_help_example_is_accepted_as_it_stands(today: date) -> None:
    text = help_text(today=today, admin=True)
    assert dates_in(text) and all(d > today for d in dates_in(text))
    for form in GRAMMAR:
        example = form.example_for(today)
        # Slack delivers a typed @jane picked from its menu as <@U123|jane>.
        parsed = parse(example.replace("@jane", "<@U123|jane>"), today=today)
        assert not isinstance(parsed, ParseError), (example, parsed)
        if "date" in form.usage.split():
            assert isinstance(parsed, Revise) and parsed.new_date > today


@pytest.mark.parametrize("today", TODAYS)
def test_a_refusal_never_suggests_a_past_date(today: date) -> None:
    past = (today - timedelta(days=40)).strftime("%d/%m/%Y")
    for text in (f"2.4 date {past} awaiting audit", f"2.4 date {past}", "2.4 date", "2.4 finish"):
        refused = parse(text, today=today)
        assert isinstance(refused, ParseError)
        for suggestion in refused.suggestions:
            assert all(d >= today for d in dates_in(suggestion)), (text, suggestion)


def test_a_past_date_keeps_the_reason_the_user_gave() -> None:
    refused = parse("2.4 date 30/06/2018 awaiting audit", today=date(2026, 11, 24))
    assert isinstance(refused, ParseError)
    assert (
        refused.message
        == "Sat 30 Jun 2018 is in the past; a new target date must be today or later."
    )
    assert refused.suggestions == ("/action 2.4 date 31/12/2026 awaiting audit",)


def test_a_missing_reason_keeps_the_date_the_user_typed() -> None:
    refused = parse("2.4 date 30/07/2027", today=date(2026, 11, 24))
    assert isinstance(refused, ParseError)
    assert refused.suggestions == ("/action 2.4 date 30/07/2027 <reason>",)


def test_a_quoted_ref_is_suggested_quoted() -> None:
    refused = parse('"10/16 (c)" date 31 December', today=date(2026, 11, 24))
    assert isinstance(refused, ParseError)
    assert refused.suggestions == ('/action "10/16 (c)" date 31 December <reason>',)


def test_an_overlong_note_says_what_to_do_not_try_a_shorter_note() -> None:
    refused = parse("2.4 note " + "x" * 1600, today=date(2026, 11, 24))
    assert isinstance(refused, ParseError)
    assert refused.suggestions == ()
    assert "1,600" in refused.message and "Shorten it" in refused.message


def test_one_command_per_suggestion() -> None:
    refused = parse("2.4 finish", today=date(2026, 11, 24))
    assert isinstance(refused, ParseError)
    assert len(refused.suggestions) == 3
    assert all(s.count("/action") == 1 for s in refused.suggestions)
