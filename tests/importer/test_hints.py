"""Import options in the importer's messages: structured, so each door spells them its own way
(issue 12 follow-up). The command line's spelling is what `str()` gives."""

from __future__ import annotations

from datetime import date

import pytest

from bot.importer.errors import ImportFileError
from bot.importer.hints import MappingError, Option, Phrased, parse_mapping, phrased
from bot.services.imports.message import ReadOptions, chat_phrasing, read_message


def test_an_error_names_options_as_each_door_does() -> None:
    error = ImportFileError(
        ["no plan here; name the sheet with ", Option("sheet", advice=True), " and "]
        + [Option("map", "<header>", field="ref", advice=True)],
        row=1,
        place="sheet 'Cover'",
    )
    assert str(error) == (
        "sheet 'Cover', row 1: no plan here; name the sheet with --sheet and --map ref=\"<header>\""
    )
    assert error.phrased(chat_phrasing("NCC")) == (
        "sheet 'Cover', row 1: no plan here; name the sheet with the message "
        '`NCC sheet "<sheet name or number>"` '
        'and the message `NCC map ref="<header>"`'
    )
    # Wrapped with the place it was raised in, it keeps its options.
    wrapped = ImportFileError(["table 2: ", *error.parts])
    assert wrapped.options == error.options and '`NCC sheet "<sheet name' in wrapped.phrased(
        chat_phrasing("NCC")
    )
    assert ImportFileError("plain").options == ()


@pytest.mark.parametrize(
    ("option", "cli", "chat"),
    [
        (Option("sheet", "3"), "--sheet 3", "`sheet 3`"),
        (Option("sheet", "all", advice=True), "--sheet all", "the message `X sheet all`"),
        (Option("sheet", "Action plan"), "--sheet 'Action plan'", '`sheet "Action plan"`'),
        (Option("sheet"), "--sheet", "`sheet`"),
        (Option("map"), "--map", "`map`"),
        (Option("map", "Key", field="ref"), "--map ref='Key'", '`map ref="Key"`'),
    ],
)
def test_one_option_in_both_spellings(option: Option, cli: str, chat: str) -> None:
    text = Phrased("(", option, ")")
    assert text == f"({cli})" and isinstance(text, str)
    assert phrased(text, chat_phrasing("X")) == f"({chat})"
    assert phrased("no options", chat_phrasing("X")) == "no options"


def test_the_command_line_and_chat_read_mappings_with_one_reader() -> None:
    assert parse_mapping(['Ref="Action Ref."', "owners=Lead Officer"]) == {
        "ref": "Action Ref.",
        "owners": "Lead Officer",
    }
    for bad in ("ref", "=Header", "ref="):
        with pytest.raises(MappingError):
            parse_mapping([bad])


def test_advice_in_chat_keeps_what_the_admin_already_asked_for() -> None:
    """Following the advice sends the file again with the whole message: the sheet, maps and
    due date the admin gave stay in it, and the advised option replaces its own kind only."""
    given = ReadOptions(sheet="2", mapping=(("ref", "Key"),), default_due=date(2027, 3, 31))
    phrase = chat_phrasing("NCC", given)
    assert phrase(Option("map", "Status", field="update", advice=True)) == (
        'the message `NCC sheet 2 map ref="Key" map update="Status" due 2027-03-31`'
    )
    assert phrase(Option("sheet", "all", advice=True)) == (
        'the message `NCC sheet all map ref="Key" due 2027-03-31`'
    )
    assert phrase(Option("map", "Ref No", field="ref", advice=True)) == (
        'the message `NCC sheet 2 map ref="Ref No" due 2027-03-31`'
    )
    assert phrase(Option("sheet", advice=True)) == (
        'the message `NCC sheet "<sheet name or number>" map ref="Key" due 2027-03-31`'
    )


def test_any_unicode_space_separates_the_words_of_a_message() -> None:
    assert read_message("import\u00a0NCC").code == "NCC"
    request = read_message("NCC \u00a0sheet\u20032")
    assert (request.code, request.options.sheet) == ("NCC", "2")
