"""The reply markup (bot/core/messages.py): actionbot's *bold*, _emphasis_ and `code` are styled;
text from plans and people, escaped by `theirs()`, is shown as written by every renderer."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.messages import Reply, Span, plain, spans, theirs, unescaped
from bot.render.cards import markdown
from bot.render.terminal import inline, plain_text, reply_view

MARKED = "*bold* _it_ ~strike~ `code` > quote \\ back"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_anything_escaped_by_theirs_is_shown_exactly_and_never_styled(text: str) -> None:
    found = spans(theirs(text))
    assert "".join(s.text for s in found) == text
    assert all(s.style == "" for s in found)
    assert unescaped(theirs(text)) == text


def test_actionbots_own_marks_are_styled_around_escaped_words() -> None:
    line = f"*{theirs('Fin*ance')}* said `/action {theirs('2_4')} done` _{theirs('now_')}_"
    assert spans(line) == [
        Span("Fin*ance", "bold"),
        Span(" said "),
        Span("/action 2_4 done", "code"),
        Span(" "),
        Span("now_", "em"),
    ]
    assert plain(line) == "Fin*ance said /action 2_4 done now_"


def test_snake_case_and_lone_marks_stay_text() -> None:
    assert spans("snake_case a*b * c _") == [Span("snake_case a*b * c _")]


def test_the_terminal_shows_a_plans_marks_as_written() -> None:
    shown = plain_text(reply_view(Reply(lines=[f"*NCC:2.4* {theirs(MARKED)}"])))
    assert shown.strip() == f"NCC:2.4 {MARKED}"
    styled = {str(span.style) for span in inline(f"*NCC:2.4* {theirs(MARKED)}").spans}
    assert styled == {"bold"}  # the label only


def test_teams_shows_a_plans_marks_as_written() -> None:
    assert markdown(f"*NCC:2.4* {theirs('*bold* _it_')}") == "**NCC:2.4** \\*bold\\* \\_it\\_"
