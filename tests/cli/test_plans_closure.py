"""`plans list` and `show --plan` name a plan's verifier and date approver, exactly as
written, in a table that stays within 80 columns."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app
from tests.cli.test_cli import CLEAN, run

ROLE = 'Audit <!channel> *bold* [b]x[/b] =HYPERLINK("http://evil.example","x") 🦉'


def closure_plan(db_url: str, tmp_path: Path) -> None:
    owners = tmp_path / "owners.csv"
    with owners.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["owner", "email"], [ROLE, "audit@council.example"]])
    assert run(db_url, "import", str(CLEAN), "--plan", "FIN", "--name", "Finance plan")[0] == 0
    assert run(db_url, "import", str(CLEAN), "--plan", "OTHER")[0] == 0
    assert run(db_url, "owners", "import", str(owners))[0] == 0
    code, _, err = run(
        db_url, "plans", "set", "FIN", "--verify-by", ROLE, "--approve-dates-by", "ceo@x.example"
    )
    assert code == 0, err


def at_80(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(app, ["--database-url", db_url, *args], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_plans_list_names_the_verifier_and_approver_as_written(db_url: str, tmp_path: Path) -> None:
    closure_plan(db_url, tmp_path)
    _, wide, _ = run(db_url, "plans", "list")
    assert f"verified by {ROLE}" in wide and "dates approved by ceo@x.example" in wide
    [other] = [line for line in wide.splitlines() if "OTHER" in line]
    assert "verified" not in other and "│ -" in other  # a plan without closure: a dash

    narrow = at_80(db_url, "plans", "list")
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert "Closure" in narrow and "Name" in narrow and "Actions" in narrow
    # Folded to fit, never cut nor read as markup: the cells put back together are the name.
    cells = "".join(
        line.split("│")[4].strip() for line in narrow.splitlines() if line.count("│") > 4
    )
    assert f"verifiedby{ROLE}".replace(" ", "") in cells.replace(" ", "")


def test_show_plan_titles_the_register_with_its_verifier_and_approver(
    db_url: str, tmp_path: Path
) -> None:
    closure_plan(db_url, tmp_path)
    _, shown, _ = run(db_url, "show", "--plan", "FIN")
    title = " ".join(shown.split())  # the title wraps at the table's width
    assert f"(3 actions); verified by {ROLE}, dates approved by ceo@x.example" in title
    _, other, _ = run(db_url, "show", "--plan", "OTHER")
    assert "verified by" not in other
