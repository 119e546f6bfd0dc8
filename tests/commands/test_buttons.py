"""A click becomes the Command its typed words would: one module for Slack, Teams and the
console (bot/commands/buttons.py)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import buttons
from bot.commands.grammar import parse
from bot.commands.types import MAX_NOTE, AddNote, AdminOwner, RefSpec, Revise, SetRag, SetStatus

TARGET = RefSpec("2.4", None)
TODAY = date(2018, 1, 15)


@pytest.mark.parametrize(
    ("verb", "typed"),
    [("done", "2.4 done"), ("on_track", "2.4 on track"), ("at_risk", "2.4 at risk")],
)
def test_a_quick_button_is_what_its_words_are(verb: str, typed: str) -> None:
    assert buttons.quick(verb, TARGET) == parse(typed, today=TODAY)
    assert verb in buttons.QUICK


def test_a_quick_verb_it_does_not_know_is_refused() -> None:
    with pytest.raises(KeyError):
        buttons.quick("delete", TARGET)


def test_an_update_with_a_rag_sets_it_and_without_one_adds_a_note() -> None:
    assert buttons.update(TARGET, " budget agreed ", "amber") == SetRag(
        TARGET, "amber", "budget agreed"
    )
    assert buttons.update(TARGET, "budget agreed", "none") == AddNote(TARGET, "budget agreed")
    assert buttons.update(TARGET, "budget agreed", None) == AddNote(TARGET, "budget agreed")


def test_an_empty_update_is_problems_by_field_and_no_command() -> None:
    found = buttons.update(TARGET, "   ", "green")
    assert isinstance(found, buttons.FormProblems)
    assert list(found.by_field) == ["note"] and found.text == "Write the update."


def test_a_new_date_with_its_reason_is_a_revision() -> None:
    found = buttons.revision(TARGET, "2018-06-30", " the budget is late ", today=TODAY)
    assert found == Revise(TARGET, date(2018, 6, 30), "2018-06-30", "the budget is late")


@pytest.mark.parametrize(
    ("picked", "reason", "fields"),
    [
        (None, "late", ["date"]),
        ("2017-12-01", "late", ["date"]),
        ("2018-06-30 because", "late", ["date"]),
        ("2018-06-30", "  ", ["reason"]),
        ("", "", ["date", "reason"]),
    ],
)
def test_a_new_date_form_with_problems_changes_nothing(
    picked: str | None, reason: str, fields: list[str]
) -> None:
    found = buttons.revision(TARGET, picked, reason, today=TODAY)
    assert isinstance(found, buttons.FormProblems)
    assert sorted(found.by_field) == fields


def test_the_map_form_names_people_as_the_typed_command_does() -> None:
    assert buttons.owner("Head of Finance", ["U1", "U2"], ["U3"]) == AdminOwner(
        "Head of Finance", ("<@U1>", "<@U2>"), ("<@U3>",)
    )
    assert buttons.owner_form("Head of Finance") == AdminOwner("Head of Finance", ())


def test_a_map_form_without_a_holder_is_refused_beside_the_field() -> None:
    """The rule both doors had written for themselves, in two wordings."""
    found = buttons.owner("Head of Finance", [], ["U3"])
    assert found == buttons.FormProblems({"holders": "Choose at least one holder."})


def test_done_is_a_status_not_a_rag() -> None:
    assert isinstance(buttons.quick("done", TARGET), SetStatus)


@pytest.mark.parametrize(
    ("kind", "reason", "typed"),
    [
        ("accept", None, "2.4 accept"),
        ("approve", None, "2.4 approve"),
        ("reject", "no signed minutes", "2.4 reject no signed minutes"),
        ("decline", "the committee set it", "2.4 decline the committee set it"),
    ],
)
def test_a_closure_button_is_what_its_words_are(kind: str, reason: str | None, typed: str) -> None:
    assert buttons.review_command(kind, TARGET, reason) == parse(typed, today=TODAY)
    assert kind in buttons.REVIEW_KINDS


@pytest.mark.parametrize("kind", ["reject", "decline"])
def test_a_reason_form_saved_empty_is_refused_beside_the_reason(kind: str) -> None:
    problems = buttons.review_reason(kind, TARGET, "   ")
    assert isinstance(problems, buttons.FormProblems)
    assert list(problems.by_field) == ["reason"]


def test_a_reason_form_keeps_the_reason_as_typed_and_cut_to_a_note() -> None:
    typed = "  <!channel> *bold* 😀 " + "x" * 3000
    command = buttons.review_reason("reject", TARGET, typed)
    assert command == buttons.review_command("reject", TARGET, typed.strip()[:MAX_NOTE])


@pytest.mark.parametrize(
    ("comment", "done"),
    [("2.4 done", True), ("2.4 done the minutes", True), ("2.4 progress x", False), ("", False)],
)
def test_words_sent_with_a_file_say_whether_it_is_evidence(comment: str, done: bool) -> None:
    assert buttons.is_done(comment, today=TODAY) is done
