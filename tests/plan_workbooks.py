"""Plan files made in the test with the real libraries: a workbook whose plans are on two
sheets, and a CSV whose columns have headers actionbot does not know."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

HEADER = ["Ref", "Action", "Owner", "Target Date"]
FIRST_SHEET = "Finance plan"
SECOND_SHEET = "Action plan"
FIRST_REFS = ["1.1", "1.2"]
SECOND_REFS = ["2.1", "2.2", "2.3"]
ODD_REF = "Tracker Key"
ODD_OWNER = "Accountable Person"


def two_sheet_workbook() -> bytes:
    """Two plan sheets: "Finance plan" (1.1, 1.2) and "Action plan" (2.1-2.3)."""
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = FIRST_SHEET
    second = book.create_sheet(SECOND_SHEET)
    for sheet, refs in ((first, FIRST_REFS), (second, SECOND_REFS)):
        sheet.append(HEADER)
        for ref in refs:
            sheet.append([ref, f"Deliver item {ref}", "Head of Finance", "31/03/2018"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def odd_headers_csv() -> bytes:
    """A plan whose reference and owner columns have headers actionbot does not know."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([ODD_REF, "Action", ODD_OWNER, "Target Date"])
    writer.writerow(["A-1", "Publish the budget timetable", "Head of Finance", "31/03/2018"])
    writer.writerow(["A-2", "Train budget holders", "Head of HR", "30/04/2018"])
    return buffer.getvalue().encode("utf-8")
