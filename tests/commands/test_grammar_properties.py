"""Properties of the /action grammar (hypothesis): it never raises on any text, and what
it accepts reads back from `to_text` as the same command."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.grammar import parse, to_text
from bot.commands.types import MAX_INPUT, AdminOwner, ParseError
from bot.handlers.slack.door import slash_text
from tests.fakes.signing import as_slack_sends

TODAY = date(2018, 1, 15)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words the grammar reacts to, and the kinds of things people put around them.
VOCABULARY = [
    "help",
    "?",
    "mine",
    "my",
    "list",
    "overdue",
    "due",
    "admin",
    "owner",
    "nudge",
    "digest",
    "deputy",
    "deputies",
    "none",
    "handover",
    "--from",
    "away",
    "back",
    "until",
    "assign",
    "@jane",
    '@"Head of Finance"',
    "jane@council.example",
    "none",
    "3 Jan",
    "2018-02-01",
    "done",
    "progress",
    "update",
    "blocked",
    "note",
    "date",
    "snooze",
    "on",
    "track",
    "at",
    "risk",
    "off",
    "2.4",
    "10/16",
    "(c)",
    "NCC:2.4",
    "ncc:1.1",
    "R&D",
    "3d",
    "14d",
    "400d",
    "30/06/2018",
    "31/02/2018",
    "30",
    "June",
    "end",
    "of",
    "2019-06-30",
    "yesterday",
    '"',
    "'",
    "\u201c",
    "\u201d",
    "<@U123|jane>",
    "<@U1>",
    "<!channel>",
    "&amp;",
    "&lt;",
    "<https://evil.example|x>",
    "🚨",
    "\t",
    "\n",
    "é",
    "0",
    "-1",
    "99999999999999999999",
]
grammar_words = st.lists(
    st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=8)), max_size=30
).map(" ".join)
VERB_PHRASES = [
    "done",
    "progress",
    "update",
    "blocked",
    "note",
    "on track",
    "at risk",
    "off track",
    "date 30/06/2018",
    "date end of June",
    "date 2019-06-30",
    "date 30 June 2018",
    "snooze 3d",
    "snooze 90d",
    "snooze 91d",
    "ON TRACK",
    "Done",
]
refs = st.one_of(
    st.sampled_from(["2.4", "NCC:2.4", '"10/16 (c)"', "'a b'", "x:y", "R2", "1:2"]),
    st.text(alphabet="abcXYZ0123.:/()-_'\"", min_size=1, max_size=10),
)
tails = st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=6)), max_size=6)
commands = st.one_of(
    st.builds(lambda r, v, t: " ".join([r, v, *t]), refs, st.sampled_from(VERB_PHRASES), tails),
    st.builds(
        lambda owner, user: f"admin owner {owner} <@{user}|who>",
        st.sampled_from(['"Head of Finance"', "Finance", "'R&D team'", '"a \\"b"']),
        st.from_regex(r"[A-Z0-9]{1,11}", fullmatch=True),
    ),
    st.builds(
        lambda owner, user, word, tail: f"admin owner {owner} <@{user}|who> {word} {tail}",
        st.sampled_from(['"Head of Finance"', "Finance", "'R&D team'", '"a \\"b"']),
        st.from_regex(r"[A-Z0-9]{1,11}", fullmatch=True),
        st.sampled_from(["deputies", "Deputy", "--deputies"]),
        st.sampled_from(["none", "@raj", "raj@council.example @sam", "<@U9|raj> @raj", ""]),
    ),
    grammar_words,
)
any_text = st.one_of(st.text(max_size=4000), commands)


@FAST
@given(any_text)
def test_the_grammar_never_raises(text: str) -> None:
    result = parse(text, today=TODAY)
    if isinstance(result, ParseError):
        assert result.message


@FAST
@given(commands)
def test_what_the_grammar_accepts_reads_back_the_same(text: str) -> None:
    command = parse(text, today=TODAY)
    if isinstance(command, ParseError):
        return
    again = to_text(command)
    assert parse(again, today=TODAY) == command, again


@FAST
@given(st.text(max_size=MAX_INPUT))
def test_slash_text_decodes_exactly_what_slack_escaped(typed: str) -> None:
    assert slash_text({"text": as_slack_sends(typed)}) == typed


people = st.lists(
    st.one_of(
        st.from_regex(r"<@[A-Z0-9]{1,11}>", fullmatch=True),
        st.from_regex(r"@[a-z][a-z.]{0,8}", fullmatch=True),
        st.from_regex(r"[a-z]{1,6}@council\.example", fullmatch=True),
    ),
    max_size=3,
    unique=True,
)


@FAST
@given(
    # Owner names as plans write them: the parser tidies spaces at the ends and in runs.
    st.text(alphabet="abc XYZ&<>'\"-", min_size=1, max_size=20).filter(
        lambda name: name.strip() == name and "  " not in name
    ),
    people.filter(bool),
    st.one_of(st.none(), people),
)
def test_an_owner_command_with_deputies_reads_back_the_same(
    owner: str, holders: list[str], deputies: list[str] | None
) -> None:
    """What the Map… forms build (holders and deputies, or no deputies: clear them) has one
    text form, so the audit trail and `actionbot chat` say exactly what the form did."""
    command = AdminOwner(owner, tuple(holders), None if deputies is None else tuple(deputies))
    text = to_text(command)
    assert parse(text, today=TODAY) == command, text
