"""Plan files in every form councils send them, imported end to end into a real register.

The fixtures in tests/fixtures/plans/ are written byte for byte (cp1252, BOM, CRLF, tabs)
by make_fixtures.py; bytes that only make sense inside one test are built there. Each
database test runs on SQLite and on PostgreSQL (`db_url`), through the CLI as an admin
runs it or through `import_file`, and asserts on the register itself (its JSON export,
its events), not only on what was printed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import common as cli_common
from bot.cli import main as cli
from bot.commands.grammar import parse
from bot.commands.types import ParseError
from bot.core.clock import FixedClock
from bot.core.runtime import open_runtime
from bot.importer.columns import field_for
from bot.importer.errors import ImportFileError
from bot.importer.plan_file import parse_plan_file, parse_table
from bot.importer.reader import parse_bytes
from bot.services.actions import handle
from bot.services.audit import Actor
from bot.services.export import export_json
from bot.services.imports.apply import ImportOptions, ImportReport, import_file
from bot.services.people.identity import Caller
from store.db import make_engine, make_session_factory, transaction
from store.models import Action, Event, Owner, Plan
from store.queries import plan_by_code
from tests.conftest import FIXTURES
from tests.fixtures.plans.make_fixtures import (
    FIXTURES as GENERATED,
)
from tests.fixtures.plans.make_fixtures import (
    PEER_CHALLENGE,
    Fixture,
)

PLANS = FIXTURES / "plans"
TODAY = date(2018, 1, 15)


# --- helpers -------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def cli_clock(monkeypatch: pytest.MonkeyPatch, clock: FixedClock) -> FixedClock:
    """The CLI reads "today" from the same fixed clock as the services (15 Jan 2018), so
    year-less and phased dates resolve the same way on every run."""
    monkeypatch.setattr(
        cli_common, "open_runtime", lambda settings: open_runtime(settings, clock=clock)
    )
    return clock


def run(db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.app, ["--database-url", db_url, *args], env={"COLUMNS": "250"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def imported(db_url: str, path: Path, plan: str, *args: str) -> str:
    code, out, err = run(db_url, "import", str(path), "--plan", plan, *args)
    assert code == 0, err
    return out


@pytest.fixture
def db(db_url: str) -> Iterator[_Register]:
    register = _Register(db_url)
    yield register
    register.engine.dispose()


class _Register:
    """Direct reads of the register behind the CLI, plus the import service."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = make_session_factory(self.engine)

    def export(self, plan: str) -> dict[str, dict[str, Any]]:
        with transaction(self.sessions) as session:
            found = plan_by_code(session, code=plan)
            assert found is not None, f"no plan {plan}"
            records: list[dict[str, Any]] = json.loads(export_json(session, plan=found))
        return {r["ref"]: r for r in records}

    def count(self, model: type) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(model)).scalar_one())

    def count_plans(self) -> int:
        return self.count(Plan)

    def nothing_written(self) -> bool:
        return all(self.count(m) == 0 for m in (Plan, Action, Owner, Event))

    def events_after(self, last_id: int) -> list[tuple[str | None, str, str, str | None]]:
        """(ref, field, source, new value) of every event after `last_id`."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(Action.ref, Event.field, Event.source, Event.new_value)
                .select_from(Event)
                .outerjoin(Action, Event.action_id == Action.id)
                .where(Event.id > last_id)
                .order_by(Event.id)
            ).all()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def last_event_id(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one())

    def import_file(
        self, path: Path, plan: str, *, on: date = TODAY, **options: Any
    ) -> ImportReport:
        now = datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        return import_file(
            self.sessions,
            path=path,
            options=ImportOptions(plan_code=plan, source_file=path.name, **options),
            actor=Actor(name="test", source="cli"),
            now=now,
        )

    def chat(self, text: str, *, on: date = TODAY) -> None:
        """An owner's `/action` from Slack, through the same service the bot uses."""
        command = parse(text, today=on)
        assert not isinstance(command, ParseError), command
        now = datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
        caller = Caller(platform="slack", user_id="U0OWNER", is_admin=True)
        with transaction(self.sessions) as session:
            handle(session, command, caller=caller, now=now, today=on)


def edited(fixture: Fixture, tmp_path: Path, changes: dict[tuple[str, str], str]) -> Path:
    """The fixture with some cells changed: {(ref, header): new text}."""
    header = fixture.rows[0]
    rows = [header] + [list(row) for row in fixture.rows[1:]]
    for (ref, column), text in changes.items():
        row = next(r for r in rows[1:] if r[0] == ref)
        row[header.index(column)] = text
    path = tmp_path / fixture.name
    path.write_bytes(replace(fixture, rows=rows).render())
    return path


# --- the fixtures themselves -----------------------------------------------------------


def test_fixtures_match_their_generator() -> None:
    for fixture in GENERATED:
        assert (PLANS / fixture.name).read_bytes() == fixture.render(), (
            f"{fixture.name} is stale: run tests/fixtures/plans/make_fixtures.py"
        )


def test_fixtures_hold_the_bytes_they_claim() -> None:
    utf8 = (PLANS / "peer_challenge_utf8.csv").read_bytes()
    assert not utf8.startswith(b"\xef\xbb\xbf") and b"\r\n" not in utf8
    assert "Children’s".encode() in utf8
    bom = (PLANS / "budget_recovery_bom_semicolon.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbfNo.;Programme;") and bom.count(b"\r\n") >= 5
    cp1252 = (PLANS / "audit_actions_cp1252.csv").read_bytes()
    assert b"\xa3250,000" in cp1252 and b"\x93preferred\x94" in cp1252
    assert b"council\x92s" in cp1252 and b"\r\n" in cp1252
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")
    assert (PLANS / "governance_tabs.txt").read_bytes().startswith(b"ID\tSECTION\tTARGET\t")


# --- encodings and dialects ------------------------------------------------------------

DIALECTS: dict[str, dict[str, Any]] = {
    "peer_challenge_utf8.csv": {
        "read_as": "Read as utf-8, delimiter ','",
        "refs": ["1.1", "1.2", "2.1", "2.2"],
        "values": {
            ("1.1", "latest_update"): (
                "Draft budget out to consultation.\n"
                "Cabinet to consider the final proposals in February."
            ),
            ("1.2", "title"): (
                "Refresh the Medium Term Financial Plan,\nincluding a reserves strategy"
            ),
            ("2.1", "theme"): "Children’s Services",
            ("2.1", "owners"): ["Director of Children’s Services"],
            ("2.1", "latest_update"): (
                "Placements panel meets weekly — café-style drop-ins for social workers"
            ),
            ("1.1", "extra"): {"Directorate": "Finance"},
        },
    },
    "budget_recovery_bom_semicolon.csv": {
        "read_as": "Read as utf-8-sig, delimiter ';'",
        "refs": ["1", "2", "3"],
        "values": {
            ("1", "title"): "Review fees, charges and income; benchmark against neighbours",
            ("1", "theme"): "Income",
            ("1", "latest_update"): "Fees report drafted, awaiting sign-off",
            # A CRLF inside a quoted cell is one line break, not two.
            ("2", "latest_update"): "Recovery letters issued;\nsecond run in April",
            ("2", "status"): "done",
            ("3", "owners"): ["Director of Place"],
        },
    },
    "audit_actions_cp1252.csv": {
        "read_as": "Read as cp1252, delimiter ','",
        "refs": ["IA/01", "IA/02", "IA/03"],
        "values": {
            ("IA/01", "title"): "Recover the £250,000 overpaid to the “preferred” supplier",
            ("IA/02", "title"): "Update the council’s contract procedure rules – spend over £5k",
            ("IA/01", "theme"): "Procurement",
            ("IA/03", "owners"): ["Payroll Manager"],
        },
    },
    "governance_tabs.txt": {
        "read_as": "Read as utf-8, delimiter '\\t'",
        "refs": ["G1", "G2", "G3"],
        "values": {
            ("G1", "title"): "Agree a member development programme, with training on scrutiny",
            ("G1", "section"): "Leadership",
            ("G1", "theme"): "Leadership",
            ("G1", "outcome"): "Members confident to challenge",
            ("G3", "owners"): ["Head of Audit"],
        },
    },
}


def test_encodings_and_dialects_come_through_exactly(db: _Register) -> None:
    for index, (name, expected) in enumerate(DIALECTS.items()):
        plan = f"P{index}"
        out = imported(db.url, PLANS / name, plan)
        assert expected["read_as"] in out, name
        assert f"{len(expected['refs'])} added" in out, name
        register = db.export(plan)
        assert list(register) == expected["refs"], name
        for (ref, field), value in expected["values"].items():
            assert register[ref][field] == value, (name, ref, field)


def test_title_line_without_delimiters_does_not_hide_the_delimiter(
    db: _Register, tmp_path: Path
) -> None:
    # Only the header says the file is semicolon (or tab) separated: the title line
    # above it has no delimiter at all, and once made the whole file one column.
    for plan, delimiter in (("SEMI", ";"), ("TAB", "\t")):
        lines = [
            "Financial Recovery Plan 2020",
            delimiter.join(["No.", "Actions required", "Lead", "Due"]),
            delimiter.join(["1", "Review fees, charges and income", "Head of Finance", "31.08.20"]),
        ]
        path = tmp_path / f"{plan}.csv"
        path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
        out = imported(db.url, path, plan)
        assert f"delimiter {delimiter!r}" in out
        assert "row 1 above the header was read as a title" in out
        action = db.export(plan)["1"]
        assert action["title"] == "Review fees, charges and income"
        assert action["due_date"] == "2020-08-31"


# --- headers ---------------------------------------------------------------------------

COLUMNS: dict[str, dict[str, str]] = {
    "peer_challenge_utf8.csv": {
        "ref": "Action Ref.",
        "theme": "Improvement theme",
        "title": "Improvement Action",
        "owners": "Action Task Owner",
        "target": "Target Date",
        "revised": "Revised Target Date",
        "outcome": "Intended outcome",
        "update": "Current position",
        "status": "RAG / Status",
    },
    "budget_recovery_bom_semicolon.csv": {
        "ref": "No.",
        "theme": "Programme",
        "title": "Actions required",
        "owners": "Lead",
        "target": "Due",
        "update": "Latest update",
        "status": "Status",
    },
    "audit_actions_cp1252.csv": {
        "ref": "Ref",
        "theme": "Workstream",
        "title": "Action",
        "owners": "Owner",
        "target": "Due by",
        "status": "Status",
    },
    "governance_tabs.txt": {
        "ref": "ID",
        "section": "SECTION",
        "title": "TARGET",
        "owners": "Responsible officer",
        "target": "Target date",
        "outcome": "Intended Outcome",
        "status": "Status",
    },
    "committee_minutes.csv": {
        "ref": "Minute",
        "title": "Action agreed",
        "owners": "Owner",
        "target": "Due",
        "theme": "Workstream",
    },
}


@pytest.mark.parametrize("name", list(COLUMNS))
def test_each_plan_names_its_columns_in_its_own_words(name: str) -> None:
    plan = parse_plan_file(PLANS / name, today=TODAY)
    found = {f: plan.columns.headers[i] for f, i in plan.columns.fields.items()}
    assert found == COLUMNS[name]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("ACTION REF", "ref"),
        ("action-ref:", "ref"),
        ("No", "ref"),
        ("Ref.", "ref"),
        ("Id", "ref"),
        ("MINUTE", "ref"),
        ("Improvement  Action", "title"),
        ("actions required", "title"),
        ("Action Agreed", "title"),
        ("Target", "title"),
        ("Action task owner", "owners"),
        ("LEAD", "owners"),
        ("Owner(s)", "owners"),
        ("Responsible Officer:", "owners"),
        ("Target Date", "target"),
        ("target date", "target"),
        ("DUE", "target"),
        ("Due By", "target"),
        ("Revised target date", "revised"),
        ("Improvement Theme", "theme"),
        ("Programme", "theme"),
        ("Work-stream", "theme"),
        ("Workstream", "theme"),
        ("Section", "section"),
        ("Intended Outcome", "outcome"),
        ("Current Position", "update"),
        ("Latest Update", "update"),
        ("STATUS", "status"),
        ("RAG / Status", "status"),
        ("RAG/Status", "status"),
        ("\ufeffRef", "ref"),
    ],
)
def test_header_words_are_matched_whatever_their_case_and_punctuation(
    header: str, field: str
) -> None:
    assert field_for(header) == field


def test_map_names_the_column_that_holds_the_action(db: _Register) -> None:
    path = PLANS / "recommendations_map.csv"
    imported(db.url, path, "AUTO")
    auto = db.export("AUTO")["R1"]
    # Without --map the first title-like column wins and the other is kept as extra.
    assert auto["title"] == "Strengthen the grip on the capital programme"
    assert auto["extra"] == {
        "Improvement Action": "Set up a Capital Board chaired by the Chief Executive"
    }
    # As a shell passes `--map title="Improvement Action"` (quotes removed), and with
    # the quotes left in, as some shells and scripts pass them.
    for plan, value in (
        ("MAP", "title=Improvement Action"),
        ("MAPQ", 'title="Improvement Action"'),
    ):
        out = imported(db.url, path, plan, "--map", value)
        assert "title←'Improvement Action'" in out
        mapped = db.export(plan)["R1"]
        assert mapped["title"] == "Set up a Capital Board chaired by the Chief Executive"
        assert mapped["extra"] == {"Recommendation": "Strengthen the grip on the capital programme"}


BAD_MAPS = {
    "colour=Status": "--map names an unknown field 'colour'; fields are: ref, title",
    "title=Action Description": "--map title='Action Description': no such column; the file "
    "has: 'Ref', 'Recommendation', 'Improvement Action', 'Lead', 'Target Date'",
    "title": '--map wants field="Header in file"',
    "=Improvement Action": '--map wants field="Header in file"',
}


def test_bad_map_is_a_clear_error_and_writes_nothing(db: _Register) -> None:
    path = PLANS / "recommendations_map.csv"
    for mapping, message in BAD_MAPS.items():
        code, out, err = run(db.url, "import", str(path), "--plan", "X", "--map", mapping)
        assert code != 0, mapping
        assert message in err, (mapping, err)
        assert "Traceback" not in out + err
        assert db.nothing_written(), mapping


def test_unknown_columns_are_kept_as_extra_and_exported(db: _Register) -> None:
    out = imported(db.url, PLANS / "committee_minutes.csv", "JC")
    assert "kept as extra←'Notes'" in out
    register = db.export("JC")
    assert register["23/16"]["extra"] == {"Notes": "Carried forward from September"}
    assert register["24/16"]["extra"] == {}
    code, csv_out, _ = run(db.url, "export", "--plan", "JC", "--format", "csv")
    assert code == 0
    assert csv_out.splitlines()[0].endswith(",Notes")
    assert "Carried forward from September" in csv_out


def test_title_rows_above_the_header_are_skipped_with_a_warning(db: _Register) -> None:
    out = imported(db.url, PLANS / "committee_minutes.csv", "JC")
    assert (
        "rows 1-3 above the header were read as a title and not imported: "
        "Joint Committee – Action Log | Updated 1 December 2016"
    ) in out
    register = db.export("JC")
    assert list(register) == ["23/16", "24/16", "25/16"]
    assert register["23/16"]["title"] == "Circulate the revised terms of reference"
    assert register["23/16"]["owners"] == ["Clerk to the Joint Committee"]
    assert register["24/16"]["theme"] == "Shared Services"


# --- section rows and HTML cells -------------------------------------------------------


def test_section_row_in_the_reference_column_is_a_heading_not_an_action(db: _Register) -> None:
    # "BUDGET DELEGATION" alone in column A once became an action with that ref.
    out = imported(db.url, PLANS / "children_services_html.csv", "CSC")
    assert "3 added" in out
    register = db.export("CSC")
    assert list(register) == ["1", "2", "3"]
    assert [(r["section"], r["theme"]) for r in register.values()] == [
        ("BUDGET DELEGATION", "BUDGET DELEGATION"),
        ("BUDGET DELEGATION", "BUDGET DELEGATION"),
        ("SOCIAL WORK CAPACITY", "SOCIAL WORK CAPACITY"),
    ]


@pytest.mark.parametrize(
    ("cell", "is_heading"),
    [
        ("BUDGET DELEGATION", True),
        ("Governance", True),
        ("2. Staffing", True),
        ("Section A", True),
        ("1.1", False),
        ("A3", False),
        ("IA/01", False),
        ("Minute 23", False),
        ("Rec 4", False),
    ],
)
def test_lone_cell_in_the_reference_column(cell: str, is_heading: bool) -> None:
    data = f"Ref,Action,Owner\n{cell},,\n9.9,Do the thing,Finance\n".encode()
    plan = parse_table(parse_bytes(data), today=TODAY)
    refs = [a.ref for a in plan.actions]
    if is_heading:
        assert refs == ["9.9"] and plan.actions[0].section == cell
    else:
        assert refs == [cell, "9.9"] and plan.actions[1].section is None


def test_html_cells_are_cleaned_into_text_tasks_and_owners(db: _Register) -> None:
    imported(db.url, PLANS / "children_services_html.csv", "CSC")
    register = db.export("CSC")
    first = register["1"]
    assert first["title"] == "Delegate budgets to service managers"
    assert first["tasks"] == [
        "Agree budget holders & their limits",
        "Train budget holders",
        "Monthly budget clinics",
    ]
    assert first["owners"] == ["Head of Finance", "Assistant Director & Education"]
    assert first["status"] == "in_progress"
    assert (first["target_date"], first["target_text"]) == ("2022-03-31", "31/03/2022")
    assert register["2"]["title"] == (
        "Publish a scheme of financial delegation\nand review it annually"
    )
    assert register["2"]["tasks"] == []
    assert register["3"]["title"] == "Recruit permanent social workers & reduce agency staff"
    assert register["3"]["owners"] == ["Principal Social Worker", "HR Business Partner"]
    assert register["3"]["rag"] == "amber"


# --- dates -----------------------------------------------------------------------------

# ref: (target_date, target_text, revised_target_date, due_date, flagged)
DATES: dict[str, tuple[str | None, str | None, str | None, str | None, bool]] = {
    "D1": ("2020-08-31", "31.08.20", None, "2020-08-31", False),
    "D2": ("2022-03-31", "31/03/2022", None, "2022-03-31", False),
    "D3": ("2017-04-03", "2017-04-03", None, "2017-04-03", False),
    "D4": ("2017-04-03", "03-04-2017", None, "2017-04-03", False),
    "D5": ("2017-04-03", "3rd April 2017", None, "2017-04-03", False),
    "D6": (
        "2016-11-17",
        "ahead of the Joint Committee on 17th November 2016",
        None,
        "2016-11-17",
        True,
    ),
    "D7": ("2021-03-31", "Mar-21", "2021-01-31", "2021-01-31", True),
    "D8": ("2024-12-31", "December 2024", None, "2024-12-31", True),
    "D9": ("2024-03-31", "March 24", None, "2024-03-31", True),
    "D10": ("2023-08-31", "Summer 23", None, "2023-08-31", True),
    "D11": ("2018-03-31", "end of financial year", None, "2018-03-31", True),
    "D12": (None, "N/a", None, "2019-03-31", False),
    "D13": (None, None, None, "2019-03-31", False),
    # Phased: due now is the next milestone after 15 Jan 2018, not the last one.
    "D14": (
        "2020-06-01",
        "Phase 1 1 June 2020 Phase 2 1 October 2020 Phase 3 March 2021",
        None,
        "2020-06-01",
        True,
    ),
    "D15": ("2021-02-28", "28 February 2021 and then annually", None, "2021-02-28", True),
    "D16": ("2018-03-31", "31/03/2018", "2018-06-30", "2018-06-30", False),
    "D17": ("2018-03-31", "31/03/2018", None, "2018-03-31", True),
    "D18": (None, "when funding allows", None, "2019-03-31", True),
}


def test_dates_in_every_form_become_target_revised_and_due(db: _Register) -> None:
    out = imported(db.url, PLANS / "dates.csv", "DT", "--default-due", "2019-03-31")
    register = db.export("DT")
    assert list(register) == list(DATES)
    for ref, (target, text, revised, due, flagged) in DATES.items():
        action = register[ref]
        got = (
            action["target_date"],
            action["target_text"],
            action["revised_target_date"],
            action["due_date"],
        )
        assert got == (target, text, revised, due), ref
        assert bool(action["flags"]) is flagged, (ref, action["flags"])
        if flagged:
            quoted = action["revised_text"] if ref == "D17" else text
            assert f"row {list(DATES).index(ref) + 2}, ref {ref}: " in out, ref
            assert any(repr(quoted) in flag for flag in action["flags"]), ref
    assert register["D14"]["milestones"] == ["2020-06-01", "2020-10-01", "2021-03-31"]
    assert register["D15"]["recurrence"] == "annually"
    assert register["D16"]["slip_count"] == 1
    assert register["D17"]["revised_text"] == "when the review ends"
    assert "Warnings (11):" in out


def test_date_taken_from_a_sentence_is_reported_as_a_guess() -> None:
    # An "exact" date read out of a sentence, or given no year, is still a guess: it
    # once carried a note for the admin but raised no warning and no flag.
    data = (
        b"Ref,Action,Owner,Due\n"
        b"1,Report,Clerk,ahead of the Joint Committee on 17th November 2016\n"
        b"2,Report,Clerk,30 June\n"
        b"3,Report,Clerk,30/06/2018\n"
    )
    plan = parse_table(parse_bytes(data), today=TODAY)
    warnings = {a.ref: a.warnings for a in plan.actions}
    assert warnings["1"] == [
        "row 2, ref 1: Due 'ahead of the Joint Committee on 17th November 2016': "
        "date taken from a sentence: 17 November 2016"
    ]
    assert warnings["2"] == [
        "row 3, ref 2: Due '30 June': no year given: '30 June' taken as the next one, 30 June 2018"
    ]
    assert warnings["3"] == []


def test_reimporting_on_another_day_does_not_rewrite_flags(db: _Register) -> None:
    # Notes on year-less dates once quoted the day of the import, so every re-import on
    # a later day "changed" the flags of those actions.
    db.import_file(PLANS / "dates.csv", "DT", default_due=date(2019, 3, 31))
    db.import_file(PLANS / "committee_minutes.csv", "JC")
    before = db.last_event_id()
    later = TODAY + timedelta(days=20)
    for path, plan in ((PLANS / "dates.csv", "DT"), (PLANS / "committee_minutes.csv", "JC")):
        report = db.import_file(path, plan, on=later)
        assert report.count("changed") == 0, [
            (r.ref, [c.field for c in r.changes]) for r in report.results if r.changes
        ]
    assert db.events_after(before) == []


# --- statuses --------------------------------------------------------------------------

# ref: (status, rag, status_text)
STATUSES: dict[str, tuple[str, str | None, str | None]] = {
    "S1": ("done", None, None),
    "S2": ("done", "green", None),
    "S3": ("done", None, None),
    "S4": ("in_progress", "amber", None),
    "S5": ("not_started", "red", None),
    "S6": ("blocked", "red", None),
    "S7": ("not_started", "green", None),
    "S8": ("not_started", "amber", None),
    "S9": ("not_started", None, "Awaiting Cabinet"),
    "S10": ("not_started", None, None),
    "S11": ("not_started", None, None),
}


def test_status_words_and_rag_colours(db: _Register) -> None:
    out = imported(db.url, PLANS / "statuses.csv", "ST")
    register = db.export("ST")
    got = {ref: (a["status"], a["rag"], a["status_text"]) for ref, a in register.items()}
    assert got == STATUSES
    # Unknown words are kept and reported, never guessed.
    assert "row 10, ref S9: status 'Awaiting Cabinet' not understood; kept as text" in out
    assert "row 11, ref S10: RAG 'Purple' not understood; kept as text" in out
    assert register["S10"]["extra"] == {"RAG": "Purple"}
    peer = PLANS / "peer_challenge_utf8.csv"
    imported(db.url, peer, "PCR")
    combined = db.export("PCR")["1.1"]
    assert (combined["status"], combined["rag"]) == ("in_progress", "green")


# --- behaviour on re-import ------------------------------------------------------------


def test_reimporting_any_fixture_unchanged_writes_no_event(db: _Register) -> None:
    names = [f.name for f in GENERATED]
    for index, name in enumerate(names):
        db.import_file(PLANS / name, f"P{index}", default_due=date(2019, 3, 31))
    before = db.count(Event)
    for index, name in enumerate(names):
        report = db.import_file(PLANS / name, f"P{index}")
        assert report.count("changed") == 0 and report.count("added") == 0, name
        assert report.count("unchanged") == len(report.results) > 0
    assert db.count(Event) == before


def test_dry_run_shows_every_change_and_writes_nothing(db: _Register, tmp_path: Path) -> None:
    imported(db.url, PLANS / PEER_CHALLENGE.name, "PCR")
    rows = [list(r) for r in PEER_CHALLENGE.rows if r[0] != "2.2"]
    rows[1][4] = "30/04/2018"  # 1.1 Target Date
    rows.append(["3.1", "Customer Services", "Launch a single front door", "Head of Customer"])
    path = tmp_path / "peer_challenge_v2.csv"
    path.write_bytes(replace(PEER_CHALLENGE, rows=rows).render())
    events, register = db.count(Event), db.export("PCR")

    code, out, err = run(db.url, "import", str(path), "--plan", "PCR", "--dry-run")

    assert code == 0, err
    assert out.startswith("DRY RUN: nothing written. Plan PCR: 1 added, 1 changed, 2 unchanged, ")
    assert "1 in the register but not in the file" in out
    lines = out.splitlines()
    assert any("3.1" in line and "added" in line for line in lines)
    for field, old, new in (
        ("target_date", "2018-03-31", "2018-04-30"),
        ("target_text", "31/03/2018", "30/04/2018"),
        ("due_date", "2018-03-31", "2018-04-30"),
    ):
        assert any(
            "1.1" in line
            and "changed" in line
            and f" {field} " in line
            and old in line
            and new in line
            for line in lines
        ), field
    assert "In the register but not in the file (kept; --archive-missing cancels them): 2.2" in out
    assert db.count(Event) == events
    assert db.export("PCR") == register


def test_reimport_changes_only_what_changed_and_keeps_chat_updates(
    db: _Register, tmp_path: Path
) -> None:
    imported(db.url, PLANS / PEER_CHALLENGE.name, "PCR")
    # Owners update three actions from Slack.
    db.chat("1.2 done MTFP approved by Cabinet")
    db.chat("2.2 date 31/12/2018 waiting for the placements review")
    db.chat("2.2 off track panel not yet set up")
    chat = db.export("PCR")
    assert chat["1.2"]["status"] == "done"
    assert chat["2.2"]["revised_target_date"] == "2018-12-31"
    assert (chat["2.2"]["status"], chat["2.2"]["rag"]) == ("in_progress", "red")
    before = db.last_event_id()

    path = edited(
        PEER_CHALLENGE,
        tmp_path,
        {
            ("1.1", "Target Date"): "30/04/2018",
            ("2.1", "Improvement Action"): "Bring the Children’s Services overspend down",
            ("2.2", "Current position"): "Panel reviewing 12 placements",
        },
    )
    out = imported(db.url, path, "PCR")

    assert "0 added, 3 changed, 1 unchanged" in out
    assert sorted((ref or "", field) for ref, field, _, _ in db.events_after(before)) == [
        ("1.1", "due_date"),
        ("1.1", "target_date"),
        ("1.1", "target_text"),
        ("2.1", "title"),
        ("2.2", "latest_update"),
        # The file says "Not started" in 2.2's Status cell, so the file's word stands.
        ("2.2", "status"),
    ]
    assert {source for _, _, source, _ in db.events_after(before)} == {"import"}
    after = db.export("PCR")
    # Blank cells keep what owners said in chat...
    assert after["1.2"]["status"] == "done"
    assert after["1.2"]["latest_update"] == "MTFP approved by Cabinet"
    assert after["2.2"]["revised_target_date"] == "2018-12-31"
    assert after["2.2"]["due_date"] == "2018-12-31"
    assert after["2.2"]["slip_count"] == 1
    assert after["2.2"]["rag"] == "red"
    # ...and a cell the file fills wins.
    assert after["2.2"]["latest_update"] == "Panel reviewing 12 placements"
    assert after["2.2"]["status"] == "not_started"
    assert after["1.1"]["due_date"] == "2018-04-30"


def test_missing_actions_are_kept_unless_archived(db: _Register, tmp_path: Path) -> None:
    imported(db.url, PLANS / PEER_CHALLENGE.name, "PCR")
    path = tmp_path / "peer_challenge_short.csv"
    path.write_bytes(
        replace(PEER_CHALLENGE, rows=[r for r in PEER_CHALLENGE.rows if r[0] != "2.2"]).render()
    )
    before = db.last_event_id()

    out = imported(db.url, path, "PCR")
    assert "1 in the register but not in the file" in out
    assert "(kept; --archive-missing cancels them): 2.2" in out
    assert db.export("PCR")["2.2"]["status"] == "not_started"
    assert db.events_after(before) == [(None, "plan.source_file", "import", path.name)]

    out = imported(db.url, path, "PCR", "--archive-missing")
    assert "1 were archived (cancelled)" in out
    assert db.export("PCR")["2.2"]["status"] == "cancelled"
    assert db.events_after(before)[1:] == [("2.2", "status", "import", "cancelled")]
    assert db.count(Action) == 4

    before = db.last_event_id()
    out = imported(db.url, path, "PCR", "--archive-missing")
    assert "archived" not in out.splitlines()[0]
    assert db.events_after(before) == []


# --- bad input -------------------------------------------------------------------------

BAD_INPUT: dict[str, tuple[bytes, list[str]]] = {
    "truncated excel workbook": (
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
        ["looks like a zip archive but is damaged"],
    ),
    "image": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        ["is not a text file, an Excel workbook (.xlsx) or a Word document (.docx)"],
    ),
    "empty": (b"", ["is empty"]),
    "blank lines": (b"\r\n\r\n  \r\n", ["is empty"]),
    "no reference column": (
        b"Action,Owner,Due\nPublish the budget,Finance,31/03/2018\n",
        [
            "row 1: no reference column found",
            "Headers seen: 'Action', 'Owner', 'Due'",
            '--map ref="<header>"',
        ],
    ),
    "duplicate refs": (
        b"Ref,Action,Owner\n1.1,Publish the budget,Finance\n1.2,Train,HR\n1.1,Again,Finance\n",
        ["row 4, column 'Ref': reference '1.1' appears twice (rows 2 and 4)"],
    ),
    "header only": (b"Ref,Action,Owner\r\n", ["row 1: the file has a header but no actions"]),
    "broken quotes": (
        b'Ref,Action,Owner\n1.1,Publish,Finance\n1.2,"Train" budget holders,HR\n',
        ["row 3: ", "is not valid CSV"],
    ),
    "unclosed quote": (
        b'Ref,Action,Owner\n1.1,"Publish the budget,Finance\n1.2,Train,HR\n',
        ["row 2: ", "is not valid CSV: unexpected end of data"],
    ),
    "neither utf-8 nor cp1252": (
        b"Ref,Action,Owner\n1.1,Publish,Fin\x81ance\n",
        ["neither UTF-8 nor Windows-1252 text (byte 32, line 2)"],
    ),
    "status too long for the register": (
        b'Ref,Action,Owner,Status\n1.1,Publish,Finance,In progress\n1.2,Train,HR,"'
        + b"Awaiting the outcome of the external review of budget setting. " * 4
        + b'"\n',
        [
            "row 3, column 'Status': status text is 251 characters, longer than the 200",
            '--map update="Status"',
        ],
    ),
    "owner too long for the register": (
        b"Ref,Action,Owner\n1.1,Publish,Chief Finance Officer supported by "
        + b" ".join(b"Service Manager %d" % n for n in range(1, 20))
        + b"\n",
        ["row 2, column 'Owner': owner name is 386 characters, longer than the 300"],
    ),
}


def test_bad_input_is_refused_naming_where_and_writes_nothing(
    db: _Register, tmp_path: Path
) -> None:
    wrong: dict[str, str] = {}
    for index, (case, (content, messages)) in enumerate(BAD_INPUT.items()):
        path = tmp_path / f"plan{index}.csv"
        path.write_bytes(content)
        code, out, err = run(db.url, "import", str(path), "--plan", "BAD")
        missing = [m for m in messages + ["Nothing was written"] if m not in err]
        if code == 0 or missing or "Traceback" in out + err:
            wrong[case] = f"exit {code}; missing {missing}; stderr: {err}"
        if not db.nothing_written():
            wrong[case] = "wrote to the register"
            break
    assert not wrong, "\n".join(f"{case}: {why}" for case, why in wrong.items())


def test_fifty_megabytes_of_junk_is_refused_by_its_size(db: _Register, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    line = b'junk;more junk,"still\tjunk\n'
    path.write_bytes(line * (50 * 1024 * 1024 // len(line)))
    code, out, err = run(db.url, "import", str(path), "--plan", "BIG")
    assert code != 0
    assert "plan.csv is 50.0 MB; plans larger than 25 MB are refused" in err
    assert "Nothing was written" in err
    assert db.nothing_written()


def test_import_file_raises_import_file_error_and_rolls_back(db: _Register, tmp_path: Path) -> None:
    # The service (not only the CLI) refuses a too-long value before writing anything,
    # even into a plan that exists: PostgreSQL would otherwise fail half-way.
    db.import_file(PLANS / PEER_CHALLENGE.name, "PCR")
    before = db.export("PCR")
    path = edited(PEER_CHALLENGE, tmp_path, {("2.2", "Improvement theme"): "T" * 301})
    with pytest.raises(ImportFileError) as raised:
        db.import_file(path, "PCR")
    assert raised.value.row == 5 and raised.value.column == "Improvement theme"
    assert db.export("PCR") == before
