"""Import options in the importer's messages: structured, so each door spells them its own way
(issue 12 follow-up). The command line's spelling is what `str()` gives."""

from __future__ import annotations

import pytest

from bot.importer.errors import ImportFileError
from bot.importer.hints import MappingError, Option, Phrased, parse_mapping, phrased
from bot.services.import_message import chat_phrasing


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
        "sheet 'Cover', row 1: no plan here; name the sheet with the message `NCC sheet 2` "
        'and the message `NCC map ref="<header>"`'
    )
    # Wrapped with the place it was raised in, it keeps its options.
    wrapped = ImportFileError(["table 2: ", *error.parts])
    assert wrapped.options == error.options and "`NCC sheet 2`" in wrapped.phrased(
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
