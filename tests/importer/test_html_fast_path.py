"""clean_html's shortcut for plain cells gives exactly what the full cleaning gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.importer.html_text import _clean_html, clean_html

CELLS = st.text(
    alphabet=st.sampled_from(list("ab <>&;#p/ \t\n\r\x0b\x0c\x1c\x85\u2028\u00a0-•")),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_shortcut_matches_the_full_cleaning(text: str) -> None:
    assert clean_html(text) == _clean_html(text)


def test_plain_and_messy_cells() -> None:
    assert clean_html("Head of Finance") == "Head of Finance"
    assert clean_html("  Head  of\tFinance ") == _clean_html("  Head  of\tFinance ")
    assert clean_html("Head of Finance ") == "Head of Finance"
    assert clean_html("a\u00a0b") == "a b"  # a no-break space is tidied, not passed through
    assert clean_html("R&amp;D <b>now</b>") == "R&D now"
