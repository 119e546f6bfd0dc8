"""Property tests (issue 8): the importer never fails any way but a clear ImportFileError
and never writes part of a file; every date the parser gives is a real one, and what it
cannot read is flagged.

Examples are bounded so the whole file runs in a few seconds.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bot.importer.dates import parse_date
from bot.importer.errors import ImportFileError
from bot.importer.formula_guard import TRIGGERS, neutralise, restore
from bot.importer.plan_file import parse_plan_file, parse_table
from bot.importer.reader import parse_bytes
from tests.fixtures.plans.make_fixtures import PEER_CHALLENGE
from tests.importer.test_plan_files import PLANS, TODAY, _Register, db

__all__ = ["db"]

FAST = settings(max_examples=150, deadline=None)

# Text that stresses a CSV reader: delimiters, quotes, line ends, HTML, non-ASCII, NUL.
CELL_TEXT = st.lists(
    st.sampled_from([*"ab1.2 ,;\t|\"'\r\n<>&/=-+@£’é\x00\ufeff", "<p>", "&amp;", "1.1"]),
    max_size=8,
).map("".join)
HEADERS = ["Ref", "Action", "Owner", "Target date", "Status", "Notes", "Notes", ""]


def _parse(data: bytes) -> Any:
    return parse_table(parse_bytes(data, name="plan.csv"), today=TODAY)


@FAST
@given(st.binary(max_size=600))
@example(b"Ref,Action\n1,\x81")
@example(b"\xef\xbb\xbf")
@example(b"Ref\n1.1\xc3")
def test_random_bytes_give_a_plan_or_an_import_file_error(data: bytes) -> None:
    try:
        _parse(data)
    except ImportFileError as exc:
        assert str(exc)


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A plan written with a random dialect, encoding and header layout."""
    columns = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6))
    rows = [columns] + draw(
        st.lists(st.lists(CELL_TEXT, min_size=0, max_size=len(columns) + 1), max_size=6)
    )
    title = draw(st.lists(st.lists(CELL_TEXT, max_size=2), max_size=2))
    out = io.StringIO(newline="")
    writer = csv.writer(
        out,
        delimiter=draw(st.sampled_from(",;\t|")),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])),
        lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])),
    )
    writer.writerows(title + rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return out.getvalue().encode(encoding, errors="replace")


@FAST
@given(csv_files())
def test_random_csv_dialects_give_a_plan_or_an_import_file_error(data: bytes) -> None:
    try:
        plan = _parse(data)
    except ImportFileError as exc:
        assert str(exc)
        return
    assert plan.actions and all(a.ref for a in plan.actions)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=csv_files())
def test_a_refused_import_leaves_the_register_as_it_was(
    db: _Register, tmp_path: Path, data: bytes
) -> None:
    if db.count_plans() == 0:
        db.import_file(PLANS / PEER_CHALLENGE.name, "PCR")
    before, events = db.export("PCR"), db.last_event_id()
    path = tmp_path / "plan.csv"
    # Appending to the real plan: refs that clash, cells too long, broken quotes...
    path.write_bytes(PEER_CHALLENGE.render() + data)
    try:
        db.import_file(path, "PCR")
    except ImportFileError:
        assert db.export("PCR") == before and db.last_event_id() == events
        return
    # An import that went through kept every action the register had.
    assert set(before) <= set(db.export("PCR"))


@FAST
@given(st.text(max_size=20))
def test_neutralised_cells_never_start_a_formula_and_restore_exactly(text: str) -> None:
    safe = neutralise(text)
    assert safe[:1] not in TRIGGERS
    assert restore(safe) == text


DAY_MONTH_YEAR = st.tuples(
    st.integers(0, 32), st.integers(0, 13), st.integers(1990, 2040), st.sampled_from("/.-")
)


@FAST
@given(DAY_MONTH_YEAR)
@example((0, 1, 2020, "/"))
@example((31, 2, 2018, "/"))
def test_a_numeric_date_is_that_real_date_or_flagged(parts: tuple[int, int, int, str]) -> None:
    day, month, year, sep = parts
    text = f"{day:02d}{sep}{month:02d}{sep}{year}"
    parsed = parse_date(text, reference=TODAY)
    try:
        real: date | None = date(year, month, day)
    except ValueError:
        real = None
    if real is None:
        assert parsed.value is None and parsed.flagged, parsed
    else:
        assert (parsed.value, parsed.kind) == (real, "exact"), parsed


@FAST
@given(st.text(max_size=80))
@example("Phase 1 31/02/2020 Phase 2 March 2021")
@example("Q5 2021/22")
def test_any_text_gives_real_dates_and_flags_what_it_cannot_read(text: str) -> None:
    parsed = parse_date(text, reference=TODAY)
    assert parsed.original == text
    for value in (parsed.value, *parsed.milestones):
        assert value is None or isinstance(value, date)
        if value is not None:
            assert date.fromisoformat(value.isoformat()) == value
    if parsed.value is None and parsed.kind != "none":
        assert parsed.flagged and parsed.note, parsed
    if parsed.kind == "none":
        assert parsed.value is None


@pytest.mark.parametrize("text", ["TBC", "", "N/a", "Ongoing"])
def test_placeholders_are_no_date_not_unreadable(text: str) -> None:
    assert parse_date(text).kind == "none"


CELL_VALUES = st.one_of(
    st.none(),
    # Excel cannot hold control characters; openpyxl refuses them.
    CELL_TEXT.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
    st.sampled_from(HEADERS),
    st.integers(-5, 5000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)),
)
NUMBER_FORMATS = st.sampled_from(
    ["General", "0.00", "0.0#", "#,##0", "0%", "dd/mm/yyyy", "mmm-yy", "d mmmm yyyy", "@", "0;(0)"]
)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.lists(st.tuples(CELL_VALUES, NUMBER_FORMATS), max_size=6), max_size=8),
    merges=st.lists(
        st.tuples(st.integers(1, 8), st.integers(1, 6), st.integers(0, 2), st.integers(0, 3)),
        max_size=3,
    ),
    header=st.booleans(),
)
def test_random_workbooks_give_a_plan_or_an_import_file_error(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[list[tuple[object, str]]],
    merges: list[tuple[int, int, int, int]],
    header: bool,
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if header:
        sheet.append(["Ref", "Action", "Owner", "Target date", "Status", "Notes"])
    for row in rows:
        sheet.append([value for value, _ in row])
        for column, (_, number_format) in enumerate(row, start=1):
            sheet.cell(sheet.max_row, column).number_format = number_format
    for top, left, down, across in merges:
        if down or across:
            try:
                sheet.merge_cells(
                    start_row=top, start_column=left, end_row=top + down, end_column=left + across
                )
            except ValueError:
                pass
    path = tmp_path_factory.mktemp("book") / "plan.xlsx"
    book.save(path)
    try:
        plan = parse_plan_file(path, today=TODAY)
    except ImportFileError as exc:
        assert str(exc)
        return
    assert plan.actions and all(a.ref for a in plan.actions)
