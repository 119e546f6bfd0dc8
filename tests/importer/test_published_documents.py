"""Plans from the documents councils publish (issue 25): a plan table in a PDF report,
committee minutes (PDF and Word), a programme report with carried-forward actions.

Each practice document in tests/fixtures/published/ is imported through the CLI, as an
admin runs it, into an empty register (SQLite and PostgreSQL), and the export is checked
against expected.json by its own rules (tests/published.py). Importing it again must
change nothing: the refs made up for prose actions are stable.
"""

from __future__ import annotations

import pytest

from tests.importer.test_plan_files import _Register, cli_clock, db, run
from tests.published import check, documents, expectation, path_of

__all__ = ["cli_clock", "db"]


@pytest.mark.parametrize("name", documents())
def test_published_document_imports_to_its_expected_register(db: _Register, name: str) -> None:
    entry = expectation(name)
    code, _, err = run(db.url, "import", str(path_of(name)), "--plan", entry["plan"], "--yes")
    assert code == 0, err
    register = db.export(entry["plan"])
    assert check(entry, list(register.values())) == []

    last = db.last_event_id()
    code, out, err = run(db.url, "import", str(path_of(name)), "--plan", entry["plan"], "--yes")
    assert code == 0, err
    assert db.events_after(last) == []
    assert list(db.export(entry["plan"])) == list(register)
    assert f"0 added, 0 changed, {len(register)} unchanged" in out
