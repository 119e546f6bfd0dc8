"""The command line reads well at 80 columns: fitted tables, --json, one action whole,
human --help, --version."""

from __future__ import annotations

import json
import re

from rich.cells import cell_len
from typer.testing import CliRunner

from bot.cli.main import app
from tests.conftest import FIXTURES, SAMPLES

SAMPLE = SAMPLES / "ncc-financial-management-2017.csv"
OWNERS = SAMPLES / "ncc-owners-example.csv"
CLEAN = FIXTURES / "plans" / "clean.csv"


def run(db_url: str, *args: str, columns: int = 80) -> str:
    result = CliRunner().invoke(
        app, ["--database-url", db_url, *args], env={"COLUMNS": str(columns)}
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.stdout


def seeded(db_url: str) -> None:
    run(db_url, "owners", "import", str(OWNERS))
    run(db_url, "import", str(SAMPLE), "--plan", "NCC", "--default-due", "2018-03-31")
    run(db_url, "import", str(CLEAN), "--plan", "FIN", "--name", "Finance plan")


def widest(text: str) -> int:
    return max(cell_len(line) for line in text.splitlines())


def test_tables_fit_80_columns_dropping_columns_not_squeezing_them(db_url: str) -> None:
    seeded(db_url)
    register = run(db_url, "show", "--plan", "NCC")
    assert widest(register) <= 80
    header = next(line for line in register.splitlines() if "Ref" in line)
    assert [c.strip() for c in header.strip("┃").split("┃")] == [
        "Ref",
        "Action",
        "Due",
        "Status",
        "RAG",
    ]
    # Words wrap whole: every word of a long title is on one line somewhere.
    assert "organisation" in register and "Strengthening" in register
    owners = run(db_url, "owners", "list")
    assert widest(owners) <= 80 and "Email" in owners
    wide = run(db_url, "show", "--plan", "NCC", columns=200)
    assert "Owners" in wide and "Theme" in wide and widest(wide) <= 200
    assert widest(run(db_url, "plans", "list", columns=60)) <= 60


def test_every_listing_has_json(db_url: str) -> None:
    seeded(db_url)
    plans = json.loads(run(db_url, "plans", "list", "--json"))
    assert [(p["code"], p["actions"]) for p in plans] == [("FIN", 3), ("NCC", 25)]
    owners = json.loads(run(db_url, "owners", "list", "--json"))
    finance = next(o for o in owners if o["name"] == "Finance")
    assert finance["email"] == "finance@northants.example" and finance["actions"] > 1
    register = json.loads(run(db_url, "show", "--plan", "FIN", "--json"))
    assert [a["ref"] for a in register] == ["1.1", "1.2", "2.1"]
    assert "history" not in register[0]


def test_show_one_action_whole(db_url: str) -> None:
    seeded(db_url)
    out = " ".join(run(db_url, "show", "--plan", "FIN", "2.1").split())
    assert "FIN:2.1 Review reserves policy" in out
    # Dates and times for people, one style everywhere; ISO only in --json.
    assert "Target as written: '2018-09-30' → read as Sun 30 Sep 2018" in out
    assert "Revised as written: '31/12/2018' → read as Mon 31 Dec 2018" in out
    assert "Due: Mon 31 Dec 2018" in out
    without_quoted = re.sub(r"'[^']*'", "", out)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", without_quoted), out
    assert "Owners: Chief Executive" in out and "RAG: amber" in out
    assert re.search(r"History \(\d+\):.*cli via import: created", out)
    ncc = " ".join(run(db_url, "show", "--plan", "NCC", "1.1").split())
    assert "Tasks: • Review of the arrangements" in ncc
    assert "Due date from: the plan's default due date" in ncc
    record = json.loads(run(db_url, "show", "--plan", "FIN", "2.1", "--json"))
    assert record["revised_text"] == "31/12/2018" and record["history"]


def test_show_unknown_action_is_a_clear_error(db_url: str) -> None:
    seeded(db_url)
    result = CliRunner().invoke(app, ["--database-url", db_url, "show", "--plan", "FIN", "9.9"])
    assert result.exit_code != 0 and "no action '9.9' in plan FIN" in result.stderr


def test_help_shows_human_metavars_and_version() -> None:
    nudge = CliRunner().invoke(app, ["nudge", "--help"], env={"COLUMNS": "80"}).stdout
    assert "<bool>" not in nudge and "<str>" not in nudge
    assert re.search(r"--at\s+ISO_TIME", nudge) and re.search(r"--dry-run\s+Print", nudge)
    imported = CliRunner().invoke(app, ["import", "--help"], env={"COLUMNS": "80"}).stdout
    assert re.search(r"--default-due\s+YYYY-MM-DD", imported)
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"actionbot \d+\.\d+\.\d+\S*\n", result.stdout)


def test_export_all_is_the_whole_register_as_json(db_url: str) -> None:
    seeded(db_url)
    run(db_url, "plans", "default-due", "FIN", "2019-01-31")
    document = json.loads(run(db_url, "export", "--all"))
    assert document["format"] == "actionbot-register" and document["version"] == 1
    plans = {p["code"]: p for p in document["plans"]}
    assert len(plans["NCC"]["actions"]) == 25 and len(plans["FIN"]["actions"]) == 3
    assert plans["NCC"]["actions"][0]["history"][0]["field"] == "created"
    assert [e["field"] for e in plans["FIN"]["events"]] == ["plan", "plan.default_due"]
    owners = {o["name"]: o for o in document["owners"]}
    assert owners["Finance"]["email"] == "finance@northants.example"
    assert any(p["email"] == "ceo@northants.example" for p in document["people"])


def test_export_needs_one_plan_or_all(db_url: str) -> None:
    for args in ([], ["--all", "--plan", "FIN"], ["--all", "--format", "csv"]):
        result = CliRunner().invoke(app, ["--database-url", db_url, "export", *args])
        assert result.exit_code != 0 and "error:" in result.stderr
